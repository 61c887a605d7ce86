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
from build import HEADER, measure_row, write_xlsx
from conftest import ROOT, SAMPLES
from test_mail import smtp_server  # noqa: F401  (fixture)

sys.path.insert(0, str(ROOT / "bench"))
from make_ledger import make_ledger

FLAT = SAMPLES / "000" / "flat.xlsx"


def start(inbox: Path, outbox: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "ledgerkit", "watch", str(inbox), "-o", str(outbox), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


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
        _out, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    return proc.returncode, err


def outputs(outbox: Path, stem: str) -> list[str]:
    folder = outbox / stem
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


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
    proc = subprocess.Popen([sys.executable, "-m", "ledgerkit", "watch", str(inbox)], stderr=subprocess.PIPE)
    try:
        shutil.copy(FLAT, inbox / "a.xlsx")
        wait_for(lambda: (inbox.parent / "inbox-输出" / "a" / "a（清洗）.xlsx").exists())
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)


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
    assert sorted(e["status"] for e in state.values()) == ["done", "done"]


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
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert "完成 big.xlsx" not in log_text(outbox)
    partial = [p.name for p in outbox.rglob("*") if p.is_file() and p.suffix in (".xlsx", ".docx")]
    assert all(name.startswith(".~ledgerkit-") for name in partial)  # nothing under a final name

    proc = start(inbox, outbox, *args)
    try:
        wait_for(lambda: len(recorder.envelopes) == 1, timeout=120)
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
