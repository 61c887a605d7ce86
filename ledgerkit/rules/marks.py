"""Marks people put on rows instead of writing a status: strikethrough, a green fill.

An office that strikes a finished measure through, or fills its row green, and leaves the
status cell empty has said "done" in a way the values do not carry: the row would count as
未开始 without a word. Cell styles are not in calamine's grids: the reading stage reads the
marks each row shows from the xlsx parts (styles.xml and the sheet's ``s=`` attributes) into
``RawSheet.marks``; this module only decides what they mean, and never opens the file. An .xls
file carries no marks (no error either).
"""

from __future__ import annotations

from ..model import DONE, Finding, Ledger, column_index
from ..reading.read import RawWorkbook
from . import findings

MEANING = {
    "strike": "删除线（常表示已完成销号或已取消）",
    "green": "绿色底纹（常表示已完成）",
}


def mark_findings(raw: RawWorkbook, ledger: Ledger) -> list[Finding]:
    """An error at the status cell of each measure whose status is empty and counted as not
    done although its row carries a mark."""
    rows = {sheet.name: sheet.marks for sheet in raw.sheets if sheet.marks}
    if not rows:
        return []
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
                m.row,
                column_index(col) + 1 if col else 1,
                name=name or "完成情况",
                mark=MEANING[mark],
                counted=m.status,
            )
        )
    return out
