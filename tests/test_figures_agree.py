"""One figure, one wording: the CLI line, the e-mail body, the workbook's 汇总 and the notice state
the completion rate identically, rounded half up from the exact counts (1 of 16 → 6.3%).

Real files: each example writes a ledger, reports it (cleaned workbook + notice draft), reads the
workbook back with openpyxl and the notice with python-docx.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import openpyxl
from build import HEADER, measure_row, write_xlsx
from docx import Document
from hypothesis import example, given, settings
from hypothesis import strategies as st

from ledgerkit import formats
from ledgerkit.workflow import mail
from ledgerkit.workflow.report import figures_line, report_one

AS_OF = date(2025, 3, 3)


def expected(done: int, total: int) -> str:
    """Half up from the exact fraction, computed apart from formats.py."""
    tenths = Fraction(done * 1000, total)
    whole = int(tenths + Fraction(1, 2))  # floor(x + 0.5): half up for non-negative x
    return f"{whole // 10}.{whole % 10}%"


@st.composite
def counts(draw) -> tuple[int, int]:
    total = draw(st.integers(1, 40))
    return draw(st.integers(0, total)), total


def test_percent_is_half_up_from_the_exact_counts():
    for total in range(1, 400):
        for done in range(total + 1):
            assert formats.percent(done, total) == expected(done, total)
    assert formats.percent(1, 16) == "6.3%" and formats.percent(625, 10002) == "6.2%"


def _ledger(folder: Path, done: int, total: int) -> Path:
    rows = [HEADER]
    for i in range(total):
        status = "已完成" if i < done else "正在推进"
        rows.append(measure_row(i + 1, "方面", "问题", f"具体问题{i + 1}", f"措施{i + 1}", status))
    return write_xlsx(folder / "台账.xlsx", rows)


def _workbook_rate(path: Path) -> str:
    ws = openpyxl.load_workbook(path)["汇总"]
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("整改完成率"):
                value = ws.cell(cell.row, cell.column + 1)
                assert value.number_format == "0.0%"
                shown = (Decimal(repr(value.value)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
                return f"{shown}%"  # what Excel shows for a value already at 0.1%
    raise AssertionError("汇总 has no 整改完成率 row")


def _notice_rate(path: Path) -> str:
    text = "".join(p.text for p in Document(str(path)).paragraphs)
    start = text.index("完成率") + len("完成率")
    return text[start : text.index("%", start) + 1]


@settings(max_examples=12, deadline=None)
@given(counts())
@example((1, 16))  # 6.25%: where float formatting said 6.2% and the notice 6.3%
def test_cli_mail_workbook_and_notice_agree(pair):
    done, total = pair
    folder = Path(tempfile.mkdtemp())
    try:
        report = report_one(_ledger(folder, done, total), folder / "out", AS_OF, None, no_notice=False)
        s = report.summary
        want = expected(done, total)
        assert (s.issues, s.issues_done) == (total, done)
        assert f"完成率{want}" in figures_line(s)  # the CLI line
        assert f"完成率{want}" in mail.figures_sentence(s)  # the e-mail body
        assert _workbook_rate(report.workbook) == want  # the cleaned workbook's 汇总
        if done < total:  # the notice states a rate; when all is done it says so in words instead
            assert _notice_rate(report.notice) == want
    finally:
        shutil.rmtree(folder, ignore_errors=True)
