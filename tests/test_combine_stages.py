"""combine states what the 巡察办 reports: per unit and in total, issues done / 阶段性完成 / not done,
the rate, and the rules made and revised — in combine --json, the 汇总 sheet and the report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from build import HEADER, measure_row, write_xlsx
from hypothesis import given
from hypothesis import strategies as st

from ledgerkit import formats
from ledgerkit.figures import STAGES, IssueFigures, issue_stage, stage_counts
from ledgerkit.model import STATUSES, Measure

PROGRESS = HEADER.index("整改进展")
# issue -> statuses of its measures, and the stage figures.issue_stage gives it
ISSUES = {
    "全部完成": (["已完成", "已完成"], "done"),
    "完成加阶段性": (["已完成", "阶段性完成"], "staged"),
    "长期坚持": (["长期坚持"], "staged"),
    "阶段性加长期": (["阶段性完成", "长期坚持"], "staged"),
    "一条正在推进": (["已完成", "正在推进"], "not_done"),
    "一条未开始": (["阶段性完成", "未开始"], "not_done"),
    "状态空白": ([""], "not_done"),
}


def unit_folder(root: Path, name: str, toml: str, progress: str = "") -> None:
    folder = root / name
    folder.mkdir(parents=True)
    rows: list[list[object]] = [HEADER]
    k = 0
    for issue, (statuses, _stage) in ISSUES.items():
        for status in statuses:
            k += 1
            done = "2025年2月1日" if status == "已完成" else ""
            row = measure_row(str(k), "方面一", "问题一", issue, f"措施{k}", status, "2025年6月30日", done)
            if progress and k == 1:
                row[PROGRESS] = progress
            rows.append(row)
    write_xlsx(folder / "整改台账.xlsx", rows)
    (folder / "ledgerkit.toml").write_text(f'[unit]\nname = "{name}"\n{toml}', encoding="utf-8")


SENTENCE = (
    "巡察反馈的14个具体问题，完成整改2个，基本完成取得阶段性成果并持续整改6个，未完成6个，总体完成率14.3%"
)


def run_combine(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    root = tmp_path / "各单位"
    if not root.exists():
        unit_folder(root, "甲单位", "[notice]\nrules_made = 3\nrules_revised = 2\n")
        unit_folder(
            root, "乙单位", "", progress="制定了《考勤管理制度》《请休假制度》，修订《财务报销办法》。"
        )
    proc = subprocess.run(
        [sys.executable, "-m", "ledgerkit", "combine", str(root), "--as-of", "2025-03-03", *args],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    return proc


def combine_json(tmp_path: Path) -> dict:
    return json.loads(run_combine(tmp_path, "--json").stdout)


def test_json_per_unit_and_in_total(tmp_path):
    data = combine_json(tmp_path)
    units = {u["unit"]: u for u in data["units"]}
    want = {s: sum(1 for _st, stage in ISSUES.values() if stage == s) for s in STAGES}
    for u in units.values():
        assert (u["issues"], u["issues_done"], u["issues_staged"], u["issues_not_done"]) == (
            7, want["done"], want["staged"], want["not_done"]
        )  # fmt: skip
    assert (
        units["甲单位"]["rules_made"],
        units["甲单位"]["rules_revised"],
        units["甲单位"]["rules_checked"],
    ) == (3, 2, True)  # fmt: skip  the office's own numbers
    assert (
        units["乙单位"]["rules_made"],
        units["乙单位"]["rules_revised"],
        units["乙单位"]["rules_checked"],
    ) == (2, 1, False)  # fmt: skip  found in the progress text, to be checked
    t = data["total"]
    assert (t["issues"], t["issues_done"], t["issues_staged"], t["issues_not_done"]) == (14, 2, 6, 6)
    assert (t["rules_made"], t["rules_revised"], t["rules_checked"]) == (5, 3, False)
    assert t["completion_rate"] == formats.rate(2, 14)


def test_report_and_workbook_state_it(tmp_path):
    from docx import Document
    from openpyxl import load_workbook

    data = combine_json(tmp_path)
    doc = Document(data["outputs"]["report"])
    text = [p.text for p in doc.paragraphs]
    sentence = (
        "巡察反馈的14个具体问题，完成整改2个，基本完成取得阶段性成果并持续整改6个，未完成6个，总体完成率14.3%"
    )
    [para] = [p for p in text if p.startswith(sentence)]
    assert "完善和新建制度8项（新建5项、完善3项）" in para and "其中1个单位的制度数" in para
    rows = {r.cells[1].text: [c.text for c in r.cells] for r in doc.tables[0].rows}
    assert rows["甲单位"][2:] == ["7", "1", "3", "3", "14.3%", "0", "3", "2"]
    assert rows["合计"][2:] == ["14", "2", "6", "6", "14.3%", "0", "5", "3"]
    ws = load_workbook(data["outputs"]["workbook"])["汇总"]
    header = [c.value for c in ws[3]]
    values = {ws.cell(r, 2).value: [c.value for c in ws[r]] for r in range(4, 7)}
    b = dict(zip(header, values["乙单位"], strict=True))
    assert (b["阶段性完成数"], b["未完成数"], b["新建制度数"], b["完善制度数"], b["制度数来源"]) == (
        3, 3, 2, 1, "台账统计，请核对"
    )  # fmt: skip
    assert any(str(c.value).startswith(sentence) for c in ws["A"])


def test_the_console_says_it_too(tmp_path):
    lines = run_combine(tmp_path).stdout.splitlines()
    assert any(line.startswith(SENTENCE + "；完善和新建制度8项（新建5项、完善3项）。") for line in lines)


def _issue(statuses: list[str | None]) -> IssueFigures:
    measures = []
    for k, status in enumerate(statuses):
        m = Measure(sheet="s", row=k + 2, measure=f"措施{k}")
        m.status = status
        measures.append(m)
    return IssueFigures("方面", "问题", "具体问题", measures)


@given(st.lists(st.lists(st.sampled_from([*STATUSES, None, "已完了"]), max_size=5), max_size=12))
def test_stages_partition_the_issues(issues):
    items = [_issue(s) for s in issues]
    counts = stage_counts(items)
    assert sum(counts.values()) == len(items)
    assert counts["done"] == sum(it.done for it in items)  # done is the notice's issues_done
    for it, statuses in zip(items, issues, strict=True):
        stage = issue_stage(it)
        if stage == "staged":  # not all done, and nothing under way or not started
            assert not it.done and all(s in ("已完成", "阶段性完成", "长期坚持") for s in statuses)
        if any(s in ("正在推进", "未开始", None, "已完了") for s in statuses) or not statuses:
            assert stage == "not_done"
