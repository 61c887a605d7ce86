"""Faster ways for xlsxwriter to put the ledger sheet's cells into the sheet XML, byte for byte
the XML it writes itself.

xlsxwriter keeps each cell as an object until its row is written, then turns it into XML in
``Worksheet._write_cell``, a general method: for every cell it looks up row and column formats,
builds attribute lists, escapes each attribute and runs four regular expressions over each
string, and writes it with one call of its own. On a 100,000-measure ledger (1.6 million cells)
that was more than half of writing the workbook (cProfile, bench P3). The ledger sheet's cells
are all of three kinds — a text, a number (a date's serial) or a blank, each with a format — so:

- ``StreamedRows`` (constant_memory, the big ledgers): each row's cells become XML as they are
  given and the row goes out in one write; no cell objects, no second pass;
- ``install_fast_cells`` (any mode): the sheet's ``_write_cell`` writes those three kinds directly, and in
  constant_memory a row's cells in one write.

Every other cell (no format, a formula, a text holding control characters or an ``_xHHHH_``
escape, a rich string) is written by xlsxwriter's own method. The XML is the library's,
character for character: tests/test_workbook.py writes the same ledger with and without these,
merged and streamed, and compares every part of the two files. Should a version of xlsxwriter
keep its cells differently, both leave the sheet to the library.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xlsxwriter.worksheet import Worksheet

# What xlsxwriter's _escape_control_characters would change: then its own method writes the cell.
_NEEDS_ESCAPE = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")


def install_fast_cells(ws: Worksheet) -> bool:
    """Give ``ws`` the fast cell writer; False (and nothing changed) if this xlsxwriter differs."""
    try:
        from xlsxwriter import worksheet as xw
        from xlsxwriter.utility import xl_col_to_name
    except ImportError:  # pragma: no cover - xlsxwriter is a dependency
        return False
    kinds = (
        getattr(xw, "CellStringTuple", None),
        getattr(xw, "CellNumberTuple", None),
        getattr(xw, "CellBlankTuple", None),
    )
    original = getattr(ws, "_write_cell", None)
    if None in kinds or original is None or not hasattr(ws, "constant_memory"):
        return False
    string_kind, number_kind, blank_kind = kinds
    inline = bool(ws.constant_memory)  # constant_memory writes texts inline, else shared strings
    letters: dict[int, str] = {}

    def library_xml(row: int, col: int, cell: Any) -> str:
        """What xlsxwriter's own method writes for this cell."""
        fh = ws.fh
        ws.fh = io.StringIO()
        try:
            original(row, col, cell)
            return ws.fh.getvalue()
        finally:
            ws.fh = fh

    def cell_xml(row: int, col: int, cell: Any, number: str = "") -> str:
        """``number``: the row's number as written (row + 1), when the caller has it already."""
        fmt = cell.format
        kind = cell.__class__
        if fmt is None:
            return library_xml(row, col, cell)
        name = letters.get(col)
        if name is None:
            name = letters[col] = xl_col_to_name(col)
        head = f'<c r="{name}{number or row + 1}" s="{fmt._get_xf_index()}"'
        if kind is string_kind:
            text = cell.string
            if not inline:
                return f'{head} t="s"><v>{text}</v></c>'  # text: the shared string's index
            # isprintable and no "_x": nothing to escape (the regex is the slower test)
            needs = (not text.isprintable() or "_x" in text) and _NEEDS_ESCAPE.search(text)
            if needs or (text.startswith("<r>") and text.endswith("</r>")):
                return library_xml(row, col, cell)
            space = ' xml:space="preserve"' if text and (text[0].isspace() or text[-1].isspace()) else ""
            if "&" in text or "<" in text or ">" in text:
                text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            return f'{head} t="inlineStr"><is><t{space}>{text}</t></is></c>'
        if kind is blank_kind:
            return f"{head}/>"
        if kind is number_kind:
            return f"{head}><v>{cell.number:.16G}</v></c>"
        return library_xml(row, col, cell)

    def write_cell(row: int, col: int, cell: Any) -> None:
        ws.fh.write(cell_xml(row, col, cell))

    def write_single_row(current_row_num: int = 0) -> None:
        """constant_memory: the row before ``current_row_num`` out, as Worksheet._write_single_row
        does, its cells in one write rather than one each."""
        row_num = ws.previous_row
        ws.previous_row = current_row_num
        cells = ws.table.get(row_num)
        if cells:
            ws._write_row(row_num, None, ws.row_info.get(row_num))
            number = str(row_num + 1)
            ws.fh.write(
                "".join(
                    [
                        cell_xml(row_num, c, cells[c], number)
                        for c in range(ws.dim_colmin, ws.dim_colmax + 1)
                        if c in cells
                    ]
                )
                + "</row>"
            )
        elif row_num in ws.row_info or row_num in ws.comments:
            ws._write_empty_row(row_num, None, ws.row_info[row_num])
        ws.table.clear()

    ws._write_cell = write_cell  # type: ignore[method-assign]
    if inline and callable(getattr(ws, "_write_single_row", None)):
        ws._write_single_row = write_single_row  # type: ignore[method-assign]
    return True


class StreamedRows:
    """constant_memory: the ledger sheet's rows as XML written straight into the sheet's row data,
    each row in one write, as the library would write them: no cell objects, no second pass.

    For each row, in order: the library's ``set_row``, then ``begin``, the cells (``put_text``,
    ``put_blank``, ``put_number``, taking the arguments of the library's write_* methods), ``end``,
    then the row's notes (the library's ``write_comment``); ``finish`` after the last row. The
    library's own rows before the first (the heading) go out first; it is then told the rows
    are written (``previous_row``), so it neither writes them again nor takes a cell there.
    Every row must write cells in the same columns ``first_col``..``last_col``, whose extent the
    sheet is given once a row; a text needing an escape is written by the library's method.
    """

    def __init__(self, ws: Worksheet, first_col: int, last_col: int, cell_xml: Callable[..., str]) -> None:
        self.ws = ws
        self.cols = (first_col, last_col)
        self.cell_xml = cell_xml  # the library's XML for a cell object (the rare texts to escape)
        self.row = -1
        self.number = ""
        self.parts: list[str] = []
        self.started = False
        self.styles: dict[int, str] = {}  # id(format) -> its xf index as written
        self.names: list[str] = []  # column letters
        self.string_kind: Any = None

    @classmethod
    def open(cls, ws: Worksheet, n_cols: int) -> StreamedRows | None:
        """For a constant_memory sheet of ``n_cols`` columns; None when this xlsxwriter differs."""
        try:
            from xlsxwriter import worksheet as xw
            from xlsxwriter.utility import xl_col_to_name
        except ImportError:  # pragma: no cover - xlsxwriter is a dependency
            return None
        needed = ("previous_row", "row_info", "fh", "_write_row", "_write_single_row", "_check_dimensions")
        string_kind = getattr(xw, "CellStringTuple", None)
        if not getattr(ws, "constant_memory", False) or string_kind is None or n_cols < 1:
            return None
        if not all(hasattr(ws, name) for name in needed):
            return None

        def library_xml(row: int, col: int, cell: Any) -> str:
            fh = ws.fh
            ws.fh = io.StringIO()
            try:
                type(ws)._write_cell(ws, row, col, cell)
                return ws.fh.getvalue()
            finally:
                ws.fh = fh

        rows = cls(ws, 0, n_cols - 1, library_xml)
        rows.names = [xl_col_to_name(c) for c in range(n_cols)]
        rows.string_kind = string_kind
        return rows

    def _head(self, col: int, fmt: Any) -> str:
        style = self.styles.get(id(fmt))
        if style is None:
            style = self.styles[id(fmt)] = f'" s="{fmt._get_xf_index()}"'
        return f'<c r="{self.names[col]}{self.number}{style}'

    def begin(self, row: int) -> None:
        ws = self.ws
        if not self.started:  # the library's own rows above (the heading) out first
            if row > ws.previous_row:
                ws._write_single_row(row)
            self.started = True
        ws.previous_row = row  # notes may still go on this row
        self.row, self.number, self.parts = row, str(row + 1), []

    def put_text(self, row: int, col: int, text: str, fmt: Any) -> int:
        if ((not text.isprintable() or "_x" in text) and _NEEDS_ESCAPE.search(text)) or (
            text.startswith("<r>") and text.endswith("</r>")
        ):
            self.parts.append(self.cell_xml(row, col, self.string_kind(text, fmt)))
            return 0
        space = ' xml:space="preserve"' if text and (text[0].isspace() or text[-1].isspace()) else ""
        if "&" in text or "<" in text or ">" in text:
            text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        self.parts.append(f'{self._head(col, fmt)} t="inlineStr"><is><t{space}>{text}</t></is></c>')
        return 0

    def put_blank(self, row: int, col: int, _blank: Any, fmt: Any) -> int:
        self.parts.append(f"{self._head(col, fmt)}/>")
        return 0

    def put_number(self, row: int, col: int, number: float, fmt: Any) -> int:
        self.parts.append(f"{self._head(col, fmt)}><v>{number:.16G}</v></c>")
        return 0

    def end(self) -> None:
        ws, row = self.ws, self.row
        if not self.parts:
            if row in ws.row_info:
                ws._write_empty_row(row, None, ws.row_info[row])
            return
        ws._check_dimensions(row, self.cols[0])
        ws._check_dimensions(row, self.cols[1])
        ws._write_row(row, None, ws.row_info.get(row))
        ws.fh.write("".join(self.parts) + "</row>")

    def finish(self) -> None:
        """After the last row: the library's next flush starts below it."""
        if self.started:
            self.ws.previous_row = self.row + 1
