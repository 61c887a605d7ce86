"""What changed between two versions of a ledger: matching, the kinds of change, their wording.

The comparison is pure: two ``Ledger``s and their dates in, a ``Comparison`` of typed changes out
(like beangulp's similar.py, nothing here reads or writes a file). ``compare_files`` reads the two
files through the pipeline; ``report_lines`` words the result for a person and ``write_changes_workbook``
writes 变化对照.xlsx (the compare command, in cli/commands/compare.py, prints them). The rules (docs/compare.md):

Matching — a measure of OLD and one of NEW are the same measure when they belong to the same issue
and say the same thing:
1. Issues: same (aspect, problem, issue) keys; else the same issue title under other parents (an
   aspect or problem renamed, a level added or dropped); else a nearly equal issue title (ratio ≥
   ``ISSUE_RATIO``) under parents that are equal, nearly equal or missing on one side.
2. Measures, only within a matched issue: the same folded text; else the same text without
   numbering and punctuation; else nearly the same text (ratio ≥ ``MEASURE_RATIO``).
   Everything else is removed (OLD) or added (NEW). Row order never matters.
The near steps compare few candidates: the leftovers of one issue, or of a whole ledger's issues
through a character-bigram index, so matching is never quadratic in the size of the ledger.

Kinds of change of a matched measure (one measure can show several; ``unchanged`` when none):
newly_done / reopened / status_changed (disjoint), deadline_later / deadline_earlier, backdated
(newly done with a 完成时间 before OLD's date), newly_overdue, progress_updated. Red flags, which
make the command exit 1: removed, deadline_later, reopened, backdated.
"""

from __future__ import annotations

import re
from collections import defaultdict, deque
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any, TypeVar

from .. import formats
from ..errors import LedgerkitError, unwritable
from ..figures import Summary, is_overdue, summarise
from ..model import Ledger, Measure
from ..support.speed import gc_paused
from ..text import fold, strip_numbering

# ---- the kinds of change ------------------------------------------------------------------------

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
# away a rewrite. The stdlib's SequenceMatcher is enough: it only ever scores a few candidates.
MEASURE_RATIO = 0.8
ISSUE_RATIO = 0.8
PARENT_RATIO = 0.8
ALL_PAIRS = 256  # up to this many candidate pairs in a bucket, score them all; beyond, index them
TOP_CANDIDATES = 8  # per text, the candidates sharing the most bigrams that get scored
# Near texts are scored on their first characters only: difflib's time grows with the product of
# the lengths, and a measure or title is a sentence or two (a 30,000-character cell would take seconds).
NEAR_CHARS = 1000

IssueId = tuple[str, str, str]
T = TypeVar("T")
_NOT_WORD = re.compile(r"[\W_]+")  # punctuation and symbols; CJK characters are word characters


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


# ---- matching -----------------------------------------------------------------------------------


def match(old: Ledger, new: Ledger) -> Matching:
    """Pair the measures of two versions of a ledger (see the module docstring for the rules)."""
    # Most measures keep their key from one version to the next: one dictionary pass pairs them,
    # and only the leftovers of each issue go through the slower steps.
    exact, left_old, left_new = _pair_equal(old.measures, new.measures, _full_key)
    pairs = [Pair(o, n, "exact") for o, n in exact]
    issue_map = align_issues(_issue_ids(old.measures), _issue_ids(new.measures))
    old_left = _by_issue(left_old)
    matched_old: set[int] = set()
    matched_new: set[int] = set()
    for new_id, news in _by_issue(left_new).items():
        olds = old_left.get(issue_map.get(new_id))  # type: ignore[arg-type]
        if not olds:
            continue
        for pair in match_measures(olds, news):
            pairs.append(pair)
            matched_old.add(id(pair.old))
            matched_new.add(id(pair.new))
    return Matching(
        pairs=pairs,
        removed=[m for m in left_old if id(m) not in matched_old],
        added=[m for m in left_new if id(m) not in matched_new],
        issues=issue_map,
    )


def _full_key(m: Measure) -> tuple[str, str, str, str]:
    return m.key


def _issue_ids(measures: Iterable[Measure]) -> list[IssueId]:
    return list(dict.fromkeys(m.issue_id for m in measures))


def _by_issue(measures: Iterable[Measure]) -> dict[IssueId, list[Measure]]:
    found: dict[IssueId, list[Measure]] = {}
    for m in measures:
        found.setdefault(m.issue_id, []).append(m)
    return found


def align_issues(old_ids: Sequence[IssueId], new_ids: Sequence[IssueId]) -> dict[IssueId, IssueId]:
    """NEW issue -> OLD issue: the same keys, else the same title elsewhere, else a near title."""
    old_set = set(old_ids)
    mapping = {n: n for n in new_ids if n in old_set}
    left_old = [o for o in old_ids if o not in mapping]
    left_new = [n for n in new_ids if n not in mapping]
    # The same title under a renamed aspect or problem (or a level one side lacks): the parents
    # most alike win when the title appears more than once.
    by_title: dict[str, list[IssueId]] = defaultdict(list)
    for o in left_old:
        by_title[_issue_title(o)].append(o)
    taken: set[IssueId] = set()
    for n in left_new:
        free = [o for o in by_title.get(_issue_title(n), ()) if o not in taken]
        if free:
            best = max(free, key=lambda o, n=n: _parent_likeness(o, n))
            mapping[n] = best
            taken.add(best)
    left_old = [o for o in left_old if o not in taken]
    left_new = [n for n in left_new if n not in mapping]
    # A near title: first under the same aspect and problem, where an edited title stays and the
    # candidates are few; then across the ledger, under compatible parents.
    old_by_parent: dict[tuple[str, str], list[IssueId]] = defaultdict(list)
    for o in left_old:
        old_by_parent[o[:2]].append(o)
    new_by_parent: dict[tuple[str, str], list[IssueId]] = defaultdict(list)
    for n in left_new:
        new_by_parent[n[:2]].append(n)
    for parent, news in new_by_parent.items():
        for o, n in near_pairs(old_by_parent.get(parent, []), news, _issue_title, ISSUE_RATIO):
            mapping[n] = o
            taken.add(o)
    left_old = [o for o in left_old if o not in taken]
    left_new = [n for n in left_new if n not in mapping]
    for o, n in near_pairs(left_old, left_new, _issue_title, ISSUE_RATIO, _parents_compatible):
        mapping[n] = o
    return mapping


def _issue_title(issue_id: IssueId) -> str:
    # A ledger without a 具体问题 column: its issues are its problems (or aspects).
    return issue_id[2] or "/".join(issue_id)


def _parent_likeness(o: IssueId, n: IssueId) -> float:
    return sum(1.0 if a == b else ratio(a, b) for a, b in zip(o[:2], n[:2], strict=True))


def _parents_compatible(o: IssueId, n: IssueId) -> bool:
    """Equal, nearly equal, or missing on one side (a ledger that has no such level)."""
    return all(
        not a or not b or a == b or ratio(a, b) >= PARENT_RATIO for a, b in zip(o[:2], n[:2], strict=True)
    )


def match_measures(olds: list[Measure], news: list[Measure]) -> list[Pair]:
    """Pair the measures of one issue in OLD with those of its match in NEW."""
    pairs: list[Pair] = []
    left_old, left_new = olds, news
    for how, key in (("exact", _exact_key), ("loose", loose_key)):
        found, left_old, left_new = _pair_equal(left_old, left_new, key)
        pairs.extend(Pair(o, n, how) for o, n in found)
        if not left_old or not left_new:
            return pairs
    pairs.extend(Pair(o, n, "near") for o, n in near_pairs(left_old, left_new, loose_key, MEASURE_RATIO))
    return pairs


def _exact_key(m: Measure) -> str:
    return m.measure_key


def loose_key(m: Measure) -> str:
    """The measure's text without numbering, white space and punctuation: "（1）加强学习。" == "加强学习"."""
    return _loose(m.measure)


def _loose(text: str) -> str:
    return _NOT_WORD.sub("", fold(strip_numbering(text)))


def _pair_equal(
    olds: list[T], news: list[T], key: Callable[[T], Hashable]
) -> tuple[list[tuple[T, T]], list[T], list[T]]:
    """Pairs with equal keys, in order (two identical rows pair first with first); the leftovers."""
    pool: dict[Hashable, deque[T]] = defaultdict(deque)
    for o in olds:
        pool[key(o)].append(o)
    pairs, left_new = [], []
    for n in news:
        queue = pool.get(key(n))
        if queue:
            pairs.append((queue.popleft(), n))
        else:
            left_new.append(n)
    paired = {id(o) for o, _n in pairs}
    return pairs, [o for o in olds if id(o) not in paired], left_new


def ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def near_pairs(
    olds: Sequence[T],
    news: Sequence[T],
    text: Callable[[T], str],
    threshold: float,
    allowed: Callable[[T, T], bool] | None = None,
) -> list[tuple[T, T]]:
    """Pairs whose texts are nearly equal (ratio ≥ threshold), best first, each item used once.

    Few items (one issue's leftovers): every pair is scored. Many (a whole ledger's leftover
    issues): each NEW text scores only the ``TOP_CANDIDATES`` OLD texts sharing the most
    character bigrams, so the work grows with the number of items, not its square.
    """
    if not olds or not news:
        return []
    old_texts = [text(o)[:NEAR_CHARS] for o in olds]
    if len(olds) * len(news) <= ALL_PAIRS:
        candidates: Callable[[str], Iterable[int]] = lambda _t: range(len(olds))  # noqa: E731
    else:
        candidates = _bigram_candidates(old_texts)
    scored: list[tuple[float, int, int]] = []
    sm = SequenceMatcher(None, autojunk=False)
    for j, n in enumerate(news):
        t = text(n)[:NEAR_CHARS]
        sm.set_seq2(t)  # the matcher caches what it learns about seq2: set it once per NEW text
        for i in candidates(t):
            sm.set_seq1(old_texts[i])
            if sm.real_quick_ratio() < threshold or sm.quick_ratio() < threshold:
                continue  # upper bounds, cheap: most candidates stop here
            score = sm.ratio()
            if score >= threshold and (allowed is None or allowed(olds[i], n)):
                scored.append((-score, j, i))
    scored.sort()
    used_old: set[int] = set()
    used_new: set[int] = set()
    out = []
    for _score, j, i in scored:
        if i not in used_old and j not in used_new:
            used_old.add(i)
            used_new.add(j)
            out.append((olds[i], news[j]))
    return out


def _bigrams(t: str) -> set[str]:
    return {t[k : k + 2] for k in range(len(t) - 1)} or {t}


def _bigram_candidates(old_texts: list[str]) -> Callable[[str], list[int]]:
    index: dict[str, list[int]] = defaultdict(list)
    for i, t in enumerate(old_texts):
        for g in _bigrams(t):
            index[g].append(i)
    # A bigram shared by very many texts ("具体", "问题") says nothing; skipping it keeps each
    # lookup short.
    common = max(50, len(old_texts) // 20)

    def candidates(t: str) -> list[int]:
        shared: dict[int, int] = defaultdict(int)
        for g in _bigrams(t):
            hits = index.get(g, ())
            if len(hits) <= common:
                for i in hits:
                    shared[i] += 1
        return sorted(shared, key=lambda i: (-shared[i], i))[:TOP_CANDIDATES]

    return candidates


# ---- classifying --------------------------------------------------------------------------------


def compare(
    old: Ledger, new: Ledger, old_as_of: date, new_as_of: date, *, old_from: str = "", new_from: str = ""
) -> Comparison:
    """The changes from OLD (dated ``old_as_of``) to NEW (dated ``new_as_of``)."""
    with gc_paused():  # tens of thousands of small objects: see speed.py
        matching = match(old, new)
        old_cell, new_cell = Cells(old), Cells(new)
        changes: dict[str, list[Change]] = {k: [] for k in KINDS}
        sheet_order = {s.name: i for i, s in enumerate(new.sheets)}
        for pair in sorted(
            matching.pairs, key=lambda p: (sheet_order.get(p.new.sheet, -1), p.new.row, p.new.part)
        ):
            found = classify(pair, old_cell, new_cell, old_as_of, new_as_of)
            if not found:
                o, n = pair.old, pair.new
                found = [Change("unchanged", o, n, old_cell(o, "measure"), new_cell(n, "measure"))]
            for change in found:
                changes[change.kind].append(change)
        changes["added"] = [Change("added", None, m, None, new_cell(m, "measure")) for m in matching.added]
        changes["removed"] = [
            Change("removed", m, None, old_cell(m, "measure"), None) for m in matching.removed
        ]
        return Comparison(
            old=Side(old.source_file, old_as_of, old_from, summarise(old, old_as_of)),
            new=Side(new.source_file, new_as_of, new_from, summarise(new, new_as_of)),
            changes=changes,
            matching=matching,
        )


class Cells:
    """Where a value of a measure stands in its input, "Sheet1!F12": ``Ledger.source`` without its
    scan of the sheets on every call (it runs for every measure of both ledgers)."""

    def __init__(self, ledger: Ledger) -> None:
        self.columns = {s.name: s.columns for s in ledger.sheets}

    def __call__(self, m: Measure, fieldname: str) -> str:
        for f in (fieldname, "measure"):  # the measure's own cell when the ledger lacks the column
            src = m.origins.get(f)
            if src is not None:
                if src.cell:  # "" for an aspect taken from the sheet's name
                    return f"{src.sheet}!{src.cell}"
                continue
            col = self.columns.get(m.sheet, {}).get(f)
            if col is not None:
                return f"{m.sheet}!{col}{m.row}"
        return f"{m.sheet}!A{m.row}"


def classify(pair: Pair, old_cell: Cells, new_cell: Cells, old_as_of: date, new_as_of: date) -> list[Change]:
    """The changes of one matched measure, in KINDS order; empty when it is unchanged."""
    o, n = pair.old, pair.new
    out: list[Change] = []

    def add(kind: str, fieldname: str, before: str | None = None, after: str | None = None) -> None:
        out.append(Change(kind, o, n, old_cell(o, fieldname), new_cell(n, fieldname), before, after))

    if _status(o) != _status(n):
        kind = "newly_done" if n.done else "reopened" if o.done else "status_changed"
        add(kind, "status", _status_word(o), _status_word(n))
    later = deadline_moved(o, n)
    if later is not None:
        kind = "deadline_later" if later else "deadline_earlier"
        add(kind, "deadline", _deadline_word(o), _deadline_word(n))
    if n.done and not o.done and n.done_on is not None and n.done_on < old_as_of:
        add("backdated", "done_on", old_as_of.isoformat(), n.done_on.isoformat())
    if is_overdue(n, new_as_of) and not is_overdue(o, old_as_of):
        assert n.deadline_date is not None
        add("newly_overdue", "deadline", None, n.deadline_date.isoformat())
    if o.progress != n.progress and fold(o.progress) != fold(n.progress):
        add("progress_updated", "progress", o.progress, n.progress)
    return out


def _status(m: Measure) -> str:
    return m.status if m.status is not None else fold(m.status_text)


def _status_word(m: Measure) -> str:
    return m.status or m.status_text


def _deadline_rank(m: Measure) -> tuple[int, date] | None:
    """立行立改 first, then dates, then none / 长期坚持; None for text that is no deadline (check says so)."""
    if m.deadline_word == "立行立改":
        return (0, date.min)
    if m.deadline_date is not None:
        return (1, m.deadline_date)
    if m.deadline_word or not m.deadline:
        return (2, date.max)
    return None


def deadline_moved(o: Measure, n: Measure) -> bool | None:
    """True when NEW's deadline is later than OLD's, False when earlier, None when not moved."""
    a, b = _deadline_rank(o), _deadline_rank(n)
    if a is None or b is None or a == b:
        return None
    return b > a


def _deadline_word(m: Measure) -> str:
    return m.deadline_date.isoformat() if m.deadline_date is not None else m.deadline_word


# ---- files and dates ----------------------------------------------------------------------------


def ledger_date(ledger: Ledger, path: Path) -> tuple[date, str]:
    """A version's date: its own 填报时间 when it states one, else the file's modification date."""
    if ledger.reported_date is not None:
        return ledger.reported_date, "填报时间"
    return date.fromtimestamp(Path(path).stat().st_mtime), "文件修改日期"


def compare_files(old_path: Path, new_path: Path, as_of: date | None = None) -> Comparison:
    """Read both files and compare them; ``as_of`` (``--as-of``) overrides NEW's own date."""
    from ..pipeline import load

    old, _notes = load(Path(old_path))
    new, _notes = load(Path(new_path))
    old_as_of, old_from = ledger_date(old, Path(old_path))
    if as_of is not None:
        new_as_of, new_from = as_of, "--as-of"
    else:
        new_as_of, new_from = ledger_date(new, Path(new_path))
    return compare(old, new, old_as_of, new_as_of, old_from=old_from, new_from=new_from)


# ---- for a person -------------------------------------------------------------------------------


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


CHANGES_FILENAME = "变化对照.xlsx"


# ---- 变化对照.xlsx ------------------------------------------------------------------------------

SUMMARY_SHEET = "变化汇总"
LINE_POINTS = 15.0  # one line of 11-point 宋体
DETAIL_LINE_POINTS = 13.5  # one line of 10-point 宋体
SUMMARY_LINE_CHARS = 44  # CJK characters per line across 变化汇总's four columns
DETAIL_SHEET = "变化明细"
DETAIL_HEADERS: tuple[tuple[str, float], ...] = (
    ("变化", 14),
    ("方面", 16),
    ("问题", 16),
    ("具体问题", 22),
    ("整改措施", 40),
    ("上次", 16),
    ("本次", 16),
    ("上次位置", 14),
    ("本次位置", 14),
)


def write_changes_workbook(c: Comparison, out_path: Path, unit: str = "") -> Path:
    """变化对照.xlsx: 变化汇总 (counts, both versions' figures) and 变化明细 (a row per change).

    Written atomically with xlsxwriter; a few thousand rows at most, so its plain mode is enough.
    """
    import xlsxwriter
    from xlsxwriter.exceptions import FileCreateError

    from ..support.atomic import atomic_path

    out_path = Path(out_path)
    for src in (c.old.file, c.new.file):
        if src and Path(src).exists() and Path(src).resolve() == out_path.resolve():
            raise LedgerkitError(
                f"输出文件“{out_path.name}”就是输入的台账，不会覆盖。请用 -o 指定其他输出文件夹。"
            )
    try:
        with atomic_path(out_path) as tmp:
            # Every ledger text stays text: none becomes a formula, a number or a link.
            options = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
            wb = xlsxwriter.Workbook(str(tmp), options)
            wb.set_properties({"title": f"{unit}台账变化对照", "comments": "由 ledgerkit 生成"})
            styles = _ChangeStyles(wb)
            _write_summary(wb.add_worksheet(SUMMARY_SHEET), styles, c, unit)
            _write_detail(wb.add_worksheet(DETAIL_SHEET), styles, c)
            wb.close()
    except (OSError, FileCreateError) as exc:
        raise unwritable(out_path, exc) from None
    return out_path


class _ChangeStyles:
    def __init__(self, wb: Any) -> None:
        base = {"font_name": "宋体", "font_size": 10}
        cell = {**base, "border": 1, "text_wrap": True, "valign": "vcenter"}
        red = {"bg_color": "#FFC7CE", "font_color": "#9C0006"}
        self.title = wb.add_format(
            {**base, "font_size": 16, "bold": True, "align": "center", "valign": "vcenter"}
        )
        self.line = wb.add_format({**base, "font_size": 11, "text_wrap": True, "valign": "vcenter"})
        self.header = wb.add_format({**cell, "bold": True, "align": "center", "bg_color": "#DDEBF7"})
        self.text = wb.add_format(cell)
        self.center = wb.add_format({**cell, "align": "center"})
        self.flag = wb.add_format({**cell, **red})
        self.flag_center = wb.add_format({**cell, **red, "align": "center"})


def _write_summary(ws: Any, st: _ChangeStyles, c: Comparison, unit: str) -> None:
    for col, width in enumerate((22, 12, 12, 46)):
        ws.set_column(col, col, width)
    ws.merge_range(0, 0, 0, 3, f"{unit}整改台账变化对照", st.title)
    ws.set_row(0, 30)
    lines = [
        summary_line(c),
        f"上次：{Path(c.old.file).name}，{formats.cn_date(c.old.as_of)}（日期取自{c.old.as_of_from}）",
        f"本次：{Path(c.new.file).name}，{formats.cn_date(c.new.as_of)}（日期取自{c.new.as_of_from}）",
    ]
    for r, text in enumerate(lines, start=1):
        ws.merge_range(r, 0, r, 3, text, st.line)
        ws.set_row(r, LINE_POINTS * max(1, -(-len(text) // SUMMARY_LINE_CHARS)))
    _print_setup(ws, landscape=False)
    r = 5
    ws.write_row(r, 0, ["变化", "条数", "", "说明"], st.header)
    counts = c.counts
    for k in KINDS:
        r += 1
        red = k in RED_FLAGS and counts[k] > 0
        ws.write(r, 0, KIND_NAMES[k], st.flag if red else st.text)
        ws.write(r, 1, counts[k], st.flag_center if red else st.center)
        ws.write(r, 2, "需关注" if red else "", st.flag_center if red else st.center)
        ws.write(r, 3, KIND_HINTS[k], st.text)
    r += 2
    ws.write_row(r, 0, ["指标", "上次", "本次", "变化"], st.header)
    for label, before, after, delta in figure_rows(c):
        r += 1
        ws.write(r, 0, label, st.text)
        ws.write(r, 1, before, st.center)
        ws.write(r, 2, after, st.center)
        ws.write(r, 3, delta, st.text)


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


def add_changes_sheet(wb: Any, c: Comparison, name: str = DETAIL_SHEET) -> Any:
    """A 变化明细 sheet in any xlsxwriter workbook (the cleaned workbook's 变化 sheet for ``--since``)."""
    ws = wb.add_worksheet(name)
    _write_detail(ws, _ChangeStyles(wb), c)
    return ws


def _write_detail(ws: Any, st: _ChangeStyles, c: Comparison) -> None:
    for col, (_h, width) in enumerate(DETAIL_HEADERS):
        ws.set_column(col, col, width)
    ws.write_row(0, 0, [h for h, _w in DETAIL_HEADERS], st.header)
    r = 0
    for k in KINDS:
        if k == "unchanged":
            continue
        for ch in c.changes[k]:
            r += 1
            m = ch.measure
            fmt = st.flag if ch.red_flag else st.text
            values = [
                KIND_NAMES[k],
                m.aspect,
                m.problem,
                m.issue,
                m.measure,
                ch.before or "",
                ch.after or "",
                ch.old_cell or "",
                ch.new_cell or "",
            ]
            ws.write_row(r, 0, [_cut(v) for v in values], fmt)
            ws.set_row(r, _height(values))  # LibreOffice and printing do not size wrapped rows
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(r, 1), len(DETAIL_HEADERS) - 1)
    ws.repeat_rows(0)
    _print_setup(ws, landscape=True)


def _print_setup(ws: Any, landscape: bool) -> None:
    """A4, one page wide: the sheets are read on paper at the 巡察办 too."""
    ws.set_paper(9)
    if landscape:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)


def _height(values: list[str]) -> float:
    """Points for a 变化明细 row: its cell with the most wrapped lines (CJK characters two units wide)."""
    most = 1
    for text, (_h, width) in zip(values, DETAIL_HEADERS, strict=True):
        per_line = max(int(width) - 1, 1)
        lines = sum(max(1, -(-_units(part) // per_line)) for part in text.split("\n"))
        most = max(most, lines)
    return min(DETAIL_LINE_POINTS * most + 3, 409.0)  # 409: Excel's highest row


def _units(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _cut(text: str) -> str:
    # Excel holds at most 32,767 characters in a cell; a progress text could exceed it.
    return text if len(text) <= 32_767 else text[:32_767]
