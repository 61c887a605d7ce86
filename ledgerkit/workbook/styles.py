"""What every sheet of the cleaned workbook and the template shares: sheet names, the formats
(宋体, borders, the marked-cell look), row heights from an estimate of wrapped lines, title
cells and print setup.

Row heights are set from an estimate of the wrapped lines: neither LibreOffice nor printing
sizes wrapped rows by itself. They are tuned for Excel's 宋体; LibreOffice shows them a bit airy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..rules.validate import EXCEL_CELL_LIMIT

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

LEDGER_SHEET = "整改台账"
SUMMARY_SHEET = "汇总"
FINDINGS_SHEET = "校验结果"
LISTS_SHEET = "下拉选项"  # hidden: list sources of the dropdowns
INSTRUCTIONS_SHEET = "填报说明"

DATE_FORMAT = 'yyyy"年"m"月"d"日"'
FONT = "宋体"
EXCEL_ROWS = 1_048_576
LINE_HEIGHT = 13.5  # points per line of 10-point 宋体 in Excel
MAX_ROW_HEIGHT = 409.0  # Excel's maximum
SEVERITY_NAMES = {"error": "错误", "warning": "提醒"}

_BASE = {"font_name": FONT, "font_size": 10, "valign": "vcenter", "text_wrap": True, "border": 1}
_MARK = {"bg_color": "#FFFF00", "border": 2, "border_color": "#FF0000"}  # a cell with a finding
_RED = {"bg_color": "#FFC7CE", "font_color": "#9C0006"}  # overdue, a red flag: Excel's "bad" look
_ALIGNS = {
    "left": {"align": "left"},
    "center": {"align": "center"},
    "date": {"align": "center", "num_format": DATE_FORMAT},
}


class Styles:
    """The workbook's formats, created once (a format belongs to one workbook)."""

    def __init__(self, wb: Workbook) -> None:
        self.title = wb.add_format(
            {"font_name": FONT, "font_size": 16, "bold": True, "align": "center", "valign": "vcenter"}
        )
        self.subtitle = wb.add_format({"font_name": FONT, "font_size": 11, "valign": "vcenter"})
        self.line = wb.add_format(
            {"font_name": FONT, "font_size": 11, "text_wrap": True, "valign": "vcenter"}
        )
        self.section = wb.add_format({"font_name": FONT, "font_size": 12, "bold": True, "valign": "vcenter"})
        self.header = wb.add_format({**_BASE, "bold": True, "align": "center", "bg_color": "#DDEBF7"})
        # (align, marked) -> a table cell: 10-point 宋体, thin border, wrapped; dates as 2025年1月31日
        self.cells: dict[tuple[str, bool], Format] = {}
        for align, extra in _ALIGNS.items():
            self.cells[(align, False)] = wb.add_format({**_BASE, **extra})
            self.cells[(align, True)] = wb.add_format({**_BASE, **extra, **_MARK})
        self.text = wb.add_format(_BASE)  # a table cell in the general alignment
        self.flag = wb.add_format({**_BASE, **_RED})  # a red flag's row (变化明细)
        self.flag_center = wb.add_format({**_BASE, **_RED, "align": "center"})
        self.number = wb.add_format({**_BASE, "align": "center"})
        self.percent = wb.add_format({**_BASE, "align": "center", "num_format": "0.0%"})
        self.link = wb.add_format({**_BASE, "align": "center", "font_color": "#0563C1", "underline": 1})
        self.note = wb.add_format({"font_name": FONT, "font_size": 10, "text_wrap": True, "valign": "top"})
        self.overdue = wb.add_format(_RED)
        self.due_soon = wb.add_format({"bg_color": "#FFEB9C", "font_color": "#9C5700"})
        self.done = wb.add_format({"bg_color": "#C6EFCE", "font_color": "#006100"})


def cut(text: str) -> str:
    """Excel holds at most 32,767 characters in a cell: the rest is cut here, where a text is
    known to be long (validate.text_too_long tells the user which cells). xlsxwriter cuts a
    cell's text itself but refuses a note that long, and stops a write_row at the long cell."""
    if len(text) <= EXCEL_CELL_LIMIT // 2:  # cannot be too long even in UTF-16 units
        return text
    units = 0  # Excel counts UTF-16 units: a character outside the BMP (an emoji) is two
    for i, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > EXCEL_CELL_LIMIT:
            return text[:i]
    return text


def lines(text: str, width: float) -> int:
    """Lines a wrapped cell takes: cheap, as it runs for every cell of a large ledger.

    Width units from UTF-8 length: a CJK character is 3 bytes and 2 units wide, ASCII 1 and 1.
    """
    per_line = max(width - 0.5, 1.0)
    if "\n" not in text:
        return -int(-(len(text.encode()) + len(text)) // (2 * per_line))
    return sum(max(1, -int(-(len(p.encode()) + len(p)) // (2 * per_line))) for p in text.split("\n"))


def one_line_chars(width: float) -> int:
    """Up to this many characters fit one line of a column whatever they are (at most 2.5 units
    each, see lines): no need to count them."""
    return int(2 * max(width - 0.5, 1.0) / 5)


def height(n_lines: int) -> float:
    # Explicit heights: LibreOffice (and printing from it) does not size wrapped rows itself.
    return min(max(LINE_HEIGHT * n_lines + 4, 16.5), MAX_ROW_HEIGHT)


def display_len(text: str) -> int:
    """Width units of a text's first line: CJK characters take two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text.split("\n")[0])


def reported_line(unit: str, reported_on: str) -> str:
    """The 填报单位 / 填报时间 line under a title, "" when neither is known."""
    parts = [f"填报单位：{unit}" if unit else "", f"填报时间：{reported_on}" if reported_on else ""]
    return "　　".join(p for p in parts if p)


def title_cell(ws: Worksheet, row: int, last_col: int, text: str, fmt: Format) -> None:
    """A text across columns 0..last_col of one row."""
    if last_col > 0:
        ws.merge_range(row, 0, row, last_col, cut(text), fmt)
    else:  # a one-cell "merge" is refused
        ws.write_string(row, 0, cut(text), fmt)


def print_setup(
    ws: Worksheet,
    repeat_row: int | None,
    margins: tuple[float, float, float, float] | None = None,
    *,
    a4: bool = False,
    landscape: bool = False,
    page_numbers: bool = True,
) -> None:
    """One page wide, as many long; a repeated header row; page numbers in the footer (unless
    ``page_numbers`` is False); ``a4`` and ``landscape`` where a sheet sets its paper."""
    ws.fit_to_pages(1, 0)
    if a4:
        ws.set_paper(9)
    if landscape:
        ws.set_landscape()
    if repeat_row is not None:
        ws.repeat_rows(repeat_row)
    if margins is not None:  # left, right, top, bottom; header and footer keep Excel's 0.3
        left, right, top, bottom = margins
        ws.set_margins(left=left, right=right, top=top, bottom=bottom)
    if page_numbers:
        ws.set_footer("&C第 &P 页，共 &N 页")
