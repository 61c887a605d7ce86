"""巡察整改进展汇总.xlsx: the combined units, written from a :class:`combine.Combined`.

Sheets: 汇总 (one row per unit, a totals row, a chart of completion by unit, the versions not
counted), 逾期清单 and 临期清单 (every overdue / due-soon measure across units, with whose it is),
全部措施 (every counted measure with its unit: the consolidated ledger, filterable) and 未能读取.

Written with rvgsrust-xlsxwriter, the xlsxwriter-style writer the cleaned workbook uses, in the
cleaned workbook's formats (``workbook.Styles``: fonts, header fill, the red / amber / green of
overdue / due soon / done). Values only, no formulas in data cells; the colours are conditional
formats keyed to the as-of date of the figures, so they agree with the lists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import rvgsrust_xlsxwriter as rx
from rvgsrust_xlsxwriter import Format, Workbook, Worksheet

from . import formats
from .atomic import atomic_path
from .combine import Combined, UnitFigures
from .errors import LedgerkitError
from .figures import DUE_SOON_DAYS
from .model import DONE, STANDARD_HEADERS, Measure, a1, col_letter
from .speed import gc_paused
from .validate import EXCEL_CELL_LIMIT
from .workbook import CONSTANT_MEMORY_ROWS, FONT, LINE_HEIGHT, MAX_ROW_HEIGHT, WIDTHS, Styles

SUMMARY_SHEET = "汇总"
OVERDUE_SHEET = "逾期清单"
DUE_SOON_SHEET = "临期清单"
MEASURES_SHEET = "全部措施"
UNREADABLE_SHEET = "未能读取"

TITLE = "巡察整改进展汇总"


def write_combined_workbook(combined: Combined, target: Path) -> Path:
    """Write the workbook atomically (a reader sees the old file or the whole new one)."""
    try:
        with atomic_path(target) as tmp, gc_paused():
            wb = Workbook()
            wb.set_properties(title=TITLE, comments="由 ledgerkit combine 生成")
            styles = Styles(wb)
            _summary_sheet(wb, styles, combined)
            _due_sheet(wb, styles, combined, overdue=True)
            _due_sheet(wb, styles, combined, overdue=False)
            _measures_sheet(wb, styles, combined)
            _unreadable_sheet(wb, styles, combined)
            wb.close(str(tmp))
    except PermissionError:
        raise LedgerkitError(
            f"无法写入“{target.name}”：文件可能正在 Excel 或 WPS 中打开，或没有写入权限。请关闭该文件后重试。"
        ) from None
    except OSError as exc:
        raise LedgerkitError(f"无法写入“{target}”：{exc.strerror or exc}。请检查输出文件夹。") from None
    return target


# ---- small pieces shared by the sheets -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Col:
    header: str
    width: float
    align: str  # "left" | "center" | "date" | "number" | "percent"


def _lines(text: str, width: float) -> int:
    """Lines a wrapped cell takes in a column ``width`` wide (CJK two units, ASCII one: from the
    UTF-8 length, 3 bytes and 1 byte, as the cleaned workbook estimates them)."""
    per_line = 2 * max(width - 0.5, 1.0)
    return sum(max(1, -int(-(len(p.encode()) + len(p)) // per_line)) for p in text.split("\n"))


def _set_lines(ws: Worksheet, r: int, lines: int) -> None:
    """An explicit height: LibreOffice and printing do not size wrapped rows by themselves.
    In pixels, as the cleaned workbook sets them (points make constant_memory hold rows)."""
    points = min(max(LINE_HEIGHT * lines + 4, 16.5), MAX_ROW_HEIGHT)
    ws.set_row_height_pixels(r, int(points * 4 / 3 + 0.5))


def _fit(text: str) -> str:
    """Excel holds at most 32,767 characters in a cell."""
    return text if len(text) <= EXCEL_CELL_LIMIT else text[:EXCEL_CELL_LIMIT]


def _fmt(styles: Styles, align: str) -> Format:
    if align == "number":
        return styles.number
    if align == "percent":
        return styles.percent
    return styles.cells[(align, False)]


def _heading(ws: Worksheet, styles: Styles, cols: list[Col], title: str, line: str) -> int:
    """Title row and one line under it; returns the header row (0-based)."""
    last = len(cols) - 1
    ws.set_row_height_pixels(0, 40)
    ws.merge_range(0, 0, 0, last, title, styles.title)
    ws.merge_range(1, 0, 1, last, line, styles.subtitle)
    for c, col in enumerate(cols):
        ws.set_column_width(c, col.width)
        ws.write(2, c, col.header, styles.header)
    return 2


def _print_setup(ws: Worksheet, header_row: int, landscape: bool = True) -> None:
    """One page wide, as many long, the header row on every page, page numbers below."""
    if landscape:
        ws.set_landscape()
    ws.set_paper_size(9)  # A4
    ws.set_print_fit_to_pages(1, 0)
    ws.set_repeat_rows(header_row, header_row)
    ws.set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3)
    ws.set_footer("&C第 &P 页，共 &N 页")
    ws.set_print_center_horizontally(True)


def _colour(ws: Worksheet, cells: tuple[int, int, int, int], formula: str, fmt: Format) -> None:
    """A formula colour over ``cells`` (first row, first col, last row, last col).

    Given as a "multi range" on its last row only: in constant_memory mode the library takes a
    conditional format as writing its rows and refuses one over rows already written (the same
    way workbook._colour gives it).
    """
    r1, c1, r2, c2 = cells
    cf = rx.ConditionalFormatFormula()
    cf.set_rule(formula)
    cf.set_format(fmt)
    cf.set_multi_range(f"{a1(r1, c1)}:{a1(r2, c2)}")
    ws.add_conditional_format(r2, c1, r2, c2, cf)


def _as_of_serial(d: date) -> str:
    return f"DATE({d.year},{d.month},{d.day})"


def _rate_cell(done: int, total: int) -> float:
    return formats.percent_value(done, total)


def _position(m: Measure) -> str:
    return f"{m.sheet} 第{m.row}行"


# ---- 汇总 ----------------------------------------------------------------------------------------

SUMMARY_COLS = [
    Col("序号", 6, "center"),
    Col("单位", 28, "left"),
    Col("填报时间", 14, "date"),
    Col("方面数", 8, "number"),
    Col("问题数", 8, "number"),
    Col("具体问题数", 10, "number"),
    Col("已完成数", 9, "number"),
    Col("完成率", 9, "percent"),
    Col("措施数", 8, "number"),
    Col("已完成措施数", 12, "number"),
    Col("逾期数", 8, "number"),
    Col("临期数", 8, "number"),
    Col("错误", 7, "number"),
    Col("提醒", 7, "number"),
    Col("来源文件", 30, "left"),
]
# Columns by meaning (0-based), for the colours and the chart.
C_UNIT, C_ISSUES, C_DONE, C_RATE, C_OVERDUE, C_SOON, C_ERRORS = 1, 5, 6, 7, 10, 11, 12
CHART_ROW_PIXELS = 22  # per unit: the bars stay readable however many units there are


def _unit_row(k: int, u: UnitFigures, combined: Combined) -> list[object]:
    s = u.summary
    return [
        k, u.unit, u.reported, s.aspects, s.problems, s.issues, s.issues_done,
        _rate_cell(s.issues_done, s.issues), s.measures, s.measures_done,
        len(s.overdue), len(s.due_soon), u.errors, u.warnings, combined.relative(u.file),
    ]  # fmt: skip


def _summary_sheet(wb: Workbook, styles: Styles, combined: Combined) -> None:
    ws = wb.add_worksheet(SUMMARY_SHEET)
    cols = SUMMARY_COLS
    line = (
        f"统计截止日期：{formats.cn_date(combined.as_of)}　　共 {len(combined.units)} 个单位，"
        "按具体问题完成率由低到高排列"
    )
    header = _heading(ws, styles, cols, TITLE, line)
    first = header + 1
    for k, u in enumerate(combined.units, start=1):
        _write_values(ws, styles, first + k - 1, cols, _unit_row(k, u, combined))
    total_row = first + len(combined.units)
    _totals_row(ws, styles, total_row, combined)
    _summary_colours(ws, styles, first, total_row)
    ws.freeze_panes(first, 2)
    row = total_row + 2
    row = _superseded_table(ws, styles, combined, row)
    _completion_chart(ws, combined, first, total_row - 1, row)
    _print_setup(ws, header)


def _totals_row(ws: Worksheet, styles: Styles, r: int, combined: Combined) -> None:
    t = combined.total
    values: list[object] = [
        "", "合计", "", t.aspects, t.problems, t.issues, t.issues_done,
        _rate_cell(t.issues_done, t.issues), t.measures, t.measures_done,
        t.overdue, t.due_soon, t.errors, t.warnings, f"{len(combined.units)} 个单位",
    ]  # fmt: skip
    _write_values(ws, styles, r, SUMMARY_COLS, values)
    ws.write(r, C_UNIT, "合计", styles.header)


def _write_values(ws: Worksheet, styles: Styles, r: int, cols: list[Col], values: Iterable[object]) -> None:
    values = list(values)
    lines = [_lines(v, col.width) for col, v in zip(cols, values, strict=True) if isinstance(v, str) and v]
    if max(lines, default=1) > 1:
        _set_lines(ws, r, max(lines))
    for c, (col, value) in enumerate(zip(cols, values, strict=True)):
        if col.align == "date" and not isinstance(value, date):
            ws.write(r, c, _fit(str(value)), styles.cells[("center", False)])
        elif isinstance(value, str):
            ws.write(r, c, _fit(value), _fmt(styles, col.align if col.align != "number" else "center"))
        else:
            ws.write(r, c, value, _fmt(styles, col.align))


def _summary_colours(ws: Worksheet, styles: Styles, first: int, last: int) -> None:
    """Every issue done green on the rate; overdue and errors red, due soon amber, where nonzero."""
    r = first + 1  # formulas are written for the range's first row and move with it
    issues, done = f"${col_letter(C_ISSUES)}{r}", f"${col_letter(C_DONE)}{r}"
    _colour(ws, (first, C_RATE, last, C_RATE), f"=AND({issues}>0,{done}={issues})", styles.done)
    for c, fmt in ((C_OVERDUE, styles.overdue), (C_SOON, styles.due_soon), (C_ERRORS, styles.overdue)):
        _colour(ws, (first, c, last, c), f"={col_letter(c)}{r}>0", fmt)


def _superseded_table(ws: Worksheet, styles: Styles, combined: Combined, row: int) -> int:
    """The versions not counted, under the totals: a figure left out is never left out silently."""
    if not combined.superseded:
        return row
    ws.write(row, 0, f"同一单位的较早版本，未计入（{len(combined.superseded)} 个）", styles.section)
    row += 1
    ws.write(row, 0, "序号", styles.header)
    ws.write(row, 1, "单位", styles.header)
    ws.merge_range(row, 2, row, 7, "未计入的文件", styles.header)
    ws.merge_range(row, 8, row, 14, "以此文件为准", styles.header)
    row += 1
    left = styles.cells[("left", False)]
    for k, s in enumerate(combined.superseded, start=1):
        ws.write(row, 0, k, styles.number)
        ws.write(row, 1, s.unit, left)
        ws.merge_range(row, 2, row, 7, combined.relative(s.file), left)
        ws.merge_range(row, 8, row, 14, combined.relative(s.by), left)
        row += 1
    return row + 1


def _completion_chart(ws: Worksheet, combined: Combined, first: int, last: int, row: int) -> None:
    """Completion by unit: one horizontal bar per unit, in the table's order, top to bottom."""
    if last < first:
        return
    chart = rx.Chart("bar")
    series = rx.ChartSeries()
    series.set_name("具体问题完成率")
    series.set_categories(
        f"'{SUMMARY_SHEET}'!${col_letter(C_UNIT)}${first + 1}:${col_letter(C_UNIT)}${last + 1}"
    )
    series.set_values(f"'{SUMMARY_SHEET}'!${col_letter(C_RATE)}${first + 1}:${col_letter(C_RATE)}${last + 1}")
    fill = rx.ChartFormat()
    fill.set_fill_color("#70AD47")
    series.set_format(fill)
    label = rx.ChartDataLabel()
    label.show_value()
    label.set_num_format("0.0%")
    label.set_position("inside_end")  # 100.0% stays inside the plot
    label.set_font(_chart_font(9))
    series.set_data_label(label)
    chart.push_series(series)
    chart.set_title_name("各单位具体问题整改完成率")
    chart.set_title_font(_chart_font(11))
    chart.set_x_axis_font(_chart_font(9))
    chart.set_y_axis_font(_chart_font(9))
    chart.set_y_axis_reverse()  # the table's first unit on top
    chart.set_x_axis_min(0)
    chart.set_x_axis_max(1)
    chart.set_x_axis_num_format("0%")
    chart.set_x_axis_major_gridlines(True)
    chart.set_legend_hidden()
    n = last - first + 1
    chart.set_width(760)
    chart.set_height(90 + CHART_ROW_PIXELS * n)
    ws.insert_chart(row, 1, chart)


def _chart_font(size: float) -> rx.ChartFont:
    font = rx.ChartFont()
    font.set_name(FONT)
    font.set_size(size)
    return font


# ---- 逾期清单 / 临期清单 -----------------------------------------------------------------------------


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
        Col("来源文件", 24, "left"),
        Col("原台账位置", 14, "left"),
    ]


def _due_sheet(wb: Workbook, styles: Styles, combined: Combined, overdue: bool) -> None:
    name = OVERDUE_SHEET if overdue else DUE_SOON_SHEET
    ws = wb.add_worksheet(name)
    cols = _due_cols(overdue)
    as_of = combined.as_of
    items = [
        (u, m) for u in combined.units for m in (u.overdue_measures() if overdue else u.due_soon_measures())
    ]
    what = "逾期未完成" if overdue else f"{DUE_SOON_DAYS}天内到期"
    line = f"统计截止日期：{formats.cn_date(as_of)}　　{what}的整改措施共 {len(items)} 项，按单位排列（单位次序同“汇总”）"
    header = _heading(ws, styles, cols, f"{what}的整改措施", line)
    r = header
    for k, (u, m) in enumerate(items, start=1):
        r = header + k
        deadline = m.deadline_date
        assert deadline is not None  # a measure with no date is neither overdue nor due soon
        days = (as_of - deadline).days if overdue else (deadline - as_of).days
        values = [k, u.unit, m.leader, m.department, m.owner, deadline, days, m.measure, m.issue,
                  combined.relative(u.file), _position(m)]  # fmt: skip
        _write_values(ws, styles, r, cols, values)
    if items:
        _colour(ws, (header + 1, 6, r, 6), "=TRUE", styles.overdue if overdue else styles.due_soon)
    ws.freeze_panes(header + 1, 2)
    ws.autofilter(header, 0, max(r, header), len(cols) - 1)
    _print_setup(ws, header)


# ---- 全部措施 ------------------------------------------------------------------------------------


def _measure_cols() -> list[tuple[Col, Callable[[Measure], object]]]:
    """单位, then the standard columns of a cleaned ledger, then where each measure came from."""
    out: list[tuple[Col, Callable[[Measure], object]]] = []
    for f, header in STANDARD_HEADERS.items():
        if f in ("deadline", "done_on"):
            out.append((Col(header, WIDTHS[f], "date"), _date_getter(f)))
        elif f == "status":  # canonical when known, else as written
            out.append((Col(header, WIDTHS[f], "center"), lambda m: m.status or m.status_text))
        else:
            align = "center" if f in ("seq", "leader", "department", "owner", "kind") else "left"
            out.append((Col(header, WIDTHS[f], align), _text_getter(f)))
    return out


def _text_getter(f: str) -> Callable[[Measure], object]:
    return lambda m: getattr(m, f)


def _date_getter(f: str) -> Callable[[Measure], object]:
    parsed, written = (f"{f}_date", f) if f == "deadline" else (f, f"{f}_text")
    return lambda m: getattr(m, parsed) or getattr(m, written)


def _measures_sheet(wb: Workbook, styles: Styles, combined: Combined) -> None:
    n = sum(u.summary.measures for u in combined.units)
    ws = wb.add_worksheet(MEASURES_SHEET, constant_memory=n > CONSTANT_MEMORY_ROWS)
    getters = _measure_cols()
    cols = [
        Col("单位", 24, "left"),
        *(c for c, _ in getters),
        Col("来源文件", 24, "left"),
        Col("原台账位置", 14, "left"),
    ]
    line = (
        f"统计截止日期：{formats.cn_date(combined.as_of)}　　共 {n} 条整改措施。逾期未完成的行显示为红色，"
        f"{DUE_SOON_DAYS}天内到期的为黄色，已完成的“完成情况”为绿色。可用表头的筛选按钮按单位、科室、状态筛选。"
    )
    header = _heading(ws, styles, cols, "全部整改措施", line)
    date_cols = {c + 1 for c, (col, _) in enumerate(getters) if col.align == "date"}
    when, words = styles.cells[("date", False)], styles.cells[("center", False)]
    runs = _runs(cols, styles, date_cols)
    sized = [(c, col.width) for c, col in enumerate(cols) if col.align == "left"]
    streaming = n > CONSTANT_MEMORY_ROWS
    r = header
    for u in combined.units:
        source = combined.relative(u.file)
        for m in u.result.ledger.measures:
            r += 1
            values = [u.unit, *(get(m) for _, get in getters), source, _position(m)]
            # Heights only when rows are held: a streamed row with a height is written twice.
            lines = 1 if streaming else max(_lines(values[c], w) if values[c] else 1 for c, w in sized)
            if lines > 1:
                _set_lines(ws, r, lines)
            for c0, c1, fmt in runs:
                ws.write_row(r, c0, [_fit(v) if isinstance(v, str) else v for v in values[c0:c1]], fmt)
            for c in date_cols:  # a date, or the words written for it (立行立改, 2025年3月底前…)
                v = values[c]
                if isinstance(v, date):
                    ws.write(r, c, v, when)
                else:
                    ws.write(r, c, _fit(str(v)), words)
    last = max(r, header)
    ws.freeze_panes(header + 1, 1)
    ws.autofilter(header, 0, last, len(cols) - 1)
    if r > header:
        _measure_colours(ws, styles, cols, header + 1, last, combined.as_of)
    _print_setup(ws, header)


def _runs(cols: list[Col], styles: Styles, skip: set[int]) -> list[tuple[int, int, Format]]:
    """Adjacent columns sharing a format, written with one ``write_row`` (the library's cost is
    per call from Python); the date columns, which may hold a date or words, are left out."""
    runs: list[tuple[int, int, Format]] = []
    c = 0
    while c < len(cols):
        if c in skip:
            c += 1
            continue
        end = c + 1
        while end < len(cols) and end not in skip and cols[end].align == cols[c].align:
            end += 1
        runs.append((c, end, _fmt(styles, cols[c].align)))
        c = end
    return runs


def _measure_colours(
    ws: Worksheet, styles: Styles, cols: list[Col], first: int, last: int, as_of: date
) -> None:
    """The cleaned ledger's colours, at the figures' as-of date rather than TODAY()."""
    index = {col.header: c for c, col in enumerate(cols)}
    r = first + 1
    d = f"${col_letter(index[STANDARD_HEADERS['deadline']])}{r}"
    s = f"${col_letter(index[STANDARD_HEADERS['status']])}{r}"
    day = _as_of_serial(as_of)
    every = (first, 0, last, len(cols) - 1)
    _colour(ws, every, f'=AND(ISNUMBER({d}),{d}<{day},{s}<>"{DONE}")', styles.overdue)
    soon = f'=AND(ISNUMBER({d}),{d}>={day},{d}<={day}+{DUE_SOON_DAYS},{s}<>"{DONE}")'
    _colour(ws, every, soon, styles.due_soon)
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
