"""Every sample ledger gives exactly its truth figures, and reading never touches it."""

from __future__ import annotations

import hashlib
from datetime import date

from conftest import load_truth

from ledgerkit.figures import issues_of
from ledgerkit.pipeline import run


def test_figures_match_truth(sample):
    truth = load_truth(sample)
    s = run(sample, date.fromisoformat(truth["as_of"])).summary.as_dict()
    for key in (
        "aspects",
        "problems",
        "issues",
        "issues_done",
        "measures",
        "measures_done",
        "completion_rate",
    ):
        assert s[key] == truth[key], key
    assert {k: v for k, v in s["status_counts"].items() if k in truth["status_counts"]} == truth[
        "status_counts"
    ]
    assert sum(s["status_counts"].values()) == truth["measures"]
    assert len(s["overdue"]) == truth["overdue"]
    assert s["by_aspect"] == truth["by_aspect"]
    assert [
        {k: d[k] for k in ("department", "measures", "measures_done")} for d in s["by_department"]
    ] == truth["by_department"]
    assert s["unit"] == truth["unit"]


def test_issue_titles_in_ledger_order(sample):
    result = run(sample, date.fromisoformat(load_truth(sample)["as_of"]))
    assert [it.title for it in issues_of(result.ledger)] == load_truth(sample)["issue_titles"]


def test_samples_have_no_errors(sample):
    result = run(sample, date.fromisoformat(load_truth(sample)["as_of"]))
    assert [(f.code, f.cell) for f in result.errors] == []


def test_reading_leaves_the_input_unchanged(sample):
    before = hashlib.sha256(sample.read_bytes()).hexdigest()
    mtime = sample.stat().st_mtime_ns
    run(sample, date(2025, 3, 3))
    assert hashlib.sha256(sample.read_bytes()).hexdigest() == before
    assert sample.stat().st_mtime_ns == mtime


def test_every_value_has_its_source_cell(sample):
    ledger = run(sample, date(2025, 3, 3)).ledger
    for m in ledger.measures[:20]:
        for field in ("issue", "measure", "status"):
            src = ledger.source(m, field)
            assert src is not None and src.sheet and src.cell[0].isalpha(), (field, m.row)
