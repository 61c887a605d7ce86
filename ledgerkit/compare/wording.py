"""The comparison for a person: the summary line, both versions' figures, the red flags, one change a line.

What the compare command prints, what the watched inbox logs and mails, and the rows of the
figures both workbooks show (变化汇总, the 汇总 sheet's "与上次相比"). Every figure through formats.py.
"""

from __future__ import annotations

from pathlib import Path

from .. import formats
from .changes import KIND_NAMES, KINDS, RED_FLAGS, Change, Comparison, Side


def summary_line(c: Comparison) -> str:
    """与上次（2025年2月1日）相比：新完成5条，整改时限推后3条，……。"""
    counts = c.counts
    parts = [f"{KIND_NAMES[k]}{counts[k]}条" for k in KINDS if counts[k]]
    return f"与上次（{formats.cn_date(c.old.as_of)}）相比：{'，'.join(parts) or '没有整改措施'}。"


def _figures(side: Side) -> str:
    s = side.summary
    return formats.figures_sentence(side.as_of, s.issues, s.issues_done, s.measures, s.measures_done)


def report_lines(c: Comparison, limit: int = 20) -> list[str]:
    """What the command prints: the summary line, both versions' figures, the red flags."""
    lines = [
        summary_line(c),
        f"上次（{Path(c.old.file).name}，日期取自{c.old.as_of_from}）：{_figures(c.old)}",
        f"本次（{Path(c.new.file).name}，日期取自{c.new.as_of_from}）：{_figures(c.new)}",
    ]
    if c.new.as_of < c.old.as_of:
        lines.append("注意：本次台账的日期早于上次，请确认两个文件的先后顺序没有写反。")
    return lines + red_flag_lines(c, limit)


def red_flag_lines(c: Comparison, limit: int = 20) -> list[str]:
    """需要关注：… and the first ``limit`` red flags, one a line; [] when there is none (for a mail body too)."""
    flags = c.red_flags
    if not flags:
        return []
    counts = c.counts
    named = "、".join(f"{KIND_NAMES[k]}{counts[k]}条" for k in KINDS if k in RED_FLAGS and counts[k])
    lines = [f"需要关注：{named}。", *("  " + describe(ch) for ch in flags[:limit])]
    if len(flags) > limit:
        lines.append(f"  ……另有 {len(flags) - limit} 条，见变化对照表或 --json。")
    return lines


def describe(ch: Change) -> str:
    """One change in a line: [整改时限推后] 上次 Sheet1!J5，本次 Sheet1!J6“…”：2025-01-31 → 2025-03-31."""
    where = "，".join(
        p
        for p in (f"上次 {ch.old_cell}" if ch.old_cell else "", f"本次 {ch.new_cell}" if ch.new_cell else "")
        if p
    )
    text = ch.measure.measure
    short = text if len(text) <= 30 else text[:29] + "…"
    values = (
        f"：{ch.before or '（空）'} → {ch.after or '（空）'}"
        if ch.before is not None or ch.after is not None
        else ""
    )
    return f"[{KIND_NAMES[ch.kind]}] {where} “{short}”{values}"


def figure_rows(c: Comparison) -> list[tuple[str, int | str, int | str, str]]:
    """(指标, 上次, 本次, 变化) of both versions: for 变化汇总, and the 汇总 sheet's "与上次相比" block."""
    a, b = c.old.summary, c.new.summary

    def counted(label: str, before: int, after: int) -> tuple[str, int, int, str]:
        return (label, before, after, _delta(after - before))

    return [
        counted("具体问题（个）", a.issues, b.issues),
        counted("已完成整改的具体问题（个）", a.issues_done, b.issues_done),
        (
            "具体问题完成率",
            formats.percent(a.issues_done, a.issues),
            formats.percent(b.issues_done, b.issues),
            "",
        ),
        counted("整改措施（条）", a.measures, b.measures),
        counted("已完成的整改措施（条）", a.measures_done, b.measures_done),
        (
            "整改措施完成率",
            formats.percent(a.measures_done, a.measures),
            formats.percent(b.measures_done, b.measures),
            "",
        ),
        counted("逾期未完成的措施（条）", len(a.overdue), len(b.overdue)),
    ]


def _delta(d: int) -> str:
    return f"增加{d}" if d > 0 else f"减少{-d}" if d < 0 else "持平"
