"""The blank ledger offices fill in (templates/台账模板.xlsx, what ``ledgerkit init`` copies):
the standard header, pre-formatted rows, dropdowns, date checks, and a 填报说明 sheet.

It carries a fixed creation time, so regenerating it unchanged gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..model import Measure
from ..support.atomic import atomic_path
from ..text import fold
from .styles import (
    INSTRUCTIONS_SHEET,
    LEDGER_SHEET,
    MAX_ROW_HEIGHT,
    Styles,
    cut,
    height,
    lines,
    print_setup,
)
from .table import Column, finish_table, is_wide, ledger_columns, merge_runs, write_heading, write_lists_sheet

if TYPE_CHECKING:
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

TEMPLATE_ROWS = 50  # pre-formatted blank rows in the template
TEMPLATE_DATE = datetime(2025, 1, 1)

TEMPLATE_TITLE = "XX单位巡察反馈问题整改台账"
BLANK_LINE = "填报单位：　　　　　　　　填报时间："
INSTRUCTIONS: tuple[str, ...] = (
    "1. 每条整改措施填一行。同一个具体问题有几条措施，就填几行，每行都写上它所属的方面、问题和具体问题"
    "（也可以把相同内容的单元格上下合并）。",
    "2. “方面”“问题”“具体问题”按巡察反馈意见的层级填写，前面的编号（一、（一）1.（1））可写可不写。"
    "没有“方面”或“问题”这一层的，该列留空即可。",
    "3. “整改时限”填日期，如 2025/3/31；也可填“立行立改”“长期坚持”。只写到月份（如 2025年3月）按月底计算。",
    "4. “整改类型”从下拉列表选择：立行立改、限期整改、长期坚持。",
    "5. “完成情况”从下拉列表选择：已完成、阶段性完成、正在推进、长期坚持、未开始。只有“已完成”计为完成；"
    "一个具体问题的全部措施都已完成，该具体问题才算完成整改。",
    "6. “完成时间”填实际完成的日期，如 2025/3/31；尚未完成的留空。",
    "7. “整改进展”写已采取的措施和取得的成效；“佐证材料”写材料名称或存放位置。",
    "8. 请不要修改第 3 行的列名，也不要在表格中插入合计行。需要增加的列请加在最右侧，工具会原样保留。",
    "9. 第 1 行请改为本单位的台账名称，第 2 行填写填报单位和填报时间。",
    "10. 填好后另存为 .xlsx 文件，放入 inbox 文件夹，或运行：ledgerkit report 台账文件.xlsx。"
    "逾期未完成的措施显示为红色，14 天内到期的显示为黄色。",
)
EXAMPLE = (
    "示例（仅供参考，请勿填入台账）：",
    "方面：学习贯彻习近平新时代中国特色社会主义思想有差距",
    "问题：理论学习不够深入",
    "具体问题：理论学习中心组学习流于形式",
    "整改措施：制定年度学习计划，每月开展一次集中学习研讨",
    "责任领导：张某某　责任科室：办公室　责任人：李某某",
    "整改时限：2025/3/31　整改类型：限期整改　完成情况：正在推进",
)


# A listed issue of a new ledger: (方面, 问题, 具体问题, 问题描述), as the feedback gives them.
ListedIssue = tuple[str, str, str, str]


def write_blank_template(out_path: Path) -> Path:
    """The blank ledger offices fill in: standard header, dropdowns, date checks, 填报说明."""
    return write_ledger_template(out_path)


def write_ledger_template(
    out_path: Path,
    issues: Sequence[ListedIssue] = (),
    title: str = TEMPLATE_TITLE,
    line: str = BLANK_LINE,
) -> Path:
    """The template, blank or with the feedback's issues listed one per row (方面 and 问题 cells
    merged over their issues, the measure and responsibility cells left for the office)."""
    import xlsxwriter

    out_path = Path(out_path)
    cols = ledger_columns(None)
    with atomic_path(out_path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"in_memory": True})
        # A fixed date keeps the committed template byte-identical when regenerated unchanged.
        wb.set_properties(
            {
                "title": "巡察反馈问题整改台账（空白模板）" if not issues else title,
                "comments": "由 ledgerkit 生成",
                "created": TEMPLATE_DATE,
            }
        )
        styles = Styles(wb)
        ws = wb.add_worksheet(LEDGER_SHEET)
        header_row = write_heading(ws, styles, cols, title, line)
        first = header_row + 1
        if issues:
            _write_issues(ws, styles, cols, first, issues)
            last = first + len(issues) - 1
        else:
            for r in range(first, first + TEMPLATE_ROWS):
                for c, col in enumerate(cols):
                    ws.write_blank(r, c, None, styles.cells[(col.align, False)])
            last = first + TEMPLATE_ROWS - 1
        # A blank ledger has no figures to agree with: its colours follow the day it is opened.
        finish_table(ws, styles, cols, header_row, last, wide=is_wide(cols), as_of=None)
        _write_instructions(wb, styles)
        write_lists_sheet(wb)
        wb.close()
    return out_path


def _write_issues(
    ws: Worksheet, styles: Styles, cols: list[Column], first: int, issues: Sequence[ListedIssue]
) -> None:
    """One row per issue; merged runs as the cleaned ledger merges them (table.merge_runs)."""
    rows = [_listed(i, issue) for i, issue in enumerate(issues)]
    runs = merge_runs(rows, cols)
    heights = [
        height(max([1, *(lines(getattr(m, col.field), col.width) for col in cols if col.field in _LISTED)]))
        for m in rows
    ]
    for i, m in enumerate(rows):
        r = first + i
        for c, col in enumerate(cols):
            fmt = styles.cells[(col.align, False)]
            value = getattr(m, col.field) if col.field in _LISTED else ""
            span = runs.get(c, [0] * len(rows))[i]
            if span > 0:
                ws.merge_range(r, c, first + span, c, cut(value), fmt)
                need = height(lines(value, col.width))
                have = sum(heights[i : span + 1])
                if need > have:  # the merged text needs more than its rows: the last row grows
                    heights[span] += need - have
            elif span == 0:
                ws.write_string(r, c, cut(value), fmt) if value else ws.write_blank(r, c, None, fmt)
    for i, h in enumerate(heights):
        ws.set_row(first + i, min(h, MAX_ROW_HEIGHT))


_LISTED = ("aspect", "problem", "issue", "description")


def _listed(i: int, issue: ListedIssue) -> Measure:
    aspect, problem, title, description = issue
    return Measure(
        sheet=LEDGER_SHEET,
        row=i,
        aspect=aspect,
        problem=problem,
        issue=title,
        description=description,
        aspect_key=fold(aspect),
        problem_key=fold(problem),
        issue_key=fold(title),
    )


def _write_instructions(wb: Workbook, styles: Styles) -> None:
    ws = wb.add_worksheet(INSTRUCTIONS_SHEET)
    width = 72  # fits A4 portrait unscaled in Excel and LibreOffice (which measures units wider)
    ws.set_column(0, 0, width)
    ws.write_string(0, 0, "填报说明", styles.title)
    ws.set_row(0, 32)
    rows = [(r, t) for r, t in enumerate(INSTRUCTIONS, start=1)]
    rows += [(r, t) for r, t in enumerate(EXAMPLE, start=len(INSTRUCTIONS) + 2)]
    for r, text in rows:
        ws.set_row(r, height(lines(text, width)) + 2)
        ws.write_string(r, 0, text, styles.note)
    ws.set_portrait()
    ws.set_paper(9)
    print_setup(ws, None, margins=(0.5, 0.5, 0.6, 0.6))
