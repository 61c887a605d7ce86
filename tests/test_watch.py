"""The watched inbox, as a real process on a real folder: slow copies, restarts, bad files,
archiving, SIGTERM, SIGKILL in the middle of a file, and mail sent at most once."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from build import HEADER, measure_row, write_xls, write_xlsx
from conftest import ROOT, SAMPLES
from test_mail import smtp_server  # noqa: F401  (fixture)

from ledgerkit.support.atomic import is_temporary
from ledgerkit.workflow.watch import file_hash

sys.path.insert(0, str(ROOT / "bench"))
from make_ledger import make_ledger

FLAT = SAMPLES / "000" / "flat.xlsx"


_started: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def no_watcher_outlives_its_test():
    """A failed assert must not leave a watcher running (and a test run waiting on it)."""
    yield
    while _started:
        proc = _started.pop()
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def start(inbox: Path, outbox: Path | None, *args: str) -> subprocess.Popen:
    """A real ``ledgerkit watch`` process; its stderr goes to a file, never to a pipe nobody
    reads (a full pipe would block the watcher's logging, and so the watcher)."""
    out = ["-o", str(outbox)] if outbox is not None else []
    err_path = inbox.parent / f"watch-stderr-{len(list(inbox.parent.glob('watch-stderr-*')))}.txt"
    with open(err_path, "w", encoding="utf-8") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ledgerkit", "watch", str(inbox), *out, *args],
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    proc.err_path = err_path  # type: ignore[attr-defined]
    _started.append(proc)
    return proc


def wait_for(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def log_text(outbox: Path) -> str:
    path = outbox / "ledgerkit.log"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def stop(proc: subprocess.Popen) -> tuple[int, str]:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
        raise AssertionError("the watcher did not stop within 20 s of SIGTERM") from None
    return proc.returncode, proc.err_path.read_text(encoding="utf-8")  # type: ignore[attr-defined]


def outputs(outbox: Path, stem: str) -> list[str]:
    """The finished outputs in one file's folder (a temporary being written is not one yet)."""
    folder = outbox / stem
    return sorted(p.name for p in folder.iterdir() if not is_temporary(p)) if folder.is_dir() else []


@pytest.fixture
def folders(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLES / "000" / "ledgerkit.toml", inbox / "ledgerkit.toml")
    return inbox, tmp_path / "inbox-输出"


@pytest.mark.parametrize("mode", [[], ["--poll"]], ids=["events", "poll"])
def test_dropped_ledger_is_reported_bad_file_gets_error_report(folders, mode):
    inbox, outbox = folders
    proc = start(inbox, outbox, *mode)
    try:
        shutil.copy(FLAT, inbox / "平铺.xlsx")
        (inbox / "坏文件.xlsx").write_bytes(b"not a workbook at all")
        wait_for(lambda: len(outputs(outbox, "平铺")) == 2 and outputs(outbox, "坏文件"))
        assert outputs(outbox, "平铺") == [
            "平铺（清洗）.xlsx",
            "开封市机关事务中心关于巡察整改情况的通报（草稿）.docx",
        ]
        report = (outbox / "坏文件" / "错误报告.txt").read_text(encoding="utf-8")
        assert "不是 Excel 工作簿" in report
        assert (inbox / "平铺.xlsx").exists()  # inputs are never moved without --archive
    finally:
        code, err = stop(proc)
    assert code == 0 and "Traceback" not in err
    assert "开始处理 平铺.xlsx" in log_text(outbox)


def test_default_outbox_is_a_sibling_folder(folders):
    inbox, _outbox = folders
    proc = start(inbox, None)
    try:
        shutil.copy(FLAT, inbox / "a.xlsx")
        wait_for(lambda: (inbox.parent / "inbox-输出" / "a" / "a（清洗）.xlsx").exists())
    finally:
        stop(proc)


def test_slow_copy_is_never_read_half_written(folders):
    inbox, outbox = folders
    proc = start(inbox, outbox)
    try:
        data = FLAT.read_bytes()
        target = inbox / "慢慢复制.xlsx"
        with open(target, "wb") as fh:
            for i in range(0, len(data), len(data) // 6 + 1):
                fh.write(data[i : i + len(data) // 6 + 1])
                fh.flush()
                time.sleep(0.6)
        wait_for(lambda: len(outputs(outbox, "慢慢复制")) == 2)
        assert "错误报告.txt" not in outputs(outbox, "慢慢复制")
        assert log_text(outbox).count("开始处理 慢慢复制.xlsx") == 1
    finally:
        stop(proc)


def test_restart_redoes_nothing_and_a_changed_file_is_redone(folders):
    inbox, outbox = folders
    shutil.copy(FLAT, inbox / "台账.xlsx")
    proc = start(inbox, outbox)
    wait_for(lambda: "完成 台账.xlsx" in log_text(outbox))
    stop(proc)
    proc = start(inbox, outbox)
    try:
        time.sleep(4)
        assert log_text(outbox).count("开始处理 台账.xlsx") == 1
        write_xlsx(inbox / "台账.xlsx", [HEADER, measure_row(1, "方面", "问题", "问题一", "措施一")])
        wait_for(lambda: log_text(outbox).count("完成 台账.xlsx") == 2)
    finally:
        stop(proc)
    state = json.loads((outbox / ".ledgerkit-state.json").read_text(encoding="utf-8"))["files"]
    assert list(state) == ["台账.xlsx"]  # by name: the outputs show the second version
    assert state["台账.xlsx"]["status"] == "done"
    assert state["台账.xlsx"]["hash"] == file_hash(inbox / "台账.xlsx")


def test_archive_moves_only_after_success(folders, tmp_path):
    inbox, outbox = folders
    archive = tmp_path / "归档"
    proc = start(inbox, outbox, "--archive", str(archive))
    try:
        shutil.copy(FLAT, inbox / "好.xlsx")
        (inbox / "坏.xlsx").write_bytes(b"broken")
        wait_for(lambda: (archive / "好.xlsx").exists() and outputs(outbox, "坏"))
        assert not (inbox / "好.xlsx").exists() and (inbox / "坏.xlsx").exists()
    finally:
        stop(proc)


def test_sigkill_mid_file_then_restart_finishes_it_and_mails_once(folders, smtp_server):  # noqa: F811
    inbox, outbox = folders
    port, recorder = smtp_server()
    config = inbox.parent / "mail.toml"
    config.write_text(
        (inbox / "ledgerkit.toml").read_text(encoding="utf-8")
        + f'\n[mail]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nfrom = "office@example.com"\n',
        encoding="utf-8",
    )
    make_ledger(inbox.parent / "big.xlsx", 20_000)  # big enough to take seconds to report
    args = ("--config", str(config), "--mail-to", "leader@example.com")
    proc = start(inbox, outbox, *args)
    shutil.move(inbox.parent / "big.xlsx", inbox / "big.xlsx")
    wait_for(lambda: "开始处理 big.xlsx" in log_text(outbox))
    proc.send_signal(signal.SIGKILL)  # at once: a 20,000-row ledger takes seconds to report
    proc.wait(timeout=10)
    assert "完成 big.xlsx" not in log_text(outbox)
    partial = [p.name for p in outbox.rglob("*") if p.is_file() and p.suffix in (".xlsx", ".docx")]
    assert all(name.startswith(".~ledgerkit-") for name in partial)  # nothing under a final name

    proc = start(inbox, outbox, *args)
    try:
        wait_for(lambda: len(recorder.envelopes) == 1, timeout=240)
        time.sleep(3)
    finally:
        stop(proc)
    assert outputs(outbox, "big") == sorted(
        [
            "big（清洗）.xlsx",
            "开封市机关事务中心关于巡察整改情况的通报（草稿）.docx",
            "开封市机关事务中心关于巡察整改情况的通报（草稿）.eml",
        ]
    )
    assert not [p for p in outbox.rglob(".~ledgerkit-*")]
    assert len(recorder.envelopes) == 1 and recorder.envelopes[0].rcpt_tos == ["leader@example.com"]
    proc = start(inbox, outbox, *args)  # a third start mails nothing again
    time.sleep(4)
    stop(proc)
    assert len(recorder.envelopes) == 1


def test_missing_inbox_is_a_sentence(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "ledgerkit", "watch", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "不存在" in proc.stderr and "Traceback" not in proc.stderr


def test_sigterm_stops_within_seconds_even_mid_file(folders):
    inbox, outbox = folders
    make_ledger(inbox.parent / "big.xlsx", 20_000)
    proc = start(inbox, outbox)
    wait_for(lambda: "开始监视" in log_text(outbox))
    shutil.move(inbox.parent / "big.xlsx", inbox / "big.xlsx")
    wait_for(lambda: "开始处理 big.xlsx" in log_text(outbox))
    t = time.monotonic()
    code, err = stop(proc)
    assert code == 0 and time.monotonic() - t < 5 and "Traceback" not in err
    assert "完成 big.xlsx" not in log_text(outbox)
    assert not [p for p in outbox.rglob("*") if p.is_file() and p.suffix in (".xlsx", ".docx")]
    assert os.path.exists(outbox / "ledgerkit.log")


# ---- issue 16: every version, every name, every file's own folder, unwritable folders ----------


def ledger_rows(n: int) -> list[list[object]]:
    """A ledger of ``n`` issues, one measure each: the version is told by its issue count."""
    return [HEADER, *(measure_row(i, "方面", "问题", f"问题{i}", f"措施{i}") for i in range(1, n + 1))]


def issues_in(workbook: Path) -> int:
    """Measures in a cleaned workbook: cells that are exactly a measure's text, 措施N."""
    import re

    import openpyxl

    ws = openpyxl.load_workbook(workbook, read_only=True)["整改台账"]
    return sum(
        1
        for r in ws.iter_rows(values_only=True)
        for v in r
        if isinstance(v, str) and re.fullmatch(r"措施\d+", v)
    )


def log_lines(outbox: Path, name: str) -> list[str]:
    """The log's lines about one input file, without their time stamps."""
    return [line.split(" ", 2)[2] for line in log_text(outbox).splitlines() if name in line]


def test_older_version_dropped_back_is_redone_and_restart_skips_with_a_line(folders):
    inbox, outbox = folders
    ledger = inbox / "台账.xlsx"
    workbook = outbox / "台账" / "台账（清洗）.xlsx"
    proc = start(inbox, outbox)
    try:
        for n, version in enumerate((1, 2, 1), start=1):  # v1 → v2 → v1
            write_xlsx(ledger, ledger_rows(version))
            wait_for(lambda n=n: log_text(outbox).count("完成 台账.xlsx") == n)
            assert issues_in(workbook) == version  # the outputs show what the inbox holds
    finally:
        stop(proc)
    proc = start(inbox, outbox)
    try:
        wait_for(lambda: "跳过 台账.xlsx" in log_text(outbox))
    finally:
        stop(proc)
    lines = log_lines(outbox, "台账.xlsx")
    assert [line for line in lines if line.startswith("开始处理")] == [
        "开始处理 台账.xlsx（新文件），输出到 台账",
        "开始处理 台账.xlsx（内容与上次处理的版本不同），输出到 台账",
        "开始处理 台账.xlsx（内容与上次处理的版本不同），输出到 台账",
    ]
    assert lines[-1] == "跳过 台账.xlsx：内容与上次处理时相同，输出已是这一版本（台账）。"
    assert issues_in(workbook) == 1


def test_renamed_while_processing_and_identical_copy_both_get_outputs(folders):
    inbox, outbox = folders
    make_ledger(inbox.parent / "big.xlsx", 5_000)
    proc = start(inbox, outbox)
    try:
        shutil.move(inbox.parent / "big.xlsx", inbox / "原名.xlsx")
        wait_for(lambda: "开始处理 原名.xlsx" in log_text(outbox))
        (inbox / "原名.xlsx").rename(inbox / "改名.xlsx")  # just after processing starts
        wait_for(lambda: "完成 改名.xlsx" in log_text(outbox), timeout=180)
        shutil.copy(inbox / "改名.xlsx", inbox / "副本.xlsx")  # identical content, a new name
        wait_for(lambda: "完成 副本.xlsx" in log_text(outbox), timeout=180)
    finally:
        stop(proc)
    assert outputs(outbox, "改名") and outputs(outbox, "副本")
    assert "副本（清洗）.xlsx" in outputs(outbox, "副本")
    assert not list(outbox.rglob("错误报告.txt"))  # a file that was fine is never told to be re-saved
    log = log_text(outbox)
    assert "处理失败" not in log
    # Whether the first run read the file before the rename or not, it is not "failed", and
    # the copy's line says why it is done although its content was done before.
    assert "开始处理 副本.xlsx（新文件，内容与已处理的" in log
    state = json.loads((outbox / ".ledgerkit-state.json").read_text(encoding="utf-8"))["files"]
    assert all(e["status"] == "done" for e in state.values())


def test_x_xls_and_x_xlsx_get_their_own_folders(folders):
    inbox, outbox = folders
    write_xls(inbox / "x.xls", ledger_rows(1))
    write_xlsx(inbox / "x.xlsx", ledger_rows(2))
    proc = start(inbox, outbox)
    try:
        wait_for(lambda: "完成 x.xls：" in log_text(outbox) and "完成 x.xlsx：" in log_text(outbox))
    finally:
        stop(proc)
    assert issues_in(outbox / "x（xls）" / "x（清洗）.xlsx") == 1
    assert issues_in(outbox / "x（xlsx）" / "x（清洗）.xlsx") == 2
    assert not (outbox / "x").exists()
    assert "完成 x.xls：错误 0，提醒 0，输出在 x（xls）" in log_text(outbox)


def test_unwritable_output_folder_fails_that_file_the_next_goes_on_then_it_is_retried(folders):
    inbox, outbox = folders
    outbox.mkdir()
    blocker = outbox / "坏"  # a regular file where 坏.xlsx's folder should be (root ignores chmod)
    blocker.write_text("not a folder", encoding="utf-8")
    write_xlsx(inbox / "坏.xlsx", ledger_rows(1))
    write_xlsx(inbox / "好.xlsx", ledger_rows(2))
    proc = start(inbox, outbox)
    try:
        wait_for(lambda: "处理失败 坏.xlsx" in log_text(outbox) and "完成 好.xlsx" in log_text(outbox))
        state = json.loads((outbox / ".ledgerkit-state.json").read_text(encoding="utf-8"))["files"]
        assert state["坏.xlsx"]["status"] == "blocked" and "同名的文件已存在" in state["坏.xlsx"]["error"]
        blocker.unlink()  # the folder can be made now
        wait_for(lambda: "完成 坏.xlsx" in log_text(outbox))
    finally:
        code, err = stop(proc)
    assert code == 0 and "Traceback" not in err
    assert issues_in(outbox / "坏" / "坏（清洗）.xlsx") == 1
    failed = next(line for line in log_lines(outbox, "坏.xlsx") if line.startswith("处理失败"))
    assert failed.count("。") == 1 and failed.endswith("台账本身没有问题，2 秒后自动重试。")  # one sentence
    assert any(line.startswith("开始处理 坏.xlsx（重试）") for line in log_lines(outbox, "坏.xlsx"))


def test_outbox_that_is_a_file_is_one_sentence(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    outbox = tmp_path / "输出"
    outbox.write_text("a file", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "ledgerkit", "watch", str(inbox), "-o", str(outbox)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        f"输出文件夹“{outbox}”无法创建：同名的文件已存在，请删除或改名该文件后重试。"
    ]


def test_a_file_that_vanishes_mid_run_is_not_failed_and_is_done_when_it_is_back(folders, monkeypatch):
    """The window between taking a file and opening it, made certain: the file is moved away
    as its report starts (the real report then cannot find it), then moved back unchanged."""
    from ledgerkit.workflow import watch

    inbox, outbox = folders
    path = write_xlsx(inbox / "台账.xlsx", ledger_rows(1))
    elsewhere = inbox.parent / "别处.xlsx"
    real_report_file = watch.report_file

    def moved_away_first(p: Path, outdir: Path, job, *since):
        p.rename(elsewhere)
        return real_report_file(p, outdir, job, *since)

    watcher = watch.Watcher(inbox, outbox)
    monkeypatch.setattr(watch, "report_file", moved_away_first)
    st = path.stat()
    assert watcher.process(path, (st.st_size, st.st_mtime_ns)) is False  # nothing decided
    assert "台账.xlsx" not in watcher.state.files and not list(outbox.rglob("错误报告.txt"))

    monkeypatch.setattr(watch, "report_file", real_report_file)
    shutil.move(elsewhere, path)  # back, the same content
    st = path.stat()
    assert watcher.process(path, (st.st_size, st.st_mtime_ns)) is True
    assert outputs(outbox, "台账")[0] == "台账（清洗）.xlsx"
    assert log_lines(outbox, "台账.xlsx") == [
        "开始处理 台账.xlsx（新文件），输出到 台账",
        "台账.xlsx 在处理过程中被移走、删除或改动，不记为失败；它再出现或保存完成后会重新处理。",
        "开始处理 台账.xlsx（新文件），输出到 台账",
        "台账.xlsx 是这本台账（单位：开封市机关事务中心）的第一个版本，没有可对照的上次版本。",
        "完成 台账.xlsx：错误 0，提醒 0，输出在 台账",
    ]


def test_outbox_replaced_by_a_file_mid_run_fails_the_file_then_it_is_retried(folders):
    inbox, outbox = folders
    moved = outbox.with_name("输出-移开")
    proc = start(inbox, outbox)
    try:
        wait_for(lambda: "开始监视" in log_text(outbox))
        outbox.rename(moved)  # the log file goes with it: the watcher still writes there
        outbox.write_text("a file where the outbox was", encoding="utf-8")
        write_xlsx(inbox / "台账.xlsx", ledger_rows(1))
        wait_for(lambda: "处理失败 台账.xlsx" in log_text(moved))
        assert "无法保存处理记录" in log_text(moved)  # the state, kept in memory meanwhile
        outbox.unlink()
        moved.rename(outbox)
        wait_for(lambda: "完成 台账.xlsx" in log_text(outbox))
    finally:
        code, err = stop(proc)
    assert code == 0 and "Traceback" not in err
    assert issues_in(outbox / "台账" / "台账（清洗）.xlsx") == 1
    state = json.loads((outbox / ".ledgerkit-state.json").read_text(encoding="utf-8"))["files"]
    assert state["台账.xlsx"]["status"] == "done"


def test_a_state_file_of_the_earlier_layout_is_read(folders):
    """State written by the previous release (keyed by content hash) still means "done"."""
    from ledgerkit.workflow import watch

    inbox, outbox = folders
    path = write_xlsx(inbox / "台账.xlsx", ledger_rows(1))
    (outbox / "台账").mkdir(parents=True)
    workbook = outbox / "台账" / "台账（清洗）.xlsx"
    workbook.write_bytes(b"an earlier run's output")
    old = {"name": "台账.xlsx", "status": "done", "outputs": {"workbook": str(workbook), "notice": None}}
    (outbox / watch.STATE_NAME).write_text(json.dumps({"files": {file_hash(path): old}}), encoding="utf-8")
    watcher = watch.Watcher(inbox, outbox)
    assert watcher.process(path) is True
    assert log_lines(outbox, "台账.xlsx") == [
        "跳过 台账.xlsx：内容与上次处理时相同，输出已是这一版本（台账）。"
    ]
    assert workbook.read_bytes() == b"an earlier run's output"
