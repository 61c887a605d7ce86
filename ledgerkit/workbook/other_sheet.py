"""The 其他内容 sheet: every row of the input that is not a measure (totals, notes, sign-offs, a
second table, example rows), as written, with its sheet, row and kind. The reader reads it back
as such rows. No sheet when there are none.

It is printed as it is read: A4 landscape, one page wide, each column as wide as its longest
text up to a share of the page (``fit_widths``), every cell wrapped in a row tall enough for its
whole text — a long 填表说明 shows all of it, and two rows take one page, not five. No merges: the
reader takes the cells back one by one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import OTHER_HEADERS, OTHER_KINDS, OTHER_SHEET, Ledger, OtherRow, col_letter
from .styles import Styles, cut, display_len, height, lines, print_setup

if TYPE_CHECKING:
    from xlsxwriter.workbook import Workbook

FIXED_WIDTHS = (14.0, 7.0, 12.0)  # 原工作表, 原行号, 内容类型
# Width units the content columns share on A4 landscape: with the fixed ones about 160, which
# Excel and LibreOffice print one page wide at about 90 % (the 整改台账's own bound, table.is_wide).
CONTENT_BUDGET = 160.0 - sum(FIXED_WIDTHS)
MIN_WIDTH, EMPTY_WIDTH, MAX_WIDTH = 8.0, 4.0, 80.0


def fit_widths(longest: list[int], budget: float = CONTENT_BUDGET) -> list[float]:
    """Each column as wide as its longest text (+2), at most MAX_WIDTH; when they overflow the
    budget, the widest are capped at one level so the rest keep their width (water filling), never
    below MIN_WIDTH. An empty column stays narrow: its letter is all it shows."""
    natural = [EMPTY_WIDTH if n == 0 else min(max(n + 2.0, MIN_WIDTH), MAX_WIDTH) for n in longest]
    if sum(natural) <= budget:
        return natural
    lo, hi = MIN_WIDTH, max(natural)
    for _ in range(40):  # bisect the cap: sum(min(w, cap)) is monotone in cap
        cap = (lo + hi) / 2
        lo, hi = (cap, hi) if sum(min(w, cap) for w in natural) <= budget else (lo, cap)
    return [min(w, lo) for w in natural]


def _longest(rows: list[OtherRow], ncols: int) -> list[int]:
    longest = [0] * ncols
    for o in rows:
        for c, text in enumerate(o.cells):
            if text:  # the longest line: a cell with line breaks wraps at them
                longest[c] = max(longest[c], max(display_len(p) for p in text.split("\n")))
    return longest


def write_other_sheet(wb: Workbook, styles: Styles, ledger: Ledger) -> None:
    rows = ledger.other_rows
    if not rows:
        return
    ws = wb.add_worksheet(OTHER_SHEET)
    ncols = max(len(o.cells) for o in rows)
    widths = [*FIXED_WIDTHS, *fit_widths(_longest(rows, ncols))]
    for c, name in enumerate((*OTHER_HEADERS, *(col_letter(i) for i in range(ncols)))):
        ws.set_column(c, c, widths[c])
        ws.write_string(0, c, name, styles.header)
    left, center = styles.cells[("left", False)], styles.cells[("center", False)]
    first = len(OTHER_HEADERS)
    for r, o in enumerate(rows, start=1):  # in order: the rows stream in constant_memory mode
        kind = OTHER_KINDS.get(o.kind, o.kind)
        n = max(
            lines(o.sheet, widths[0]),
            lines(kind, widths[2]),
            *(lines(t, widths[first + c]) for c, t in enumerate(o.cells) if t),
        )
        ws.set_row(r, height(n))
        ws.write_string(r, 0, cut(o.sheet), left)
        ws.write_number(r, 1, o.row, center)
        ws.write_string(r, 2, kind, left)
        for c, text in enumerate(o.cells, start=first):
            if text:
                ws.write_string(r, c, cut(text), left)
            else:  # a gap inside the row keeps its border: the row reads as one table row
                ws.write_blank(r, c, None, left)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    print_setup(ws, 0, margins=(0.4, 0.4, 0.6, 0.6))
