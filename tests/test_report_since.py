"""The workflow seam typed: a report's changes since the last version are a ``Since`` record, and a
last version that cannot be read is ``since_problem``, not a message found by its first words."""

from __future__ import annotations

import pickle
from datetime import date
from pathlib import Path

from test_compare import build_pair

from ledgerkit.workflow.report import Since, report_one


def test_the_changes_since_are_a_typed_record(tmp_path: Path):
    old, new, _ = build_pair(tmp_path)
    report = report_one(new, tmp_path / "out", date(2025, 2, 8), None, True, since=old)
    since = report.since
    assert isinstance(since, Since) and Path(since.old_file).name == "第1周.xlsx"
    assert since.summary.startswith("与上次（2025年2月1日）相比：新完成3条")
    assert (
        since.red_flags[0].startswith("需要关注：") and since.headline == since.summary + since.red_flags[0]
    )
    assert report.change_lines == since.lines and report.manifest()["changes"] is since.as_json
    assert since.as_json["old"]["file"] == since.old_file
    assert pickle.loads(pickle.dumps(report.slim())).since == since  # crosses to a worker's parent
    assert report.since_problem == ""


def test_a_last_version_that_cannot_be_read_is_said_apart(tmp_path: Path):
    _old, new, _ = build_pair(tmp_path)
    spoilt = tmp_path / "记住的.xlsx"
    spoilt.write_bytes(b"not a workbook")
    report = report_one(new, tmp_path / "out", date(2025, 2, 8), None, True, since=lambda _key: spoilt)
    assert report.since is None and report.changes is None and report.change_lines == []
    assert report.since_problem.startswith("上次的版本“记住的.xlsx”无法读取")
    assert report.since_problem in report.messages  # still shown to the user
