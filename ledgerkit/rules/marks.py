"""Marks people put on rows instead of writing a status: strikethrough, a green fill.

An office that strikes a finished measure through, or fills its row green, and leaves the
status cell empty has said "done" in a way the values do not carry: the row would count as
未开始 without a word. Cell styles are not in calamine's grids, so they are read from the
xlsx parts (styles.xml and the sheet's ``s=`` attributes), and only for the rows that need
it: rows with an empty status. An .xls file is not looked at (no error either).
"""

from __future__ import annotations

from ..model import DONE, Finding, Ledger
from ..reading.read import ZIP_ERRORS, RawWorkbook
from ..text import clean
from . import findings

MEANING = {
    "strike": "删除线（常表示已完成销号或已取消）",
    "green": "绿色底纹（常表示已完成）",
}


def _row_marks(grid: list[list[object]], cells: dict[tuple[int, int], str]) -> dict[int, str]:
    """Row -> its mark. A fill shows on an empty cell; strikethrough only on a cell with text."""
    out: dict[int, str] = {}
    for (r, c), mark in sorted(cells.items()):
        if mark == "strike" and not (r < len(grid) and c < len(grid[r]) and clean(grid[r][c])):
            continue
        out.setdefault(r, mark)
    return out


def mark_findings(raw: RawWorkbook, ledger: Ledger) -> list[Finding]:
    """An error at the status cell of each measure whose status is empty and counted as not
    done although its row carries a mark."""
    if raw.file_format == "xls":
        return []
    wanted: dict[str, set[int]] = {}
    for m in ledger.measures:
        if not m.status_text and m.status is not None and m.status != DONE:
            wanted.setdefault(m.sheet, set()).add(m.row - 1)
    if not wanted:
        return []
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError

    from ..reading.xlsx_parts import row_marks

    try:
        found = row_marks(raw.path, wanted)
    except (DefusedXmlException, ParseError, KeyError, ValueError, *ZIP_ERRORS):
        return []  # the styles are a hint; the values were read already
    rows = {
        sheet.name: _row_marks(sheet.rows, cells) for sheet in raw.sheets if (cells := found.get(sheet.name))
    }
    out = []
    seen: set[tuple[str, int]] = set()
    for m in ledger.measures:
        mark = rows.get(m.sheet, {}).get(m.row - 1)
        if mark is None or (m.sheet, m.row) in seen or m.status_text or m.status in (None, DONE):
            continue
        seen.add((m.sheet, m.row))
        info = ledger.sheet(m.sheet)
        col = info.columns.get("status")
        name = "".join(info.headers.get(col, "").split()) if col else ""
        out.append(
            findings.make(
                "status-empty-but-marked",
                m.sheet,
                f"{col}{m.row}" if col else f"A{m.row}",
                name=name or "完成情况",
                mark=MEANING[mark],
                counted=m.status,
            )
        )
    return out
