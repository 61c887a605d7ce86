"""The 汇总 sheet: the key figures, tables by aspect, status, department and leader, the rules
made and revised (制度建设), the overdue and due-soon measures, and two charts of the tables.

Every figure comes from the Summary (ledgerkit.figures); every rate is a number under a 0.0%
format, its value from formats.percent_value, so it shows what the notice says.

Headers here avoid the words a reader takes for a ledger header (整改措施 + 具体问题 + 完成情况):
counts end in 数, lists say 措施内容 / 所涉问题.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from .. import formats
from ..config import which_unit
from ..figures import (
    DUE_SOON_DAYS,
    DueItem,
    Group,
    Summary,
    rules_column,
    rules_rows,
)
from ..model import CHANGES_SHEET, STATUSES, Ledger
from .styles import (
    FONT,
    LEDGER_SHEET,
    SUMMARY_SHEET,
    Styles,
    cut,
    height,
    lines,
    print_setup,
    reported_line,
    title_cell,
)

if TYPE_CHECKING:
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

    from ..compare import Comparison

SUMMARY_WIDTHS = (6, 40, 14, 12, 11, 10, 14, 26)
# A summary lists at most this many overdue / due-soon measures; the ledger's colours show all.
SUMMARY_LIST_MAX = 500
CHART_ROWS = 17


def write_summary_sheet(
    wb: Workbook, styles: Styles, ledger: Ledger, summary: Summary, changes: Comparison | None = None
) -> None:
    ws = wb.add_worksheet(SUMMARY_SHEET)
    for c, width in enumerate(SUMMARY_WIDTHS):
        ws.set_column(c, c, width)
    last_col = len(SUMMARY_WIDTHS) - 1
    w = _Cursor(ws, styles, last_col, summary.as_of)
    ws.set_row(0, 32)
    title_cell(ws, 0, last_col, "巡察反馈问题整改情况汇总", styles.title)
    w.row = 1
    if ledger.title:
        w.line(f"台账：{ledger.title}")
    reported = reported_line(which_unit(ledger.unit, summary.unit, "ledger"), ledger.reported_on)
    if reported:
        w.line(reported)
    w.line(f"统计截止日期：{formats.cn_date(summary.as_of)}　　来源文件：{Path(summary.file).name}")
    w.line(colours_line(summary.as_of))
    w.row += 1
    w.section("一、总体情况")
    for label, value in _key_figures(summary):
        w.pair(label, value)
    w.row += 1
    if changes is not None:
        _changes_block(w, changes)
    chart_row = w.row
    w.row += CHART_ROWS
    aspects = _aspect_table(w, summary)
    statuses = _status_table(w, summary)
    _owner_table(w, "四、按责任科室统计", "责任科室", summary.by_department)
    _owner_table(w, "五、按责任领导统计", "责任领导", summary.by_leader)
    _rules_table(w, "六、制度建设", ledger, summary)
    _due_table(w, f"七、逾期未完成的整改措施（{len(summary.overdue)}项）", summary.overdue, overdue=True)
    _due_table(
        w,
        f"八、{DUE_SOON_DAYS}天内到期的整改措施（{len(summary.due_soon)}项）",
        summary.due_soon,
        overdue=False,
    )
    _insert_charts(wb, ws, chart_row, aspects, statuses)
    ws.set_portrait()
    ws.set_paper(9)
    print_setup(ws, None, margins=(0.5, 0.5, 0.6, 0.6))
    ws.center_horizontally()


def colours_line(as_of: date) -> str:
    """Which day the 整改台账's colours are for: the figures' day, not the day it is opened."""
    day = formats.cn_date(as_of)
    return (
        f"整改台账的颜色按{day}标注（逾期红色、{DUE_SOON_DAYS}天内到期黄色、已完成绿色），"
        f"与本表数字一致，不随打开文件的日期变化。"
    )


class _Cursor:
    """Writes the 汇总 sheet top to bottom, each table below the last."""

    def __init__(self, ws: Worksheet, styles: Styles, last_col: int, as_of: date) -> None:
        self.ws, self.styles, self.last_col, self.as_of, self.row = ws, styles, last_col, as_of, 0

    def line(self, text: str) -> None:
        title_cell(self.ws, self.row, self.last_col, text, self.styles.subtitle)
        self.row += 1

    def text(self, text: str) -> None:
        """A line of text across the sheet, wrapped: a summary line can run to three lines."""
        self.ws.set_row(self.row, height(lines(text, sum(SUMMARY_WIDTHS[1:]))))
        self.ws.merge_range(self.row, 1, self.row, self.last_col, cut(text), self.styles.note)
        self.row += 1

    def section(self, text: str) -> None:
        self.ws.set_row(self.row, 22)
        self.ws.write_string(self.row, 0, cut(text), self.styles.section)
        self.row += 1

    def pair(self, label: str, value: object) -> None:
        self.ws.write_string(self.row, 1, label, self.styles.cells[("left", False)])
        self._value(2, value)
        self.row += 1

    def header(self, names: Iterable[str]) -> None:
        for c, name in enumerate(names):
            self.ws.write_string(self.row, c, name, self.styles.header)
        self.row += 1

    def values(self, values: Iterable[object]) -> None:
        values = list(values)
        n = max(
            (lines(v, SUMMARY_WIDTHS[c]) for c, v in enumerate(values) if isinstance(v, str) and v),
            default=1,
        )
        self.ws.set_row(self.row, height(n))
        for c, value in enumerate(values):
            self._value(c, value)
        self.row += 1

    def _value(self, c: int, value: object) -> None:
        s = self.styles
        if isinstance(value, _Rate):
            self.ws.write_number(self.row, c, value.value, s.percent)
        elif isinstance(value, bool) or value is None:
            self.ws.write_blank(self.row, c, None, s.number)
        elif isinstance(value, (int, float)):
            self.ws.write_number(self.row, c, value, s.number)
        elif isinstance(value, date):
            self.ws.write_datetime(self.row, c, value, s.cells[("date", False)])
        else:
            self.ws.write_string(self.row, c, cut(str(value)), s.cells[("left", False)])


@dataclass(frozen=True, slots=True)
class _Rate:
    value: float


def _rate(done: int, total: int) -> _Rate:
    return _Rate(formats.percent_value(done, total))


def _key_figures(s: Summary) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    if s.aspects:
        out.append(("方面（个）", s.aspects))
    out += [
        ("问题（个）", s.problems),
        ("具体问题（个）", s.issues),
        ("已完成整改的具体问题（个）", s.issues_done),
        ("整改完成率（按具体问题）", _rate(s.issues_done, s.issues)),
        ("整改措施（项）", s.measures),
        ("已完成的整改措施（项）", s.measures_done),
        ("逾期未完成的整改措施（项）", len(s.overdue)),
        (f"{DUE_SOON_DAYS}天内到期的整改措施（项）", len(s.due_soon)),
    ]
    return out


def _changes_block(w: _Cursor, c: Comparison) -> None:
    """与上次相比: the summary line, which version it was compared with, both versions' figures
    (compare.figure_rows), the red flags named; the changes one by one are on the 变化 sheet."""
    from ..compare import figure_rows, red_flag_lines, summary_line

    w.section("与上次相比")
    w.text(summary_line(c))
    w.text(f"上次：{Path(c.old.file).name}，{formats.cn_date(c.old.as_of)}（日期取自{c.old.as_of_from}）")
    w.header(("序号", "指标", "上次", "本次", "变化"))
    center = w.styles.cells[("center", False)]
    for k, (label, before, after, delta) in enumerate(figure_rows(c), start=1):
        w.values((k, label))
        w.row -= 1
        for col, value in ((2, before), (3, after), (4, delta)):  # rates as the notice words them
            if isinstance(value, str):
                w.ws.write_string(w.row, col, value, center)
            else:
                w.ws.write_number(w.row, col, value, w.styles.number)
        w.row += 1
    flags = red_flag_lines(c)
    w.text(
        flags[0]
        if flags
        else "没有需要关注的变化（删除、整改时限推后、由已完成改为未完成、完成时间早于上次台账日期）。"
    )
    w.text(f"每条变化见“{CHANGES_SHEET}”工作表。")
    w.row += 1


@dataclass(slots=True)
class _Block:
    """Where a table landed: for the charts."""

    first: int  # first data row, 0-based
    last: int


def _aspect_table(w: _Cursor, s: Summary) -> _Block:
    w.section("二、按方面统计")
    w.header(("序号", "方面", "具体问题数", "已完成数", "完成率", "措施数", "已完成措施数", "图表标签"))
    groups = s.by_aspect or [
        Group("全部", s.issues, s.issues_done, s.measures, s.measures_done)  # no aspect level
    ]
    first = w.row
    for k, g in enumerate(groups, start=1):
        w.values(
            (
                k,
                g.title,
                g.issues,
                g.issues_done,
                _rate(g.issues_done, g.issues),
                g.measures,
                g.measures_done,
                _short(g.title, k),
            )
        )
    w.row += 1
    return _Block(first, w.row - 2)


def _short(title: str, k: int) -> str:
    # Aspect titles run to 40 characters; a chart axis wants a few.
    return title if len(title) <= 10 else f"{k}.{title[:9]}…"


def _status_table(w: _Cursor, s: Summary) -> _Block:
    w.section("三、整改措施按状态统计")
    w.header(("序号", "状态", "措施数", "占比"))
    counts = dict(s.status_counts)
    unknown = s.measures - sum(counts.values())
    if unknown > 0:
        counts["未识别"] = unknown
    first = w.row
    for k, (status, n) in enumerate(counts.items(), start=1):
        w.values((k, status, n, _rate(n, s.measures)))
    w.row += 1
    return _Block(first, w.row - 2)


def _owner_table(w: _Cursor, title: str, name: str, groups: list[Group]) -> None:
    w.section(title)
    w.header(("序号", name, "措施数", "已完成数", "逾期数", "完成率"))
    for k, g in enumerate(groups, start=1):
        w.values(
            (
                k,
                g.title or "（未填写）",
                g.measures,
                g.measures_done,
                g.overdue,
                _rate(g.measures_done, g.measures),
            )
        )
    w.row += 1


def _rules_table(w: _Cursor, title: str, ledger: Ledger, s: Summary) -> None:
    """The rules made and revised, each with the input cell that names it. Detected in progress
    texts they are a reading of free text, so the sheet asks for a check, as the notice does."""
    w.section(title)
    rows = rules_rows(s)
    column = rules_column(ledger) if s.rules.source == "column" else None
    if not rows:
        w.line(
            f"无（台账“{column}”列未填写）" if column else "无（整改进展中未见“制定《…》”“修订《…》”等写法）"
        )
        w.row += 1
        return
    where = f"据台账“{column}”列统计" if column else "据整改进展中《》所列制度名称统计，请核对"
    w.line(f"制定制度{s.rules.made}项、修订制度{s.rules.revised}项（{where}）。")
    w.header(("序号", "制度名称", "原台账位置", "制定/修订"))  # the place in the wider column: one line
    for k, (kind, name, sheet, cell) in enumerate(rows, start=1):
        w.values((k, name, formats.position(sheet, cell), kind))
    w.row += 1


def _due_table(w: _Cursor, title: str, items: list[DueItem], overdue: bool) -> None:
    w.section(title)
    if not items:
        w.ws.write_string(w.row, 1, "无", w.styles.subtitle)
        w.row += 2
        return
    last = "逾期天数" if overdue else "剩余天数"
    w.header(("序号", "措施内容", "整改时限", "责任科室", "责任人", last, "原台账位置", "所涉问题"))
    for k, d in enumerate(items[:SUMMARY_LIST_MAX], start=1):
        deadline = date.fromisoformat(d.deadline)
        days = d.days_overdue if overdue else (deadline - w.as_of).days
        w.values(
            (
                k,
                d.measure,
                deadline,
                d.department,
                d.owner,
                days,
                formats.position(d.sheet, row=d.row),
                d.issue,
            )
        )
    if len(items) > SUMMARY_LIST_MAX:
        colour = "红色" if overdue else "黄色"
        w.line(
            f"……另有 {len(items) - SUMMARY_LIST_MAX} 项未列出：请在“{LEDGER_SHEET}”中按“整改时限”筛选，"
            f"这些措施所在的行显示为{colour}。"
        )
    w.row += 1


def _insert_charts(wb: Workbook, ws: Worksheet, row: int, aspects: _Block, statuses: _Block) -> None:
    bar = wb.add_chart({"type": "bar"})
    for col, name, colour in ((2, "具体问题数", "#9DC3E6"), (3, "已完成数", "#70AD47")):
        bar.add_series(
            {
                "name": name,
                "categories": [SUMMARY_SHEET, aspects.first, 7, aspects.last, 7],
                "values": [SUMMARY_SHEET, aspects.first, col, aspects.last, col],
                "fill": {"color": colour},
                "data_labels": {"value": True},
            }
        )
    bar.set_title({"name": "各方面具体问题整改完成情况", "name_font": {"size": 11, "name": FONT}})
    bar.set_y_axis({"reverse": True, "num_font": {"name": FONT, "size": 9}})
    bar.set_x_axis({"num_font": {"name": FONT, "size": 9}, "major_gridlines": {"visible": True}})
    bar.set_legend({"position": "bottom", "font": {"name": FONT, "size": 9}})
    bar.set_size({"width": 500, "height": CHART_ROWS * 20 - 10})
    ws.insert_chart(row, 0, bar, {"x_offset": 4, "y_offset": 4})

    column = wb.add_chart({"type": "column"})
    colours = {"已完成": "#70AD47", "阶段性完成": "#A9D18E", "正在推进": "#FFC000", "长期坚持": "#5B9BD5"}
    n = statuses.last - statuses.first + 1
    column.add_series(
        {
            "name": "措施数",
            "categories": [SUMMARY_SHEET, statuses.first, 1, statuses.last, 1],
            "values": [SUMMARY_SHEET, statuses.first, 2, statuses.last, 2],
            "points": [{"fill": {"color": colours.get(s, "#A5A5A5")}} for s in _status_names(n)],
            "data_labels": {"value": True},
        }
    )
    column.set_title({"name": "整改措施按状态分布", "name_font": {"size": 11, "name": FONT}})
    column.set_x_axis({"num_font": {"name": FONT, "size": 9}})
    column.set_y_axis({"num_font": {"name": FONT, "size": 9}, "major_gridlines": {"visible": True}})
    column.set_legend({"none": True})
    column.set_size({"width": 420, "height": CHART_ROWS * 20 - 10})
    ws.insert_chart(row, 0, column, {"x_offset": 514, "y_offset": 4})


def _status_names(n: int) -> list[str]:
    return [*STATUSES, "未识别"][:n]
