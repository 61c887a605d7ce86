"""Classifying the matched measures: which kinds of change each shows, with its cells and values.

``compare`` is the whole comparison of two ``Ledger``s and their dates: match (match.py), then
classify every pair, then the added and removed. Pure: nothing here reads or writes a file.
"""

from __future__ import annotations

from datetime import date

from ..figures import is_overdue, summarise
from ..model import Ledger, Measure
from ..support.speed import gc_paused
from ..text import fold
from .changes import KINDS, Change, Comparison, Pair, Side
from .match import match


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
