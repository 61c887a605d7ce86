"""The 校验结果 sheet: one row per finding (severity, code, input cell, field, value, message,
hint) with a link to the marked cell of the cleaned 整改台账 where there is one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..formats import position
from ..model import STANDARD_HEADERS, Finding, a1
from .ledger_sheet import Placed
from .styles import (
    FINDINGS_SHEET,
    LEDGER_SHEET,
    SEVERITY_NAMES,
    Styles,
    cut,
    height,
    lines,
    print_setup,
    title_cell,
)

if TYPE_CHECKING:
    from xlsxwriter.workbook import Workbook

FINDINGS_HEADERS = ("序号", "级别", "代码", "原台账位置", "字段", "值", "说明", "修改建议", "清洗台账位置")
FINDINGS_WIDTHS = (6, 7, 18, 16, 11, 20, 50, 40, 14)
MAX_LINKS = 65_000  # Excel's limit is 65,530 hyperlinks per sheet


def write_findings_sheet(wb: Workbook, styles: Styles, findings: list[Finding], placed: Placed) -> None:
    ws = wb.add_worksheet(FINDINGS_SHEET)
    for c, width in enumerate(FINDINGS_WIDTHS):
        ws.set_column(c, c, width)
    target = {id(f): rc for rc, fs in placed.items() for f in fs}
    left, center = styles.cells[("left", False)], styles.cells[("center", False)]
    ws.set_row(0, 28)
    errors = sum(f.severity == "error" for f in findings)
    title = (
        f"校验结果：错误 {errors} 处，提醒 {len(findings) - errors} 处"
        if findings
        else "校验结果：未发现问题"
    )
    title_cell(ws, 0, len(FINDINGS_HEADERS) - 1, title, styles.title)
    for c, name in enumerate(FINDINGS_HEADERS):
        ws.write_string(1, c, name, styles.header)
    links = 0
    for i, f in enumerate(findings):
        r = 2 + i
        where = position(f.sheet, f.cell)
        texts = (
            SEVERITY_NAMES.get(f.severity, f.severity),
            f.code,
            where,
            STANDARD_HEADERS.get(f.field, f.field),
            f.value,
            f.message,
            f.hint,
        )
        ws.set_row(r, height(max(lines(t, FINDINGS_WIDTHS[c]) for c, t in enumerate(texts, start=1) if t)))
        ws.write_number(r, 0, i + 1, center)
        for c, text in enumerate(texts, start=1):
            fmt = center if c in (1, 4) else left
            if text:
                ws.write_string(r, c, cut(text), fmt)
            else:
                ws.write_blank(r, c, None, fmt)
        rc = target.get(id(f))
        if rc is not None and links < MAX_LINKS:
            ref = a1(*rc)
            ws.write_url(r, 8, f"internal:'{LEDGER_SHEET}'!{ref}", styles.link, position(LEDGER_SHEET, ref))
            links += 1
        else:
            ws.write_blank(r, 8, None, center)
    last = max(1 + len(findings), 1)
    ws.freeze_panes(2, 0)
    ws.autofilter(1, 0, last, len(FINDINGS_HEADERS) - 1)
    ws.set_landscape()
    ws.set_paper(9)
    print_setup(ws, 1)
