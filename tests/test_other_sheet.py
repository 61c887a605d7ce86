"""其他内容 as LibreOffice prints it: landscape, one page wide, each row tall enough for its text —
two rows of other content on one page, and a long 填表说明 shown whole, not a middle fragment."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from build import HEADER, measure_row, write_xlsx

from ledgerkit.model import OTHER_SHEET
from ledgerkit.workbook.other_sheet import CONTENT_BUDGET, MIN_WIDTH, fit_widths
from ledgerkit.workbook.styles import LINE_HEIGHT

NOTE = (
    "填表说明：1.完成情况填写已完成、阶段性完成、正在推进、长期坚持、未开始；2.整改时限填写具体日期或"
    "“立行立改”“长期坚持”；3.本表由各责任科室每月25日前报送办公室汇总，逾期未报的在月度通报中点名；"
    "4.整改进展只写截至填报时间已经完成的工作，计划开展的工作写明“计划”；5.佐证材料按问题编号整理成册，"
    "与台账同时报送；6.如有疑问请联系办公室，电话1234567，联系人张三。此说明写在表格最后。"
)


def cleaned(tmp_path: Path) -> Path:
    rows: list[list[object]] = [HEADER]
    rows += [measure_row(str(k), "方面一", "问题一", f"具体问题{k}", f"措施{k}") for k in range(1, 4)]
    rows.append(
        ["合计", None, None, None, None, "共3个问题3条整改措施", None, None, None, None, None, "已完成3条"]
    )
    rows.append([NOTE])
    src = write_xlsx(tmp_path / "台账.xlsx", rows)
    proc = subprocess.run(
        [sys.executable, "-m", "ledgerkit", "report", str(src), "-o", str(tmp_path / "out"), "--no-notice"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return tmp_path / "out" / "台账（清洗）.xlsx"


def test_print_setup_and_row_heights(tmp_path):
    ws = openpyxl.load_workbook(cleaned(tmp_path))[OTHER_SHEET]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    setup = ws.page_setup  # one page wide (fitToWidth 1 is the default, left out), as many long
    assert (
        ws.sheet_properties.pageSetUpPr.fitToPage and setup.fitToWidth in (None, 1) and setup.fitToHeight == 0
    )
    note = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 4).value == NOTE)
    width = ws.column_dimensions["D"].width
    needed = -(-2 * len(NOTE) // int(width - 0.5))  # CJK lines of the column, rounded up
    assert ws.row_dimensions[note].height >= LINE_HEIGHT * needed
    assert ws.cell(note, 4).alignment.wrap_text


def test_libreoffice_prints_two_rows_on_one_page_with_the_whole_note(tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdfinfo") is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice (soffice) or poppler is not installed: cannot check the print")
    wb = openpyxl.load_workbook(cleaned(tmp_path))
    for name in wb.sheetnames:  # print 其他内容 alone, as a user printing that sheet does
        if name != OTHER_SHEET:
            del wb[name]
    alone = tmp_path / "其他内容.xlsx"
    wb.save(alone)
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(alone)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = alone.with_suffix(".pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", info)[1]) == 1
    assert re.search(r"Page size:\s+841\.\d+ x 595\.\d+", info)  # A4 landscape
    text = re.sub(
        r"\s+", "", subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    )
    assert NOTE in text  # every character of the note, in order: nothing cut at the top or bottom


def test_widths_fill_the_page_and_keep_short_columns():
    assert fit_widths([4, 0, 10]) == [8.0, 4.0, 12.0]
    widths = fit_widths([300, 20, 300, 6])
    assert sum(widths) <= CONTENT_BUDGET + 0.01
    assert widths[1] == 22.0 and widths[3] == 8.0 and widths[0] == widths[2] > 40
    assert min(fit_widths([200] * 40)) == MIN_WIDTH  # too many columns: the floor, fit-to-width scales
