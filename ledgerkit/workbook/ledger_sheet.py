"""The cleaned 整改台账 sheet: every measure row of the input in ledger order, the findings as
marked cells with notes, and the aspect / problem / issue cells merged vertically as offices do.

Two modes, chosen by the caller (ledgerkit.workbook.write_workbook) by size:
- normal: aspect / problem / issue cells merged vertically (序号 too where the input had it
  merged). The whole sheet is held until ``close``, so rows can be sized in any order (merged
  cells get their height afterwards);
- streamed (xlsxwriter's ``constant_memory``): rows go to a temporary file in order and anything
  written to an earlier row is dropped, so there are no vertical merges: every row repeats its
  aspect / problem / issue, which is also what filtering a sheet that large needs. Heights and
  notes are given while their row is the current one. The reader treats both alike.

Cells are written with write_string / write_number / write_blank, never ``write``: a text that
starts with = + - @ stays text, so a ledger cannot smuggle a formula into the output.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from ..config import which_unit
from ..figures import Summary
from ..model import STANDARD_HEADERS, Finding, Ledger, Measure, col_letter
from ..rules.validate import EXCEL_CELL_LIMIT
from .fast_cells import StreamedRows, install_fast_cells
from .styles import (
    LEDGER_SHEET,
    MAX_ROW_HEIGHT,
    SEVERITY_NAMES,
    Styles,
    cut,
    height,
    lines,
    one_line_chars,
    reported_line,
)
from .table import Column, finish_table, is_wide, ledger_columns, merge_runs, write_heading

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

EXCEL_EPOCH_ORDINAL = date(1899, 12, 30).toordinal()  # serial 0 in the 1900 date system
NOTE_SIZE = (320, 148)  # pixels: 2.5 × 2 times Excel's default, for a few sentences of Chinese
# A text this long may be over Excel's limit (in UTF-16 units): cut before writing it.
_MAYBE_LONG = EXCEL_CELL_LIMIT // 2

Placed = dict[tuple[int, int], list[Finding]]  # (output row, column) -> findings on that cell


def ledger_rows(ledger: Ledger) -> list[Measure]:
    """Measures in ledger order, with issues listed without a measure at their input place."""
    if not ledger.issue_only_rows:
        return list(ledger.measures)
    order = {s.name: i for i, s in enumerate(ledger.sheets)}

    def place(m: Measure) -> tuple[int, int]:
        return (order.get(m.sheet, 0), m.row)

    pending = sorted(ledger.issue_only_rows, key=place)
    out: list[Measure] = []
    for m in ledger.measures:
        while pending and place(pending[0]) < place(m):
            out.append(pending.pop(0))
        out.append(m)
    return out + pending


@dataclass(slots=True)
class LedgerSheet:
    """The 整改台账 sheet planned before writing: rows, columns, merges, where data starts."""

    ledger: Ledger
    rows: list[Measure]
    cols: list[Column]
    title: str
    line: str  # 填报单位 / 填报时间, "" when neither is known
    constant_memory: bool
    runs: dict[int, list[int]]  # merged column -> run offsets (see table.merge_runs)
    as_of: date | None  # the day the colours are for: the figures' as-of date

    @classmethod
    def plan(cls, ledger: Ledger, summary: Summary | None, streamed: bool = False) -> LedgerSheet:
        rows = ledger_rows(ledger)
        cols = ledger_columns(ledger)
        unit = which_unit(ledger.unit, summary.unit if summary else "", "ledger")
        return cls(
            ledger=ledger,
            rows=rows,
            cols=cols,
            # The unit is written even when it came from ledgerkit.toml: the cleaned workbook
            # usually lands in a folder without that file and must say whose ledger it is.
            title=ledger.title or f"{unit}巡察反馈问题整改台账",
            line=reported_line(unit, ledger.reported_on),
            constant_memory=streamed,
            runs={} if streamed else merge_runs(rows, cols),
            as_of=summary.as_of if summary else None,
        )

    @property
    def header_row(self) -> int:  # 0-based
        return 2 if self.line else 1

    @property
    def first(self) -> int:
        return self.header_row + 1

    def place(self, findings: list[Finding]) -> Placed:
        """(output row, column) -> findings on that cell; findings off measure rows are left out."""
        by_row: dict[tuple[str, int], int] = {}
        for i, m in enumerate(self.rows):
            by_row.setdefault((m.sheet, m.row), self.first + i)
        placed: Placed = {}
        for f in findings:
            r = by_row.get((f.sheet, f.row)) if f.column else None
            if r is None:
                continue
            c = _finding_column(self.ledger, self.cols, f, col_letter(f.column - 1))
            span = self.runs.get(c)
            if span is not None:  # a covered merged cell: the note goes on the merge's visible cell
                i = r - self.first
                while i > 0 and span[i] < 0:
                    i -= 1
                r = self.first + i
            placed.setdefault((r, c), []).append(f)
        return placed

    def write(self, wb: Workbook, styles: Styles, placed: Placed) -> None:
        ws = wb.add_worksheet(LEDGER_SHEET)
        install_fast_cells(ws)  # the same XML, written faster: most of a big ledger's time
        write_heading(ws, styles, self.cols, self.title, self.line)
        heights = self._write_rows(ws, styles, placed)
        self._fit_merged(ws, heights)
        last = max(self.first + len(self.rows) - 1, self.header_row)
        finish_table(ws, styles, self.cols, self.header_row, last, wide=is_wide(self.cols), as_of=self.as_of)

    def _write_rows(self, ws: Worksheet, styles: Styles, placed: Placed) -> list[float]:
        """Every measure row in order, with its notes; returns the row heights.

        The hot loop of a large ledger: one library call per cell, everything else hoisted
        (which columns are text, dates or merged, and their formats, are planned once; a row
        with a finding gets its own plan).
        """
        cols, first, runs = self.cols, self.first, self.runs
        issue_only = {id(m) for m in self.ledger.issue_only_rows}
        getters = [_getter(col) for col in cols]
        bare_getters = [_getter(col, bare=True) for col in cols]
        # Columns whose text decides a row's height; merged ones are fitted after (_fit_merged).
        measured = [
            (c, col.width, one_line_chars(col.width))
            for c, col in enumerate(cols)
            if col.align != "date" and c not in runs
        ]
        plain = _plan(cols, styles, runs, ())
        marks: dict[int, list[int]] = {}  # row -> its columns with a finding, in order
        for r, c in sorted(placed):
            marks.setdefault(r, []).append(c)
        # streamed sheets have no merges: every row writes a cell in every column, as StreamedRows needs
        stream = StreamedRows.open(ws, len(cols)) if self.constant_memory and not runs else None
        if stream is not None:  # each row's cells as XML in one write (fast_cells.py)
            write_string, write_blank, write_number = stream.put_text, stream.put_blank, stream.put_number
        else:
            write_string, write_blank, write_number = _cell_writers(ws)
        set_row, merge = ws.set_row, ws.merge_range
        heights: list[float] = []
        for i, m in enumerate(self.rows):
            r = first + i
            values = [get(m) for get in (bare_getters if id(m) in issue_only else getters)]
            n = 1
            for c, width, short in measured:
                v = values[c]
                if v and (len(v) > short or "\n" in v):  # type: ignore[arg-type]
                    k = lines(v, width)  # type: ignore[arg-type]
                    if k > n:
                        n = k
            h = height(n)
            heights.append(h)
            set_row(r, h)  # before the row's cells: constant_memory writes a row out when the next begins
            if stream is not None:
                stream.begin(r)
            mark = marks.get(r)
            for c, kind, fmt, other in plain if mark is None else _plan(cols, styles, runs, mark):
                v = values[c]
                if kind is _TEXT:
                    if not v:
                        write_blank(r, c, None, fmt)
                    else:
                        write_string(r, c, v if len(v) <= _MAYBE_LONG else cut(v), fmt)  # type: ignore[arg-type]
                elif kind is _DATE:
                    if type(v) is str:  # "" / 立行立改 / 长期坚持 / text that is no date: kept as written
                        if v:
                            write_string(r, c, cut(v), other)
                        else:
                            write_blank(r, c, None, fmt)
                    else:  # the date's serial under the date format (dates after 1900-03-01)
                        write_number(r, c, v.toordinal() - EXCEL_EPOCH_ORDINAL, fmt)  # type: ignore[union-attr]
                else:  # a merged column: runs[c][i] > 0 starts a merge, < 0 is covered by one
                    end = other[i]
                    if end > 0:
                        merge(r, c, first + end, c, cut(v), fmt)  # type: ignore[arg-type]
                    elif end == 0:
                        if v:
                            write_string(r, c, cut(v), fmt)  # type: ignore[arg-type]
                        else:
                            write_blank(r, c, None, fmt)
            if stream is not None:
                stream.end()
            if mark is not None:  # notes too while the row is current (constant_memory)
                for c in mark:
                    _note(ws, r, c, placed[(r, c)])
        if stream is not None:
            stream.finish()
        return heights

    def _fit_merged(self, ws: Worksheet, heights: list[float]) -> None:
        """A merged cell needing more height than its rows have gets it on its last row.

        Only in normal mode (runs exist only there), where rows may be sized in any order.
        """
        for c, span in self.runs.items():
            col = self.cols[c]
            for i, end in enumerate(span):
                if end <= 0:
                    continue
                value = _value(self.rows[i], col)
                need = height(lines(value, col.width)) if value else 0
                have = sum(heights[i : end + 1])
                if need > have:
                    heights[end] = min(heights[end] + need - have, MAX_ROW_HEIGHT)
                    ws.set_row(self.first + end, heights[end])


_TEXT, _DATE, _MERGED = "text", "date", "merged"
# (column, kind, format, other): for dates the format of a word there, for merged columns the runs
_Step = tuple[int, str, "Format", object]


def _plan(
    cols: list[Column], styles: Styles, runs: dict[int, list[int]], marked: Iterable[int]
) -> list[_Step]:
    """How a row is written, column by column; ``marked``: its columns with a finding."""
    marked = set(marked)
    steps: list[_Step] = []
    for c, col in enumerate(cols):
        mark = c in marked
        fmt = styles.cells[(col.align, mark)]
        if c in runs:
            steps.append((c, _MERGED, fmt, runs[c]))
        elif col.align == "date":
            steps.append((c, _DATE, fmt, styles.cells[("center", mark)]))
        else:
            steps.append((c, _TEXT, fmt, None))
    return steps


def _cell_writers(ws: Worksheet) -> tuple[Callable[..., int], Callable[..., int], Callable[..., int]]:
    """write_string, write_blank, write_number for the hot loop.

    The public methods go through a decorator that also takes "A1" cell names: two more Python
    calls per cell, ~5% of writing a 100k-row sheet (cProfile). The loop passes numbers only and
    calls xlsxwriter's undecorated methods, which take the same arguments; should a version of
    xlsxwriter lack them, the public ones are used.
    """
    names = ("write_string", "write_blank", "write_number")
    fast = [getattr(ws, "_" + name, None) for name in names]
    if all(callable(f) for f in fast):
        return fast[0], fast[1], fast[2]  # type: ignore[return-value]
    return ws.write_string, ws.write_blank, ws.write_number


def _getter(col: Column, bare: bool = False) -> Callable[[Measure], str | date]:
    """A column's value of a measure: text, or a date for dated deadlines and completion dates."""
    if col.is_extra:
        header = col.header
        return lambda m: m.extras.get(header, "")
    if col.field == "deadline":  # a date when it is one; else 立行立改 / 长期坚持 / the text as written
        return lambda m: m.deadline_date if m.deadline_date is not None else m.deadline
    if col.field == "done_on":
        return lambda m: m.done_on if m.done_on is not None else m.done_on_text
    if col.field == "status":
        if bare:  # an issue listed without a measure keeps its (blank) cell: a status would make
            return lambda m: m.status_text  # it a measure row when read again
        return lambda m: m.status if m.status is not None else m.status_text
    return operator.attrgetter(col.field)


def _value(m: Measure, col: Column) -> str:
    value = _getter(col)(m)
    return value if isinstance(value, str) else ""


def _note(ws: Worksheet, r: int, c: int, found: list[Finding]) -> None:
    """The findings on a cell as an Excel note."""
    text: list[str] = []
    for f in found:
        text.append(f"【{SEVERITY_NAMES.get(f.severity, f.severity)}】{f.message}")
        if f.hint:
            text.append(f"建议：{f.hint}")
    options = {"author": "ledgerkit", "x_scale": NOTE_SIZE[0] / 128, "y_scale": NOTE_SIZE[1] / 74}
    ws.write_comment(r, c, cut("\n".join(text)), options)


def _finding_column(ledger: Ledger, cols: list[Column], f: Finding, letter: str) -> int:
    """The output column of a finding: its field, else its input column; 0 when unknown."""
    fields = {col.field: c for c, col in enumerate(cols) if col.field}
    extras = {col.header: c for c, col in enumerate(cols) if col.is_extra}
    by_header = {h: k for k, h in STANDARD_HEADERS.items()}
    name = by_header.get(f.field, f.field)
    if name in fields:
        return fields[name]
    if f.field in extras:
        return extras[f.field]
    info = next((s for s in ledger.sheets if s.name == f.sheet), None)
    if info is None:
        return 0
    for field, at in info.columns.items():
        if at == letter and field in fields:
            return fields[field]
    return extras.get(info.headers.get(letter, ""), 0)
