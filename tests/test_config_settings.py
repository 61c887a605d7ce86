"""Config seams: which unit a ledger belongs to (one rule, the order a parameter), and [mail] / [notice]
parsed into typed settings when the config is loaded."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import SAMPLES

from ledgerkit.config import Config, MailSettings, NoticeSettings, load_config, which_unit
from ledgerkit.errors import ConfigError, MailError


def test_which_unit_config_first_and_ledger_first():
    assert which_unit("台账上的单位", "配置的单位", "config") == "配置的单位"
    assert which_unit("台账上的单位", "配置的单位", "ledger") == "台账上的单位"
    assert which_unit("", "配置的单位", "ledger") == "配置的单位"
    assert which_unit("台账上的单位", None, "config") == "台账上的单位"
    assert which_unit(("", "标题中的单位"), "配置的单位", "ledger") == "标题中的单位"  # in order
    assert which_unit(("  ", ""), "　", "ledger") == ""  # blank is no unit, on either side
    assert which_unit(" 单位 ", "", "config") == " 单位 "  # as written: callers tidy their own way


# ---- [mail] and [notice], typed when loaded --------------------------------------------------

FLAT = SAMPLES / "000" / "flat.xlsx"


def toml(folder: Path, text: str) -> Path:
    path = folder / "ledgerkit.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_mail_settings_are_typed_with_their_defaults(tmp_path: Path):
    path = toml(
        tmp_path,
        '[mail]\nhost = "smtp.qq.com"\nport = 465\nuser = "office@qq.com"\nto = ["a@b.cn"]\n',
    )
    mail = load_config(explicit=path).mail
    assert mail == MailSettings(
        host="smtp.qq.com",
        port=465,
        security="ssl",
        user="office@qq.com",
        sender="office@qq.com",
        to=("a@b.cn",),
    )
    assert mail.where == "smtp.qq.com:465"
    assert Config().mail == MailSettings() and not Config().mail.host  # no [mail]: only the .eml
    both = Config(values={"mail": {"security": "STARTTLS", "from": "x@y.cn", "user": "login"}}).mail
    assert (both.security, both.port, both.sender) == ("starttls", 587, "x@y.cn")


def test_notice_settings_are_typed_and_choices_checked(tmp_path: Path):
    notice = load_config(explicit=toml(tmp_path, '[notice]\nlayout = " one_part "\npublic = true\n')).notice
    assert notice == NoticeSettings(layout="one_part", public=True)
    assert Config().notice == NoticeSettings()  # three parts, per-aspect problems, continuous issues
    dated = Config(values={"notice": {"date": date(2025, 3, 31), "rules_made": 3, "rules_revised": 0}}).notice
    assert (dated.date, dated.rules_made, dated.rules_revised) == (date(2025, 3, 31), 3, 0)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('[mail]\nsecurity = "tls"\n', "[mail] security 的值“tls”无效，应为 ssl、starttls 或 none。"),
        ("[mail]\nport = 70000\n", "[mail] port 的值 70000 无效"),
        (
            '[notice]\nissue_numbering = "abc"\n',
            "[notice] issue_numbering 的值“abc”无效。可用的值：continuous",
        ),
        ("[notice]\nrules_made = -2\n", "[notice] rules_made 的值 -2 无效，应为 0 或正整数。"),
    ],
)
def test_a_wrong_value_is_said_when_loaded_naming_the_file(tmp_path: Path, text: str, said: str):
    path = toml(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(explicit=path)
    assert caught.value.message.startswith(f"配置文件“{path}”中 {said}")
    if "[mail]" in said:
        assert isinstance(caught.value, MailError)  # what mail's callers catch


def test_a_wrong_mail_value_stops_a_report_before_anything_is_written(tmp_path: Path):
    """Before: the report was written, then mailing it failed on [mail] security. Now the
    config is refused first: one sentence naming the file, exit 2, no output folder."""
    ledger = tmp_path / "台账.xlsx"
    shutil.copy(FLAT, ledger)
    path = toml(tmp_path, '[mail]\nhost = "127.0.0.1"\nsecurity = "tls"\n')
    done = subprocess.run(
        [sys.executable, "-m", "ledgerkit", "report", str(ledger), "--mail-to", "a@example.com"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        f"配置文件“{path}”中 [mail] security 的值“tls”无效，应为 ssl、starttls 或 none。"
    ]
    assert not (tmp_path / "输出").exists()
