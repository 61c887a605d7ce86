"""A faster way for xlsxwriter to put the ledger sheet's cells into the sheet XML, byte for byte
the XML it writes itself.

xlsxwriter turns each stored cell into XML in ``Worksheet._write_cell``, a general method: for
every cell it looks up row and column formats, builds attribute lists, escapes each attribute
and runs four regular expressions over each string. On a 100,000-measure ledger (1.6 million
cells) that was more than half of writing the workbook (cProfile, bench P3). The cells of the
ledger sheet are all of three kinds — a text, a number (a date's serial) or a blank, each with
its own format — so ``install`` gives the sheet a ``_write_cell`` that writes those directly and
hands every other cell (no format, a formula, a text holding control characters or an
``_xHHHH_`` escape, a rich string) to xlsxwriter's own method.

The XML is the library's, character for character (tests/test_workbook.py writes the same
ledger with and without it and compares the sheet parts); should a version of xlsxwriter store
cells differently, ``install`` leaves the sheet alone.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from math import isfinite
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xlsxwriter.worksheet import Worksheet

# What xlsxwriter's _escape_control_characters would change: then its own method writes the cell.
_NEEDS_ESCAPE = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")


def install(ws: Worksheet) -> bool:
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


def streamed_writers(
    ws: Worksheet,
) -> tuple[Callable[..., Any], Callable[..., Any], Callable[..., Any]] | None:
    """write_string, write_blank, write_number for a constant_memory sheet written row by row in
    order, storing each cell as the library's own undecorated methods do (the sheet's extent,
    the previous row sent out when a new one begins, the cell kept until its row is done), less
    the checks that are the same for every cell of a row. Anything unusual (a text that may be
    over Excel's limit, a number that is not finite, a row before the current one) goes to the
    library's method. None when this xlsxwriter differs or the sheet is not streamed."""
    try:
        from xlsxwriter import worksheet as xw
    except ImportError:  # pragma: no cover - xlsxwriter is a dependency
        return None
    string_kind = getattr(xw, "CellStringTuple", None)
    number_kind = getattr(xw, "CellNumberTuple", None)
    blank_kind = getattr(xw, "CellBlankTuple", None)
    library = [getattr(ws, name, None) for name in ("_write_string", "_write_blank", "_write_number")]
    needed = ("table", "previous_row", "dim_colmin", "dim_colmax", "xls_strmax", "_check_dimensions")
    if None in (string_kind, number_kind, blank_kind, *library) or not all(hasattr(ws, n) for n in needed):
        return None
    if not getattr(ws, "constant_memory", False):
        return None
    lib_string, lib_blank, lib_number = library
    short = ws.xls_strmax // 2  # a text no longer than this cannot be over the limit
    current: list[Any] = [None, None]  # the row being written, its cells

    def cells_of(row: int, col: int) -> dict[int, Any] | None:
        """The row's cell table after the library's per-cell checks; None: let the library do it."""
        if row != current[0]:
            if row < ws.previous_row or ws._check_dimensions(row, col):
                return None
            if row > ws.previous_row:
                ws._write_single_row(row)
            current[0], current[1] = row, ws.table[row]
        elif (col < ws.dim_colmin or col > ws.dim_colmax) and ws._check_dimensions(row, col):
            return None
        return current[1]

    def write_string(row: int, col: int, text: str, fmt: Any = None) -> int:
        cells = cells_of(row, col) if len(text) <= short else None
        if cells is None:
            return lib_string(row, col, text, fmt)
        cells[col] = string_kind(text, fmt)
        return 0

    def write_blank(row: int, col: int, blank: Any, fmt: Any = None) -> int:
        cells = cells_of(row, col) if fmt is not None else None
        if cells is None:
            return lib_blank(row, col, blank, fmt)
        cells[col] = blank_kind(fmt)
        return 0

    def write_number(row: int, col: int, number: Any, fmt: Any = None) -> int:
        cells = cells_of(row, col) if type(number) in (int, float) and isfinite(number) else None
        if cells is None:
            return lib_number(row, col, number, fmt)
        cells[col] = number_kind(number, fmt)
        return 0

    return write_string, write_blank, write_number
