"""变化对照.xlsx on the workbook package's styles: texts at Excel's cell limit, counted as Excel counts them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from ledgerkit.compare import compare
from ledgerkit.model import Ledger, Measure
from ledgerkit.rules.validate import EXCEL_CELL_LIMIT
from ledgerkit.text import fold
from ledgerkit.workbook.changes import DETAIL_SHEET, write_changes_workbook

DAY = date(2025, 2, 1)


def ledger(progress: str) -> Ledger:
    m = Measure(
        sheet="S", row=2, issue="学习不深入", measure="开展专题学习", status="正在推进", progress=progress
    )
    m.issue_key, m.measure_key = fold(m.issue), fold(m.measure)
    return Ledger(source_file="", file_format="xlsx", sheets=[], measures=[m])


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_an_emoji_at_the_cell_limit_is_cut_as_excel_counts(tmp_path: Path):
    """32,760 CJK characters and ten emoji: 32,770 characters, 32,780 UTF-16 units. Cut by
    characters (as before) the text kept 32,774 units, past Excel's 32,767: xlsxwriter then cut
    it again (3.3) or wrote it whole (older), and refused the cell, which stops ``write_row``,
    so the cells after it (上次位置, 本次位置) stayed empty. Cut by units it keeps whole emoji
    only, within the limit, and the row is complete."""
    long = "进" * 32_760 + "😀" * 10
    c = compare(ledger("已学习。"), ledger(long), DAY, DAY)
    assert [ch.kind for ch in c.changes["progress_updated"]] == ["progress_updated"]
    path = write_changes_workbook(c, tmp_path / "变化对照.xlsx")
    sheet = load_workbook(path)[DETAIL_SHEET]
    header = [cell.value for cell in sheet[1]]
    written = sheet.cell(row=2, column=header.index("本次") + 1).value
    assert utf16_units(written) <= EXCEL_CELL_LIMIT
    assert written == long[: len(written)] and written.endswith("😀")  # whole emoji, the start kept
    assert utf16_units(written) == EXCEL_CELL_LIMIT - 1  # one more emoji would be two units too many
    assert sheet.cell(row=2, column=header.index("上次") + 1).value == "已学习。"
    row = {h: cell.value for h, cell in zip(header, sheet[2], strict=True)}
    assert (row["上次位置"], row["本次位置"]) == ("S!A2", "S!A2")  # the row written to its end


def test_a_text_within_the_limit_is_kept_whole(tmp_path: Path):
    text = "😀" * 16_383  # 32,766 units: fits
    c = compare(ledger("旧"), ledger(text), DAY, DAY)
    sheet = load_workbook(write_changes_workbook(c, tmp_path / "变化对照.xlsx"))[DETAIL_SHEET]
    header = [cell.value for cell in sheet[1]]
    assert sheet.cell(row=2, column=header.index("本次") + 1).value == text
