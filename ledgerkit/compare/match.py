"""Matching the measures of two versions of a ledger: by a stable key, with a tolerant fallback.

A measure of OLD and one of NEW are the same measure when they belong to the same issue and
say the same thing:
1. Issues: same (aspect, problem, issue) keys; else the same issue title under other parents (an
   aspect or problem renamed, a level added or dropped); else a nearly equal issue title (ratio ≥
   ``ISSUE_RATIO``) under parents that are equal, nearly equal or missing on one side.
2. Measures, only within a matched issue: the same folded text; else the same text without
   numbering and punctuation; else nearly the same text (ratio ≥ ``MEASURE_RATIO``).
   Everything else is removed (OLD) or added (NEW). Row order never matters.
The near steps compare few candidates: the leftovers of one issue, or of a whole ledger's issues
through a character-bigram index, so matching is never quadratic in the size of the ledger.
"""

from __future__ import annotations

import re
from collections import defaultdict, deque
from collections.abc import Callable, Hashable, Iterable, Sequence
from difflib import SequenceMatcher
from typing import TypeVar

from ..model import Ledger, Measure
from ..text import fold, strip_numbering
from .changes import IssueId, Matching, Pair

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

T = TypeVar("T")
_NOT_WORD = re.compile(r"[\W_]+")  # punctuation and symbols; CJK characters are word characters


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
