"""巡察整改进展汇总.xlsx: the combined units, written from a :class:`combine.Combined`.

Sheets: 汇总 (one row per unit, a totals row, the versions not counted, a chart of completion by
unit), 逾期清单 and 临期清单 (every overdue / due-soon measure across units, with whose it is),
全部措施 (every counted measure with its unit: the consolidated ledger, filterable) and 未能读取.

Written with xlsxwriter, every sheet top to bottom, so that above ``STREAM_MEASURES`` the rows can
stream to disk (``constant_memory``) instead of being held. Text goes in with ``write_string``:
a ledger cell starting with "=" stays text. Values only; the colours are conditional formats keyed
to the as-of date of the figures (not TODAY()), so they agree with the lists whenever it is opened.
The look is the cleaned workbook's: its formats (宋体, the header fill, the red / amber / green of
overdue / due soon / done), row heights, cell limit and print setup, from ``workbook.styles``, and
its widths of the standard columns, from ``workbook.table``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import formats
from ..figures import DUE_SOON_DAYS
from ..model import DONE, STANDARD_HEADERS, Measure, col_letter
from ..rules.validate import EXCEL_CELL_LIMIT
from ..support.atomic import atomic_path
from ..support.speed import gc_paused
from ..workbook import unwritable
from ..workbook.styles import (
    FONT,
    Styles,
    cut,
    height,
    lines,
    one_line_chars,
    print_setup,
)
from ..workbook.table import WIDTHS
from .model import STAGED_MEANING, Combined, UnitFigures, stages_paragraph

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

SUMMARY_SHEET = "汇总"
OVERDUE_SHEET = "逾期清单"
DUE_SOON_SHEET = "临期清单"
MEASURES_SHEET = "全部措施"
UNREADABLE_SHEET = "未能读取"
TITLE = "巡察整改进展汇总"

# Above this many measures in all, the workbook streams its rows to disk (constant_memory).
# Measured on 200 ledgers of 136 measures: held in memory, the writing takes 3.5 s of CPU and
# +63 MB; streamed, 5.7 s (strings escaped into every cell instead of once into a shared table).
STREAM_MEASURES = 50_000


def write_combined_workbook(combined: Combined, target: Path) -> Path:
    """Write the workbook atomically (a reader sees the old file or the whole new one)."""
    from xlsxwriter import Workbook
    from xlsxwriter.exceptions import FileCreateError

    try:
        with atomic_path(target) as tmp, gc_paused():
            stream = sum(u.summary.measures for u in combined.units) > STREAM_MEASURES
            wb = Workbook(str(tmp), {"constant_memory": stream, "strings_to_formulas": False})
            wb.set_properties({"title": TITLE, "comments": "由 ledgerkit combine 生成"})
            styles = Styles(wb)
            _summary_sheet(wb, styles, combined)
            _due_sheet(wb, styles, combined, overdue=True)
            _due_sheet(wb, styles, combined, overdue=False)
            _measures_sheet(wb, styles, combined)
            _unreadable_sheet(wb, styles, combined)
            wb.close()
    except (FileCreateError, OSError) as exc:  # the cleaned workbook's sentences: open, full, ...
        raise unwritable(target, exc) from None
    return target


# ---- small pieces shared by the sheets ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Col:
    header: str
    width: float
    align: str  # "left" | "center" | "date" | "number" | "percent"


def _set_lines(ws: Worksheet, r: int, n_lines: int) -> None:
    ws.set_row(r, height(n_lines))


def _fmt(styles: Styles, align: str) -> Format:
    if align == "number":
        return styles.number
    if align == "percent":
        return styles.percent
    return styles.cells[(align, False)]


def _put(ws: Worksheet, r: int, c: int, value: object, fmt: Format) -> None:
    """One cell by its type; text always as text."""
    if isinstance(value, str):
        ws.write_string(r, c, cut(value), fmt)
    elif isinstance(value, date):
        ws.write_datetime(r, c, value, fmt)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        ws.write_number(r, c, value, fmt)
    else:
        ws.write_blank(r, c, None, fmt)


def _heading(ws: Worksheet, styles: Styles, cols: list[Col], title: str, line: str) -> int:
    """Title row, one line under it, the header row; returns the header row (0-based)."""
    last = len(cols) - 1
    for c, col in enumerate(cols):
        ws.set_column(c, c, col.width)
    ws.set_row(0, 30)
    ws.merge_range(0, 0, 0, last, title, styles.title)
    ws.merge_range(1, 0, 1, last, line, styles.subtitle)
    for c, col in enumerate(cols):
        ws.write_string(2, c, col.header, styles.header)
    return 2


def _write_values(ws: Worksheet, styles: Styles, r: int, cols: list[Col], values: Iterable[object]) -> None:
    """A row of a small table, its height from its longest text."""
    values = list(values)
    n = [
        lines(v, col.width)
        for col, v in zip(cols, values, strict=True)
        if isinstance(v, str) and (len(v) > one_line_chars(col.width) or "\n" in v)  # else one line
    ]
    if max(n, default=1) > 1:
        _set_lines(ws, r, max(n))
    for c, (col, value) in enumerate(zip(cols, values, strict=True)):
        if isinstance(value, str) and col.align in ("date", "number", "percent"):
            _put(ws, r, c, value, styles.cells[("center", False)])  # 合计's blanks, 填报时间 as written
        else:
            _put(ws, r, c, value, _fmt(styles, col.align))


class _Rows:
    """The rows of a long table (every overdue measure, every measure), written lean: formats
    resolved once per column, a row's height counted only from texts longer than one line.
    Values: text in the "left" columns; text, int or date elsewhere."""

    def __init__(self, ws: Worksheet, styles: Styles, cols: list[Col]) -> None:
        self.ws = ws
        self.formats = [_fmt(styles, col.align) for col in cols]
        words = styles.cells[("center", False)]  # a date column holding words: 立行立改, 2025年3月底前
        self.text_formats = [
            words if col.align == "date" else f for col, f in zip(cols, self.formats, strict=True)
        ]
        self.sized = [
            (c, col.width, one_line_chars(col.width)) for c, col in enumerate(cols) if col.align == "left"
        ]

    def write(self, r: int, values: list[Any]) -> None:
        ws = self.ws
        n = 1
        for c, width, short in self.sized:
            v = values[c]
            if len(v) > short or "\n" in v:
                n = max(n, lines(v, width))
        if n > 1:
            _set_lines(ws, r, n)
        for c, value in enumerate(values):
            kind = type(value)
            if kind is str:
                ws.write_string(
                    r,
                    c,
                    value if len(value) <= EXCEL_CELL_LIMIT else value[:EXCEL_CELL_LIMIT],
                    self.text_formats[c],
                )
            elif kind is int:
                ws.write_number(r, c, value, self.formats[c])
            else:
                ws.write_datetime(r, c, value, self.formats[c])


def _print_setup(ws: Worksheet, header_row: int, landscape: bool = True) -> None:
    """A4, one page wide and as many long, the header row on every page, page numbers below."""
    if landscape:
        ws.set_landscape()
    ws.set_paper(9)
    print_setup(ws, header_row, margins=(0.4, 0.4, 0.6, 0.6))
    ws.center_horizontally()


def _colour(ws: Worksheet, cells: tuple[int, int, int, int], formula: str, fmt: Format) -> None:
    """A formula colour over ``cells`` (first row, first col, last row, last col); the formula
    is written for the first row and moves with each row."""
    ws.conditional_format(*cells, {"type": "formula", "criteria": formula, "format": fmt})


# ---- 汇总 ----------------------------------------------------------------------------------------

SUMMARY_COLS = [
    Col("序号", 6, "center"),
    Col("单位", 28, "left"),
    Col("填报时间", 14, "date"),
    Col("方面数", 8, "number"),
    Col("问题数", 8, "number"),
    Col("具体问题数", 10, "number"),
    Col("已完成数", 9, "number"),
    Col("阶段性完成数", 12, "number"),
    Col("未完成数", 9, "number"),
    Col("完成率", 9, "percent"),
    Col("措施数", 8, "number"),
    Col("已完成措施数", 12, "number"),
    Col("逾期数", 8, "number"),
    Col("临期数", 8, "number"),
    Col("新建制度数", 10, "number"),
    Col("完善制度数", 10, "number"),
    Col("制度数来源", 12, "left"),
    Col("错误", 7, "number"),
    Col("提醒", 7, "number"),
    Col("来源文件", 30, "left"),
]
# Columns by meaning (0-based), for the colours and the chart.
C_UNIT, C_ISSUES, C_DONE, C_RATE, C_OVERDUE, C_SOON, C_ERRORS = 1, 5, 6, 9, 12, 13, 17
RULES_FROM = {True: "单位已核对", False: "台账统计，请核对"}
CHART_ROW_PIXELS = 22  # per unit: the bars stay readable however many units there are


def _figures_row(f: dict[str, Any]) -> list[object]:
    """具体问题数 … 提醒 of a unit (or the total) from its ``combine --json`` figures."""
    return [
        f["issues"], f["issues_done"], f["issues_staged"], f["issues_not_done"],
        formats.percent_value(f["issues_done"], f["issues"]), f["measures"], f["measures_done"],
        f["overdue"], f["due_soon"], f["rules_made"], f["rules_revised"], RULES_FROM[f["rules_checked"]],
        f["errors"], f["warnings"],
    ]  # fmt: skip


def _unit_row(k: int, u: UnitFigures, combined: Combined) -> list[object]:
    s = u.summary
    return [
        k,
        u.unit,
        u.reported,
        s.aspects,
        s.problems,
        *_figures_row(u.as_dict()),
        combined.relative(u.file),
    ]


def _summary_sheet(wb: Workbook, styles: Styles, combined: Combined) -> None:
    ws = wb.add_worksheet(SUMMARY_SHEET)
    line = (
        f"统计截止日期：{formats.cn_date(combined.as_of)}　　共 {len(combined.units)} 个单位，"
        "按具体问题完成率由低到高排列"
    )
    header = _heading(ws, styles, SUMMARY_COLS, TITLE, line)
    first = header + 1
    for k, u in enumerate(combined.units, start=1):
        _write_values(ws, styles, first + k - 1, SUMMARY_COLS, _unit_row(k, u, combined))
    total_row = first + len(combined.units)
    _totals_row(ws, styles, total_row, combined)
    _summary_colours(ws, styles, first, total_row)
    ws.freeze_panes(first, 2)
    row = _stages_lines(ws, styles, combined, total_row + 2)
    row = _superseded_table(ws, styles, combined, row)
    _completion_chart(wb, ws, first, total_row - 1, row)
    _print_setup(ws, header)


def _totals_row(ws: Worksheet, styles: Styles, r: int, combined: Combined) -> None:
    """Sums of the units; the rate recomputed from the sums (``combine.Totals``), never averaged."""
    t = combined.total
    values: list[object] = [
        "",
        "合计",
        "",
        t.aspects,
        t.problems,
        *_figures_row(t.as_dict()),
        f"{len(combined.units)} 个单位",
    ]
    _write_values(ws, styles, r, SUMMARY_COLS, values)
    ws.write_string(r, C_UNIT, "合计", styles.header)


def _summary_colours(ws: Worksheet, styles: Styles, first: int, last: int) -> None:
    """Every issue done: the rate green. Overdue and errors red, due soon amber, where nonzero."""
    r = first + 1
    issues, done = f"${col_letter(C_ISSUES)}{r}", f"${col_letter(C_DONE)}{r}"
    _colour(ws, (first, C_RATE, last, C_RATE), f"=AND({issues}>0,{done}={issues})", styles.done)
    for c, fmt in ((C_OVERDUE, styles.overdue), (C_SOON, styles.due_soon), (C_ERRORS, styles.overdue)):
        _colour(ws, (first, c, last, c), f"={col_letter(c)}{r}>0", fmt)


def _stages_lines(ws: Worksheet, styles: Styles, combined: Combined, row: int) -> int:
    """Under the totals, the totals as the 巡察办 states them and what 阶段性完成 means."""
    last = len(SUMMARY_COLS) - 1
    for text in (stages_paragraph(combined), STAGED_MEANING):
        ws.set_row(row, height(lines(text, sum(c.width for c in SUMMARY_COLS))))
        ws.merge_range(row, 0, row, last, text, styles.note)
        row += 1
    return row + 1


def _superseded_table(ws: Worksheet, styles: Styles, combined: Combined, row: int) -> int:
    """The versions not counted, under the totals: a figure left out is never left out silently."""
    if not combined.superseded:
        return row
    ws.write_string(row, 0, f"同一单位的较早版本，未计入（{len(combined.superseded)} 个）", styles.section)
    row += 1
    ws.write_string(row, 0, "序号", styles.header)
    ws.write_string(row, 1, "单位", styles.header)
    last, middle = len(SUMMARY_COLS) - 1, len(SUMMARY_COLS) // 2
    ws.merge_range(row, 2, row, middle - 1, "未计入的文件", styles.header)
    ws.merge_range(row, middle, row, last, "以此文件为准", styles.header)
    left = styles.cells[("left", False)]
    for k, s in enumerate(combined.superseded, start=1):
        row += 1
        ws.write_number(row, 0, k, styles.number)
        ws.write_string(row, 1, s.unit, left)
        ws.merge_range(row, 2, row, middle - 1, combined.relative(s.file), left)
        ws.merge_range(row, middle, row, last, combined.relative(s.by), left)
    return row + 2


def _completion_chart(wb: Workbook, ws: Worksheet, first: int, last: int, row: int) -> None:
    """Completion by unit: one horizontal bar per unit, in the table's order, top to bottom."""
    if last < first:
        return
    font = {"name": FONT, "size": 9}
    chart = wb.add_chart({"type": "bar"})
    chart.add_series(
        {
            "name": "具体问题完成率",
            "categories": [SUMMARY_SHEET, first, C_UNIT, last, C_UNIT],
            "values": [SUMMARY_SHEET, first, C_RATE, last, C_RATE],
            "fill": {"color": "#70AD47"},
            "gap": 60,
            # Inside the bar's end: 100.0% stays within the plot.
            "data_labels": {"value": True, "num_format": "0.0%", "position": "inside_end", "font": font},
        }
    )
    chart.set_title({"name": "各单位具体问题整改完成率", "name_font": {"name": FONT, "size": 11}})
    chart.set_x_axis(
        {"min": 0, "max": 1, "num_format": "0%", "num_font": font, "major_gridlines": {"visible": True}}
    )
    chart.set_y_axis({"reverse": True, "num_font": font})  # the table's first unit on top
    chart.set_legend({"none": True})
    chart.set_size({"width": 760, "height": 90 + CHART_ROW_PIXELS * (last - first + 1)})
    ws.insert_chart(row, 1, chart)


# ---- 逾期清单 / 临期清单 ---------------------------------------------------------------------------


def _due_cols(overdue: bool) -> list[Col]:
    return [
        Col("序号", 6, "center"),
        Col("单位", 24, "left"),
        Col("责任领导", 10, "center"),
        Col("责任科室", 12, "center"),
        Col("责任人", 10, "center"),
        Col("整改时限", 15, "date"),
        Col("逾期天数" if overdue else "剩余天数", 9, "number"),
        Col("整改措施", 40, "left"),
        Col("具体问题", 24, "left"),
        Col("原台账位置", 30, "left"),
    ]


def _due_sheet(wb: Workbook, styles: Styles, combined: Combined, overdue: bool) -> None:
    ws = wb.add_worksheet(OVERDUE_SHEET if overdue else DUE_SOON_SHEET)
    cols = _due_cols(overdue)
    as_of = combined.as_of
    items = [
        (u, m) for u in combined.units for m in (u.overdue_measures() if overdue else u.due_soon_measures())
    ]
    what = "逾期未完成" if overdue else f"{DUE_SOON_DAYS}天内到期"
    line = (
        f"统计截止日期：{formats.cn_date(as_of)}　　{what}的整改措施共 {len(items)} 项，"
        "按单位排列（单位次序同“汇总”）"
    )
    header = _heading(ws, styles, cols, f"{what}的整改措施", line)
    rows = _Rows(ws, styles, cols)
    r = header
    for k, (u, m) in enumerate(items, start=1):
        r = header + k
        deadline = m.deadline_date
        assert deadline is not None  # a measure with no date is neither overdue nor due soon
        days = (as_of - deadline).days if overdue else (deadline - as_of).days
        values = [k, u.unit, m.leader, m.department, m.owner, deadline, days, m.measure, m.issue,
                  _source(combined, u, m)]  # fmt: skip
        rows.write(r, values)
    if items:
        _colour(ws, (header + 1, 6, r, 6), "=TRUE", styles.overdue if overdue else styles.due_soon)
    ws.freeze_panes(header + 1, 2)
    ws.autofilter(header, 0, r, len(cols) - 1)
    _print_setup(ws, header)


# ---- 全部措施 ------------------------------------------------------------------------------------


# Always in 全部措施; the other standard columns only when some unit filled them.
ALWAYS = frozenset(("issue", "measure", "deadline", "status"))


def _measure_cols(combined: Combined) -> list[tuple[Col, Callable[[Measure], Any]]]:
    """The standard columns of a cleaned ledger, in its order, with how each value is read.

    A column no unit filled is left out: each is one more cell on every row of a sheet that
    can hold every measure of 200 units, and an empty column filters nothing.
    """
    out: list[tuple[Col, Callable[[Measure], Any]]] = []
    for f, header in STANDARD_HEADERS.items():
        if f in ("deadline", "done_on"):  # the date when read as one, else the words written
            parsed, written = (
                ("deadline_date", "deadline") if f == "deadline" else ("done_on", "done_on_text")
            )
            col, get = Col(header, WIDTHS[f], "date"), _either(parsed, written)
        elif f == "status":  # canonical when known, else as written
            col, get = Col(header, WIDTHS[f], "center"), _either("status", "status_text")
        else:
            align = "center" if f in ("seq", "leader", "department", "owner", "kind") else "left"
            col, get = Col(header, WIDTHS[f], align), _either(f, f)
        if f in ALWAYS or any(get(m) for u in combined.units for m in u.result.ledger.measures):
            out.append((col, get))
    return out


def _either(first: str, second: str) -> Callable[[Measure], Any]:
    return lambda m: getattr(m, first) or getattr(m, second)


def _source(combined: Combined, u: UnitFigures, m: Measure) -> str:
    """Where a measure came from: the file inside the folder, its sheet and row."""
    return f"{combined.relative(u.file)}：{m.sheet} 第{m.row}行"


def _measures_sheet(wb: Workbook, styles: Styles, combined: Combined) -> None:
    ws = wb.add_worksheet(MEASURES_SHEET)
    columns = _measure_cols(combined)
    getters = [get for _, get in columns]
    cols = [Col("单位", 24, "left"), *(col for col, _ in columns), Col("原台账位置", 30, "left")]
    n = sum(u.summary.measures for u in combined.units)
    line = (
        f"统计截止日期：{formats.cn_date(combined.as_of)}　　共 {n} 条整改措施。逾期未完成的行显示为红色，"
        f"{DUE_SOON_DAYS}天内到期的为黄色，已完成的“完成情况”为绿色。可用表头的筛选按钮按单位、科室、状态筛选。"
    )
    header = _heading(ws, styles, cols, "全部整改措施", line)
    rows = _Rows(ws, styles, cols)
    r = header
    for u in combined.units:
        for m in u.result.ledger.measures:  # the hot loop: every measure of every unit
            r += 1
            rows.write(r, [u.unit, *(get(m) for get in getters), _source(combined, u, m)])
    ws.freeze_panes(header + 1, 1)
    ws.autofilter(header, 0, r, len(cols) - 1)
    if r > header:
        _measure_colours(ws, styles, cols, header + 1, r, combined.as_of)
    _print_setup(ws, header)


def _measure_colours(
    ws: Worksheet, styles: Styles, cols: list[Col], first: int, last: int, as_of: date
) -> None:
    """The cleaned ledger's colours, at the figures' as-of date rather than TODAY()."""
    index = {col.header: c for c, col in enumerate(cols)}
    r = first + 1
    d = f"${col_letter(index[STANDARD_HEADERS['deadline']])}{r}"
    s = f"${col_letter(index[STANDARD_HEADERS['status']])}{r}"
    day = f"DATE({as_of.year},{as_of.month},{as_of.day})"
    every = (first, 0, last, len(cols) - 1)
    _colour(ws, every, f'=AND(ISNUMBER({d}),{d}<{day},{s}<>"{DONE}")', styles.overdue)
    _colour(
        ws, every, f'=AND(ISNUMBER({d}),{d}>={day},{d}<={day}+{DUE_SOON_DAYS},{s}<>"{DONE}")', styles.due_soon
    )
    c = index[STANDARD_HEADERS["status"]]
    _colour(ws, (first, c, last, c), f'={s}="{DONE}"', styles.done)


# ---- 未能读取 ------------------------------------------------------------------------------------


def _unreadable_sheet(wb: Workbook, styles: Styles, combined: Combined) -> None:
    ws = wb.add_worksheet(UNREADABLE_SHEET)
    cols = [Col("序号", 6, "center"), Col("文件", 40, "left"), Col("原因", 80, "left")]
    n = len(combined.unreadable)
    line = f"共 {n} 个文件未能读取，未计入汇总。请按原因修改后重新运行。" if n else "所有台账文件均已读取。"
    header = _heading(ws, styles, cols, "未能读取的文件", line)
    for k, u in enumerate(combined.unreadable, start=1):
        _write_values(ws, styles, header + k, cols, [k, combined.relative(u.file), u.message])
    ws.freeze_panes(header + 1, 0)
    _print_setup(ws, header, landscape=False)
