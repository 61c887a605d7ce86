"""变化对照.xlsx: the comparison of two versions as a workbook, and its 变化明细 sheet for any workbook.

变化汇总 (counts, both versions' figures) and 变化明细 (a row per change), written on the workbook package's styles (``styles.Styles``; ``styles.cut``, which counts Excel's
UTF-16 units, so an emoji near the 32,767 limit is cut whole; ``styles.print_setup``: A4, one
page wide); the cleaned workbook of ``report --since`` takes the 变化明细 sheet as its 变化 sheet.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import formats
from ..compare.changes import KIND_HINTS, KIND_NAMES, KINDS, RED_FLAGS, Comparison
from ..compare.wording import figure_rows, summary_line
from ..errors import LedgerkitError, unwritable
from .styles import LINE_HEIGHT, MAX_ROW_HEIGHT, Styles, cut, display_len, print_setup

CHANGES_FILENAME = "变化对照.xlsx"

SUMMARY_SHEET = "变化汇总"
LINE_POINTS = 15.0  # one line of 11-point 宋体
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
            styles = Styles(wb)
            _write_summary(wb.add_worksheet(SUMMARY_SHEET), styles, c, unit)
            _write_detail(wb.add_worksheet(DETAIL_SHEET), styles, c)
            wb.close()
    except (OSError, FileCreateError) as exc:
        raise unwritable(out_path, exc) from None
    return out_path


def _write_summary(ws: Any, st: Styles, c: Comparison, unit: str) -> None:
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
    print_setup(ws, None, a4=True, page_numbers=False)
    r = 5
    ws.write_row(r, 0, ["变化", "条数", "", "说明"], st.header)
    counts = c.counts
    for k in KINDS:
        r += 1
        red = k in RED_FLAGS and counts[k] > 0
        ws.write(r, 0, KIND_NAMES[k], st.flag if red else st.text)
        ws.write(r, 1, counts[k], st.flag_center if red else st.number)
        ws.write(r, 2, "需关注" if red else "", st.flag_center if red else st.number)
        ws.write(r, 3, KIND_HINTS[k], st.text)
    r += 2
    ws.write_row(r, 0, ["指标", "上次", "本次", "变化"], st.header)
    for label, before, after, delta in figure_rows(c):
        r += 1
        ws.write(r, 0, label, st.text)
        ws.write(r, 1, before, st.number)
        ws.write(r, 2, after, st.number)
        ws.write(r, 3, delta, st.text)


def add_changes_sheet(wb: Any, c: Comparison, name: str = DETAIL_SHEET) -> Any:
    """A 变化明细 sheet in any xlsxwriter workbook (the cleaned workbook's 变化 sheet for ``--since``)."""
    ws = wb.add_worksheet(name)
    _write_detail(ws, Styles(wb), c)
    return ws


def _write_detail(ws: Any, st: Styles, c: Comparison) -> None:
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
            ws.write_row(r, 0, [cut(v) for v in values], fmt)
            ws.set_row(r, _height(values))  # LibreOffice and printing do not size wrapped rows
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(r, 1), len(DETAIL_HEADERS) - 1)
    print_setup(ws, 0, a4=True, landscape=True, page_numbers=False)


def _height(values: list[str]) -> float:
    """Points for a 变化明细 row: its cell with the most wrapped lines (CJK characters two units wide)."""
    most = 1
    for text, (_h, width) in zip(values, DETAIL_HEADERS, strict=True):
        per_line = max(int(width) - 1, 1)
        lines = sum(max(1, -(-display_len(part) // per_line)) for part in text.split("\n"))
        most = max(most, lines)
    return min(LINE_HEIGHT * most + 3, MAX_ROW_HEIGHT)
