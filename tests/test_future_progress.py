"""progress-future-date: a progress text reporting a day after the ledger's date is a warning at
that cell, quoting the date; dates worded as plans or limits are not."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from build import HEADER, measure_row, write_xlsx
from hypothesis import given
from hypothesis import strategies as st

from ledgerkit.text import dates_named

ROOT = Path(__file__).resolve().parent.parent
CODE = "progress-future-date"
PROGRESS = HEADER.index("整改进展")  # 0-based; column J


def check(path: Path, *args: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "ledgerkit", "check", str(path), "--json", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def ledger_with(tmp_path: Path, progresses: list[str], reported: str = "") -> Path:
    rows: list[list[object]] = [["某局巡察整改台账"]]
    if reported:
        rows.append([f"填报单位：某局　　填报时间：{reported}"])
    rows.append(HEADER)
    for k, text in enumerate(progresses, start=1):
        row = measure_row(str(k), "方面一", "问题一", f"具体问题{k}", f"措施{k}", done="2024年11月1日")
        row[PROGRESS] = text
        rows.append(row)
    return write_xlsx(tmp_path / "台账.xlsx", rows)


def future(data: dict) -> dict[str, str]:
    return {w["cell"]: w["value"] for w in data["warnings"] if w["code"] == CODE}


def test_each_form_is_quoted_at_its_cell(tmp_path):
    texts = [
        "2025年3月4日召开第6次中心党组会，研究整改工作。",  # J4
        "于2025.3.4印发制度。",  # J5
        "2025-03-04完成培训。",  # J6
        "2025年3月，开展专项检查。",  # J7
        "2024年12月20日召开专题会议。",  # J8: before the ledger's date
        "计划于2025年3月召开总结会，2025年6月底前全部完成。",  # J9: plans and limits
        "制度自2025年1月1日起施行。",  # J10: a rule in force from then
        "２０２５年１月５日已整改。",  # J11: full-width digits
        "2025/1/5整改。2025年2月1日验收。2025年2月3日复查。2025年2月4日总结。",  # J12: four
    ]
    data = check(ledger_with(tmp_path, texts, reported="2024年12月23日"))
    assert future(data) == {
        "J4": "2025年3月4日",
        "J5": "2025.3.4",
        "J6": "2025-03-04",
        "J7": "2025年3月",
        "J11": "2025年1月5日",
        "J12": "2025/1/5、2025年2月1日、2025年2月3日等4处",
    }
    (j4,) = [w for w in data["warnings"] if w["cell"] == "J4" and w["code"] == CODE]
    assert j4["severity"] == "warning" and j4["field"] == "progress"
    assert "2025年3月4日" in j4["message"] and "填报时间2024年12月23日" in j4["message"]
    assert data["errors"] == [] or all(e["code"] != CODE for e in data["errors"])


def test_the_earlier_of_as_of_and_the_reported_date(tmp_path):
    path = ledger_with(tmp_path, ["2025年1月10日召开会议。"], reported="2025年2月1日")
    assert future(check(path, "--as-of", "2025-01-05")) == {"J4": "2025年1月10日"}  # as-of earlier
    assert future(check(path, "--as-of", "2025-03-01")) == {}  # after both: none
    no_date = ledger_with(tmp_path, ["2025年1月10日召开会议。"])  # no 填报时间: the as-of
    assert future(check(no_date, "--as-of", "2025-01-09")) == {"J3": "2025年1月10日"}


def test_the_bundled_example_dated_2024_12_23(tmp_path):
    data = check(ROOT / "examples" / "整改台账.xlsx", "--as-of", "2024-12-23")
    assert future(data)["J4"] == "2025年3月4日"  # "2025年3月4日召开第6次中心党组会"


FORMS = [
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{d.year}.{d.month}.{d.day}",
    lambda d: f"{d:%Y-%m-%d}",
    lambda d: f"{d.year}/{d.month}/{d.day}",
]
DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))


@given(
    DAYS,
    st.sampled_from(FORMS),
    st.sampled_from(["", "已", "，", "经研究，"]),
    st.sampled_from(["召开会议", "，完成"]),
)
def test_a_date_in_any_form_is_read_as_that_day(day, form, before, after):
    (found,) = dates_named(f"{before}{form(day)}{after}")
    assert (found.first_day, found.planned) == (day, False)


@given(DAYS, st.sampled_from(["计划于{}召开", "{}前完成", "拟于{}印发", "自{}起施行"]))
def test_plans_are_not_reports(day, template):
    (found,) = dates_named(template.format(f"{day.year}年{day.month}月{day.day}日"))
    assert found.planned and found.first_day == day


@given(DAYS)
def test_a_month_means_its_first_day(day):
    (found,) = dates_named(f"{day.year}年{day.month}月，开展检查")
    assert found.first_day == day.replace(day=1)
