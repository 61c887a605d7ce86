"""Findings are data: asserted as (code, cell) in the input workbook, never by wording."""

from __future__ import annotations

from datetime import date

from build import HEADER, measure_row, write_xlsx

from ledgerkit.pipeline import run

AS_OF = date(2025, 3, 3)


def codes(result, severity=None):
    return sorted((f.code, f.cell) for f in result.findings if severity in (None, f.severity))


def test_each_rule_reports_at_the_right_cell(tmp_path):
    rows = [
        ["XX单位整改台账"],
        HEADER,
        measure_row(1, "方面", "问题", "问题一", "措施一", "已完成", "2025年13月45日", "2025年3月1日"),  # I3
        measure_row(2, "方面", "问题", "问题一", "措施二", "已完了", "2025-03-31", ""),  # K4 unknown status
        measure_row(3, "方面", "问题", "问题一", "", "正在推进", "2025-03-31", ""),  # E5 no measure
        measure_row(4, "方面", "问题", "问题二", "措施四", "已完成", "2025-03-31", ""),  # L6 done, no date
        measure_row(
            5, "方面", "问题", "问题二", "措施五", "已完成", "2025-03-31", "2025-04-01"
        ),  # L7 after as-of
        measure_row(5, "方面", "问题", "问题二", "措施六", "正在推进", "2025-03-31", ""),  # A8 dup seq
        [7, "方面", "问题", "问题三", "", "", "", "", "", "", "", ""],  # D9 issue without measure
    ]
    rows[5][6] = ""  # G6: no 责任科室
    rows[6][7] = ""  # H7: no 责任人
    rows[7][9] = "各项工作已全部完成。"  # progress says done, status 正在推进 at K8
    result = run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF)
    assert codes(result, "error") == [
        ("deadline-invalid", "I3"),
        ("done-after-as-of", "L7"),
        ("issue-no-measure", "D9"),
        ("measure-missing", "E5"),
        ("status-unknown", "K4"),
    ]
    assert codes(result, "warning") == [
        ("department-missing", "G6"),
        ("done-without-date", "L6"),
        ("owner-missing", "H7"),
        ("progress-says-done", "K8"),
        ("seq-duplicate", "A8"),
    ]


def test_finding_carries_message_hint_and_value(tmp_path):
    rows = [HEADER, measure_row(1, "方面", "问题", "问题一", "措施一", "已完完", "2025年13月45日", "")]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF)
    by_code = {f.code: f for f in result.errors}
    bad_date = by_code["deadline-invalid"]
    assert (bad_date.sheet, bad_date.cell, bad_date.field, bad_date.value) == (
        "整改台账",
        "I2",
        "deadline",
        "2025年13月45日",
    )
    assert bad_date.message.startswith("「整改台账」I2：") and "2025年13月45日" in bad_date.message
    assert "立行立改" in bad_date.hint
    assert "已完成" in by_code["status-unknown"].hint  # the nearest known word


def test_blank_status_with_a_completion_date_counts_done_with_a_warning(tmp_path):
    rows = [HEADER, measure_row(1, "方面", "问题", "问题一", "措施一", "", "2025-03-31", "2025-03-01")]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF)
    assert result.summary.measures_done == 1
    assert codes(result) == [("status-inferred", "K2")]


def test_blank_status_without_date_is_not_started(tmp_path):
    rows = [HEADER, measure_row(1, "方面", "问题", "问题一", "措施一", "", "2025-03-31", "")]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF)
    assert result.summary.status_counts["未开始"] == 1 and result.summary.measures_done == 0


def test_missing_owner_columns_warn_once_at_the_header(tmp_path):
    header = ["序号", "具体问题", "整改措施", "整改时限", "完成情况"]
    rows = [
        header,
        [1, "问题一", "措施一", "2025-03-31", "已完成"],
        [2, "问题二", "措施二", "2025-03-31", "已完成"],
    ]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF)
    assert codes(result) == [("column-missing", "A1"), ("column-missing", "A1")]
