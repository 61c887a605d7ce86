"""What ``combine`` produces: the combined units as plain data, for the command and its writers.

``combine.py`` decides (which files, whose, which version counts) and builds a :class:`Combined`;
``combine_workbook.py`` and ``combine_report.py`` write it. Kept apart so the writers depend on the
data only, not on the command that calls them. Every figure of a unit is its ``Summary``'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import formats
from ..figures import is_due_soon, is_overdue, stage_counts

if TYPE_CHECKING:
    from ..model import Measure
    from ..pipeline import Result

OUTPUT_STEM = "巡察整改进展汇总"
WORKBOOK_NAME = f"{OUTPUT_STEM}.xlsx"
REPORT_NAME = f"{OUTPUT_STEM}.docx"


@dataclass(slots=True)
class FileRead:
    """One file's outcome, sent back from a worker: the pipeline's Result, or why there is none."""

    path: Path
    mtime: float
    result: Result | None = None
    error: str = ""


# ---- the combined figures ----------------------------------------------------------------------


@dataclass(slots=True)
class UnitFigures:
    """One unit's counted ledger: its figures are its Summary's, unchanged."""

    unit: str
    result: Result
    file: Path

    @property
    def summary(self):
        return self.result.summary

    @property
    def errors(self) -> int:
        return len(self.result.errors)

    @property
    def warnings(self) -> int:
        return len(self.result.warnings)

    @property
    def fraction(self) -> Fraction:
        """The exact completion rate, for sorting (the rounded one ties units that differ)."""
        s = self.summary
        return Fraction(s.issues_done, s.issues) if s.issues else Fraction(0)

    @property
    def reported(self) -> date | str:
        """填报时间: the date when the ledger's text is one, else as written."""
        ledger = self.result.ledger
        return ledger.reported_date or ledger.reported_on

    @property
    def stages(self) -> dict[str, int]:
        """Issues done / 阶段性完成 / not done (``figures.issue_stage``); done is ``issues_done``."""
        return stage_counts(self.summary.items)

    @property
    def rules(self) -> tuple[int, int, bool]:
        """(made, revised, checked): the office's own ``[notice] rules_made / rules_revised`` when
        its ledgerkit.toml states either (checked), else what the ledger shows (to be checked),
        as the notice states them."""
        config = self.result.config
        made, revised = (config.get("notice", k) for k in ("rules_made", "rules_revised"))
        if made is not None or revised is not None:
            return int(made or 0), int(revised or 0), True
        found = self.summary.rules
        return found.made, found.revised, False

    def overdue_measures(self) -> list[Measure]:
        """The measures behind ``summary.overdue``, in ledger order (by the same rule)."""
        as_of = self.summary.as_of
        return [m for m in self.result.ledger.measures if is_overdue(m, as_of)]

    def due_soon_measures(self) -> list[Measure]:
        as_of = self.summary.as_of
        return [m for m in self.result.ledger.measures if is_due_soon(m, as_of)]

    def as_dict(self) -> dict[str, Any]:
        s = self.summary
        return {
            "unit": self.unit,
            "file": str(self.file),
            "as_of": s.as_of.isoformat(),
            "aspects": s.aspects,
            "problems": s.problems,
            "issues": s.issues,
            "issues_done": s.issues_done,
            "measures": s.measures,
            "measures_done": s.measures_done,
            "completion_rate": s.completion_rate,
            "overdue": len(s.overdue),
            "due_soon": len(s.due_soon),
            "errors": self.errors,
            "warnings": self.warnings,
            **self.added_figures(),
        }

    def added_figures(self) -> dict[str, Any]:
        """The keys added after the first contract (docs/combine.md): the 巡察办's figures."""
        stages = self.stages
        made, revised, checked = self.rules
        return {
            "issues_staged": stages["staged"],
            "issues_not_done": stages["not_done"],
            "rules_made": made,
            "rules_revised": revised,
            "rules_checked": checked,
        }


COUNTS = (
    "aspects", "problems", "issues", "issues_done", "measures", "measures_done",
    "overdue", "due_soon", "errors", "warnings",
    "issues_staged", "issues_not_done", "rules_made", "rules_revised",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Totals:
    """The units' figures summed; the rate recomputed from the sums, never averaged."""

    aspects: int = 0
    problems: int = 0
    issues: int = 0
    issues_done: int = 0
    measures: int = 0
    measures_done: int = 0
    overdue: int = 0
    due_soon: int = 0
    errors: int = 0
    warnings: int = 0
    issues_staged: int = 0
    issues_not_done: int = 0
    rules_made: int = 0
    rules_revised: int = 0
    rules_checked: bool = True  # every unit's rules are its office's own, checked numbers

    @classmethod
    def of(cls, units: list[UnitFigures]) -> Totals:
        rows = [u.as_dict() for u in units]
        sums = {k: sum(r[k] for r in rows) for k in COUNTS}
        return cls(**sums, rules_checked=all(r["rules_checked"] for r in rows))

    @property
    def completion_rate(self) -> float:
        return formats.rate(self.issues_done, self.issues)

    def as_dict(self) -> dict[str, Any]:
        """The same keys as a unit's figures, in the same order."""
        out: dict[str, Any] = {k: getattr(self, k) for k in COUNTS[:6]}
        out["completion_rate"] = self.completion_rate
        out.update({k: getattr(self, k) for k in COUNTS[6:]})
        out["rules_checked"] = self.rules_checked
        return out


@dataclass(slots=True)
class Superseded:
    file: Path
    unit: str
    by: Path

    def as_dict(self) -> dict[str, str]:
        return {"file": str(self.file), "unit": self.unit, "by": str(self.by)}


@dataclass(slots=True)
class Unreadable:
    file: Path
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"file": str(self.file), "message": self.message}


@dataclass(slots=True)
class Combined:
    folder: Path
    as_of: date
    units: list[UnitFigures]  # by completion rate, lowest first: who is behind comes first
    superseded: list[Superseded] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)

    @property
    def total(self) -> Totals:
        return Totals.of(self.units)

    @property
    def exit_code(self) -> int:
        if not self.units:
            return 2
        return 1 if self.unreadable or any(u.errors for u in self.units) else 0

    def relative(self, path: Path) -> str:
        """A file as the office knows it: its path inside the combined folder."""
        try:
            return path.relative_to(self.folder).as_posix()
        except ValueError:
            return str(path)

    def as_dict(self, outputs: dict[str, str | None]) -> dict[str, Any]:
        """The ``combine --json`` contract."""
        return {
            "units": [u.as_dict() for u in self.units],
            "total": self.total.as_dict(),
            "superseded": [s.as_dict() for s in self.superseded],
            "unreadable": [u.as_dict() for u in self.unreadable],
            "outputs": outputs,
        }


# ---- the totals in the 巡察办's words, for both writers ------------------------------------------

# What 阶段性完成 means for an issue (figures.issue_stage), said where the figure is.
STAGED_MEANING = (
    "“阶段性完成”指具体问题的整改措施尚未全部完成，但已没有正在推进、未开始的措施"
    "（未完成的均为阶段性完成或长期坚持）。"
)


def stages_paragraph(c: Combined) -> str:
    """The totals as the 巡察办 states them: issues by stage and rate, then rules made and revised;
    rules a unit's office has not confirmed in its ledgerkit.toml are said to need checking."""
    t = c.total
    text = f"{formats.stages_sentence(t.issues, t.issues_done, t.issues_staged, t.issues_not_done)}；"
    text += f"{formats.rules_sentence(t.rules_made, t.rules_revised)}。"
    unchecked = sum(1 for u in c.units if not u.rules[2])
    if unchecked:
        text += (
            f"其中{unchecked}个单位的制度数按台账中的制度列或整改进展中的《》统计，未经核对"
            "（核对后填入该单位 ledgerkit.toml 的 [notice] rules_made、rules_revised），请核对后使用。"
        )
    return text
