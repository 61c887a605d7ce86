"""变化对照.xlsx: the comparison of two versions as a workbook, and its 变化明细 sheet for any workbook.

变化汇总 (counts, both versions' figures) and 变化明细 (a row per change), the cleaned workbook of ``report --since`` takes the 变化明细 sheet as its 变化 sheet.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import formats
from ..compare.changes import KIND_HINTS, KIND_NAMES, KINDS, RED_FLAGS, Comparison
from ..compare.wording import figure_rows, summary_line
from ..errors import LedgerkitError, unwritable

CHANGES_FILENAME = "变化对照.xlsx"

SUMMARY_SHEET = "变化汇总"
LINE_POINTS = 15.0  # one line of 11-point 宋体
DETAIL_LINE_POINTS = 13.5  # one line of 10-point 宋体
SUMMARY_LINE_CHARS = 44  # CJK characters per line across 变化汇总's four columns
DETAIL_SHEET = "变化明细"
DETAIL_HEADERS: tuple[tuple[str, float], ...] = (
    ("变化", 14),
    ("方面", 16),
    ("问题", 16),
    ("具体问题", 22),
    ("整改措施", 40),
    ("上次", 16),
    ("本次", 16),
    ("上次位置", 14),
    ("本次位置", 14),
)


def write_changes_workbook(c: Comparison, out_path: Path, unit: str = "") -> Path:
    """变化对照.xlsx: 变化汇总 (counts, both versions' figures) and 变化明细 (a row per change).

    Written atomically with xlsxwriter; a few thousand rows at most, so its plain mode is enough.
    """
    import xlsxwriter
    from xlsxwriter.exceptions import FileCreateError

    from ..support.atomic import atomic_path

    out_path = Path(out_path)
    for src in (c.old.file, c.new.file):
        if src and Path(src).exists() and Path(src).resolve() == out_path.resolve():
            raise LedgerkitError(
                f"输出文件“{out_path.name}”就是输入的台账，不会覆盖。请用 -o 指定其他输出文件夹。"
            )
    try:
        with atomic_path(out_path) as tmp:
            # Every ledger text stays text: none becomes a formula, a number or a link.
            options = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
            wb = xlsxwriter.Workbook(str(tmp), options)
            wb.set_properties({"title": f"{unit}台账变化对照", "comments": "由 ledgerkit 生成"})
            styles = _ChangeStyles(wb)
            _write_summary(wb.add_worksheet(SUMMARY_SHEET), styles, c, unit)
            _write_detail(wb.add_worksheet(DETAIL_SHEET), styles, c)
            wb.close()
    except (OSError, FileCreateError) as exc:
        raise unwritable(out_path, exc) from None
    return out_path


class _ChangeStyles:
    def __init__(self, wb: Any) -> None:
        base = {"font_name": "宋体", "font_size": 10}
        cell = {**base, "border": 1, "text_wrap": True, "valign": "vcenter"}
        red = {"bg_color": "#FFC7CE", "font_color": "#9C0006"}
        self.title = wb.add_format(
            {**base, "font_size": 16, "bold": True, "align": "center", "valign": "vcenter"}
        )
        self.line = wb.add_format({**base, "font_size": 11, "text_wrap": True, "valign": "vcenter"})
        self.header = wb.add_format({**cell, "bold": True, "align": "center", "bg_color": "#DDEBF7"})
        self.text = wb.add_format(cell)
        self.center = wb.add_format({**cell, "align": "center"})
        self.flag = wb.add_format({**cell, **red})
        self.flag_center = wb.add_format({**cell, **red, "align": "center"})


def _write_summary(ws: Any, st: _ChangeStyles, c: Comparison, unit: str) -> None:
    for col, width in enumerate((22, 12, 12, 46)):
        ws.set_column(col, col, width)
    ws.merge_range(0, 0, 0, 3, f"{unit}整改台账变化对照", st.title)
    ws.set_row(0, 30)
    lines = [
        summary_line(c),
        f"上次：{Path(c.old.file).name}，{formats.cn_date(c.old.as_of)}（日期取自{c.old.as_of_from}）",
        f"本次：{Path(c.new.file).name}，{formats.cn_date(c.new.as_of)}（日期取自{c.new.as_of_from}）",
    ]
    for r, text in enumerate(lines, start=1):
        ws.merge_range(r, 0, r, 3, text, st.line)
        ws.set_row(r, LINE_POINTS * max(1, -(-len(text) // SUMMARY_LINE_CHARS)))
    _print_setup(ws, landscape=False)
    r = 5
    ws.write_row(r, 0, ["变化", "条数", "", "说明"], st.header)
    counts = c.counts
    for k in KINDS:
        r += 1
        red = k in RED_FLAGS and counts[k] > 0
        ws.write(r, 0, KIND_NAMES[k], st.flag if red else st.text)
        ws.write(r, 1, counts[k], st.flag_center if red else st.center)
        ws.write(r, 2, "需关注" if red else "", st.flag_center if red else st.center)
        ws.write(r, 3, KIND_HINTS[k], st.text)
    r += 2
    ws.write_row(r, 0, ["指标", "上次", "本次", "变化"], st.header)
    for label, before, after, delta in figure_rows(c):
        r += 1
        ws.write(r, 0, label, st.text)
        ws.write(r, 1, before, st.center)
        ws.write(r, 2, after, st.center)
        ws.write(r, 3, delta, st.text)


def add_changes_sheet(wb: Any, c: Comparison, name: str = DETAIL_SHEET) -> Any:
    """A 变化明细 sheet in any xlsxwriter workbook (the cleaned workbook's 变化 sheet for ``--since``)."""
    ws = wb.add_worksheet(name)
    _write_detail(ws, _ChangeStyles(wb), c)
    return ws


def _write_detail(ws: Any, st: _ChangeStyles, c: Comparison) -> None:
    for col, (_h, width) in enumerate(DETAIL_HEADERS):
        ws.set_column(col, col, width)
    ws.write_row(0, 0, [h for h, _w in DETAIL_HEADERS], st.header)
    r = 0
    for k in KINDS:
        if k == "unchanged":
            continue
        for ch in c.changes[k]:
            r += 1
            m = ch.measure
            fmt = st.flag if ch.red_flag else st.text
            values = [
                KIND_NAMES[k],
                m.aspect,
                m.problem,
                m.issue,
                m.measure,
                ch.before or "",
                ch.after or "",
                ch.old_cell or "",
                ch.new_cell or "",
            ]
            ws.write_row(r, 0, [_cut(v) for v in values], fmt)
            ws.set_row(r, _height(values))  # LibreOffice and printing do not size wrapped rows
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(r, 1), len(DETAIL_HEADERS) - 1)
    ws.repeat_rows(0)
    _print_setup(ws, landscape=True)


def _print_setup(ws: Any, landscape: bool) -> None:
    """A4, one page wide: the sheets are read on paper at the 巡察办 too."""
    ws.set_paper(9)
    if landscape:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)


def _height(values: list[str]) -> float:
    """Points for a 变化明细 row: its cell with the most wrapped lines (CJK characters two units wide)."""
    most = 1
    for text, (_h, width) in zip(values, DETAIL_HEADERS, strict=True):
        per_line = max(int(width) - 1, 1)
        lines = sum(max(1, -(-_units(part) // per_line)) for part in text.split("\n"))
        most = max(most, lines)
    return min(DETAIL_LINE_POINTS * most + 3, 409.0)  # 409: Excel's highest row


def _units(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _cut(text: str) -> str:
    # Excel holds at most 32,767 characters in a cell; a progress text could exceed it.
    return text if len(text) <= 32_767 else text[:32_767]
