"""What changed since last time, in the report and the watched inbox (issue 13, items 2 and 3).

Real files through the real CLI: the week-2 pair built from a sample by test_compare.build_pair,
``report NEW --since OLD`` against ``compare OLD NEW``, and a watched folder that gets week 1,
is restarted, then gets week 2, with a local SMTP server receiving the mails.
"""

from __future__ import annotations

import email
import email.policy
import json
import shutil
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from conftest import SAMPLES
from openpyxl import load_workbook
from test_compare import build_pair
from test_mail import smtp_server  # noqa: F401  (fixture)
from test_watch import log_lines, log_text, no_watcher_outlives_its_test, start, stop, wait_for  # noqa: F401

from ledgerkit.compare import KIND_NAMES, KINDS
from ledgerkit.workflow.compared import compare_files
from ledgerkit.workflow.history import HISTORY_DIR, History, history_name, ledger_key

AS_OF = "2025-02-08"


def ledgerkit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ledgerkit", *args], capture_output=True, text=True, timeout=180
    )


@pytest.fixture(scope="module")
def pair(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("pair")
    shutil.copy(SAMPLES / "000" / "ledgerkit.toml", folder / "ledgerkit.toml")
    old, new, _week1 = build_pair(folder)
    return old, new


def change_rows(workbook: Path) -> Counter[str]:
    """The 变化 sheet's rows by kind (its first column)."""
    ws = load_workbook(workbook, read_only=True)["变化"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:5] == ("变化", "方面", "问题", "具体问题", "整改措施")
    return Counter(r[0] for r in rows[1:])


def expected_rows(counts: dict[str, int]) -> Counter[str]:
    return Counter({KIND_NAMES[k]: n for k, n in counts.items() if k != "unchanged" and n})


def summary_texts(workbook: Path) -> list[str]:
    ws = load_workbook(workbook, read_only=True)["汇总"]
    return [v for r in ws.iter_rows(values_only=True) for v in r if isinstance(v, str)]


# ---- report --since ---------------------------------------------------------------------------


def test_report_since_matches_compare(pair, tmp_path) -> None:
    old, new = pair
    out = tmp_path / "out"
    report = ledgerkit("report", str(new), "--since", str(old), "--as-of", AS_OF, "-o", str(out), "--json")
    plain = ledgerkit("report", str(new), "--as-of", AS_OF, "-o", str(tmp_path / "plain"), "--json")
    compared = ledgerkit("compare", str(old), str(new), "--as-of", AS_OF, "--json")
    assert report.returncode == plain.returncode, report.stderr  # red flags do not change report's
    assert compared.returncode == 1
    manifest, expected = json.loads(report.stdout), json.loads(compared.stdout)
    changes = manifest["changes"]
    assert list(changes) == ["old", "counts", *KINDS]
    assert changes["counts"] == expected["counts"]
    assert changes["counts"]["removed"] == 2 and changes["counts"]["newly_done"] == 3
    for kind in KINDS:
        assert changes[kind] == expected[kind], kind
    assert changes["old"] == expected["old"]
    workbook = Path(manifest["outputs"]["workbook"])
    assert change_rows(workbook) == expected_rows(expected["counts"])
    text = ledgerkit("compare", str(old), str(new), "--as-of", AS_OF).stdout.splitlines()
    summary = summary_texts(workbook)
    assert "与上次相比" in summary and text[0] in summary  # the summary line, as compare prints it
    assert any(t.startswith("需要关注：") and "删除2条" in t for t in summary)
    # Without --json, the same line and the red flags are printed.
    again = ledgerkit("report", str(new), "--since", str(old), "--as-of", AS_OF, "-o", str(tmp_path / "t"))
    assert text[0] in again.stdout.splitlines() and "  [删除] 上次 Sheet1!F9" in again.stdout


def test_without_since_nothing_changes(pair, tmp_path) -> None:
    _old, new = pair
    proc = ledgerkit("report", str(new), "--as-of", AS_OF, "-o", str(tmp_path), "--json", "--no-notice")
    manifest = json.loads(proc.stdout)
    assert set(manifest) == {"file", "outputs", "summary", "findings"}  # no `changes` key at all
    workbook = Path(manifest["outputs"]["workbook"])
    assert "变化" not in load_workbook(workbook, read_only=True).sheetnames
    assert "与上次相比" not in summary_texts(workbook)


def test_cleaned_workbook_with_changes_reads_back_as_the_ledger(pair, tmp_path) -> None:
    """The 变化 sheet names 方面, 具体问题, 整改措施 in its header: read back, it is not the ledger
    (watch compares the next version with this very workbook)."""
    old, new = pair
    proc = ledgerkit("report", str(new), "--since", str(old), "--as-of", AS_OF, "-o", str(tmp_path), "--json")
    workbook = Path(json.loads(proc.stdout)["outputs"]["workbook"])
    c = compare_files(workbook, new, date(2025, 2, 8))
    assert c.counts["unchanged"] == c.new.summary.measures == c.old.summary.measures == 109
    assert c.exit_code == 0 and sum(c.counts.values()) == 109


@pytest.mark.parametrize("bad", ["missing", "not a workbook"])
def test_since_unreadable_is_one_sentence_and_nothing_is_written(pair, tmp_path, bad) -> None:
    _old, new = pair
    since = tmp_path / "上次.xlsx"
    if bad != "missing":
        since.write_bytes(b"not a workbook")
    out = tmp_path / "out"
    proc = ledgerkit("report", str(new), "--since", str(since), "-o", str(out))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("上次的台账（--since）：") and proc.stderr.count("\n") == 1, proc.stderr
    assert "上次.xlsx" in proc.stderr and not out.exists()


def test_since_for_a_folder_is_refused(pair, tmp_path) -> None:
    old, new = pair
    folder = tmp_path / "台账"
    folder.mkdir()
    shutil.copy(new, folder / "第2周.xlsx")
    proc = ledgerkit("report", str(folder), "--since", str(old))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("--since 只能用于单个台账文件") and proc.stderr.count("\n") == 1
    assert not (folder / "输出").exists()


def test_since_that_is_the_output_is_not_overwritten(pair, tmp_path) -> None:
    """Last week's cleaned workbook, where this week's would be written: an input, so kept."""
    old, _new = pair
    out = tmp_path / "out"
    first = ledgerkit("report", str(old), "-o", str(out), "--no-notice", "--json")
    cleaned = Path(json.loads(first.stdout)["outputs"]["workbook"])
    before = cleaned.read_bytes()
    proc = ledgerkit("report", str(old), "--since", str(cleaned), "-o", str(out), "--no-notice")
    assert proc.returncode == 2 and "--since 指定的上次台账，不会覆盖" in proc.stderr
    assert cleaned.read_bytes() == before


# ---- the history a watched outbox keeps --------------------------------------------------------


def test_ledger_key_and_history_names() -> None:
    assert ledger_key("开封市机关事务中心", "别的单位", "a.xlsx") == "单位：开封市机关事务中心"
    assert ledger_key("", "配置的单位", "a.xlsx") == "单位：配置的单位"
    assert ledger_key("", "", "台账.xlsx") == "文件：台账.xlsx"
    name = history_name('文件：a/b:c*?"<>|.xlsx', "0123456789abcdef")
    assert name == "文件-a_b_c______.xlsx-0123456789ab.xlsx"


def test_history_compares_a_version_done_again_with_the_one_before(tmp_path) -> None:
    ledgers: dict = {}
    history = History(tmp_path / HISTORY_DIR, ledgers)
    book = tmp_path / "清洗.xlsx"
    key = "单位：某单位"
    assert history.previous(key, "v1") is None  # a first version
    book.write_bytes(b"v1")
    assert history.remember(key, "v1", "第1周.xlsx", book) == []
    book.write_bytes(b"v2")
    assert history.previous(key, "v2").read_bytes() == b"v1"
    history.remember(key, "v2", "第2周.xlsx", book)
    # v2 again (its outputs deleted, or killed before it was recorded done): still against v1.
    assert history.previous(key, "v2").read_bytes() == b"v1"
    assert history.remember(key, "v2", "第2周.xlsx", book) == []
    assert history.previous(key, "v2").read_bytes() == b"v1"
    book.write_bytes(b"v3")
    stale = history.remember(key, "v3", "第3周.xlsx", book)
    assert [p.read_bytes() for p in stale] == [b"v1"]  # no longer needed: the watcher deletes it
    assert history.previous(key, "v4").read_bytes() == b"v3"
    assert history.source_of(key, ledgers[key]["previous"]["file"]) == "第2周.xlsx"


# ---- the watched inbox -------------------------------------------------------------------------


def test_watch_remembers_across_a_restart_and_mails_the_red_flags(pair, tmp_path, smtp_server):  # noqa: F811
    old, new = pair
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    inbox.mkdir()
    port, recorder = smtp_server()
    config = tmp_path / "ledgerkit.toml"
    config.write_text(
        (SAMPLES / "000" / "ledgerkit.toml").read_text(encoding="utf-8")
        + f'\n[mail]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nfrom = "office@example.com"\n',
        encoding="utf-8",
    )
    args = ("--poll", "--config", str(config), "--mail-to", "leader@example.com")
    proc = start(inbox, outbox, *args)
    try:
        shutil.copy(old, inbox / "第1周.xlsx")
        wait_for(lambda: "完成 第1周.xlsx" in log_text(outbox) and len(recorder.envelopes) == 1, 120)
    finally:
        stop(proc)
    assert (
        "第1周.xlsx 是这本台账（单位：开封市机关事务中心）的第一个版本，没有可对照的上次版本。"
        in log_lines(outbox, "第1周.xlsx")
    )
    assert "变化" not in load_workbook(outbox / "第1周" / "第1周（清洗）.xlsx", read_only=True).sheetnames

    proc = start(inbox, outbox, *args)  # a new process: the memory is the outbox's files and state
    try:
        shutil.copy(new, inbox / "第2周.xlsx")
        wait_for(lambda: "完成 第2周.xlsx" in log_text(outbox) and len(recorder.envelopes) == 2, 120)
    finally:
        code, err = stop(proc)
    assert code == 0 and "Traceback" not in err

    # The same changes as `compare` of the two inputs, at the date the watcher reported them.
    expected = json.loads(
        ledgerkit("compare", str(old), str(new), "--as-of", date.today().isoformat(), "--json").stdout
    )
    counts = expected["counts"]
    assert change_rows(outbox / "第2周" / "第2周（清洗）.xlsx") == expected_rows(counts)
    (line,) = [x for x in log_lines(outbox, "第2周.xlsx") if x.startswith("变化 ")]
    assert line.startswith("变化 第2周.xlsx（上次的版本：第1周.xlsx）：与上次（2025年2月1日）相比：新完成3条")
    for kind, n in counts.items():
        if n:
            assert f"{KIND_NAMES[kind]}{n}条" in line, kind
    assert "需要关注：由已完成改为未完成1条、整改时限推后2条、删除2条、完成时间早于上次台账日期1条。" in line

    body = email.message_from_bytes(recorder.envelopes[1].content, policy=email.policy.default)
    text = body.get_body(("plain",)).get_content()
    assert "与上次（2025年2月1日）相比：" in text and "需要关注：" in text
    # OLD is v1's cleaned workbook, so the cells named are its cells.
    assert "[删除] 上次 整改台账!" in text and "“合同盖章前认真审核把关”" in text
    first = email.message_from_bytes(recorder.envelopes[0].content, policy=email.policy.default)
    assert "与上次" not in first.get_body(("plain",)).get_content()

    state = json.loads((outbox / ".ledgerkit-state.json").read_text(encoding="utf-8"))
    slots = state["ledgers"]["单位：开封市机关事务中心"]
    assert (slots["previous"]["source"], slots["current"]["source"]) == ("第1周.xlsx", "第2周.xlsx")
    kept = sorted(p.name for p in (outbox / HISTORY_DIR).iterdir())
    assert kept == sorted([slots["previous"]["file"], slots["current"]["file"]])


def test_a_spoilt_remembered_copy_costs_only_the_comparison(pair, tmp_path) -> None:
    """In process, as test_watch's mid-run tests: v1, its copy spoilt, v2 still reported."""
    from ledgerkit.workflow.watch import Watcher

    old, new = pair
    inbox, outbox = tmp_path / "inbox", tmp_path / "outbox"
    inbox.mkdir()
    watcher = Watcher(inbox, outbox)
    for source, name in ((old, "第1周.xlsx"), (new, "第2周.xlsx")):
        shutil.copy(source, inbox / name)
        if name == "第2周.xlsx":
            for copy in (outbox / HISTORY_DIR).iterdir():
                copy.write_bytes(b"spoilt")
        assert watcher.process(inbox / name) is True
    lines = log_lines(outbox, "第2周.xlsx")
    assert any(x.startswith("第2周.xlsx：上次的版本“") and x.endswith("本次不含变化对照。") for x in lines)
    assert lines[-1].startswith("完成 第2周.xlsx")
    assert "变化" not in load_workbook(outbox / "第2周" / "第2周（清洗）.xlsx", read_only=True).sheetnames
    # v2 is remembered all the same: a third version is compared with it.
    (slots,) = watcher.state.ledgers.values()
    assert slots["current"]["source"] == "第2周.xlsx"
