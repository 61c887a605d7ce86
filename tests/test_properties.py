"""Property: for generated ledgers, the figures read from the file equal figures computed
independently from the generated rows, whatever the layout they are written in."""

from __future__ import annotations

from datetime import date, timedelta

from build import HEADER, write_xlsx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledgerkit.pipeline import run

AS_OF = date(2025, 3, 3)
STATUS_WORDS = {
    "已完成": ["已完成", "已 完成", "已销号", "完成"],
    "阶段性完成": ["阶段性完成", "基本完成"],
    "正在推进": ["正在推进", "整改中"],
    "长期坚持": ["长期坚持"],
}
TEXT = st.text(alphabet="党建制度学习监督整改落实管理财务资产人员培训", min_size=2, max_size=8)

measure = st.tuples(
    st.sampled_from(list(STATUS_WORDS)),
    st.integers(0, 3),  # which way the status is written
    st.one_of(st.integers(-60, 60), st.sampled_from(["立行立改", "长期坚持"])),  # deadline
)
issue = st.lists(measure, min_size=1, max_size=3)
problem = st.lists(issue, min_size=1, max_size=3)
aspect = st.lists(problem, min_size=1, max_size=3)
ledger_st = st.lists(aspect, min_size=1, max_size=3)


def rows_of(aspects):
    """Flat rows with unique titles by position, and the independently counted figures."""
    rows, issues, issues_done, measures, done, overdue = [], 0, 0, 0, 0, 0
    for a, problems in enumerate(aspects):
        for p, problem_issues in enumerate(problems):
            for i, ms in enumerate(problem_issues):
                issues += 1
                issues_done += all(status == "已完成" for status, _w, _d in ms)
                for status, way, deadline in ms:
                    measures += 1
                    done += status == "已完成"
                    words = STATUS_WORDS[status]
                    written = words[way % len(words)]
                    if isinstance(deadline, int):
                        due = AS_OF + timedelta(days=deadline)
                        overdue += status != "已完成" and due < AS_OF
                        deadline_cell = f"{due.year}年{due.month}月{due.day}日"
                    else:
                        deadline_cell = deadline
                    finished = "2025-03-01" if status == "已完成" else ""
                    rows.append(
                        [len(rows) + 1, f"方面{a}", f"问题{a}.{p}", f"具体问题{a}.{p}.{i}", f"措施{len(rows)}",
                         "王明", "办公室", "李华", deadline_cell, "进展", written, finished]
                    )  # fmt: skip
    return rows, (issues, issues_done, measures, done, overdue)


def merged_layout(rows):
    """Blank the repeated aspect / problem / issue cells and merge them, as offices do."""
    merges = []
    for col, letter in ((1, "B"), (2, "C"), (3, "D")):
        start = 0
        for r in range(1, len(rows) + 1):
            if r == len(rows) or rows[r][col] != rows[start][col] or rows[r][1] != rows[start][1]:
                if r - start > 1:
                    merges.append(f"{letter}{start + 2}:{letter}{r + 1}")
                start = r
    out = [list(r) for r in rows]
    for rng in merges:
        first, last = (int(x[1:]) for x in rng.split(":"))
        col = "ABCD".index(rng[0])
        for sheet_row in range(first + 1, last + 1):  # keep the top-left value
            out[sheet_row - 2][col] = ""
    return out, merges


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(aspects=ledger_st, merged=st.booleans(), title=TEXT)
def test_figures_equal_independent_count(tmp_path, aspects, merged, title):
    rows, (issues, issues_done, measures, done, overdue) = rows_of(aspects)
    merges = []
    if merged:
        rows, merges = merged_layout(rows)
    path = write_xlsx(tmp_path / "gen.xlsx", [HEADER, *rows], merges)
    s = run(path, AS_OF).summary
    assert (s.issues, s.issues_done, s.measures, s.measures_done, len(s.overdue)) == (
        issues,
        issues_done,
        measures,
        done,
        overdue,
    )
    assert s.aspects == len(aspects)
    assert s.problems == sum(len(problems) for problems in aspects)
