"""Positions as data and one notation (issues 20, 22): a finding carries its row and column as
numbers, its A1 text derived; every output writes a position one way (formats.position);
consoles are shown marks they can show and tables that never cut a position."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import openpyxl
from build import HEADER, measure_row, write_xlsx
from conftest import SAMPLES
from hypothesis import given
from hypothesis import strategies as st

from ledgerkit.formats import position
from ledgerkit.model import a1, cell_name, col_letter, column_index

AS_OF = "2025-03-03"


def run(
    *args: str, env: dict[str, str] | None = None, encoding: str = "utf-8"
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ledgerkit", *args],
        capture_output=True,
        env={**os.environ, "COLUMNS": "80", **(env or {})},
        timeout=120,
        encoding=encoding,
    )


def long_ledger(tmp_path):
    """100 measures done, then row 101 overdue and with an unknown status word at K102."""
    rows = [HEADER]
    for k in range(1, 100):
        rows.append(measure_row(k, "方面一", "问题一", f"具体问题{k}", f"措施{k}"))
    rows.append(
        measure_row(100, "方面一", "问题一", "具体问题100", "措施100", "正在推进", "2025年1月31日", "")
    )
    rows.append(
        measure_row(101, "方面一", "问题一", "具体问题101", "措施101", "差不多了", "2025年6月30日", "")
    )
    return write_xlsx(tmp_path / "整改台账.xlsx", rows)


@given(st.integers(1, 1_048_576), st.integers(1, 16_384))
def test_a1_is_derived_from_numbers_and_back(row, column):
    cell = cell_name(row, column)
    assert cell == a1(row - 1, column - 1) == f"{col_letter(column - 1)}{row}"
    letters = cell.rstrip("0123456789")
    assert column_index(letters) == column - 1 and int(cell[len(letters) :]) == row


def test_one_notation_for_a_cell_a_row_a_sheet():
    assert position("整改台账", "F12") == "「整改台账」F12"
    assert position("整改台账", row=101) == "「整改台账」第101行"
    assert position("整改台账") == "「整改台账」"
    assert cell_name(0, 0) == "" and cell_name(5, 0) == ""


def test_check_json_gives_row_and_column_and_keeps_cell(tmp_path):
    ledger = long_ledger(tmp_path)
    proc = run("check", str(ledger), "--as-of", AS_OF, "--json")
    data = json.loads(proc.stdout)
    found = data["errors"] + data["warnings"]
    unknown = [f for f in found if f["code"] == "status-unknown"]
    assert [(f["cell"], f["row"], f["column"]) for f in unknown] == [("K102", 102, 11)]
    for f in found:
        assert f["cell"] == (cell_name(f["row"], f["column"]) if f["row"] and f["column"] else "")
        assert f["message"].startswith(position(f["sheet"], f["cell"]) + "：")
    # the console says it the same way
    text = run("check", str(ledger), "--as-of", AS_OF).stdout
    assert "「整改台账」K102：" in text


def test_summary_table_never_cuts_a_position_at_80_columns(tmp_path):
    proc = run("summary", str(long_ledger(tmp_path)), "--as-of", AS_OF)
    assert "「整改台账」第101行" in proc.stdout, proc.stdout
    assert "…" not in "".join(line.split("│")[1] for line in proc.stdout.splitlines() if "第10" in line)


def test_the_workbook_writes_positions_as_the_console_does(tmp_path):
    ledger = long_ledger(tmp_path)
    proc = run("report", str(ledger), "-o", str(tmp_path / "out"), "--as-of", AS_OF, "--no-notice", "--json")
    wb = openpyxl.load_workbook(json.loads(proc.stdout)["outputs"]["workbook"])
    summary_texts = {str(c.value) for row in wb["汇总"].iter_rows() for c in row if c.value is not None}
    assert "「整改台账」第101行" in summary_texts
    places = [r[3].value for r in wb["校验结果"].iter_rows(min_row=3) if r[2].value == "status-unknown"]
    assert places == ["「整改台账」K102"]
    link = next(r[8] for r in wb["校验结果"].iter_rows(min_row=3) if r[2].value == "status-unknown")
    assert link.value.startswith("「整改台账」") and link.hyperlink.location.startswith("'整改台账'!")


def test_a_gbk_console_shows_success_and_failure_apart(tmp_path):
    folder = tmp_path / "台账"
    folder.mkdir()
    shutil.copy(SAMPLES / "000" / "flat.xlsx", folder / "a 平铺.xlsx")
    write_xlsx(folder / "b 有错.xlsx", [HEADER, measure_row(1, "方面", "问题", "问题一", "措施一", "已完了")])
    (folder / "c 坏文件.xlsx").write_bytes(b"not a workbook")
    proc = run(
        "report",
        str(folder),
        "--as-of",
        AS_OF,
        "--no-notice",
        env={"PYTHONIOENCODING": "gbk"},
        encoding="gbk",
    )
    marks = [line.split(" ", 1)[0] for line in proc.stdout.splitlines() if line.endswith(("）", "。"))][:3]
    assert marks == ["√", "!", "×"], proc.stdout
    assert "?" not in "".join(marks)
