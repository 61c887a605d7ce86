"""Writing the 巡察整改情况通报 draft: the one entry point that joins content and rendering.

``notice_content`` decides what the notice says (from the Ledger, its Summary and ledgerkit.toml),
``notice_wording`` holds the words (``templates/notice-wording.toml``), ``docx_render`` lays it out
in Word (``templates/notice.docx``). This module names the file, refuses a final draft that still
has 【待填】, and saves atomically. It imports the renderer only when a notice is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..config import Config, which_unit
from ..errors import LedgerkitError
from ..figures import Summary
from ..model import Finding, Ledger
from .content import build_notice
from .hygiene import chinese_number, fullwidth_punct, split_lines, tidy
from .model import Notice, notice_text
from .wording import load_wording, lookup_folders

TEMPLATE_NAME = "notice.docx"

__all__ = [
    "NoticeResult",
    "build_notice",
    "chinese_number",
    "fullwidth_punct",
    "load_wording",
    "notice_filename",
    "notice_text",
    "save_notice",
    "split_lines",
    "template_path",
    "write_notice",
]


@dataclass
class NoticeResult:
    path: Path
    missing: list[str]  # Chinese names of missing values, e.g. "巡察组名称（[inspection] group）"
    warnings: list[Finding]  # e.g. code "text-forbidden-char"


def notice_filename(unit: str) -> str:
    name = tidy(re.sub(r'[\\/:*?"<>|\x00-\x1f]', "", unit or "")) or "本单位"
    return f"{name}关于巡察整改情况的通报（草稿）.docx"


def template_path(config: Config) -> Path | None:
    """The office's notice.docx beside its ledgerkit.toml, else the shipped one."""
    for folder in lookup_folders(config):
        if (folder / TEMPLATE_NAME).is_file():
            return folder / TEMPLATE_NAME
    return None


def write_notice(
    ledger: Ledger,
    summary: Summary,
    config: Config,
    out_dir: Path,
    *,
    final: bool = False,
    errors: int = 0,
) -> NoticeResult:
    """Write the notice draft beside the workbook; return what is missing and text warnings.

    ``final=True`` refuses to save while any 【待填：…】 placeholder remains. ``errors``, the
    ledger's validation errors, puts a highlighted warning before the figures: they may be wrong.
    """
    notice = build_notice(ledger, summary, config, errors)
    _refuse_unfinished(notice, final)
    path = save_notice(notice, config, summary, out_dir)
    return NoticeResult(path=path, missing=notice.missing, warnings=notice.warnings)


def save_notice(notice: Notice, config: Config, summary: Summary, out_dir: Path) -> Path:
    """Render a notice already built (``build_notice``) into ``out_dir`` atomically; the path.

    Separate from building so a report can gather the notice's findings before it writes the
    workbook, and render the notice after."""
    target = Path(out_dir) / notice_filename(which_unit(summary.unit, config.get("unit", "name"), "config"))
    from .render import render, save_word  # python-docx only when a notice is written

    return save_word(target, "通报草稿", lambda tmp: render(notice, template_path(config), tmp))


def _refuse_unfinished(notice: Notice, final: bool) -> None:
    if final and (notice.missing or any(s.placeholder for s in notice.all_spans())):
        listed = "、".join(notice.missing) or "见草稿中黄色标出的内容"
        raise LedgerkitError(
            f"通报定稿未保存：还有待填内容（{listed}）。请在 ledgerkit.toml 或台账中补全后再生成。"
        )
