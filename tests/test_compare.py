"""ledgerkit compare: two versions of a real ledger, built from a sample, with the exact changes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from build import HEADER, measure_row, write_xlsx
from conftest import SAMPLES
from hypothesis import given, settings
from hypothesis import strategies as st

from ledgerkit.cli.commands.compare import compare_command
from ledgerkit.compare import KINDS, RED_FLAGS, compare, summary_line
from ledgerkit.model import Ledger, Measure
from ledgerkit.text import fold
from ledgerkit.workbook.changes import CHANGES_FILENAME
from ledgerkit.workflow.compared import compare_files

FLAT = SAMPLES / "000" / "flat.xlsx"
OLD_DATE, NEW_DATE = date(2025, 2, 1), date(2025, 2, 8)
# Columns of flat.xlsx (0-based): 序号 问题类别 反馈问题 具体问题 问题描述 整改措施 … 整改时限 整改进展 完成情况 完成时间 备注
ISSUE, MEASURE, DEADLINE, PROGRESS, STATUS, DONE_ON = 3, 5, 9, 10, 11, 12


def _flat_rows() -> dict[int, list[object]]:
    """flat.xlsx's rows by their row number in the sample: the header (1), measures 2..109."""
    from openpyxl import load_workbook

    ws = load_workbook(FLAT).active
    return {r: [c.value for c in ws[r]] for r in range(1, ws.max_row + 1)}


def _heading(on: str) -> list[list[object]]:
    return [["开封市机关事务中心巡察整改台账"], [f"填报单位：开封市机关事务中心　　填报时间：{on}"]]


def _set(row: list[object], **values: object) -> None:
    cols = {"issue": ISSUE, "measure": MEASURE, "deadline": DEADLINE, "progress": PROGRESS,
            "status": STATUS, "done_on": DONE_ON}  # fmt: skip
    for name, value in values.items():
        row[cols[name]] = value


def _text(rows: dict[int, list[object]], r: int) -> str:
    return str(rows[r][MEASURE])


def build_pair(tmp: Path) -> tuple[Path, Path, dict[int, list[object]]]:
    """Week 1 and week 2 of flat.xlsx (see test_week_two_changes for what changed)."""
    rows = _flat_rows()
    header = rows.pop(1)
    for r in range(10, 16):  # open in week 1
        _set(rows[r], status="正在推进", done_on="/", deadline=datetime(2025, 6, 30))
    _set(rows[14], deadline=datetime(2025, 2, 5))  # due between the two versions
    week1 = {r: list(v) for r, v in rows.items()}
    old = write_xlsx(tmp / "第1周.xlsx", [*_heading("2025年2月1日"), header, *week1.values()], sheet="Sheet1")

    w2 = {r: list(v) for r, v in week1.items()}
    _set(w2[10], status="已完成", done_on=datetime(2025, 2, 5))
    _set(w2[11], status="已完成", done_on=datetime(2025, 2, 6))
    _set(w2[12], status="已完成", done_on=datetime(2025, 1, 20))  # before week 1's date: back-dated
    _set(w2[13], status="阶段性完成")
    _set(w2[15], deadline=datetime(2025, 9, 30))
    _set(w2[2], deadline="长期坚持")  # a date replaced by 长期坚持: later
    _set(w2[3], deadline=datetime(2025, 1, 15))
    _set(w2[20], status="正在推进", done_on="/")  # done in week 1, open again (and now overdue)
    _set(w2[16], progress=f"{w2[16][PROGRESS]}2月已收集2次。")
    _set(w2[9], measure="制定并印发学习贯彻党的二十大精神的实施方案")  # a word added
    _set(w2[36], measure=_text(w2, 36).replace("显眼", "醒目"))  # a word changed
    _set(w2[54], measure="严格落实一岗双责。")  # punctuation only
    for r in (18, 19, 20):  # the issue's title lightly edited
        _set(w2[r], issue="平安建设工作存在落差")
    _set(w2[7], measure="建立合同用印登记台账，逐份登记编号")  # rewritten: removed + added
    del w2[29]  # deleted
    service = list(w2[31])
    _set(service, measure="开展服务满意度测评", progress="已发放问卷200份。", status="正在推进", done_on="/",
         deadline=datetime(2025, 6, 30))  # fmt: skip
    new_issue = list(w2[109])
    _set(new_issue, issue="干部培训不系统", measure="制定年度干部培训计划", progress="已起草。",
         status="正在推进", done_on="/", deadline=datetime(2025, 5, 31))  # fmt: skip
    order = [r for r in w2 if not 44 <= r <= 51]
    body = []
    for r in order:
        body.append(w2[r])
        if r == 31:
            body.append(service)
    body += [w2[r] for r in range(44, 52)]  # a block moved to the end
    body.append(new_issue)
    new = write_xlsx(tmp / "第2周.xlsx", [*_heading("2025年2月8日"), header, *body], sheet="Sheet1")
    return old, new, week1


def _expected(rows: dict[int, list[object]]) -> dict[str, list[str]]:
    t = {r: _text(rows, r) for r in rows}
    return {
        "newly_done": [t[10], t[11], t[12]],
        "reopened": [t[20]],
        "status_changed": [t[13]],
        "deadline_later": [t[2], t[15]],
        "deadline_earlier": [t[3]],
        "added": ["建立合同用印登记台账，逐份登记编号", "开展服务满意度测评", "制定年度干部培训计划"],
        "removed": [t[7], t[29]],
        "backdated": [t[12]],
        "newly_overdue": [t[14], t[20]],
        "progress_updated": [t[16]],
    }


def _texts(c, kind: str) -> list[str]:
    return [ch.measure.measure for ch in c.changes[kind]]


@pytest.fixture(scope="module")
def pair(tmp_path_factory) -> tuple[Path, Path, dict[int, list[object]]]:
    return build_pair(tmp_path_factory.mktemp("pair"))


def test_week_two_changes(pair) -> None:
    old, new, week1 = pair
    c = compare_files(old, new)
    assert (c.old.as_of, c.old.as_of_from) == (OLD_DATE, "填报时间")
    assert (c.new.as_of, c.new.as_of_from) == (NEW_DATE, "填报时间")
    expected = _expected(week1)
    for kind, texts in expected.items():
        assert sorted(_texts(c, kind)) == sorted(texts), kind
    # 108 measures, 2 removed: 106 matched, 10 of them changed.
    assert c.counts["unchanged"] == 96
    edited = {p.new.measure: p.how for p in c.matching.pairs if p.how != "exact"}
    assert edited == {
        "制定并印发学习贯彻党的二十大精神的实施方案": "near",
        _text(week1, 36).replace("显眼", "醒目"): "near",
        "严格落实一岗双责。": "loose",
    }
    # The two measures with the same text under different issues stay with their issues.
    same = [p for p in c.matching.pairs if p.old.measure == "在2025年度按时启动能耗监测平台第二期建设"]
    assert len(same) == 2 and all(p.old.issue == p.new.issue for p in same)


def test_values_and_cells(pair) -> None:
    old, new, _ = pair
    c = compare_files(old, new)
    later = {ch.before: ch.after for ch in c.changes["deadline_later"]}
    assert later == {"2024-12-20": "长期坚持", "2025-06-30": "2025-09-30"}
    (back,) = c.changes["backdated"]
    assert (back.before, back.after) == ("2025-02-01", "2025-01-20")
    (reopened,) = c.changes["reopened"]
    assert (reopened.before, reopened.after) == ("已完成", "正在推进")
    # Week 1: two heading rows and the header, so flat's row 20 is row 22; its status in L.
    assert reopened.old_cell == "Sheet1!L22"
    assert reopened.new_cell == "Sheet1!L22"
    (removed_29,) = [ch for ch in c.changes["removed"] if ch.old_cell == "Sheet1!F31"]
    assert removed_29.new_cell is None
    added = {ch.measure.measure: ch.new_cell for ch in c.changes["added"]}
    assert added["开展服务满意度测评"] == "Sheet1!F33"  # after flat's 31, one row (29) deleted above
    overdue = {ch.after for ch in c.changes["newly_overdue"]}
    assert overdue == {"2025-02-05", "2025-02-06"}


def test_same_ledger_gives_no_change(pair) -> None:
    old, _new, _ = pair
    for path in (old, FLAT):
        c = compare_files(path, path)
        assert all(not c.changes[k] for k in KINDS if k != "unchanged")
        assert c.counts["unchanged"] == c.new.summary.measures
        assert c.exit_code == 0


def _stable(c) -> dict[str, list[tuple]]:
    """The changes without OLD's cells (which name the file compared)."""
    return {
        k: sorted((ch.measure.measure, ch.before, ch.after, ch.new_cell) for ch in c.changes[k])
        for k in KINDS
    }


def test_cleaned_workbook_as_old_gives_same_changes(pair, tmp_path) -> None:
    from ledgerkit.pipeline import run
    from ledgerkit.workbook import write_workbook

    old, new, _ = pair
    result = run(old, OLD_DATE)
    cleaned = write_workbook(result.ledger, result.summary, result.findings, tmp_path / "第1周（清洗）.xlsx")
    direct, via_cleaned = compare_files(old, new), compare_files(cleaned, new)
    assert via_cleaned.old.as_of == OLD_DATE  # the 填报时间 survives the cleaned workbook
    assert _stable(via_cleaned) == _stable(direct)
    assert via_cleaned.old.as_dict()["summary"] == direct.old.as_dict()["summary"]
    (reopened,) = via_cleaned.changes["reopened"]
    assert reopened.old_cell.startswith("整改台账!")  # a cell of the cleaned workbook


def test_json_contract(pair, capsys) -> None:
    old, new, _ = pair
    code = compare_command(old, new, None, None, True, None)
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert list(data) == ["old", "new", "counts", *KINDS]
    assert list(data["counts"]) == list(KINDS)
    for side in ("old", "new"):
        assert list(data[side]) == ["file", "as_of", "summary"]
        assert list(data[side]["summary"]) == [
            "issues", "issues_done", "measures", "measures_done", "completion_rate"
        ]  # fmt: skip
    assert data["old"]["as_of"] == "2025-02-01" and data["new"]["as_of"] == "2025-02-08"
    assert data["new"]["summary"]["measures"] == 109  # 108 - 2 removed + 3 added
    for kind in KINDS:
        assert len(data[kind]) == data["counts"][kind]
        for item in data[kind]:
            assert list(item) == [
                "aspect",
                "problem",
                "issue",
                "measure",
                "old_cell",
                "new_cell",
                "from",
                "to",
            ]
    assert data["counts"]["newly_done"] == 3 and data["counts"]["removed"] == 2
    (later,) = [i for i in data["deadline_later"] if i["to"] == "2025-09-30"]
    assert later["from"] == "2025-06-30" and later["old_cell"] == "Sheet1!J17"


def test_summary_line_and_exit_codes(pair, capsys, tmp_path) -> None:
    old, new, _ = pair
    assert compare_command(old, new, None, None, False, None) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "与上次（2025年2月1日）相比：新完成3条，由已完成改为未完成1条，其他状态变化1条，整改时限推后2条，"
        "整改时限提前1条，新增3条，删除2条，完成时间早于上次台账日期1条，新逾期2条，进展更新1条，无变化96条。"
    )
    assert "截至2025年2月1日" in out[1] and "截至2025年2月8日" in out[2]
    assert any(line.startswith("需要关注：") for line in out)
    assert compare_command(old, old, None, None, False, None) == 0
    missing = tmp_path / "没有这个文件.xlsx"
    assert compare_command(old, missing, None, None, False, None) == 2
    err = capsys.readouterr().err.strip()
    assert err == "找不到文件“没有这个文件.xlsx”。请检查路径。"
    fake = tmp_path / "假台账.xlsx"
    fake.write_text("不是表格", encoding="utf-8")
    assert compare_command(fake, new, None, None, True, None) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "假台账.xlsx" in captured.err and "\n" not in captured.err.strip()


def test_as_of_overrides_new_date_and_mtime_is_the_fallback(tmp_path) -> None:
    rows = [HEADER, measure_row(1, "方面一", "问题一", "具体问题一", "建立制度", status="正在推进", done="",
                                deadline="2025年3月10日")]  # fmt: skip
    a = write_xlsx(tmp_path / "a.xlsx", rows)
    b = write_xlsx(tmp_path / "b.xlsx", rows)
    stamp = datetime(2025, 3, 1, 12).timestamp()
    os.utime(a, (stamp, stamp))
    c = compare_files(a, b, as_of=date(2025, 3, 20))
    assert (c.old.as_of, c.old.as_of_from) == (date(2025, 3, 1), "文件修改日期")
    assert (c.new.as_of, c.new.as_of_from) == (date(2025, 3, 20), "--as-of")
    assert _texts(c, "newly_overdue") == ["建立制度"]  # due 3月10日: open at 3月1日, overdue at 3月20日


def test_changes_workbook(pair, tmp_path, capsys) -> None:
    from openpyxl import load_workbook

    old, new, _ = pair
    assert compare_command(old, new, None, tmp_path, False, None) == 1
    path = tmp_path / CHANGES_FILENAME
    assert f"变化对照表：{path}" in capsys.readouterr().out
    wb = load_workbook(path)
    assert wb.sheetnames == ["变化汇总", "变化明细"]
    summary = [[c for c in row if c is not None] for row in wb["变化汇总"].iter_rows(values_only=True)]
    (removed_row,) = [r for r in summary if r and r[0] == "删除"]
    assert removed_row[:3] == ["删除", 2, "需关注"]
    (rate_row,) = [r for r in summary if r and r[0] == "具体问题完成率"]
    c = compare_files(old, new)
    a, b = c.old.summary, c.new.summary
    from ledgerkit import formats

    assert rate_row[1:3] == [
        formats.percent(a.issues_done, a.issues),
        formats.percent(b.issues_done, b.issues),
    ]
    detail = wb["变化明细"]
    rows = list(detail.iter_rows(min_row=2))
    assert len(rows) == sum(n for k, n in c.counts.items() if k != "unchanged")
    for row in rows:
        red = row[0].fill.fgColor.rgb.endswith("FFC7CE")
        assert red == (
            row[0].value in {"删除", "整改时限推后", "由已完成改为未完成", "完成时间早于上次台账日期"}
        )


# ---- the rules, one at a time, on small real files ---------------------------------------------


def _one(tmp: Path, name: str, rows: list[list[object]]) -> Path:
    return write_xlsx(tmp / name, [HEADER, *rows])


def _row(measure: str, issue: str = "具体问题一", **kw) -> list[object]:
    return measure_row(1, "方面一", "问题一", issue, measure, **kw)


@pytest.mark.parametrize(
    ("before", "after", "kind"),
    [
        ("立行立改", "2025年3月31日", "deadline_later"),
        ("2025年3月31日", "长期坚持", "deadline_later"),
        ("2025年3月31日", "", "deadline_later"),
        ("2025年3月31日", "2025年3月底前", None),  # the same date written otherwise
        ("长期坚持", "", None),
        ("2025年3月31日", "2025年2月28日", "deadline_earlier"),
        ("长期坚持", "2025年6月30日", "deadline_earlier"),
    ],
)
def test_deadline_rules(tmp_path, before: str, after: str, kind: str | None) -> None:
    a = _one(tmp_path, "a.xlsx", [_row("建立制度", deadline=before)])
    b = _one(tmp_path, "b.xlsx", [_row("建立制度", deadline=after)])
    c = compare_files(a, b, as_of=date(2025, 1, 1))
    moved = [k for k in ("deadline_later", "deadline_earlier") if c.changes[k]]
    assert moved == ([kind] if kind else [])


@pytest.mark.parametrize(
    ("before", "after", "matched"),
    [
        ("（1）建立健全采购管理制度", "1.建立健全采购管理制度。", True),  # numbering and punctuation
        ("建立健全采购管理制度", "建立建全采购管理制度", True),  # one character
        ("建立健全采购管理制度", "开展专题警示教育活动", False),  # beyond recognition
        ("加强学习", "加强学风", False),  # 4 characters, one changed: 0.75
    ],
)
def test_measure_text_rules(tmp_path, before: str, after: str, matched: bool) -> None:
    a = _one(tmp_path, "a.xlsx", [_row(before), _row("召开专题会议")])
    b = _one(tmp_path, "b.xlsx", [_row("召开专题会议"), _row(after)])
    c = compare_files(a, b, as_of=date(2025, 1, 1))
    assert (c.counts["removed"], c.counts["added"]) == ((0, 0) if matched else (1, 1))
    assert c.exit_code == (0 if matched else 1)


def test_same_text_under_another_issue_is_removed_and_added(tmp_path) -> None:
    a = _one(tmp_path, "a.xlsx", [_row("建立制度", issue="制度不健全"), _row("开展培训", issue="培训不到位")])
    b = _one(tmp_path, "b.xlsx", [_row("建立制度", issue="采购不规范"), _row("开展培训", issue="培训不到位")])
    c = compare_files(a, b, as_of=date(2025, 1, 1))
    assert _texts(c, "removed") == ["建立制度"] and _texts(c, "added") == ["建立制度"]


def test_renamed_aspect_keeps_its_issues(tmp_path) -> None:
    rows = [measure_row(1, "一、政治建设方面", "问题一", "学习不深入", "开展专题学习")]
    renamed = [measure_row(1, "一、关于政治建设方面存在的问题", "问题一", "学习不深入", "开展专题学习")]
    c = compare_files(
        _one(tmp_path, "a.xlsx", rows), _one(tmp_path, "b.xlsx", renamed), as_of=date(2025, 1, 1)
    )
    assert c.counts["unchanged"] == 1 and c.exit_code == 0


def test_no_level_in_old_but_in_new(tmp_path) -> None:
    """A layout change: OLD without 方面 / 问题 columns, NEW with them."""
    a = write_xlsx(
        tmp_path / "a.xlsx",
        [["序号", "具体问题", "整改措施", "完成情况"], [1, "学习不深入", "开展专题学习", "已完成"]],
    )
    b = _one(tmp_path, "b.xlsx", [_row("开展专题学习", issue="学习不深入")])
    c = compare_files(a, b, as_of=date(2025, 1, 1))
    assert c.counts["removed"] == 0 and c.counts["added"] == 0


# ---- a property: order and deletions never confuse the matching --------------------------------


def _ledger(measures: list[Measure]) -> Ledger:
    return Ledger(source_file="", file_format="xlsx", sheets=[], measures=measures)


def _measure(i: int, issue: int, text: str) -> Measure:
    m = Measure(sheet="S", row=i + 2, issue=f"问题{issue}", measure=text, status="已完成")
    m.issue_key, m.measure_key = fold(m.issue), fold(text)
    return m


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(["建立制度", "开展培训", "召开会议", "加强监督检查", "整改到位"]),
        min_size=1,
        max_size=30,
    ),
    st.randoms(use_true_random=False),
    st.data(),
)
def test_reorder_and_delete_property(texts: list[str], rnd, data) -> None:
    olds = [_measure(i, i % 4, t) for i, t in enumerate(texts)]
    keep = data.draw(st.lists(st.booleans(), min_size=len(olds), max_size=len(olds)))
    news = [_measure(i, i % 4, t) for i, (t, k) in enumerate(zip(texts, keep, strict=True)) if k]
    rnd.shuffle(news)
    for i, m in enumerate(news):
        m.row = i + 2
    c = compare(_ledger(olds), _ledger(news), date(2025, 1, 1), date(2025, 1, 8))
    assert c.counts["unchanged"] == len(news)
    assert c.counts["removed"] == len(olds) - len(news) and c.counts["added"] == 0
    assert all(p.old.key == p.new.key for p in c.matching.pairs)
    assert c.exit_code == (1 if len(news) < len(olds) else 0)


def test_red_flags_are_the_issue_s() -> None:
    assert frozenset({"removed", "deadline_later", "reopened", "backdated"}) == RED_FLAGS


def test_summary_line_with_nothing(tmp_path) -> None:
    a = _one(tmp_path, "a.xlsx", [_row("建立制度")])
    c = compare_files(a, a, as_of=date(2025, 1, 1))
    assert summary_line(c).startswith("与上次（") and summary_line(c).endswith("无变化1条。")


# ---- as a user runs it -----------------------------------------------------------------------------


def _ledgerkit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ledgerkit", *args], capture_output=True, text=True, timeout=120
    )


def test_cli(pair, tmp_path) -> None:
    old, new, _ = pair
    proc = _ledgerkit("compare", str(old), str(new), "--json", "-o", str(tmp_path))
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert data["counts"]["removed"] == 2 and (tmp_path / CHANGES_FILENAME).is_file()
    same = _ledgerkit("compare", str(old), str(old), "--as-of", "2025-02-01")
    assert same.returncode == 0, same.stderr
    assert same.stdout.startswith("与上次（2025年2月1日）相比：无变化108条。")
    for args, sentence in [
        ((str(old), str(tmp_path / "无.xlsx")), "找不到文件“无.xlsx”。请检查路径。"),
        ((str(old), str(new), "--as-of", "2025-2-30"), "--as-of 的日期“2025-2-30”无效"),
    ]:
        proc = _ledgerkit("compare", *args)
        assert proc.returncode == 2 and proc.stdout == ""
        assert proc.stderr.startswith(sentence) and proc.stderr.count("\n") == 1, proc.stderr


def test_output_folder_that_is_a_file(pair, tmp_path, capsys) -> None:
    old, new, _ = pair
    blocker = tmp_path / "输出"
    blocker.write_text("", encoding="utf-8")
    assert compare_command(old, new, None, blocker, False, None) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("无法写入") and "\n" not in err


def test_pieces_for_report_since_and_watch(pair, tmp_path) -> None:
    """What `report --since` and watch will use: a 变化 sheet in another workbook, the JSON lists, mail lines."""
    import xlsxwriter
    from openpyxl import load_workbook

    from ledgerkit.compare import changes_as_dict, figure_rows, red_flag_lines
    from ledgerkit.workbook.changes import add_changes_sheet

    old, new, _ = pair
    c = compare_files(old, new)
    path = tmp_path / "other.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("整改台账")
    add_changes_sheet(wb, c, "变化")
    wb.close()
    sheet = load_workbook(path)["变化"]
    assert sheet.max_row == 1 + sum(n for k, n in c.counts.items() if k != "unchanged")
    data = changes_as_dict(c)
    assert list(data) == ["counts", *KINDS] and data["counts"] == c.counts
    lines = red_flag_lines(c, limit=2)
    assert lines[0].startswith("需要关注：") and len(lines) == 4 and lines[-1].startswith("  ……另有 4 条")
    assert red_flag_lines(compare_files(old, old)) == []
    rows = {label: (a, b) for label, a, b, _d in figure_rows(c)}
    assert rows["整改措施（条）"] == (108, 109) and rows["具体问题完成率"] == ("80.6%", "75.7%")
