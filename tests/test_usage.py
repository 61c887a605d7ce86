"""What a user sees for a mistyped command, an unexpected error, and a console that is not UTF-8.

Each case runs the real CLI in a subprocess, as a user's shell would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from build import HEADER, measure_row, write_xlsx

import ledgerkit


def run(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ledgerkit", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        env={**os.environ, **(env or {})},
        cwd=cwd,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("args", "says", "help_of"),
    [
        (["report", "--bogus"], "没有“--bogus”这个选项", "ledgerkit report --help"),
        (["frob"], "没有“frob”这个命令", "ledgerkit --help"),
        (["repot", "x.xlsx"], "是否想用“report”", "ledgerkit --help"),
        (["report"], "缺少参数“PATH”", "ledgerkit report --help"),
        (["summary", "x.xlsx", "--as-of"], "“--as-of”", "ledgerkit summary --help"),
        (["mail", "a.docx"], "缺少选项“--to”", "ledgerkit mail --help"),
        (["check", "a.xlsx", "b.xlsx"], "多了参数“b.xlsx”", "ledgerkit check --help"),
    ],
)
def test_usage_errors_are_one_chinese_sentence_exit_2(args, says, help_of):
    proc = run(*args)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0] and f"请运行 {help_of} 查看用法" in lines[0]


def test_version_and_bare_command():
    proc = run("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"ledgerkit {ledgerkit.__version__}"
    bare = run()
    assert bare.returncode == 0 and "report" in bare.stdout and "显示帮助并退出" in bare.stdout


def test_unexpected_error_is_logged_exit_3(tmp_path):
    """An internal error (forced here) becomes one sentence and exit 3; the traceback goes to the log."""
    script = (
        "import sys, ledgerkit.cli.commands.check as c\n"
        "def boom(*a, **k):\n    raise RuntimeError('forced for the test')\n"
        "c.check_command = boom\n"
        "from ledgerkit.cli.main import main\n"
        "main(['check', 'x.xlsx'])\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "HOME": str(tmp_path), "USERPROFILE": str(tmp_path)},
        timeout=120,
    )
    assert proc.returncode == 3
    assert "Traceback" not in proc.stderr and "内部错误（RuntimeError）" in proc.stderr
    log = (tmp_path / ".ledgerkit-error.log").read_text(encoding="utf-8")
    assert "Traceback" in log and "forced for the test" in log


@pytest.mark.parametrize("encoding", ["gbk", "ascii"])
def test_console_that_cannot_show_a_character_never_raises(tmp_path, encoding):
    name = "台账😀.xlsx"
    rows = [HEADER, measure_row(1, "方面😀", "问题", "问题一𠀀", "措施一", "已完成", done="2025-01-02")]
    path = write_xlsx(tmp_path / name, rows)
    env = {"PYTHONIOENCODING": encoding, "PYTHONUTF8": "0"}
    for args in (
        ["check", str(path), "--as-of", "2025-03-03"],
        ["summary", str(path), "--as-of", "2025-03-03"],
        ["summary", str(path), "--as-of", "2025-03-03", "--json"],
        ["report", str(path), "--as-of", "2025-03-03", "-o", str(tmp_path / "out")],
        ["check", str(tmp_path / "不存在😀.xlsx")],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "ledgerkit", *args],
            capture_output=True,
            env={**os.environ, **env},
            timeout=120,
        )
        err = proc.stderr.decode(encoding, errors="strict")  # what the console got is valid in its encoding
        proc.stdout.decode(encoding, errors="strict")
        assert "Traceback" not in err and proc.returncode in (0, 1, 2), err
        assert proc.stdout or err
    # Files ledgerkit writes stay UTF-8 whatever the console: the manifest keeps the emoji.
    manifest = next((tmp_path / "out").rglob("*.json"), None)
    if manifest is not None:
        assert "😀" in manifest.read_text(encoding="utf-8")
    assert (tmp_path / name).read_bytes() == path.read_bytes()


def test_json_output_is_valid_json_on_a_gbk_console(tmp_path):
    path = write_xlsx(tmp_path / "台账.xlsx", [HEADER, measure_row(1, "方面", "问题", "问题一", "措施一")])
    proc = subprocess.run(
        [sys.executable, "-m", "ledgerkit", "summary", str(path), "--as-of", "2025-03-03", "--json"],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "gbk"},
        timeout=120,
    )
    assert proc.returncode == 0
    data = json.loads(proc.stdout.decode("gbk"))
    assert data["measures"] == 1 and data["file"].endswith("台账.xlsx")
