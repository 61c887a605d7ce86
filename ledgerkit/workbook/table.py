"""The ledger table's frame, shared by the cleaned 整改台账 sheet and the blank template: its
columns and widths, the title and header rows, and what lets people keep editing it in Excel —
frozen header, filter, dropdowns (from the hidden 下拉选项 sheet), date checks, colours
(overdue red, due soon amber, 已完成 green) and the print setup. The cleaned ledger colours at its
figures' as-of date, so its colours agree with its 汇总 whenever it is opened; only the blank
template, which has no figures, colours against TODAY().
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from ..figures import DUE_SOON_DAYS
from ..model import (
    DONE,
    STANDARD_HEADERS,
    STATUSES,
    Ledger,
    Measure,
    a1,
    col_letter,
)
from .styles import (
    EXCEL_ROWS,
    LISTS_SHEET,
    Styles,
    cut,
    display_len,
    print_setup,
    title_cell,
)

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

KINDS: tuple[str, ...] = ("立行立改", "限期整改", "长期坚持")
# Extra rows below the data that keep dropdowns and colours, so added rows behave alike.
EDIT_ROWS = 500

WIDTHS: dict[str, float] = {
    "seq": 6,
    "aspect": 16,
    "problem": 16,
    "issue": 18,
    "description": 26,
    "measure": 34,
    "leader": 9,
    "department": 11,
    "owner": 10,
    "deadline": 15,
    "kind": 9,
    "progress": 34,
    "status": 11,
    "done_on": 15,
    "evidence": 16,
    "remarks": 10,
}
CENTERED = frozenset(("seq", "leader", "department", "owner", "kind", "status"))


@dataclass(frozen=True, slots=True)
class Column:
    field: str  # canonical field, or "" for an unrecognised input column
    header: str
    width: float
    align: str  # "left" | "center" | "date"

    @property
    def is_extra(self) -> bool:
        return not self.field


def ledger_columns(ledger: Ledger | None) -> list[Column]:
    """Standard columns in FIELDS order (levels the ledger lacks left out), then extras."""
    cols = []
    for f, header in STANDARD_HEADERS.items():
        if ledger is not None and (
            (f == "aspect" and not ledger.has_aspects) or (f == "problem" and not ledger.has_problems)
        ):
            continue
        align = "date" if f in ("deadline", "done_on") else "center" if f in CENTERED else "left"
        cols.append(Column(f, header, _width(ledger, f), align))
    for header in ledger.extra_headers if ledger is not None else []:
        cols.append(Column("", header, _extra_width(ledger, header), "left"))
    return cols


def _width(ledger: Ledger | None, f: str) -> float:
    # A standard column nobody filled keeps its header readable but gives its paper to the rest.
    if ledger is None or f in ("seq", "measure", "deadline", "status", "done_on"):
        return WIDTHS[f]
    filled = any(getattr(m, f) for m in ledger.measures)
    return WIDTHS[f] if filled else min(WIDTHS[f], display_len(STANDARD_HEADERS[f]) + 2)


def _extra_width(ledger: Ledger, header: str) -> float:
    sample = [m.extras.get(header, "") for m in ledger.measures[:200]]
    longest = max([display_len(header), *(display_len(v) for v in sample)])
    return float(min(max(longest + 2, 8), 30))


def is_wide(cols: list[Column]) -> bool:
    return sum(c.width for c in cols) > 160  # A4 landscape at fit-to-width would be too small


def field_index(cols: list[Column]) -> dict[str, int]:
    return {col.field: c for c, col in enumerate(cols) if col.field}


def write_heading(ws: Worksheet, styles: Styles, cols: list[Column], title: str, line: str) -> int:
    """Title row, the 填报单位 line when known, and the header row; returns the header row."""
    for c, col in enumerate(cols):
        ws.set_column(c, c, col.width)
    last_col = len(cols) - 1
    ws.set_row(0, 32)
    title_cell(ws, 0, last_col, title, styles.title)
    r = 1
    if line:
        ws.set_row(1, 20)
        title_cell(ws, 1, last_col, line, styles.subtitle)
        r = 2
    for c, col in enumerate(cols):
        ws.write_string(r, c, cut(col.header), styles.header)
    return r


def write_lists_sheet(wb: Workbook) -> None:
    """The hidden sheet the dropdowns take their choices from."""
    ws = wb.add_worksheet(LISTS_SHEET)
    for r, status in enumerate(STATUSES):
        ws.write_string(r, 0, status)
    for r, kind in enumerate(KINDS):
        ws.write_string(r, 1, kind)
    ws.hide()


def finish_table(
    ws: Worksheet,
    styles: Styles,
    cols: list[Column],
    header_row: int,
    last_row: int,
    wide: bool,
    as_of: date | None,
) -> None:
    """Frozen header, filter, dropdowns, colours, print setup; called after the rows. ``as_of``
    is the day the colours are for; None (the blank template only) colours against TODAY()."""
    ncols = len(cols)
    first = header_row + 1
    ws.freeze_panes(first, 0)
    ws.autofilter(header_row, 0, last_row, ncols - 1)
    edit_last = min(max(last_row, first) + EDIT_ROWS, EXCEL_ROWS - 1)
    index = field_index(cols)
    _add_dropdowns(ws, index, first, edit_last)
    _add_colours(ws, styles, index, ncols, first, edit_last, as_of)
    seq = index.get("seq")
    if seq is not None:  # 序号 like "1.1" is text on purpose
        ws.ignore_errors({"number_stored_as_text": f"{a1(first, seq)}:{a1(edit_last, seq)}"})
    ws.set_landscape()
    ws.set_paper(8 if wide else 9)  # A3 / A4
    print_setup(ws, header_row, margins=(0.4, 0.4, 0.6, 0.6))
    ws.center_horizontally()


def _add_dropdowns(ws: Worksheet, index: dict[str, int], first: int, last: int) -> None:
    if "status" in index:
        choose = "请从下拉列表中选择：" + "、".join(STATUSES)
        c = index["status"]
        ws.data_validation(
            first,
            c,
            last,
            c,
            {
                **_list_from(0, len(STATUSES), "完成情况", choose + "。"),
                "input_title": "完成情况",
                "input_message": choose,
            },
        )
    if "kind" in index:
        c = index["kind"]
        error = "整改类型一般为：" + "、".join(KINDS) + "。确定要填写其他内容吗？"
        ws.data_validation(
            first, c, last, c, {**_list_from(1, len(KINDS), "整改类型", error), "error_type": "warning"}
        )
    for f, error_type, message in (
        ("deadline", "warning", "请填写日期，如 2025/3/31。立行立改、长期坚持可直接填写文字。"),
        ("done_on", "stop", "请填写日期，如 2025/3/31。"),
    ):
        if f not in index:
            continue
        c = index[f]
        ws.data_validation(
            first,
            c,
            last,
            c,
            {
                "validate": "date",
                "criteria": "between",
                "minimum": date(2000, 1, 1),
                "maximum": date(2099, 12, 31),
                "error_type": error_type,
                "input_title": STANDARD_HEADERS[f],
                "input_message": message,
                "error_title": STANDARD_HEADERS[f],
                "error_message": message,
            },
        )


def _list_from(col: int, n: int, title: str, error: str) -> dict[str, object]:
    """A dropdown of the first n cells of a column (0-based) of the hidden 下拉选项 sheet."""
    letter = col_letter(col)
    return {
        "validate": "list",
        "source": f"='{LISTS_SHEET}'!${letter}$1:${letter}${n}",
        "error_title": title,
        "error_message": error,
    }


def _add_colours(
    ws: Worksheet,
    styles: Styles,
    index: dict[str, int],
    ncols: int,
    first: int,
    last: int,
    as_of: date | None,
) -> None:
    """Overdue red, due within 14 days amber, 已完成 green: formulas, so they follow edits of
    the status and deadline cells, against a fixed day so they agree with the figures."""
    if "status" not in index:
        return
    s = f"${col_letter(index['status'])}{first + 1}"
    if "deadline" in index:
        d = f"${col_letter(index['deadline'])}{first + 1}"
        day = "TODAY()" if as_of is None else f"DATE({as_of.year},{as_of.month},{as_of.day})"
        every = (first, 0, last, ncols - 1)
        _colour(ws, every, f'=AND(ISNUMBER({d}),{d}<{day},{s}<>"{DONE}")', styles.overdue)
        soon = f'=AND(ISNUMBER({d}),{d}>={day},{d}<={day}+{DUE_SOON_DAYS},{s}<>"{DONE}")'
        _colour(ws, every, soon, styles.due_soon)
    c = index["status"]
    _colour(ws, (first, c, last, c), f'={s}="{DONE}"', styles.done)


def _colour(ws: Worksheet, cells: tuple[int, int, int, int], formula: str, fmt: Format) -> None:
    """A formula colour over ``cells`` (first row, first col, last row, last col)."""
    ws.conditional_format(*cells, {"type": "formula", "criteria": formula, "format": fmt})


def merge_runs(rows: list[Measure], cols: list[Column]) -> dict[int, list[int]]:
    """Per merged column, per row: index of its run's last row (a run's first row), -1 (a row
    covered by the merge above), 0 (not merged)."""
    out: dict[int, list[int]] = {}
    n = len(rows)
    for c, col in enumerate(cols):
        key = _RUN_KEY.get(col.field)
        if key is None:
            continue
        keys = [key(m) for m in rows]  # once per row, compared with the row above
        filled = [bool(v) for v in map(operator.attrgetter(col.field), rows)]
        joins = _JOINS.get(col.field)
        may_join = [joins(m) for m in rows] if joins else [True] * n
        span = [0] * n
        i = 0
        while i < n:
            j = i
            if filled[i]:
                k = keys[i]
                while j + 1 < n and may_join[j + 1] and keys[j + 1] == k:
                    j += 1
            if j > i:
                span[i] = j
                span[i + 1 : j + 1] = [-1] * (j - i)
            i = j + 1
        out[c] = span
    return out


# A row continues the merged cell above it when it has the same item (by key and by text, so
# the one visible text is every row's text) — for 序号 only where the input had it merged or
# split (_JOINS).
_RUN_KEY: dict[str, Callable[[Measure], tuple[object, ...]]] = {
    "aspect": lambda m: (m.aspect_key, m.aspect),
    "problem": lambda m: (m.aspect_key, m.problem_key, m.aspect, m.problem),
    "issue": lambda m: (m.issue_id, m.aspect, m.problem, m.issue),
    "seq": lambda m: (m.aspect_key, m.problem_key, m.seq),
}
_JOINS: dict[str, Callable[[Measure], bool]] = {"seq": lambda m: "seq" in m.origins or m.part > 1}
