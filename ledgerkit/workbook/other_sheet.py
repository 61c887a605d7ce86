"""The 其他内容 sheet: every row of the input that is not a measure (totals, notes, sign-offs, a
second table, example rows), as written, with its sheet, row and kind. The reader reads it back
as such rows. No sheet when there are none."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import OTHER_HEADERS, OTHER_KINDS, OTHER_SHEET, Ledger, col_letter
from .styles import Styles, cut

if TYPE_CHECKING:
    from xlsxwriter.workbook import Workbook


def write_other_sheet(wb: Workbook, styles: Styles, ledger: Ledger) -> None:
    rows = ledger.other_rows
    if not rows:
        return
    ws = wb.add_worksheet(OTHER_SHEET)
    width = max(len(o.cells) for o in rows)
    for c, name in enumerate((*OTHER_HEADERS, *(col_letter(i) for i in range(width)))):
        ws.set_column(c, c, (14, 7, 12)[c] if c < len(OTHER_HEADERS) else 18)
        ws.write_string(0, c, name, styles.header)
    left, center = styles.cells[("left", False)], styles.cells[("center", False)]
    for r, o in enumerate(rows, start=1):  # in order: the rows stream in constant_memory mode
        ws.write_string(r, 0, cut(o.sheet), left)
        ws.write_number(r, 1, o.row, center)
        ws.write_string(r, 2, OTHER_KINDS.get(o.kind, o.kind), left)
        for c, text in enumerate(o.cells, start=len(OTHER_HEADERS)):
            if text:
                ws.write_string(r, c, cut(text), left)
