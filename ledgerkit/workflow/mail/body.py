"""The mail's text: the figures as the notice states them, the changes, the attachments, the signature."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Protocol

from ... import formats
from ...config import Config


class MailFigures(Protocol):
    """What the body and subject take from a report: ``figures.Summary`` has these."""

    as_of: date
    unit: str
    issues: int
    issues_done: int
    measures: int
    measures_done: int


def figures_sentence(summary: MailFigures) -> str:
    """The figures as a notice states them; "" without figures."""
    clauses = []
    if summary.issues:
        done, total = summary.issues_done, summary.issues
        clauses.append(
            f"巡察反馈的{total}个具体问题，已完成整改{done}个，完成率{formats.percent(done, total)}"
        )
    if summary.measures:
        clauses.append(f"制定的{summary.measures}条整改措施，已完成{summary.measures_done}条")
    if not clauses:
        return ""
    return f"截至{formats.cn_date(summary.as_of)}，" + "；".join(clauses) + "。"


def compose_body(
    files: list[Path], summary: MailFigures | None, config: Config, unit: str, notes: Sequence[str] = ()
) -> str:
    lines = ["您好！", ""]
    figures = figures_sentence(summary) if summary else ""
    if figures:
        lines += [figures, ""]
    if notes:  # e.g. the changes since the last version and their red flags
        lines += [*notes, ""]
    if len(files) == 1:
        lines.append(f"附件为“{files[0].name}”，请查收。")
    else:
        lines.append("附件为以下文件，请查收：")
        lines += [f"{i}. {path.name}" for i, path in enumerate(files, 1)]
    lines += ["", "如有疑问，请及时联系。谢谢！"]
    phone = config.get("contact", "phone")
    signature = [unit] if unit else []
    signature += [f"联系电话：{phone}"] if phone else []
    if signature:
        lines += ["", *signature]
    return "\n".join(lines) + "\n"


def default_subject(files: list[Path], unit: str) -> str:
    if unit:
        return f"{unit}巡察整改情况通报（草稿）"
    stems = "、".join(path.stem for path in files[:3])
    return stems + (f"等{len(files)}个文件" if len(files) > 3 else "")
