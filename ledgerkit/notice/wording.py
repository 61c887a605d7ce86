"""The notice's wording: templates/notice-wording.toml, an office's copy on top, and filling it in.

Every sentence the notice says that is not the ledger's own text comes from the wording file:
section titles, the figures sentence, labels, the closing. ``{names}`` in it are filled from the
content; a value the office must still supply stays its own highlighted span.
"""

from __future__ import annotations

import string
import sys
from pathlib import Path
from typing import Union

from ..config import TEMPLATES_DIR, Config
from ..errors import LedgerkitError
from .model import Span

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

WORDING_NAME = "notice-wording.toml"

Value = Union[str, Span, list[Span]]  # noqa: UP007 -- a runtime alias on Python 3.10


def lookup_folders(config: Config) -> list[Path]:
    """Where an office's own template files are looked for: beside its config, then the shipped ones."""
    folders = [config.path.parent] if config.path is not None else []
    return [*folders, TEMPLATES_DIR]


def load_wording(config: Config) -> dict[str, dict[str, str]]:
    """The shipped wording, with an office's notice-wording.toml (beside its config) on top."""
    shipped = TEMPLATES_DIR / WORDING_NAME
    if not shipped.is_file():
        raise LedgerkitError(f"找不到通报措辞文件“{shipped}”。请重新安装 ledgerkit。")
    wording = _read_wording(shipped)
    if config.path is not None:
        local = config.path.parent / WORDING_NAME
        if local.is_file() and local.resolve() != shipped.resolve():
            for section, keys in _read_wording(local).items():
                wording.setdefault(section, {}).update(keys)
    return wording


def _read_wording(path: Path) -> dict[str, dict[str, str]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise LedgerkitError(f"通报措辞文件“{path.name}”格式有误：{exc}。") from None
    for section, keys in data.items():
        if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
            raise LedgerkitError(f"通报措辞文件“{path.name}”中 [{section}] 的每一项都应是引号中的文字。")
    return data


class Wording:
    """The loaded wording, and filling a template's {names} with text or spans."""

    def __init__(self, data: dict[str, dict[str, str]]) -> None:
        self.data = data

    def word(self, section: str, key: str, default: str | None = None) -> str:
        try:
            return self.data[section][key]
        except KeyError:
            if default is not None:  # a key newer than an office's own full copy of the file
                return default
            raise LedgerkitError(
                f"通报措辞文件中缺少 [{section}] {key}。请从 ledgerkit 自带的措辞文件中复制这一项。"
            ) from None

    def fill(self, section: str, key: str, **values: Value) -> list[Span]:
        """The wording ``[section] key`` with its {names} filled; placeholders stay their own spans."""
        return self.fill_text(self.word(section, key), f"[{section}] {key}", **values)

    def fill_text(self, template: str, place: str, /, **values: Value) -> list[Span]:
        spans: list[Span] = []
        try:
            parsed = list(string.Formatter().parse(template))
        except ValueError:
            raise LedgerkitError(f"通报措辞 {place} 中的花括号不成对：“{template}”。") from None
        for literal, name, _spec, _conv in parsed:
            if literal:
                spans.append(Span(literal))
            if name is None:
                continue
            if name not in values:
                known = "、".join("{" + k + "}" for k in values)
                raise LedgerkitError(f"通报措辞 {place} 中的“{{{name}}}”无法填写。可用的名称：{known}。")
            value = values[name]
            if isinstance(value, str):
                spans.append(Span(value))
            elif isinstance(value, Span):
                spans.append(value)
            else:
                spans.extend(value)
        return [s for s in spans if s.text]
