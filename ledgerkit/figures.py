"""The figures of a ledger, by the counting rules of docs/ledger-domain.md: counts of issues,
measures and statuses, and the rules (制度) made and revised.

One computation feeds ``summary --json``, the 汇总 sheet and the notice, so the numbers a
notice publishes are by construction the ledger's. Counting per status within one issue (the
notice's self-assessment line) and detecting rules (制定/修订制度) live here too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from typing import Any

from . import formats
from .model import DONE, STATUSES, Ledger, Measure
from .text import fold

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
class RuleTitle:
    """One rule (制度) the ledger says was made or revised, and the cell that says so."""

    title: str  # with its 《》
    kind: str  # "made" | "revised"
    sheet: str
    cell: str


@dataclass(slots=True)
class RuleFigures:
    """制定制度 / 修订制度: counted from a rules column, else detected in the progress texts."""

    made: int = 0
    revised: int = 0
    titles: list[RuleTitle] = field(default_factory=list)
    source: str = "progress"  # "column" (the ledger's own rules column) | "progress" (detected)

    def as_dict(self) -> dict[str, Any]:
        return {
            "made": self.made,
            "revised": self.revised,
            "titles": [{"title": t.title, "kind": t.kind} for t in self.titles],
        }


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
    rules: RuleFigures = field(default_factory=RuleFigures)

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
            "rules": self.rules.as_dict(),
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
        rules=count_rules(ledger),
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


# ---- issues by stage, as the 巡察办 reports them --------------------------------------------

# An issue not done whose every measure is done, 阶段性完成 or 长期坚持 (so at least one is one of
# the two): "基本完成、取得阶段性成果并持续整改". One measure 正在推进, 未开始, blank or unrecognised
# makes it 未完成, as does an issue with no measure. docs/combine.md, "Figures".
STAGED_STATUSES = frozenset((DONE, "阶段性完成", "长期坚持"))
STAGES = ("done", "staged", "not_done")


def issue_stage(it: IssueFigures) -> str:
    """One of STAGES: done (every measure 已完成), staged (see STAGED_STATUSES), not_done."""
    if it.done:
        return "done"
    if it.measures and all(m.status in STAGED_STATUSES for m in it.measures):
        return "staged"
    return "not_done"


def stage_counts(items: list[IssueFigures]) -> dict[str, int]:
    """How many issues are at each stage; the three add up to the issues."""
    counts = dict.fromkeys(STAGES, 0)
    for it in items:
        counts[issue_stage(it)] += 1
    return counts


# ---- per status within one issue ------------------------------------------------------------


def status_tally(words: list[str]) -> list[tuple[str, int]]:
    """How many measures of one issue stand at each status, canonical statuses in report order.

    ``words`` is each measure's status as the ledger states it (canonical or as written).
    """
    counts: dict[str, int] = {}
    for word in words:
        counts[word] = counts.get(word, 0) + 1
    order = {s: i for i, s in enumerate(STATUSES)}
    return sorted(counts.items(), key=lambda kv: order.get(kv[0], len(order)))


# ---- rules made and revised (制定制度 / 修订制度) ----------------------------------------------

RULE_HEADERS = (
    "制度建设",
    "建章立制",
    "制定修订制度",
    "制定制度",
    "建立制度",
    "制度成果",
    "完善制度",
    "制度",
)
MADE_VERBS = ("制定", "出台", "印发", "建立")
REVISED_VERBS = ("修订", "完善", "修改")
# A verb, a few characters that are not punctuation (了, 并, 下发, 了新的), then one or more 《titles》.
_RULE_RUN = re.compile(
    "(" + "|".join(MADE_VERBS + REVISED_VERBS) + r")[^，。；;,.、《》！？：:\n]{0,6}?"
    r"((?:《[^《》\n]{1,60}》[、和及与，,]?)+)"
)
_TITLE = re.compile(r"《[^《》\n]{1,60}》")


def rules_column(ledger: Ledger) -> str | None:
    """The header of the ledger's own rules column (an extra column about 制度), if it has one."""
    for header in ledger.extra_headers:
        key = fold(header)
        if any(key == fold(h) or (fold(h) in key and len(key) <= 8) for h in RULE_HEADERS):
            return header
    return None


def _kind_of(text: str) -> str:
    """A rules-column cell without a verb before its title: revised only if it says so."""
    revised = any(v in text for v in REVISED_VERBS)
    return "revised" if revised and not any(v in text for v in MADE_VERBS) else "made"


def _detected(text: str) -> dict[str, str]:
    """title -> kind for each 《title》 run following a made or revised verb."""
    out: dict[str, str] = {}
    if "《" not in text:  # most progress texts name no document: skip the regex (large ledgers)
        return out
    for match in _RULE_RUN.finditer(text):
        kind = "revised" if match.group(1) in REVISED_VERBS else "made"
        for title in _TITLE.findall(match.group(2)):
            out.setdefault(title, kind)
    return out


def count_rules(ledger: Ledger) -> RuleFigures:
    """Rules made and revised, each title once: from the rules column, else from progress texts.

    In progress texts a title counts when it follows 制定/出台/印发/建立 (made) or 修订/完善/修改
    (revised) within a few characters: "制定了《考勤制度》《请休假制度》" is two made;
    "学习了《条例》" is none. In a rules column every title counts (a cell without 《》 lists its
    rules separated by 、 or ；). A notice states these only in a sentence marked for checking.
    """
    column = rules_column(ledger)
    found: dict[str, RuleTitle] = {}
    seen_rows: set[tuple[str, int]] = set()
    for m in ledger.measures:
        if column is not None:
            if (m.sheet, m.row) in seen_rows:  # a cell split into several measures counts once
                continue
            seen_rows.add((m.sheet, m.row))
            text = m.extras.get(column, "")
            kinds = _detected(text)
            titles = _TITLE.findall(text) or [t.strip() for t in re.split(r"[、；;\n]+", text) if t.strip()]
            for title in titles:
                kind = kinds.get(title, _kind_of(text))
                found.setdefault(fold(title), RuleTitle(title, kind, m.sheet, _extra_cell(ledger, m, column)))
            continue
        detected = _detected(m.progress)
        if not detected:
            continue
        src = ledger.source(m, "progress")
        where = (src.sheet, src.cell) if src is not None else (m.sheet, "")
        for title, kind in detected.items():
            found.setdefault(fold(title), RuleTitle(title, kind, *where))
    titles = list(found.values())
    return RuleFigures(
        made=sum(t.kind == "made" for t in titles),
        revised=sum(t.kind == "revised" for t in titles),
        titles=titles,
        source="progress" if column is None else "column",
    )


def _extra_cell(ledger: Ledger, m: Measure, header: str) -> str:
    for info in ledger.sheets:
        if info.name == m.sheet:
            col = next((c for c, h in info.headers.items() if h == header), None)
            return f"{col}{m.row}" if col else ""
    return ""


def rules_rows(summary: Summary) -> list[tuple[str, str, str, str]]:
    """The rules as the 汇总 sheet lists them: (类别, 制度名称, 工作表, 单元格), made first.

    For the summary-sheet writer; the notice states only the two counts.
    """
    words = {"made": "制定", "revised": "修订"}
    ordered = sorted(summary.rules.titles, key=lambda t: t.kind != "made")
    return [(words[t.kind], t.title, t.sheet, t.cell) for t in ordered]
