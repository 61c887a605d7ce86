"""ledgerkit.toml: found, parsed and checked against the keys other tools write.

Lookup order: ``--config``, ``ledgerkit.toml`` beside the ledger, in the current folder.
Every value is optional; a missing one becomes a 【待填】 placeholder in the notice.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .errors import ConfigError

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


@dataclass(slots=True)
class Config:
    """The checked configuration: section -> key -> value, plus where it came from."""

    path: Path | None = None
    values: dict[str, dict[str, Any]] = field(default_factory=dict)

    def get(self, section: str, key: str, default: Any = None) -> Any:
        value = self.values.get(section, {}).get(key, default)
        return default if value == "" else value

    def section(self, name: str) -> dict[str, Any]:
        return dict(self.values.get(name, {}))


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
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"配置文件“{path.name}”格式有误：{exc}。请按 README 中的示例修改。") from None
    return Config(path=path, values=check_config(data, path.name))


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
