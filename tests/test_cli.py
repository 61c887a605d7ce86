"""The commands as a user runs them: real processes, exit codes, JSON contracts, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from build import HEADER, measure_row, write_xlsx
from conftest import load_truth

CHECK_KEYS = {"code", "severity", "sheet", "cell", "row", "column", "field", "value", "message", "hint"}
SUMMARY_KEYS = {
    "file", "as_of", "unit", "aspects", "problems", "issues", "issues_done", "measures", "measures_done",
    "completion_rate", "status_counts", "overdue", "due_soon", "by_aspect", "by_department", "by_leader", "rules",
}  # fmt: skip
DUE_KEYS = {"sheet", "row", "seq", "issue", "measure", "deadline", "department", "owner", "days_overdue"}


def ledgerkit(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ledgerkit", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_summary_json_contract(sample):
    truth = load_truth(sample)
    proc = ledgerkit("summary", str(sample), "--as-of", truth["as_of"], "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data) == SUMMARY_KEYS
    assert set(data["status_counts"]) == {"已完成", "阶段性完成", "正在推进", "长期坚持", "未开始"}
    assert all(set(d) == DUE_KEYS for d in data["overdue"] + data["due_soon"])
    assert all(
        set(g) == {"department", "measures", "measures_done", "overdue"} for g in data["by_department"]
    )
    assert all(set(g) == {"leader", "measures", "measures_done", "overdue"} for g in data["by_leader"])
    assert (data["issues"], data["measures_done"], len(data["overdue"])) == (
        truth["issues"],
        truth["measures_done"],
        truth["overdue"],
    )


def test_check_json_and_exit_codes(tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", [HEADER, measure_row(1, "方面", "问题", "问题一", "措施一")])
    bad = write_xlsx(
        tmp_path / "bad.xlsx", [HEADER, measure_row(1, "方面", "问题", "问题一", "措施一", "已完了")]
    )
    ok = ledgerkit("check", str(good), "--as-of", "2025-03-03", "--json")
    assert ok.returncode == 0
    assert json.loads(ok.stdout) == {"file": str(good), "errors": [], "warnings": []}
    failed = ledgerkit("check", str(bad), "--as-of", "2025-03-03", "--json")
    assert failed.returncode == 1
    errors = json.loads(failed.stdout)["errors"]
    assert [(e["code"], e["cell"]) for e in errors] == [("status-unknown", "K2")]
    assert (errors[0]["row"], errors[0]["column"]) == (2, 11)  # the position as numbers, K2 derived
    assert set(errors[0]) == CHECK_KEYS
    plain = ledgerkit("check", str(bad), "--as-of", "2025-03-03")
    assert plain.returncode == 1 and "K2" in plain.stdout


def test_report_on_a_ledger_with_errors_marks_the_notice(tmp_path):
    from docx import Document

    bad = write_xlsx(
        tmp_path / "bad.xlsx", [HEADER, measure_row(1, "方面", "问题", "问题一", "措施一", "已完了")]
    )
    proc = ledgerkit("report", str(bad), "--as-of", "2025-03-03", "-o", str(tmp_path / "out"))
    assert proc.returncode == 1, proc.stderr
    assert "台账校验错误1处" in proc.stdout
    (notice,) = (tmp_path / "out").glob("*.docx")
    text = "".join(p.text for p in Document(str(notice)).paragraphs)
    assert "【请注意：台账有1处错误未改正，以下数字可能不准确" in text


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.xlsx", b""),
        ("text.xlsx", "这不是表格".encode()),
        ("truncated.xlsx", b"PK\x03\x04" + b"\0" * 40),
        ("csv.xlsx", "序号,具体问题\n1,问题一\n".encode()),
        ("~$lock.xlsx", b"\x0bowner" + b" " * 100),
    ],
)
def test_unreadable_file_is_one_chinese_sentence_exit_2(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    for command in ("check", "summary"):
        proc = ledgerkit(command, str(path))
        assert proc.returncode == 2
        assert "Traceback" not in proc.stderr and proc.stdout == ""
        assert len(proc.stderr.strip().splitlines()) == 1 and name in proc.stderr
    assert path.read_bytes() == content


def test_missing_file_and_bad_as_of(tmp_path):
    proc = ledgerkit("check", str(tmp_path / "nope.xlsx"))
    assert proc.returncode == 2 and "找不到文件" in proc.stderr
    good = write_xlsx(tmp_path / "good.xlsx", [HEADER, measure_row(1, "方面", "问题", "问题一", "措施一")])
    proc = ledgerkit("summary", str(good), "--as-of", "2025-13-01")
    assert proc.returncode == 2 and "--as-of" in proc.stderr and "Traceback" not in proc.stderr


def test_summary_table_is_chinese(sample):
    proc = ledgerkit("summary", str(sample), "--as-of", load_truth(sample)["as_of"])
    assert proc.returncode == 0 and "具体问题" in proc.stdout and "完成率" in proc.stdout
