"""``ledgerkit serve`` as a command: the printed address works, SIGTERM stops it cleanly,
--host beyond this machine says who can reach it, a missing folder is one sentence."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from serving import Client


def _start(args: list[str], cwd: Path) -> tuple[subprocess.Popen, list[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "ledgerkit", "serve", *args], cwd=cwd, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    lines = [proc.stdout.readline()]
    return proc, lines


def test_the_printed_address_opens_and_sigterm_stops_cleanly(tmp_path):
    (tmp_path / "收件").mkdir()
    proc, lines = _start(["收件", "--port", "0", "--no-browser"], tmp_path)
    try:
        m = re.search(r"http://127\.0\.0\.1:(\d+)/\?token=([\w-]+)", lines[0])
        assert m, lines
        client = Client(f"http://127.0.0.1:{m[1]}", m[2])
        assert m[1] != "0"  # the real port
        assert client.get("/api/ledgers").json() == {"files": []}
        assert client.get("/api/ledgers", token=False).status == 403
        assert (tmp_path / "收件-输出" / ".ledgerkit-state.json").exists() or (
            tmp_path / "收件-输出"
        ).is_dir()
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        assert time.monotonic() - started < 15
        assert "网页服务已停止" in out
        assert "Traceback" not in err
    finally:
        if proc.poll() is None:
            proc.kill()


def test_a_host_beyond_this_machine_says_who_can_reach_it(tmp_path):
    (tmp_path / "收件").mkdir()
    proc, lines = _start(["收件", "--host", "0.0.0.0", "--port", "0", "--no-browser"], tmp_path)
    try:
        lines.append(proc.stdout.readline())
        assert "token=" in lines[0]
        assert "其他电脑也能连接" in lines[1]
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    assert proc.returncode == 0


def test_a_missing_folder_is_one_sentence(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "ledgerkit", "serve", "没有这个", "--no-browser"], cwd=tmp_path,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "不存在" in proc.stderr and "Traceback" not in proc.stderr


def test_a_bad_upload_limit_is_one_sentence(tmp_path):
    (tmp_path / "收件").mkdir()
    proc = subprocess.run(
        [sys.executable, "-m", "ledgerkit", "serve", "收件", "--max-upload-mb", "0", "--no-browser"], cwd=tmp_path,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2
    assert (
        "“--max-upload-mb”的值不对：请写 1 到 10000 之间的整数" in proc.stderr
        and "Traceback" not in proc.stderr
    )
