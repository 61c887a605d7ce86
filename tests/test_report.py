"""The report library through the real CLI: one stream of findings, and one folder per input.

Findings the notice's content raises (a measure without 整改进展, characters Word cannot hold)
exist before the workbook is written, so the 校验结果 sheet, the ``report --json`` manifest,
the CLI's line and the exit code all tell the same story.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
from build import HEADER, measure_row, write_xls, write_xlsx

from ledgerkit.workflow.report import output_folder_name, output_folders


def ledgerkit(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ledgerkit", *args], capture_output=True, text=True, timeout=300
    )


def progress_missing_ledger(path: Path) -> Path:
    """One issue, two measures; the second has no 整改进展 (the notice writes only the first's)."""
    second = measure_row(2, "方面一", "问题一", "具体问题一", "措施二")
    second[HEADER.index("整改进展")] = ""
    rows = [HEADER, measure_row(1, "方面一", "问题一", "具体问题一", "措施一"), second]
    return write_xlsx(path, rows)


def findings_sheet(workbook: Path) -> tuple[str, list[dict[str, object]]]:
    ws = openpyxl.load_workbook(workbook, read_only=True)["校验结果"]
    rows = list(ws.iter_rows(values_only=True))
    header = rows[1]
    return str(rows[0][0]), [
        dict(zip(header, r, strict=False)) for r in rows[2:] if any(v is not None for v in r)
    ]


def test_notice_warning_is_in_the_findings_sheet_the_manifest_the_cli_line_and_the_exit_code(tmp_path):
    ledger = progress_missing_ledger(tmp_path / "台账.xlsx")

    text = ledgerkit("report", str(ledger), "-o", str(tmp_path / "文本"), "--as-of", "2025-04-01")
    assert text.returncode == 0, text.stderr
    assert "校验：0 个错误，1 条提醒，见清洗台账的“校验结果”表。" in text.stdout

    as_json = ledgerkit(
        "report", str(ledger), "-o", str(tmp_path / "json"), "--as-of", "2025-04-01", "--json"
    )
    assert as_json.returncode == 0, as_json.stderr
    manifest = json.loads(as_json.stdout)
    assert manifest["findings"] == {"errors": 0, "warnings": 1}
    assert set(manifest) == {"file", "outputs", "summary", "findings"}  # the contract's keys
    assert set(manifest["outputs"]) == {"workbook", "notice"}

    for workbook in (tmp_path / "文本" / "台账（清洗）.xlsx", Path(manifest["outputs"]["workbook"])):
        title, rows = findings_sheet(workbook)
        assert title == "校验结果：错误 0 处，提醒 1 处"
        assert [r["代码"] for r in rows] == ["notice-progress-missing"]
        assert rows[0]["原台账位置"] == "「整改台账」J3"  # the empty 整改进展 cell


def test_a_character_word_cannot_hold_is_a_finding_in_the_sheet_too(tmp_path):
    import xlsxwriter  # openpyxl refuses control characters; Excel files from other systems carry them

    ledger = tmp_path / "台账.xlsx"
    rows = [
        HEADER,
        measure_row(1, "方面", "问题", "问题一", "措施一"),
        measure_row(2, "方面", "问题", "问题二", "措施二"),
    ]
    rows[2][HEADER.index("整改进展")] = "已推进\x07响铃"
    book = xlsxwriter.Workbook(ledger)
    sheet = book.add_worksheet("整改台账")
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    book.close()
    done = ledgerkit("report", str(ledger), "-o", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert "校验：0 个错误，1 条提醒" in done.stdout
    title, found = findings_sheet(tmp_path / "out" / "台账（清洗）.xlsx")
    assert title == "校验结果：错误 0 处，提醒 1 处"
    assert [(r["代码"], r["原台账位置"]) for r in found] == [("text-forbidden-char", "「整改台账」J3")]


def test_without_a_notice_there_is_no_notice_finding(tmp_path):
    ledger = progress_missing_ledger(tmp_path / "台账.xlsx")
    done = ledgerkit("report", str(ledger), "-o", str(tmp_path / "out"), "--no-notice", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["findings"] == {"errors": 0, "warnings": 0}
    title, rows = findings_sheet(tmp_path / "out" / "台账（清洗）.xlsx")
    assert (title, rows) == ("校验结果：未发现问题", [])


def test_an_error_and_a_notice_warning_agree_everywhere_and_exit_1(tmp_path):
    rows = [
        HEADER,
        measure_row(1, "方面一", "问题一", "具体问题一", "措施一"),
        measure_row(2, "方面一", "问题一", "具体问题一", "措施二", status="差不多了"),  # status-unknown
    ]
    rows[2][HEADER.index("整改进展")] = ""
    ledger = write_xlsx(tmp_path / "台账.xlsx", rows)
    done = ledgerkit("report", str(ledger), "-o", str(tmp_path / "out"), "--json")
    assert done.returncode == 1
    manifest = json.loads(done.stdout)
    title, found = findings_sheet(Path(manifest["outputs"]["workbook"]))
    errors = sum(r["级别"] == "错误" for r in found)
    assert manifest["findings"] == {"errors": errors, "warnings": len(found) - errors}
    assert errors >= 1 and "notice-progress-missing" in {r["代码"] for r in found}
    assert title == f"校验结果：错误 {errors} 处，提醒 {len(found) - errors} 处"
    assert [r["级别"] for r in found] == sorted((r["级别"] for r in found), key=lambda s: s != "错误")


# ---- one output folder per input file --------------------------------------------------------


def test_output_folder_names():
    files = [Path("x.xls"), Path("x.xlsx"), Path("Y.xlsx"), Path("y.xlsm"), Path("z.xlsx")]
    assert [output_folder_name(p, files) for p in files] == [
        "x（xls）",
        "x（xlsx）",
        "Y（xlsx）",
        "y（xlsm）",
        "z",
    ]
    assert len({str(f).casefold() for f in output_folders(files, Path("out")).values()}) == len(files)


def test_report_folder_keeps_x_xls_and_x_xlsx_apart(tmp_path):
    folder = tmp_path / "台账"
    folder.mkdir()
    write_xls(folder / "x.xls", [HEADER, measure_row(1, "方面", "问题", "问题一", "措施一")])
    write_xlsx(
        folder / "x.xlsx",
        [
            HEADER,
            measure_row(1, "方面", "问题", "问题一", "措施一"),
            measure_row(2, "方面", "问题", "问题二", "措施二", status="正在推进", done=""),
        ],
    )
    done = ledgerkit("report", str(folder), "--as-of", "2025-04-01", "--json")
    assert done.returncode == 0, done.stderr
    by_file = {Path(f["file"]).name: f for f in json.loads(done.stdout)["files"]}
    out = folder / "输出"
    assert {p.name for p in out.iterdir()} == {"x（xls）", "x（xlsx）"}
    assert by_file["x.xls"]["outputs"]["workbook"] == str(out / "x（xls）" / "x（清洗）.xlsx")
    assert by_file["x.xlsx"]["outputs"]["workbook"] == str(out / "x（xlsx）" / "x（清洗）.xlsx")
    # each folder's workbook is its own input's: one issue in x.xls, two in x.xlsx
    assert by_file["x.xls"]["summary"]["issues"] == 1 and by_file["x.xlsx"]["summary"]["issues"] == 2
    for name, issues in (("x（xls）", 1), ("x（xlsx）", 2)):
        ws = openpyxl.load_workbook(out / name / "x（清洗）.xlsx", read_only=True)["整改台账"]
        assert sum(1 for r in ws.iter_rows(values_only=True) if r[5] in ("措施一", "措施二")) == issues
        assert len(list((out / name).glob("*.docx"))) == 1


def test_unwritable_output_folder_is_one_sentence(tmp_path):
    ledger = progress_missing_ledger(tmp_path / "台账.xlsx")
    blocker = tmp_path / "out"
    blocker.write_text("a file where the output folder should be", encoding="utf-8")
    done = ledgerkit("report", str(ledger), "-o", str(blocker))
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "同名的文件已存在" in done.stderr
    assert "Traceback" not in done.stderr
