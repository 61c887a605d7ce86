"""ledgerkit.toml: found, parsed and checked against the keys other tools write, [mail] and [notice] typed.

Lookup order: ``--config``, ``ledgerkit.toml`` beside the ledger, in the current folder.
Every value is optional; a missing one becomes a 【待填】 placeholder in the notice.
``Config.mail`` (``MailSettings``) and ``Config.notice`` (``NoticeSettings``) are parsed when the
config is made, so a wrong value is said, naming the file, before any report is written.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from .errors import ConfigError, MailSettingsError, os_reason

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIG_NAME = "ledgerkit.toml"

# section -> key -> accepted type(s). A contract: other tools write these keys.
SCHEMA: dict[str, dict[str, type | tuple[type, ...]]] = {
    "unit": {"name": str, "issuer": str},
    "inspection": {
        "committee": str,
        "group": str,
        "kind": str,
        "round": str,
        "start": date,
        "end": date,
        "feedback": date,
    },
    "contact": {"phone": str, "email": str, "address": str, "postcode": str},
    "notice": {
        "public": bool,
        "self_assessment": bool,
        "next_steps": str,
        "overview": str,  # 一、整改工作开展情况: how the rectification was organised, in the office's words
        "layout": str,  # "three_parts" (default) | "one_part"
        "rules_made": int,  # 制定制度 N 项, checked by the office (else detected and marked 【请核对】)
        "rules_revised": int,  # 修订制度 N 项
        "label": str,
        "title": str,
        "legal_basis": str,
        "problem_numbering": str,  # "continuous" | "per_aspect"
        "issue_numbering": str,  # "continuous" | "per_problem" | "per_aspect"
        "problem_prefix": str,  # "" or "问题"
        "sealed": bool,
        "date": date,
        "bold_headings": bool,
    },
    "mail": {
        "host": str,
        "port": int,
        "security": str,
        "user": str,
        "from": str,
        "password_env": str,
        "to": list,
        "cc": list,
    },
}

TYPE_NAMES = {str: "文本", int: "整数", bool: "true 或 false", date: "日期（如 2025-03-31）", list: "列表"}

# [mail]: the port each security uses by default; the password's environment variable.
MAIL_PORTS = {"ssl": 465, "starttls": 587, "none": 25}
DEFAULT_PASSWORD_ENV = "LEDGERKIT_SMTP_PASSWORD"

# [notice] keys with a fixed set of values: value -> what it means (said when a value is wrong). How
# the notice numbers its own headings; not text.NUMBERING, the grammar of numbering in ledger text.
NOTICE_CHOICES: dict[str, dict[str, str]] = {
    "problem_numbering": {"per_aspect": "每个方面重新编号", "continuous": "全文连续编号"},
    "issue_numbering": {
        "continuous": "全文连续编号",
        "per_problem": "每个问题重新编号",
        "per_aspect": "每个方面重新编号",
    },
    "layout": {"three_parts": "分三部分（开展情况、具体问题、下一步打算）", "one_part": "不分部分"},
}


@dataclass(frozen=True, slots=True)
class MailSettings:
    """[mail], checked: ``host`` "" means no server (only the .eml is written)."""

    host: str = ""
    port: int = MAIL_PORTS["starttls"]  # the one given, else security's default
    security: str = "starttls"  # "ssl" | "starttls" | "none"
    user: str = ""
    sender: str = ""  # [mail] from, else user when it is an address; "" when neither
    password_env: str = DEFAULT_PASSWORD_ENV
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True, slots=True)
class NoticeSettings:
    """[notice]'s switches, choices, date and counts, checked (its texts are read where the notice
    says them: a missing one becomes 【待填】 there)."""

    layout: str = "three_parts"
    problem_numbering: str = "per_aspect"
    issue_numbering: str = "continuous"
    public: bool = False
    self_assessment: bool = False
    sealed: bool = False
    bold_headings: bool = False
    date: date | None = None  # the notice's date; None: the report's 统计截止日期
    rules_made: int | None = None  # 制定制度 N 项 as the office counted (None: detected, marked 【请核对】)
    rules_revised: int | None = None


@dataclass(slots=True)
class Config:
    """The checked configuration: section -> key -> value, plus where it came from; [mail] and
    [notice] also typed (``mail``, ``notice``), parsed when it is made."""

    path: Path | None = None
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    mail: MailSettings = field(init=False, repr=False, compare=False)
    notice: NoticeSettings = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.mail = _mail_settings(self)
        self.notice = _notice_settings(self)

    def get(self, section: str, key: str, default: Any = None) -> Any:
        value = self.values.get(section, {}).get(key, default)
        return default if value == "" else value

    def section(self, name: str) -> dict[str, Any]:
        return dict(self.values.get(name, {}))


def _where(config: Config) -> str:
    return f"配置文件“{config.path}”中" if config.path is not None else "配置文件中"


def _mail_settings(config: Config) -> MailSettings:
    """[mail] checked: security one of ssl / starttls / none, port 1–65535."""
    port = config.get("mail", "port")
    security = str(config.get("mail", "security") or ("ssl" if port == 465 else "starttls")).lower()
    if security not in MAIL_PORTS:
        raise MailSettingsError(
            f"{_where(config)} [mail] security 的值“{security}”无效，应为 ssl、starttls 或 none。"
        )
    if port is not None and not 0 < port < 65536:
        raise MailSettingsError(
            f"{_where(config)} [mail] port 的值 {port} 无效，常用端口为 465（ssl）、587（starttls）或 25。"
        )
    user = config.get("mail", "user", "")
    return MailSettings(
        host=config.get("mail", "host", ""),
        port=port or MAIL_PORTS[security],
        security=security,
        user=user,
        sender=config.get("mail", "from") or (user if "@" in user else ""),
        password_env=config.get("mail", "password_env", DEFAULT_PASSWORD_ENV),
        to=tuple(str(a) for a in config.get("mail", "to", [])),
        cc=tuple(str(a) for a in config.get("mail", "cc", [])),
    )


def _notice_settings(config: Config) -> NoticeSettings:
    """[notice]'s choices checked against ``NOTICE_CHOICES`` (written with any spacing)."""
    defaults = NoticeSettings()
    choices: dict[str, str] = {}
    for key, allowed in NOTICE_CHOICES.items():
        raw = config.get("notice", key)
        value = " ".join(str(raw).split()) if raw is not None else getattr(defaults, key)
        if value not in allowed:
            said = "；".join(f"{k}（{v}）" for k, v in allowed.items())
            raise ConfigError(f"{_where(config)} [notice] {key} 的值“{value}”无效。可用的值：{said}。")
        choices[key] = value
    flags = {
        k: bool(config.get("notice", k, False))
        for k in ("public", "self_assessment", "sealed", "bold_headings")
    }
    counts: dict[str, int | None] = {}
    for key in ("rules_made", "rules_revised"):
        value = config.get("notice", key)
        if value is not None and value < 0:  # a count printed in a public notice
            raise ConfigError(f"{_where(config)} [notice] {key} 的值 {value} 无效，应为 0 或正整数。")
        counts[key] = value
    return NoticeSettings(**choices, **flags, date=config.get("notice", "date"), **counts)


# ---- which unit a ledger belongs to ---------------------------------------------------------

UnitFirst = Literal["config", "ledger"]


def which_unit(stated: str | Sequence[str], configured: str | None, first: UnitFirst) -> str:
    """Which unit a ledger belongs to: the one rule, with the order as a parameter.

    ``stated``: what the ledger itself says, in order (its 填报单位, then e.g. the unit its title
    names); ``configured``: ``[unit] name``. ``first="config"`` where an office's own settings
    speak for its ledger (its figures, notice and comparison: pipeline, report, compare, notice);
    ``first="ledger"`` where one config serves many units' ledgers (a 巡察办's inbox history,
    combine, the 填报单位 line of a cleaned workbook). The first candidate that is not blank, as
    written; "" when none is.
    """
    ledger = [stated] if isinstance(stated, str) else list(stated)
    candidates = [configured or "", *ledger] if first == "config" else [*ledger, configured or ""]
    return next((c for c in candidates if c and c.strip()), "")


def find_config(ledger_path: Path | None, explicit: Path | None = None) -> Path | None:
    """The config file that applies to a ledger, by the documented lookup order."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"找不到配置文件“{explicit}”。请检查 --config 后的路径。")
        return explicit
    candidates = []
    if ledger_path is not None:
        folder = ledger_path if ledger_path.is_dir() else ledger_path.parent
        candidates.append(folder / CONFIG_NAME)
    candidates.append(Path.cwd() / CONFIG_NAME)
    return next((c for c in candidates if c.is_file()), None)


def load_config(ledger_path: Path | None = None, explicit: Path | None = None) -> Config:
    path = find_config(ledger_path, explicit)
    if path is None:
        return Config()
    where = str(path.resolve())  # which ledgerkit.toml: there may be one per folder, and one in cwd
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(
            f"配置文件“{where}”不是 UTF-8 编码。请用记事本打开，“另存为”时编码选 UTF-8 后保存。"
        ) from None
    except OSError as exc:
        raise ConfigError(f"无法读取配置文件“{where}”：{os_reason(exc)}。请检查该文件的权限。") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(toml_error(where, text, str(exc))) from None
    return Config(path=path, values=check_config(data, where))


# tomllib's messages (Python 3.11–3.13 word them so), in Chinese; any other: the generic sentence.
_TOML_ERRORS = (
    ("Expected ']' at the end of a table declaration", "节名缺少右方括号“]”，应写成 [unit] 这样"),
    ("Expected ']' at the end of an array declaration", "节名缺少右方括号“]]”"),
    ("Invalid value", '值的写法不对：文字要用英文双引号括起来，如 name = "某某单位"'),
    ("Expected '=' after a key", "键后缺少“=”，应写成 键 = 值"),
    ("Expected newline or end of document after a statement", "一行只能写一个“键 = 值”"),
    ("Invalid statement", "这一行既不是节名 [……] 也不是“键 = 值”"),
    ("Cannot declare", "同一个节写了两次"),
    ("Cannot overwrite a value", "同一个键写了两次"),
    ("Unclosed array", "列表缺少右方括号“]”"),
    ('Expected "\'"', "单引号没有配对"),
    ("Expected '\"'", "双引号没有配对"),
    ("Unterminated string", "引号没有配对"),
    ("Illegal character '\\n'", "引号没有配对：一行中的文字要用一对英文引号括起来"),
    ("Illegal character", "有不允许的字符（如制表符以外的控制字符）"),
    ("Unescaped '\\' in a string", "双引号中的反斜杠“\\”要写成“\\\\”，或改用单引号"),
)
_TOML_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


def toml_error(where: str, text: str, message: str) -> str:
    """A TOML syntax error as one Chinese sentence: the file's full path, line and column, what
    is wrong and what to do."""
    at = _TOML_AT.search(message)
    if at:
        place = f"第 {at[1]} 行第 {at[2]} 列"
    else:  # "(at end of document)": the last line that has text
        last = max((i for i, line in enumerate(text.splitlines(), 1) if line.strip()), default=1)
        place = f"第 {last} 行（文件末尾）"
    what = next((chinese for english, chinese in _TOML_ERRORS if message.startswith(english)), "写法不对")
    return (
        f"配置文件“{where}”{place}有格式错误：{what}。"
        "请用记事本打开该文件改正这一行（可对照 ledgerkit init 写出的带注释的 ledgerkit.toml）。"
    )


def check_config(data: dict[str, Any], name: str = CONFIG_NAME) -> dict[str, dict[str, Any]]:
    """Reject unknown sections and keys and wrong types, naming the key."""
    checked: dict[str, dict[str, Any]] = {}
    for section, keys in data.items():
        if section not in SCHEMA:
            known = "、".join(f"[{s}]" for s in SCHEMA)
            raise ConfigError(f"配置文件“{name}”中有未知的节 [{section}]。可用的节：{known}。")
        if not isinstance(keys, dict):
            raise ConfigError(f"配置文件“{name}”中 {section} 应是一个节（[{section}]）。")
        checked[section] = {}
        for key, value in keys.items():
            expected = SCHEMA[section].get(key)
            if expected is None:
                known = "、".join(SCHEMA[section])
                raise ConfigError(f"配置文件“{name}”中 [{section}] 有未知的键 {key}。可用的键：{known}。")
            if not _type_ok(value, expected):
                want = TYPE_NAMES.get(expected, str(expected))  # type: ignore[arg-type]
                raise ConfigError(
                    f"配置文件“{name}”中 [{section}] {key} 的值 {value!r} 类型不对，应为{want}。"
                )
            checked[section][key] = value
    return checked


def _type_ok(value: Any, expected: type | tuple[type, ...]) -> bool:
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if expected is date:  # TOML datetimes are dates too, but a notice wants a day
        return isinstance(value, date)
    return isinstance(value, expected)


# templates/ sits beside the package in the repository, where offices edit it without touching
# code; an installed wheel carries it as ledgerkit/templates. The wheel's copy is looked for first:
# installed, "beside the package" is site-packages, where another distribution's templates/ may be.
_PACKAGED_TEMPLATES = Path(__file__).resolve().parent / "templates"
_REPO_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
TEMPLATES_DIR = _PACKAGED_TEMPLATES if _PACKAGED_TEMPLATES.is_dir() else _REPO_TEMPLATES
