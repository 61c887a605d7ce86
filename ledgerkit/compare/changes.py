"""The kinds of change and the typed result of comparing two versions: ``Change``, ``Side``, ``Comparison``.

Kinds of change of a matched measure (one measure can show several; ``unchanged`` when none):
newly_done / reopened / status_changed (disjoint), deadline_later / deadline_earlier, backdated
(newly done with a 完成时间 before OLD's date), newly_overdue, progress_updated; and added /
removed. Red flags, which make the command exit 1: removed, deadline_later, reopened, backdated.
``Comparison.as_dict`` and ``changes_as_dict`` are the JSON contract (docs/compare.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..figures import Summary
from ..model import Measure

# The JSON contract's names, in its order (``counts`` and one list per kind).
KINDS: tuple[str, ...] = (
    "newly_done",
    "reopened",
    "status_changed",
    "deadline_later",
    "deadline_earlier",
    "added",
    "removed",
    "backdated",
    "newly_overdue",
    "progress_updated",
    "unchanged",
)
RED_FLAGS: frozenset[str] = frozenset(("removed", "deadline_later", "reopened", "backdated"))
KIND_NAMES: dict[str, str] = {
    "newly_done": "新完成",
    "reopened": "由已完成改为未完成",
    "status_changed": "其他状态变化",
    "deadline_later": "整改时限推后",
    "deadline_earlier": "整改时限提前",
    "added": "新增",
    "removed": "删除",
    "backdated": "完成时间早于上次台账日期",
    "newly_overdue": "新逾期",
    "progress_updated": "进展更新",
    "unchanged": "无变化",
}
KIND_HINTS: dict[str, str] = {
    "newly_done": "上次未完成，本次标为已完成",
    "reopened": "上次已完成，本次不再是已完成",
    "status_changed": "完成情况的其他变化，如正在推进改为阶段性完成",
    "deadline_later": "整改时限改晚，或日期改为长期坚持、被删去",
    "deadline_earlier": "整改时限改早",
    "added": "本次新出现的整改措施",
    "removed": "上次有、本次没有的整改措施",
    "backdated": "本次新标为已完成，完成时间却早于上次台账的日期",
    "newly_overdue": "上次未逾期，本次已过整改时限仍未完成",
    "progress_updated": "整改进展的文字有改动",
    "unchanged": "以上各项都没有变化",
}

# Nearly equal texts: difflib's ratio (2·matches / total length). One character changed in an
# 8-character measure is 0.875, a word added to a 9-character one 0.857; 0.8 keeps both and turns

IssueId = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class Change:
    """One change of one measure. ``before`` / ``after`` are the JSON's ``from`` / ``to``."""

    kind: str
    old: Measure | None
    new: Measure | None
    old_cell: str | None  # "Sheet1!F12"
    new_cell: str | None
    before: str | None = None
    after: str | None = None

    @property
    def measure(self) -> Measure:
        m = self.new if self.new is not None else self.old
        assert m is not None
        return m

    @property
    def red_flag(self) -> bool:
        return self.kind in RED_FLAGS

    def as_dict(self) -> dict[str, Any]:
        m = self.measure
        return {
            "aspect": m.aspect,
            "problem": m.problem,
            "issue": m.issue,
            "measure": m.measure,
            "old_cell": self.old_cell,
            "new_cell": self.new_cell,
            "from": self.before,
            "to": self.after,
        }


@dataclass(slots=True)
class Side:
    """One of the two versions: its file, its date and where the date came from, its figures."""

    file: str
    as_of: date
    as_of_from: str  # "填报时间" | "文件修改日期" | "--as-of"
    summary: Summary

    def as_dict(self) -> dict[str, Any]:
        s = self.summary
        return {
            "file": self.file,
            "as_of": self.as_of.isoformat(),
            "summary": {
                "issues": s.issues,
                "issues_done": s.issues_done,
                "measures": s.measures,
                "measures_done": s.measures_done,
                "completion_rate": s.completion_rate,
            },
        }


@dataclass(slots=True)
class Pair:
    """A measure of OLD matched to one of NEW, and by which rule."""

    old: Measure
    new: Measure
    how: str  # "exact" | "loose" (numbering, punctuation) | "near" (nearly equal text)


@dataclass(slots=True)
class Matching:
    pairs: list[Pair]
    removed: list[Measure]  # OLD's, in OLD's order
    added: list[Measure]  # NEW's, in NEW's order
    issues: dict[IssueId, IssueId] = field(default_factory=dict)  # NEW issue -> OLD issue


@dataclass(slots=True)
class Comparison:
    old: Side
    new: Side
    changes: dict[str, list[Change]]  # every kind, in KINDS order, possibly empty
    matching: Matching

    @property
    def counts(self) -> dict[str, int]:
        return {k: len(self.changes[k]) for k in KINDS}

    @property
    def red_flags(self) -> list[Change]:
        return [c for k in KINDS if k in RED_FLAGS for c in self.changes[k]]

    @property
    def exit_code(self) -> int:
        return 1 if any(self.changes[k] for k in RED_FLAGS) else 0

    def as_dict(self) -> dict[str, Any]:
        """The ``compare --json`` contract."""
        return {"old": self.old.as_dict(), "new": self.new.as_dict(), **changes_as_dict(self)}


def changes_as_dict(comparison: Comparison) -> dict[str, Any]:
    """``counts`` and one list per kind: what ``report --since`` puts under ``changes``."""
    return {
        "counts": comparison.counts,
        **{k: [c.as_dict() for c in comparison.changes[k]] for k in KINDS},
    }
