"""The figures of a ledger, by the counting rules of docs/ledger-domain.md.

One computation feeds ``summary --json``, the 汇总 sheet and the notice, so the numbers a
notice publishes are by construction the ledger's.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from typing import Any

from . import formats
from .model import DONE, STATUSES, Ledger, Measure

DUE_SOON_DAYS = 14


@dataclass(slots=True)
class Group:
    """Counts for one aspect, department or leader."""

    title: str
    issues: int = 0
    issues_done: int = 0
    measures: int = 0
    measures_done: int = 0
    overdue: int = 0


@dataclass(slots=True)
class DueItem:
    sheet: str
    row: int
    seq: str
    issue: str
    measure: str
    deadline: str  # ISO date
    department: str
    owner: str
    days_overdue: int

    def as_dict(self) -> dict[str, Any]:
        # Not dataclasses.asdict: it deep-copies every value, seconds on a big ledger's overdue list.
        return {name: getattr(self, name) for name in _DUE_FIELDS}


_DUE_FIELDS = tuple(f.name for f in fields(DueItem))


@dataclass(slots=True)
class IssueFigures:
    """One 具体问题 with its measures, in ledger order: what the notice enumerates."""

    aspect: str
    problem: str
    title: str
    measures: list[Measure]
    key: tuple[str, str, str] = ("", "", "")  # (aspect, problem, issue) matching keys

    @property
    def aspect_key(self) -> str:
        return self.key[0]

    @property
    def problem_key(self) -> tuple[str, str]:
        return (self.key[0], self.key[1])

    @property
    def done(self) -> bool:
        return bool(self.measures) and all(m.done for m in self.measures)


@dataclass(slots=True)
class Summary:
    file: str
    as_of: date
    unit: str
    aspects: int
    problems: int
    issues: int
    issues_done: int
    measures: int
    measures_done: int
    completion_rate: float
    status_counts: dict[str, int]
    overdue: list[DueItem]
    due_soon: list[DueItem]
    by_aspect: list[Group]
    by_department: list[Group]
    by_leader: list[Group]
    items: list[IssueFigures] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict[str, Any]:
        """The ``summary --json`` contract."""
        return {
            "file": self.file,
            "as_of": self.as_of.isoformat(),
            "unit": self.unit,
            "aspects": self.aspects,
            "problems": self.problems,
            "issues": self.issues,
            "issues_done": self.issues_done,
            "measures": self.measures,
            "measures_done": self.measures_done,
            "completion_rate": self.completion_rate,
            "status_counts": dict(self.status_counts),
            "overdue": [d.as_dict() for d in self.overdue],
            "due_soon": [d.as_dict() for d in self.due_soon],
            "by_aspect": [
                {k: getattr(g, k) for k in ("title", "issues", "issues_done", "measures", "measures_done")}
                for g in self.by_aspect
            ],
            "by_department": [_owner_group(g, "department") for g in self.by_department],
            "by_leader": [_owner_group(g, "leader") for g in self.by_leader],
        }


def _owner_group(g: Group, key: str) -> dict[str, Any]:
    return {key: g.title, "measures": g.measures, "measures_done": g.measures_done, "overdue": g.overdue}


def issues_of(ledger: Ledger) -> list[IssueFigures]:
    """Issues in ledger order (where each first appears), identified by their place in the
    hierarchy; an issue listed with no measure keeps its place too."""
    sheet_order = {s.name: i for i, s in enumerate(ledger.sheets)}
    found: dict[tuple[str, str, str], IssueFigures] = {}
    first: dict[tuple[str, str, str], tuple[int, int]] = {}
    for m in ledger.measures:
        item = found.get(m.issue_id)
        if item is None:
            item = found[m.issue_id] = IssueFigures(m.aspect, m.problem, m.issue, [], m.issue_id)
            first[m.issue_id] = (sheet_order.get(m.sheet, 0), m.row)
        item.measures.append(m)
    for m in ledger.issue_only_rows:
        if m.issue_id not in found:
            found[m.issue_id] = IssueFigures(m.aspect, m.problem, m.issue, [], m.issue_id)
            first[m.issue_id] = (sheet_order.get(m.sheet, 0), m.row)
    if ledger.issue_only_rows:  # measures come in ledger order already; these need placing
        return [found[k] for k in sorted(found, key=first.__getitem__)]
    return list(found.values())


def summarise(ledger: Ledger, as_of: date, unit: str = "") -> Summary:
    items = issues_of(ledger)
    measures = ledger.measures
    counts = dict.fromkeys(STATUSES, 0)
    overdue, due_soon = [], []
    soon = as_of + timedelta(days=DUE_SOON_DAYS)
    for m in measures:  # one pass: this runs over every measure of the ledger
        if m.status in counts:
            counts[m.status] += 1
        d = m.deadline_date
        if d is not None and m.status != DONE:
            if d < as_of:
                overdue.append(_due(m, as_of))
            elif d <= soon:
                due_soon.append(_due(m, as_of))
    issues_done = sum(1 for it in items if it.done)
    return Summary(
        file=ledger.source_file,
        as_of=as_of,
        unit=unit or ledger.unit,
        aspects=len({it.aspect_key for it in items if it.aspect_key}) if ledger.has_aspects else 0,
        problems=_count_problems(ledger, items),
        issues=len(items),
        issues_done=issues_done,
        measures=len(measures),
        measures_done=counts[DONE],
        completion_rate=formats.rate(issues_done, len(items)),
        status_counts=counts,
        overdue=overdue,
        due_soon=due_soon,
        by_aspect=_by_aspect(items) if ledger.has_aspects else [],
        by_department=_by_owner(measures, "department", as_of),
        by_leader=_by_owner(measures, "leader", as_of),
        items=items,
    )


def is_overdue(m: Measure, as_of: date) -> bool:
    return not m.done and m.deadline_date is not None and m.deadline_date < as_of


def is_due_soon(m: Measure, as_of: date) -> bool:
    d = m.deadline_date
    return not m.done and d is not None and as_of <= d <= as_of + timedelta(days=DUE_SOON_DAYS)


def _due(m: Measure, as_of: date) -> DueItem:
    assert m.deadline_date is not None
    return DueItem(
        sheet=m.sheet,
        row=m.row,
        seq=m.seq,
        issue=m.issue,
        measure=m.measure,
        deadline=m.deadline_date.isoformat(),
        department=m.department,
        owner=m.owner,
        days_overdue=max((as_of - m.deadline_date).days, 0),
    )


def _count_problems(ledger: Ledger, items: list[IssueFigures]) -> int:
    if not ledger.has_problems:  # no problem level: each issue is its own problem
        return len(items)
    return len({it.problem_key if it.key[1] else it.key for it in items})


def _by_aspect(items: list[IssueFigures]) -> list[Group]:
    groups: dict[str, Group] = {}
    for it in items:
        g = groups.get(it.aspect_key)
        if g is None:
            g = groups[it.aspect_key] = Group(it.aspect)
        g.issues += 1
        g.issues_done += it.done
        g.measures += len(it.measures)
        g.measures_done += sum(m.done for m in it.measures)
    return list(groups.values())


def _by_owner(measures: list[Measure], attr: str, as_of: date) -> list[Group]:
    groups: dict[str, Group] = {}
    keys: dict[str, str] = {}  # written name -> grouping key, memoised
    for m in measures:
        name = getattr(m, attr)
        key = keys.get(name)
        if key is None:
            key = keys[name] = "".join(name.split())
        g = groups.get(key)
        if g is None:
            g = groups[key] = Group(name)
        g.measures += 1
        if m.status == DONE:
            g.measures_done += 1
        elif m.deadline_date is not None and m.deadline_date < as_of:
            g.overdue += 1
    return list(groups.values())
