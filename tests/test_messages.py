"""What an office user meets (issue 22): Chinese help, Chinese sentences naming the file, the
read-only and not-a-folder cases said as such, the date forms ledgers take. All through the real
CLI in a subprocess."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from conftest import SAMPLES

FLAT = SAMPLES / "000" / "flat.xlsx"
COMMANDS = ("check", "summary", "report", "compare", "combine", "mail", "watch", "init", "serve")
ENGLISH = (
    "Usage:",
    "Options:",
    "Commands:",
    "[required]",
    "[OPTIONS]",
    "COMMAND [ARGS]",
    "Show this",
    "default:",
)


def run(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ledgerkit", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def columns(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_is_chinese_headings_included_and_fits_80_columns(command):
    proc = run(*([command] if command else []), "--help", env={"COLUMNS": "80"})
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert text.startswith(f"用法：ledgerkit {command}".rstrip() + " [选项]")
    assert "\n选项：\n" in text and ("\n命令：\n" in text) == (command == "")
    assert not [word for word in ENGLISH if word in text]
    assert max(columns(line) for line in text.splitlines()) <= 80
    if command == "mail":
        assert "［必填］" in text


def test_click_notes_after_an_option_are_chinese():
    """What click appends to an option's help (a shown default, a range, required) in Chinese,
    through the real formatter on a real click command."""
    import click

    from ledgerkit.cli.help import ChineseContext

    class Command(click.Command):
        context_class = ChineseContext

    @click.command(cls=Command)
    @click.option("--port", default=8765, show_default=True, help="端口")
    @click.option("--mb", type=click.IntRange(1, 10000), default=50, show_default=True, help="上限")
    @click.option("--to", required=True, help="收件人")
    def cmd(port: int, mb: int, to: str) -> None:
        pass

    text = cmd.get_help(ChineseContext(cmd, info_name="cmd"))
    assert "端口 ［默认：8765］" in text and "上限 ［默认：50；取值 1–10000］" in text
    assert "收件人 ［必填］" in text and "default" not in text and "required" not in text


def test_help_aligns_option_texts_by_display_width():
    lines = run("report", "--help", env={"COLUMNS": "80"}).stdout.splitlines()
    options = [re.match(r"(\s+-\S.*?\s{2,})\S", line) for line in lines if line.startswith("  -")]
    starts = {columns(m[1]) for m in options if m}
    assert len(options) >= 8 and len(starts) == 1  # every option's text begins at the same column


def test_toml_syntax_error_names_the_file_line_and_column_in_chinese(tmp_path):
    (tmp_path / "ledgerkit.toml").write_text("[unit\nname = '某单位'\n", encoding="utf-8")
    shutil.copy(FLAT, tmp_path / "台账.xlsx")
    proc = run("summary", str(tmp_path / "台账.xlsx"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    message = proc.stderr.strip()
    assert message.startswith(
        f"配置文件“{(tmp_path / 'ledgerkit.toml').resolve()}”第 1 行第 6 列有格式错误："
    )
    assert "节名缺少右方括号" in message and "请用记事本打开该文件改正这一行" in message
    assert "Expected" not in message and "line" not in message


def test_config_not_utf8_says_how_to_save_it(tmp_path):
    (tmp_path / "ledgerkit.toml").write_bytes('[unit]\nname = "某单位"\n'.encode("gbk"))
    proc = run("summary", str(tmp_path / "x.xlsx"))
    assert proc.returncode == 2
    assert "不是 UTF-8 编码" in proc.stderr and str((tmp_path / "ledgerkit.toml").resolve()) in proc.stderr


def test_watch_a_file_says_it_is_a_file_and_asks_for_a_folder(tmp_path):
    ledger = shutil.copy(FLAT, tmp_path / "整改台账.xlsx")
    proc = run("watch", str(ledger))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "是一个文件，不是文件夹" in proc.stderr and "请给出一个文件夹" in proc.stderr
    assert "不存在" not in proc.stderr


def test_combine_a_file_and_check_a_folder_say_which_is_which(tmp_path):
    ledger = shutil.copy(FLAT, tmp_path / "整改台账.xlsx")
    combine = run("combine", str(ledger))
    assert (
        combine.returncode == 2
        and "是一个文件，不是文件夹" in combine.stderr
        and "找不到" not in combine.stderr
    )
    check = run("check", str(tmp_path))
    assert check.returncode == 2 and "是文件夹，不是台账文件。请指定其中的一个台账文件" in check.stderr


# ---- read-only folders: a read-only bind mount, which binds root too (root ignores chmod) ----


def _can_mount_read_only() -> bool:
    if not shutil.which("unshare") or not hasattr(os, "geteuid") or os.geteuid() != 0:
        return False
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True, timeout=30)
    return probe.returncode == 0


needs_mount = pytest.mark.skipif(
    not _can_mount_read_only(), reason="needs root and unshare for a read-only mount"
)


def run_read_only(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """``ledgerkit args`` with ``folder`` mounted read-only (in a mount namespace of its own)."""
    script = 'mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" "$1" && shift && exec "$@"'
    return subprocess.run(
        ["unshare", "-m", "sh", "-c", script, "sh", str(folder), sys.executable, "-m", "ledgerkit", *args],
        capture_output=True,
        text=True,
        timeout=180,
    )


@needs_mount
def test_init_into_a_read_only_folder_says_read_only(tmp_path):
    folder = tmp_path / "只读"
    folder.mkdir()
    proc = run_read_only(folder, "init", str(folder))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "只读" in proc.stderr and str(folder) in proc.stderr and "ledgerkit init" in proc.stderr
    assert "Permission" not in proc.stderr and "Read-only file system" not in proc.stderr
    assert list(folder.iterdir()) == []
    sub = run_read_only(folder, "init", str(folder / "新文件夹"))
    assert sub.returncode == 2 and "无法创建文件夹“新文件夹”" in sub.stderr and "只读" in sub.stderr


@needs_mount
def test_combine_and_compare_into_a_read_only_folder_name_it_and_not_excel(tmp_path):
    units = tmp_path / "各单位"
    units.mkdir()
    shutil.copy(FLAT, units / "flat.xlsx")
    out = tmp_path / "只读输出"
    out.mkdir()
    for args in (("combine", str(units), "-o", str(out)), ("compare", str(FLAT), str(FLAT), "-o", str(out))):
        proc = run_read_only(out, *args)
        assert proc.returncode == 2, proc.stderr
        assert f"文件夹“{out}”是只读的" in proc.stderr, proc.stderr
        assert "Excel" not in proc.stderr and "WPS" not in proc.stderr and "Traceback" not in proc.stderr


# ---- --as-of and names ----------------------------------------------------------------------


@pytest.mark.parametrize("written", ["2024-12-23", "2024/12/23", "2024年12月23日", "2024.12.23", "20241223"])
def test_as_of_takes_the_date_forms_ledgers_take(written):
    proc = run("summary", str(FLAT), "--as-of", written, "--json")
    assert proc.returncode in (0, 1), proc.stderr  # 1: the sample has errors at that date
    assert json.loads(proc.stdout)["as_of"] == "2024-12-23"


@pytest.mark.parametrize("written", ["2024年12月", "2024-13-01", "12/23", "下周一"])
def test_as_of_without_a_whole_date_is_refused_in_chinese(written):
    proc = run("summary", str(FLAT), "--as-of", written)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == (
        f"--as-of 的日期“{written}”无效，请写成 2024-12-23、2024/12/23、2024.12.23 或 2024年12月23日 这样的形式。"
    )


def test_a_cleaned_ledger_reported_again_is_named_once(tmp_path):
    first = run(
        "report", str(FLAT), "-o", str(tmp_path / "一"), "--no-notice", "--as-of", "2025-03-03", "--json"
    )
    assert first.returncode == 0, first.stderr
    cleaned = Path(json.loads(first.stdout)["outputs"]["workbook"])
    assert cleaned.name == "flat（清洗）.xlsx"
    again = run(
        "report", str(cleaned), "-o", str(tmp_path / "二"), "--no-notice", "--as-of", "2025-03-03", "--json"
    )
    assert again.returncode == 0, again.stderr
    assert Path(json.loads(again.stdout)["outputs"]["workbook"]).name == "flat（清洗）.xlsx"
    assert json.loads(again.stdout)["summary"]["measures"] == json.loads(first.stdout)["summary"]["measures"]
