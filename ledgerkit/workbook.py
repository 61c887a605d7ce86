"""The cleaned workbook (整改台账 / 汇总 / 校验结果) and the blank ledger template.

Written with rvgsrust-xlsxwriter (a binding of the Rust crate rust_xlsxwriter), cell by cell: no
pandas, no formulas in data cells. Its ``write`` stores every str as text, so a ledger cannot
smuggle a formula into the output through a cell that starts with = + - @.

Two modes, chosen by size (measured: bench/bench_workbook.py):
- up to ``CONSTANT_MEMORY_ROWS`` rows: normal mode, aspect / problem / issue cells merged
  vertically as offices do (序号 too where the input had it merged). The whole sheet is held
  until ``close``, so rows can be sized in any order (merged cells get their height afterwards);
- above it: the library's ``constant_memory`` mode (rows streamed to a temporary file in
  order, inline strings, flat memory; see _pixels and _end_stream for what it takes). It refuses
  anything written to a row above the last one written — a merge that covers later rows, a note
  on an earlier row — so every row repeats its aspect / problem / issue, which is also what
  filtering a sheet that large needs. The reader treats both alike.

Row heights are set from an estimate of the wrapped lines: neither LibreOffice nor printing
sizes wrapped rows by itself. They are tuned for Excel's 宋体; LibreOffice shows them a bit airy.
"""

from __future__ import annotations

import contextlib
import errno
import operator
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import rvgsrust_xlsxwriter as rx
from rvgsrust_xlsxwriter import Format, Workbook, Worksheet

from . import formats
from .atomic import atomic_path
from .errors import LedgerkitError
from .figures import DUE_SOON_DAYS, DueItem, Group, Summary
from .model import (
    DONE,
    OTHER_HEADERS,
    OTHER_KINDS,
    OTHER_SHEET,
    STANDARD_HEADERS,
    STATUSES,
    Finding,
    Ledger,
    Measure,
    a1,
    col_letter,
)
from .speed import gc_paused
from .validate import EXCEL_CELL_LIMIT

LEDGER_SHEET = "整改台账"
SUMMARY_SHEET = "汇总"
FINDINGS_SHEET = "校验结果"
LISTS_SHEET = "下拉选项"  # hidden: list sources of the dropdowns
INSTRUCTIONS_SHEET = "填报说明"


KINDS: tuple[str, ...] = ("立行立改", "限期整改", "长期坚持")
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
FONT = "宋体"
# Above this many rows, stream rows in constant_memory mode (no vertical merges). Measured with
# bench/bench_workbook.py at 10k-100k rows: streaming is flat in memory and 5-15% faster; normal
# mode holds every cell until close, ~3.6 KB per row (+365 MB at 100k rows, +70 MB at 20k). The
# merges are worth that on the ledgers offices keep (hundreds to thousands of rows), not beyond.
CONSTANT_MEMORY_ROWS = 20_000
# Extra rows below the data that keep dropdowns and colours, so added rows behave alike.
EDIT_ROWS = 500
MAX_LINKS = 65_000  # Excel's limit is 65,530 hyperlinks per sheet
EXCEL_ROWS = 1_048_576
EXCEL_EPOCH_ORDINAL = date(1899, 12, 30).toordinal()  # serial 0 in the 1900 date system
TEMPLATE_ROWS = 50  # pre-formatted blank rows in the template
LINE_HEIGHT = 13.5  # points per line of 10-point 宋体 in Excel
MAX_ROW_HEIGHT = 409.0  # Excel's maximum

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
SEVERITY_NAMES = {"error": "错误", "warning": "提醒"}
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)")


def workbook_filename(input_path: Path) -> str:
    return f"{input_path.stem}（清洗）.xlsx"


# ---- columns and styles --------------------------------------------------------------------


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
    return WIDTHS[f] if filled else min(WIDTHS[f], _display_len(STANDARD_HEADERS[f]) + 2)


def _extra_width(ledger: Ledger, header: str) -> float:
    sample = [m.extras.get(header, "") for m in ledger.measures[:200]]
    longest = max([_display_len(header), *(_display_len(v) for v in sample)])
    return float(min(max(longest + 2, 8), 30))


def _display_len(text: str) -> int:
    # CJK characters take two width units.
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text.split("\n")[0])


class Styles:
    """The workbook's formats, created once (a format belongs to one workbook)."""

    def __init__(self, wb: Workbook) -> None:
        self.title = _font(wb, 16).set_bold().set_align("center").set_vertical_align("vcenter")
        self.subtitle = _font(wb, 11).set_vertical_align("vcenter")
        self.section = _font(wb, 12).set_bold().set_vertical_align("vcenter")
        self.header = _cell(wb, "center").set_bold().set_background_color("#DDEBF7")
        self.cells: dict[tuple[str, bool], Format] = {}
        for align in ("left", "center", "date"):
            self.cells[(align, False)] = _cell(wb, align)
            self.cells[(align, True)] = _mark(_cell(wb, align))
        self.number = _cell(wb, "center")
        self.percent = _cell(wb, "center").set_num_format("0.0%")
        self.link = _cell(wb, "center").set_font_color("#0563C1").set_underline()
        self.note = _font(wb, 10).set_text_wrap().set_vertical_align("top")
        self.overdue = wb.add_format().set_background_color("#FFC7CE").set_font_color("#9C0006")
        self.due_soon = wb.add_format().set_background_color("#FFEB9C").set_font_color("#9C5700")
        self.done = wb.add_format().set_background_color("#C6EFCE").set_font_color("#006100")
        self.nothing = wb.add_format()  # the default: a cell written with it is no cell


def _font(wb: Workbook, size: float) -> Format:
    return wb.add_format().set_font_name(FONT).set_font_size(size)


def _cell(wb: Workbook, align: str) -> Format:
    """A table cell: 10-point 宋体, thin border, wrapped, centred vertically; dates as 2025年1月31日."""
    fmt = _font(wb, 10).set_vertical_align("vcenter").set_text_wrap().set_border("thin")
    if align == "date":
        return fmt.set_align("center").set_num_format(DATE_FORMAT)
    return fmt.set_align(align)


def _mark(fmt: Format) -> Format:
    """A cell with a finding: yellow, framed in red."""
    return fmt.set_background_color("#FFFF00").set_border("medium").set_border_color("#FF0000")


def _write_lists_sheet(wb: Workbook) -> None:
    ws = wb.add_worksheet(LISTS_SHEET)
    for r, status in enumerate(STATUSES):
        ws.write(r, 0, status)
    for r, kind in enumerate(KINDS):
        ws.write(r, 1, kind)
    ws.hide()


def _text(text: str) -> str:
    """Excel holds at most 32,767 characters in a cell and the library refuses more: the rest is
    cut here (validate.text_too_long tells the user which cells)."""
    return text if len(text) <= EXCEL_CELL_LIMIT else text[:EXCEL_CELL_LIMIT]


# ---- the ledger sheet ----------------------------------------------------------------------


def write_workbook(ledger: Ledger, summary: Summary, findings: list[Finding], out_path: Path) -> Path:
    """Write the cleaned workbook atomically; never over the input ledger."""
    out_path = Path(out_path)
    _refuse_input(ledger, out_path)
    sheet = LedgerSheet.plan(ledger, summary)
    if sheet.first + len(sheet.rows) > EXCEL_ROWS:  # said before any work, in the user's words
        raise LedgerkitError(
            f"台账共 {len(sheet.rows)} 行，超过 Excel 一个工作表的最大行数（{EXCEL_ROWS} 行），无法写成一个工作表。"
        )
    try:
        with atomic_path(out_path) as tmp, gc_paused(), _library_tempdir():
            wb = Workbook()
            wb.set_properties(title=sheet.title, comments="由 ledgerkit 生成")
            styles = Styles(wb)
            placed = sheet.place(findings)
            sheet.write(wb, styles, placed)
            _write_summary_sheet(wb, styles, ledger, summary)
            _write_findings_sheet(wb, styles, findings, placed, sheet)
            write_other_sheet(wb, styles, ledger)
            _write_lists_sheet(wb)
            wb.close(str(tmp))
    except LedgerkitError:
        raise
    except OSError as exc:  # ours (the temporary file) or the library's, which says only in text
        raise _unwritable(out_path, exc) from None
    except ValueError as exc:  # the library refuses what Excel cannot hold
        raise LedgerkitError(f"无法写入“{out_path.name}”：{exc}。请检查输出文件夹。") from None
    except BaseException as exc:
        if type(exc).__name__ != "PanicException":  # pyo3's for a Rust panic, not an Exception
            raise
        # Seen: the library's temporary files failing (missing folder, full disk) panic.
        reason = _os_reason(str(exc)) or str(exc)
        raise LedgerkitError(
            f"无法写入“{out_path.name}”：临时文件夹“{tempfile.gettempdir()}”写入失败（{reason}）。"
            "请检查该文件夹存在、可写且磁盘有空间。"
        ) from None
    return out_path


@contextlib.contextmanager
def _library_tempdir() -> Iterator[None]:
    """Point the library's temporary files at the folder Python checked it can write.

    rust_xlsxwriter makes a temporary file for every worksheet (and streams rows there in
    constant_memory mode) in Rust's temp_dir — TMPDIR or /tmp, TMP / TEMP on Windows — and
    panics if it cannot. Python's tempfile.gettempdir() passes over an unusable TMPDIR, as
    xlsxwriter did; the environment is set to its choice while the workbook is written.
    """
    usable = tempfile.gettempdir()
    names = ("TMP", "TEMP") if os.name == "nt" else ("TMPDIR",)
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(dict.fromkeys(names, usable))
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# The library says the errno only in text: "failed to write '…': Permission denied (os error 13)"
# from close, "… Os { code: 28, kind: StorageFull, … }" from a panic.
_OS_ERROR = re.compile(r"\(os error (\d+)\)|Os \{ code: (\d+)")


def _os_reason(text: str) -> str:
    found = _OS_ERROR.search(text)
    return os.strerror(int(found[1] or found[2])) if found else ""


def _unwritable(out_path: Path, exc: OSError) -> LedgerkitError:
    code, reason = exc.errno, exc.strerror
    found = _OS_ERROR.search(str(exc))
    if code is None and found:
        code = int(found[1] or found[2])
        reason = os.strerror(code)
    if isinstance(exc, PermissionError) or code in (errno.EACCES, errno.EPERM):
        return LedgerkitError(
            f"无法写入“{out_path.name}”：文件可能正在 Excel 或 WPS 中打开，或没有写入权限。请关闭该文件后重试。"
        )
    return LedgerkitError(f"无法写入“{out_path}”：{reason or exc}。请检查输出文件夹。")


def _refuse_input(ledger: Ledger, out_path: Path) -> None:
    if not ledger.source_file:
        return
    src = Path(ledger.source_file)
    same = out_path.resolve() == src.resolve()
    if not same and out_path.exists() and src.exists():
        same = os.path.samefile(out_path, src)
    if same:
        raise LedgerkitError(
            f"输出文件“{out_path.name}”就是输入的台账本身，不能覆盖原台账。请换一个输出文件夹或文件名。"
        )


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
    runs: dict[int, list[int]]  # merged column -> run offsets (see _merge_runs)

    @classmethod
    def plan(cls, ledger: Ledger, summary: Summary | None) -> LedgerSheet:
        rows = ledger_rows(ledger)
        cols = ledger_columns(ledger)
        unit = ledger.unit or (summary.unit if summary else "")
        big = len(rows) > CONSTANT_MEMORY_ROWS
        return cls(
            ledger=ledger,
            rows=rows,
            cols=cols,
            # The unit is written even when it came from ledgerkit.toml: the cleaned workbook
            # usually lands in a folder without that file and must say whose ledger it is.
            title=ledger.title or f"{unit}巡察反馈问题整改台账",
            line=_reported_line(unit, ledger.reported_on),
            constant_memory=big,
            runs={} if big else _merge_runs(rows, cols),
        )

    @property
    def header_row(self) -> int:  # 0-based
        return 2 if self.line else 1

    @property
    def first(self) -> int:
        return self.header_row + 1

    def place(self, findings: list[Finding]) -> dict[tuple[int, int], list[Finding]]:
        """(output row, column) -> findings on that cell; findings off measure rows are left out."""
        by_row: dict[tuple[str, int], int] = {}
        for i, m in enumerate(self.rows):
            by_row.setdefault((m.sheet, m.row), self.first + i)
        placed: dict[tuple[int, int], list[Finding]] = {}
        for f in findings:
            ref = _CELL_REF.match(f.cell or "")
            r = by_row.get((f.sheet, int(ref[2]))) if ref else None
            if ref is None or r is None:
                continue
            c = _finding_column(self.ledger, self.cols, f, ref[1].upper())
            span = self.runs.get(c)
            if span is not None:  # a covered merged cell: the note goes on the merge's visible cell
                i = r - self.first
                while i > 0 and span[i] < 0:
                    i -= 1
                r = self.first + i
            placed.setdefault((r, c), []).append(f)
        return placed

    def write(self, wb: Workbook, styles: Styles, placed: dict[tuple[int, int], list[Finding]]) -> None:
        ws = wb.add_worksheet(LEDGER_SHEET, constant_memory=self.constant_memory)
        _write_heading(ws, styles, self.cols, self.title, self.line)
        last = max(self.first + len(self.rows) - 1, self.header_row)
        _before_rows(ws, self.cols, self.header_row, last)
        heights = self._write_rows(ws, styles, placed)
        self._fit_merged(ws, heights)
        if self.constant_memory:
            _end_stream(ws, styles, self.first + len(self.rows) - 1)
        _finish_table(ws, styles, self.cols, self.header_row, last, wide=_is_wide(self.cols))

    def _write_rows(
        self, ws: Worksheet, styles: Styles, placed: dict[tuple[int, int], list[Finding]]
    ) -> list[float]:
        """Every measure row in order, with its notes; returns the row heights.

        The hot loop of a large ledger. A row goes out in a few ``write_row`` calls, one per run
        of adjacent columns sharing a format (the library's cost is per cell; per call it is
        Python's), dates one by one. Merges are laid over the written cells at the end.
        """
        cols, first, runs = self.cols, self.first, self.runs
        issue_only = {id(m) for m in self.ledger.issue_only_rows}
        getters = [_getter(col) for col in cols]
        bare_getters = [_getter(col, bare=True) for col in cols]
        plain = _RowLayout.of(cols, styles, set())
        marks: dict[int, set[int]] = {}  # row -> its columns with a finding
        for r, c in placed:
            marks.setdefault(r, set()).add(c)
        # Columns whose text decides a row's height; merged ones are fitted after (_fit_merged).
        measured = [(c, col.width, _one_line_chars(col.width)) for c, col in enumerate(cols)]
        measured = [m for m in measured if cols[m[0]].align != "date" and m[0] not in runs]
        merged = list(runs.items())
        tops: list[tuple[int, int, int, str]] = []  # (row, column, last row, text) of each merge
        write, write_row, set_pixels = ws.write, ws.write_row, ws.set_row_height_pixels
        heights: list[float] = []
        for i, m in enumerate(self.rows):
            r = first + i
            values = [get(m) for get in (bare_getters if id(m) in issue_only else getters)]
            lines = 1
            for c, width, short in measured:
                v = values[c]
                if v and (len(v) > short or "\n" in v):  # type: ignore[arg-type]
                    n = _lines(v, width)  # type: ignore[arg-type]
                    if n > lines:
                        lines = n
            height = _height(lines)
            heights.append(height)
            set_pixels(r, _pixels(height))
            for c, span in merged:
                end = span[i]
                if end > 0:
                    tops.append((r, c, first + end, values[c]))  # type: ignore[arg-type]
                elif end < 0:  # covered by the merge above: a blank under it
                    values[c] = ""
            row = _RowLayout.of(cols, styles, marks[r]) if r in marks else plain
            for c0, c1, fmt in row.spans:
                try:
                    write_row(r, c0, values[c0:c1], fmt)
                except ValueError:  # more than Excel holds: cut (only a text can be too long)
                    write_row(r, c0, [_text(v) for v in values[c0:c1]], fmt)  # type: ignore[arg-type]
            for c, fmt, words in row.dates:
                v = values[c]
                if type(v) is str:  # "" / 立行立改 / 长期坚持 / text that is no date: kept as written
                    write(r, c, _text(v), words if v else fmt)
                else:  # the date's serial under the date format (dates after 1900-03-01)
                    write(r, c, v.toordinal() - EXCEL_EPOCH_ORDINAL, fmt)  # type: ignore[union-attr]
            if r in marks:  # notes too must be written while the row is current (constant_memory)
                for c in sorted(marks[r]):
                    _note(ws, r, c, placed[(r, c)])
        for r, c, last, text in tops:  # normal mode only: rows written above are still open
            ws.merge_range(r, c, last, c, _text(text), styles.cells[(cols[c].align, (r, c) in placed)])
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
                need = _height(_lines(value, col.width)) if value else 0
                have = sum(heights[i : end + 1])
                if need > have:
                    heights[end] = min(heights[end] + need - have, MAX_ROW_HEIGHT)
                    _set_height(ws, self.first + end, heights[end])


@dataclass(frozen=True, slots=True)
class _RowLayout:
    """How a ledger row is written: runs of text columns sharing a format, then the dates."""

    spans: list[tuple[int, int, Format]]  # (first column, end column, format)
    dates: list[tuple[int, Format, Format]]  # (column, date format, format of a word there)

    @classmethod
    def of(cls, cols: list[Column], styles: Styles, marked: set[int]) -> _RowLayout:
        """``marked``: the columns of this row with a finding."""
        spans: list[tuple[int, int, Format]] = []
        dates: list[tuple[int, Format, Format]] = []
        for c, col in enumerate(cols):
            fmt = styles.cells[(col.align, c in marked)]
            if col.align == "date":
                dates.append((c, fmt, styles.cells[("center", c in marked)]))
            elif spans and spans[-1][1] == c and spans[-1][2] is fmt:
                spans[-1] = (spans[-1][0], c + 1, fmt)
            else:
                spans.append((c, c + 1, fmt))
        return cls(spans, dates)


def _one_line_chars(width: float) -> int:
    """Up to this many characters fit one line of a column whatever they are (at most 2.5 units
    each, see _lines): no need to count them."""
    return int(2 * max(width - 0.5, 1.0) / 5)


def _reported_line(unit: str, reported_on: str) -> str:
    parts = [f"填报单位：{unit}" if unit else "", f"填报时间：{reported_on}" if reported_on else ""]
    return "　　".join(p for p in parts if p)


def _write_heading(ws: Worksheet, styles: Styles, cols: list[Column], title: str, line: str) -> int:
    """Title row, the 填报单位 line when known, and the header row; returns the header row."""
    for c, col in enumerate(cols):
        ws.set_column_width(c, col.width)
    last_col = len(cols) - 1
    _set_height(ws, 0, 32)
    _title_cell(ws, 0, last_col, title, styles.title)
    r = 1
    if line:
        _set_height(ws, 1, 20)
        _title_cell(ws, 1, last_col, line, styles.subtitle)
        r = 2
    for c, col in enumerate(cols):
        ws.write(r, c, _text(col.header), styles.header)
    return r


def _title_cell(ws: Worksheet, row: int, last_col: int, text: str, fmt: Format) -> None:
    if last_col > 0:
        ws.merge_range(row, 0, row, last_col, _text(text), fmt)
    else:  # a one-cell "merge" is refused
        ws.write(row, 0, _text(text), fmt)


def _lines(text: str, width: float) -> int:
    """Lines a wrapped cell takes: cheap, as it runs for every cell of a large ledger.

    Width units from UTF-8 length: a CJK character is 3 bytes and 2 units wide, ASCII 1 and 1.
    """
    per_line = max(width - 0.5, 1.0)
    if "\n" not in text:
        return -int(-(len(text.encode()) + len(text)) // (2 * per_line))
    return sum(max(1, -int(-(len(p.encode()) + len(p)) // (2 * per_line))) for p in text.split("\n"))


def _height(lines: int) -> float:
    # Explicit heights: LibreOffice (and printing from it) does not size wrapped rows itself.
    return min(max(LINE_HEIGHT * lines + 4, 16.5), MAX_ROW_HEIGHT)


def _end_stream(ws: Worksheet, styles: Styles, last_row: int) -> None:
    """In constant_memory mode the binding writes the last row a second time, empty, when it has
    a height: a duplicate row that Excel may refuse to open. A row written after it, with
    nothing in it, ends the sheet cleanly (an empty <row>)."""
    if last_row + 1 < EXCEL_ROWS:
        ws.write(last_row + 1, 0, None, styles.nothing)


def _set_height(ws: Worksheet, row: int, points: float) -> None:
    ws.set_row_height_pixels(row, _pixels(points))


def _pixels(points: float) -> int:
    """A row height in pixels (0.75 point each: within 0.4 point of what was asked).

    Heights are set in pixels because the binding's set_row_height, in points, makes
    constant_memory mode hold every row until close (measured at 100k rows: +260 MB, +2.5 s);
    in pixels the rows stream.
    """
    return int(points * 4 / 3 + 0.5)


def _is_wide(cols: list[Column]) -> bool:
    return sum(c.width for c in cols) > 160  # A4 landscape at fit-to-width would be too small


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


def _merge_runs(rows: list[Measure], cols: list[Column]) -> dict[int, list[int]]:
    """Per merged column, per row: index of its run's last row (a run's first row), -1 (a row
    covered by the merge above), 0 (not merged)."""
    out: dict[int, list[int]] = {}
    for c, col in enumerate(cols):
        same = _CONTINUES.get(col.field)
        if same is None:
            continue
        span = [0] * len(rows)
        i = 0
        while i < len(rows):
            j = i
            if getattr(rows[i], col.field):
                while j + 1 < len(rows) and same(rows[i], rows[j + 1]):
                    j += 1
            if j > i:
                span[i] = j
                span[i + 1 : j + 1] = [-1] * (j - i)
            i = j + 1
        out[c] = span
    return out


# When a row continues the merged cell above it: same item (by key and by text, so the one
# visible text is every row's text) — for 序号 only where the input had it merged or split.
_CONTINUES: dict[str, Callable[[Measure, Measure], bool]] = {
    "aspect": lambda a, b: (a.aspect_key, a.aspect) == (b.aspect_key, b.aspect),
    "problem": lambda a, b: (
        (a.aspect_key, a.problem_key, a.aspect, a.problem)
        == (b.aspect_key, b.problem_key, b.aspect, b.problem)
    ),
    "issue": lambda a, b: (
        (a.issue_id, a.aspect, a.problem, a.issue) == (b.issue_id, b.aspect, b.problem, b.issue)
    ),
    "seq": lambda a, b: (
        (a.aspect_key, a.problem_key, a.seq) == (b.aspect_key, b.problem_key, b.seq)
        and ("seq" in b.origins or b.part > 1)
    ),
}


NOTE_SIZE = (320, 148)  # pixels: 2.5 × 2 times Excel's default, for a few sentences of Chinese
NOTE_LIMIT = EXCEL_CELL_LIMIT - 54  # measured: the library keeps 54 characters for the author line


def _note(ws: Worksheet, r: int, c: int, found: list[Finding]) -> None:
    """The findings on a cell as an Excel note (shown as "ledgerkit:" and then the findings)."""
    lines = []
    for f in found:
        lines.append(f"【{SEVERITY_NAMES.get(f.severity, f.severity)}】{f.message}")
        if f.hint:
            lines.append(f"建议：{f.hint}")
    note = rx.Note("\n".join(lines)[:NOTE_LIMIT])
    note.set_author("ledgerkit")
    note.set_width(NOTE_SIZE[0])
    note.set_height(NOTE_SIZE[1])
    ws.insert_note(r, c, note)


def _finish_table(
    ws: Worksheet, styles: Styles, cols: list[Column], header_row: int, last_row: int, wide: bool
) -> None:
    """Frozen header, filter, dropdowns, live colours, print setup: shared with the template.

    Called after the rows; ``_before_rows`` must have been called before them.
    """
    ncols = len(cols)
    first = header_row + 1
    ws.freeze_panes(first, 0)
    ws.autofilter(header_row, 0, last_row, ncols - 1)
    edit_last = _edit_last(first, last_row)
    index = _field_index(cols)
    _add_dropdowns(ws, index, first, edit_last)
    _add_colours(ws, styles, index, ncols, first, edit_last)
    ws.set_landscape()
    ws.set_paper_size(8 if wide else 9)  # A3 / A4
    _print_setup(ws, header_row, margins=(0.4, 0.4, 0.6, 0.6))
    ws.set_print_center_horizontally(True)


def _before_rows(ws: Worksheet, cols: list[Column], header_row: int, last_row: int) -> None:
    """What constant_memory mode takes only before the rows it covers."""
    seq = _field_index(cols).get("seq")
    if seq is not None:  # 序号 like "1.1" is text on purpose
        first = header_row + 1
        ws.ignore_error_range(first, seq, _edit_last(first, last_row), seq, "number_stored_as_text")


def _edit_last(first: int, last_row: int) -> int:
    """The last row that keeps dropdowns and colours: EDIT_ROWS below the data."""
    return min(max(last_row, first) + EDIT_ROWS, EXCEL_ROWS - 1)


def _field_index(cols: list[Column]) -> dict[str, int]:
    return {col.field: c for c, col in enumerate(cols) if col.field}


def _print_setup(
    ws: Worksheet, repeat_row: int | None, margins: tuple[float, float, float, float] | None = None
) -> None:
    """One page wide, as many long; a repeated header row; page numbers in the footer."""
    ws.set_print_fit_to_pages(1, 0)
    if repeat_row is not None:
        ws.set_repeat_rows(repeat_row, repeat_row)
    if margins is not None:  # left, right, top, bottom; header and footer keep Excel's 0.3
        ws.set_margins(*margins, 0.3, 0.3)
    ws.set_footer("&C第 &P 页，共 &N 页")


def _add_dropdowns(ws: Worksheet, index: dict[str, int], first: int, last: int) -> None:
    if "status" in index:
        choose = "请从下拉列表中选择：" + "、".join(STATUSES)
        dv = _list_from(0, len(STATUSES), "完成情况", choose + "。")
        dv.set_input_title("完成情况")
        dv.set_input_message(choose)
        ws.add_data_validation(first, index["status"], last, index["status"], dv)
    if "kind" in index:
        dv = _list_from(
            1, len(KINDS), "整改类型", "整改类型一般为：" + "、".join(KINDS) + "。确定要填写其他内容吗？"
        )
        dv.set_error_style("warning")
        ws.add_data_validation(first, index["kind"], last, index["kind"], dv)
    for f, error_style, message in (
        ("deadline", "warning", "请填写日期，如 2025/3/31。立行立改、长期坚持可直接填写文字。"),
        ("done_on", "stop", "请填写日期，如 2025/3/31。"),
    ):
        if f not in index:
            continue
        dv = rx.DataValidation()
        dv.allow_date("between", date(2000, 1, 1), date(2099, 12, 31))
        dv.set_error_style(error_style)
        dv.set_input_title(STANDARD_HEADERS[f])
        dv.set_input_message(message)
        dv.set_error_title(STANDARD_HEADERS[f])
        dv.set_error_message(message)
        ws.add_data_validation(first, index[f], last, index[f], dv)


def _list_from(col: int, n: int, title: str, error: str) -> rx.DataValidation:
    """A dropdown of the first n cells of a column (0-based) of the hidden 下拉选项 sheet."""
    letter = col_letter(col)
    dv = rx.DataValidation()
    dv.allow_list_formula(f"'{LISTS_SHEET}'!${letter}$1:${letter}${n}")
    dv.set_error_title(title)
    dv.set_error_message(error)
    return dv


def _add_colours(
    ws: Worksheet, styles: Styles, index: dict[str, int], ncols: int, first: int, last: int
) -> None:
    """Overdue red, due within 14 days amber, 已完成 green: formulas, so they follow edits."""
    if "status" not in index:
        return
    s = f"${col_letter(index['status'])}{first + 1}"
    if "deadline" in index:
        d = f"${col_letter(index['deadline'])}{first + 1}"
        every = (first, 0, last, ncols - 1)
        _colour(ws, every, f'=AND(ISNUMBER({d}),{d}<TODAY(),{s}<>"{DONE}")', styles.overdue)
        soon = f'=AND(ISNUMBER({d}),{d}>=TODAY(),{d}<=TODAY()+{DUE_SOON_DAYS},{s}<>"{DONE}")'
        _colour(ws, every, soon, styles.due_soon)
    c = index["status"]
    # A formula, not a cell-value rule: the library compares cell values with numbers only.
    _colour(ws, (first, c, last, c), f'={s}="{DONE}"', styles.done)


def _colour(ws: Worksheet, cells: tuple[int, int, int, int], formula: str, fmt: Format) -> None:
    """A formula colour over ``cells`` (first row, first col, last row, last col).

    In constant_memory mode the binding counts a conditional format as writing its rows, and
    refuses it over rows already written (and rows after it): so it is given its last row only,
    which no row follows, and the whole range as its "multi range", which is what gets written.
    """
    r1, c1, r2, c2 = cells
    cf = rx.ConditionalFormatFormula()
    cf.set_rule(formula)
    cf.set_format(fmt)
    cf.set_multi_range(f"{a1(r1, c1)}:{a1(r2, c2)}")
    ws.add_conditional_format(r2, c1, r2, c2, cf)


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


# ---- 汇总 ------------------------------------------------------------------------------------
# Headers here avoid the words a reader takes for a ledger header (整改措施 + 具体问题 + 完成情况):
# counts end in 数, lists say 措施内容 / 所涉问题.

SUMMARY_WIDTHS = (6, 40, 14, 12, 11, 10, 14, 26)
# A summary lists at most this many overdue / due-soon measures; the ledger's colours show all.
SUMMARY_LIST_MAX = 500
CHART_ROWS = 17


def _write_summary_sheet(wb: Workbook, styles: Styles, ledger: Ledger, summary: Summary) -> None:
    ws = wb.add_worksheet(SUMMARY_SHEET)
    for c, width in enumerate(SUMMARY_WIDTHS):
        ws.set_column_width(c, width)
    last_col = len(SUMMARY_WIDTHS) - 1
    w = _Cursor(ws, styles, last_col, summary.as_of)
    _set_height(ws, 0, 32)
    _title_cell(ws, 0, last_col, "巡察反馈问题整改情况汇总", styles.title)
    w.row = 1
    if ledger.title:
        w.line(f"台账：{ledger.title}")
    reported = _reported_line(ledger.unit or summary.unit, ledger.reported_on)
    if reported:
        w.line(reported)
    w.line(f"统计截止日期：{formats.cn_date(summary.as_of)}　　来源文件：{Path(summary.file).name}")
    w.row += 1
    w.section("一、总体情况")
    for label, value in _key_figures(summary):
        w.pair(label, value)
    w.row += 1
    chart_row = w.row
    w.row += CHART_ROWS
    aspects = _aspect_table(w, summary)
    statuses = _status_table(w, summary)
    _owner_table(w, "四、按责任科室统计", "责任科室", summary.by_department)
    _owner_table(w, "五、按责任领导统计", "责任领导", summary.by_leader)
    _due_table(w, f"六、逾期未完成的整改措施（{len(summary.overdue)}项）", summary.overdue, overdue=True)
    _due_table(
        w,
        f"七、{DUE_SOON_DAYS}天内到期的整改措施（{len(summary.due_soon)}项）",
        summary.due_soon,
        overdue=False,
    )
    _insert_charts(ws, chart_row, aspects, statuses)
    ws.set_portrait()
    ws.set_paper_size(9)
    _print_setup(ws, None, margins=(0.5, 0.5, 0.6, 0.6))
    ws.set_print_center_horizontally(True)


class _Cursor:
    """Writes the 汇总 sheet top to bottom, each table below the last."""

    def __init__(self, ws: Worksheet, styles: Styles, last_col: int, as_of: date) -> None:
        self.ws, self.styles, self.last_col, self.as_of, self.row = ws, styles, last_col, as_of, 0

    def line(self, text: str) -> None:
        _title_cell(self.ws, self.row, self.last_col, text, self.styles.subtitle)
        self.row += 1

    def section(self, text: str) -> None:
        _set_height(self.ws, self.row, 22)
        self.ws.write(self.row, 0, text, self.styles.section)
        self.row += 1

    def pair(self, label: str, value: object) -> None:
        self.ws.write(self.row, 1, label, self.styles.cells[("left", False)])
        self._value(2, value)
        self.row += 1

    def header(self, names: Iterable[str]) -> None:
        for c, name in enumerate(names):
            self.ws.write(self.row, c, name, self.styles.header)
        self.row += 1

    def values(self, values: Iterable[object]) -> None:
        values = list(values)
        lines = max(
            (_lines(v, SUMMARY_WIDTHS[c]) for c, v in enumerate(values) if isinstance(v, str) and v),
            default=1,
        )
        _set_height(self.ws, self.row, _height(lines))
        for c, value in enumerate(values):
            self._value(c, value)
        self.row += 1

    def _value(self, c: int, value: object) -> None:
        s = self.styles
        if isinstance(value, _Rate):
            self.ws.write(self.row, c, value.value, s.percent)
        elif isinstance(value, bool) or value is None:
            self.ws.write(self.row, c, None, s.number)
        elif isinstance(value, (int, float)):
            self.ws.write(self.row, c, value, s.number)
        elif isinstance(value, date):
            self.ws.write(self.row, c, value, s.cells[("date", False)])
        else:
            self.ws.write(self.row, c, _text(str(value)), s.cells[("left", False)])


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


def _due_table(w: _Cursor, title: str, items: list[DueItem], overdue: bool) -> None:
    w.section(title)
    if not items:
        w.ws.write(w.row, 1, "无", w.styles.subtitle)
        w.row += 2
        return
    last = "逾期天数" if overdue else "剩余天数"
    w.header(("序号", "措施内容", "整改时限", "责任科室", "责任人", last, "原台账位置", "所涉问题"))
    for k, d in enumerate(items[:SUMMARY_LIST_MAX], start=1):
        deadline = date.fromisoformat(d.deadline)
        days = d.days_overdue if overdue else (deadline - w.as_of).days
        w.values((k, d.measure, deadline, d.department, d.owner, days, f"{d.sheet} 第{d.row}行", d.issue))
    if len(items) > SUMMARY_LIST_MAX:
        colour = "红色" if overdue else "黄色"
        w.line(
            f"……另有 {len(items) - SUMMARY_LIST_MAX} 项未列出：请在“{LEDGER_SHEET}”中按“整改时限”筛选，"
            f"这些措施所在的行显示为{colour}。"
        )
    w.row += 1


def _insert_charts(ws: Worksheet, row: int, aspects: _Block, statuses: _Block) -> None:
    bar = rx.Chart("bar")  # horizontal bars: the y axis holds the aspects, the x axis the counts
    for col, name, colour in ((2, "具体问题数", "#9DC3E6"), (3, "已完成数", "#70AD47")):
        series = _series(name, _column_range(aspects, 7), _column_range(aspects, col))
        series.set_format(_fill(colour))
        bar.push_series(series)
    _chart_text(bar, "各方面具体问题整改完成情况")
    bar.set_y_axis_reverse()  # the first aspect on top, as in the table
    bar.set_x_axis_major_gridlines(True)
    bar.set_legend_position("bottom")
    bar.set_legend_font(_chart_font(9))
    bar.set_width(500)
    bar.set_height(CHART_ROWS * 20 - 10)
    ws.insert_chart(row, 0, bar, 4, 4)

    column = rx.Chart("column")
    colours = {"已完成": "#70AD47", "阶段性完成": "#A9D18E", "正在推进": "#FFC000", "长期坚持": "#5B9BD5"}
    n = statuses.last - statuses.first + 1
    series = _series("措施数", _column_range(statuses, 1), _column_range(statuses, 2))
    series.set_point_colors([colours.get(s, "#A5A5A5") for s in _status_names(n)])
    column.push_series(series)
    _chart_text(column, "整改措施按状态分布")
    column.set_y_axis_major_gridlines(True)
    column.set_legend_hidden()
    column.set_width(420)
    column.set_height(CHART_ROWS * 20 - 10)
    ws.insert_chart(row, 0, column, 514, 4)


def _series(name: str, categories: str, values: str) -> rx.ChartSeries:
    """A series of the 汇总 sheet's cells, its values labelled on the bars."""
    series = rx.ChartSeries()
    series.set_name(name)
    series.set_categories(categories)
    series.set_values(values)
    label = rx.ChartDataLabel()
    label.show_value()
    series.set_data_label(label)
    return series


def _column_range(block: _Block, col: int) -> str:
    return f"'{SUMMARY_SHEET}'!${col_letter(col)}${block.first + 1}:${col_letter(col)}${block.last + 1}"


def _fill(colour: str) -> rx.ChartFormat:
    fmt = rx.ChartFormat()
    fmt.set_fill_color(colour)
    return fmt


def _chart_font(size: float) -> rx.ChartFont:
    font = rx.ChartFont()
    font.set_name(FONT)
    font.set_size(size)
    return font


def _chart_text(chart: rx.Chart, title: str) -> None:
    """Title and axis labels in 宋体."""
    chart.set_title_name(title)
    chart.set_title_font(_chart_font(11))
    chart.set_x_axis_font(_chart_font(9))
    chart.set_y_axis_font(_chart_font(9))


def _status_names(n: int) -> list[str]:
    return [*STATUSES, "未识别"][:n]


# ---- 校验结果 ----------------------------------------------------------------------------------

FINDINGS_HEADERS = ("序号", "级别", "代码", "原台账位置", "字段", "值", "说明", "修改建议", "清洗台账位置")
FINDINGS_WIDTHS = (6, 7, 18, 16, 11, 20, 50, 40, 14)


def _write_findings_sheet(
    wb: Workbook,
    styles: Styles,
    findings: list[Finding],
    placed: dict[tuple[int, int], list[Finding]],
    sheet: LedgerSheet,
) -> None:
    streamed = sheet.constant_memory or len(findings) > CONSTANT_MEMORY_ROWS  # no merges to keep here
    ws = wb.add_worksheet(FINDINGS_SHEET, constant_memory=streamed)
    for c, width in enumerate(FINDINGS_WIDTHS):
        ws.set_column_width(c, width)
    target = {id(f): rc for rc, fs in placed.items() for f in fs}
    left, center = styles.cells[("left", False)], styles.cells[("center", False)]
    _set_height(ws, 0, 28)
    errors = sum(f.severity == "error" for f in findings)
    title = (
        f"校验结果：错误 {errors} 处，提醒 {len(findings) - errors} 处"
        if findings
        else "校验结果：未发现问题"
    )
    _title_cell(ws, 0, len(FINDINGS_HEADERS) - 1, title, styles.title)
    for c, name in enumerate(FINDINGS_HEADERS):
        ws.write(1, c, name, styles.header)
    links = 0
    for i, f in enumerate(findings):
        r = 2 + i
        where = f"{f.sheet}!{f.cell}" if f.cell else f.sheet
        texts = (
            SEVERITY_NAMES.get(f.severity, f.severity),
            f.code,
            where,
            STANDARD_HEADERS.get(f.field, f.field),
            f.value,
            f.message,
            f.hint,
        )
        _set_height(
            ws, r, _height(max(_lines(t, FINDINGS_WIDTHS[c]) for c, t in enumerate(texts, start=1) if t))
        )
        ws.write(r, 0, i + 1, center)
        for c, text in enumerate(texts, start=1):
            ws.write(r, c, _text(text) if text else None, center if c in (1, 4) else left)
        rc = target.get(id(f))
        if rc is not None and links < MAX_LINKS:
            ref = a1(*rc)
            ws.write_url(r, 8, f"internal:'{LEDGER_SHEET}'!{ref}", styles.link, text=f"{LEDGER_SHEET}!{ref}")
            links += 1
        else:
            ws.write(r, 8, None, center)
    last = max(1 + len(findings), 1)
    if streamed:
        _end_stream(ws, styles, last)
    ws.freeze_panes(2, 0)
    ws.autofilter(1, 0, last, len(FINDINGS_HEADERS) - 1)
    ws.set_landscape()
    ws.set_paper_size(9)
    _print_setup(ws, 1)


# ---- the blank template --------------------------------------------------------------------

TEMPLATE_TITLE = "XX单位巡察反馈问题整改台账"
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


# ---- the rows that are not measures ---------------------------------------------------------


def write_other_sheet(wb: Workbook, styles: Styles, ledger: Ledger) -> None:
    """其他内容: every row of the input that is not a measure (totals, notes, sign-offs, a second
    table, example rows), as written, with its sheet, row and kind. The reader reads it back as
    such rows. No sheet when there are none."""
    rows = ledger.other_rows
    if not rows:
        return
    ws = wb.add_worksheet(OTHER_SHEET, constant_memory=len(rows) > CONSTANT_MEMORY_ROWS)
    width = max(len(o.cells) for o in rows)
    for c, name in enumerate((*OTHER_HEADERS, *(col_letter(i) for i in range(width)))):
        ws.write(0, c, name, styles.header)
        ws.set_column_width(c, (14, 7, 12)[c] if c < len(OTHER_HEADERS) else 18)
    left, center = styles.cells[("left", False)], styles.cells[("center", False)]
    for r, o in enumerate(rows, start=1):
        ws.write(r, 0, o.sheet, left)
        ws.write(r, 1, o.row, center)
        ws.write(r, 2, OTHER_KINDS.get(o.kind, o.kind), left)
        for c, text in enumerate(o.cells, start=len(OTHER_HEADERS)):
            if text:
                ws.write(r, c, _text(text), left)


def write_blank_template(out_path: Path) -> Path:
    """The blank ledger offices fill in: standard header, dropdowns, date checks, 填报说明.

    Regenerated unchanged, it differs from the committed one only in docProps/core.xml's
    created / modified times: the library stamps the current time and cannot be told otherwise.
    """
    out_path = Path(out_path)
    cols = ledger_columns(None)
    with atomic_path(out_path) as tmp, _library_tempdir():
        wb = Workbook()
        wb.set_properties(title="巡察反馈问题整改台账（空白模板）", comments="由 ledgerkit 生成")
        styles = Styles(wb)
        ws = wb.add_worksheet(LEDGER_SHEET)
        header_row = _write_heading(ws, styles, cols, TEMPLATE_TITLE, "填报单位：　　　　　　　　填报时间：")
        first = header_row + 1
        _before_rows(ws, cols, header_row, first + TEMPLATE_ROWS - 1)
        for r in range(first, first + TEMPLATE_ROWS):
            for c, col in enumerate(cols):
                ws.write(r, c, None, styles.cells[(col.align, False)])
        _finish_table(ws, styles, cols, header_row, first + TEMPLATE_ROWS - 1, wide=_is_wide(cols))
        _write_instructions(wb, styles)
        _write_lists_sheet(wb)
        wb.close(str(tmp))
    return out_path


def _write_instructions(wb: Workbook, styles: Styles) -> None:
    ws = wb.add_worksheet(INSTRUCTIONS_SHEET)
    width = 72  # fits A4 portrait unscaled in Excel and LibreOffice (which measures units wider)
    ws.set_column_width(0, width)
    ws.write(0, 0, "填报说明", styles.title)
    _set_height(ws, 0, 32)
    lines = [(r, t) for r, t in enumerate(INSTRUCTIONS, start=1)]
    lines += [(r, t) for r, t in enumerate(EXAMPLE, start=len(INSTRUCTIONS) + 2)]
    for r, text in lines:
        _set_height(ws, r, _height(_lines(text, width)) + 2)
        ws.write(r, 0, text, styles.note)
    ws.set_portrait()
    ws.set_paper_size(9)
    _print_setup(ws, None, margins=(0.5, 0.5, 0.6, 0.6))
