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

import re
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

    def write_cell(row: int, col: int, cell: Any) -> None:
        fmt = cell.format
        kind = cell.__class__
        if fmt is None:
            original(row, col, cell)
            return
        name = letters.get(col)
        if name is None:
            name = letters[col] = xl_col_to_name(col)
        head = f'<c r="{name}{row + 1}" s="{fmt._get_xf_index()}"'
        if kind is string_kind:
            text = cell.string
            if not inline:
                ws.fh.write(f'{head} t="s"><v>{text}</v></c>')  # text: the shared string's index
                return
            if _NEEDS_ESCAPE.search(text) or (text.startswith("<r>") and text.endswith("</r>")):
                original(row, col, cell)
                return
            space = ' xml:space="preserve"' if text and (text[0].isspace() or text[-1].isspace()) else ""
            if "&" in text or "<" in text or ">" in text:
                text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            ws.fh.write(f'{head} t="inlineStr"><is><t{space}>{text}</t></is></c>')
        elif kind is blank_kind:
            ws.fh.write(f"{head}/>")
        elif kind is number_kind:
            ws.fh.write(f"{head}><v>{cell.number:.16G}</v></c>")
        else:
            original(row, col, cell)

    ws._write_cell = write_cell  # type: ignore[method-assign]
    return True
