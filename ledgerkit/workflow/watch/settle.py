"""Waiting for a copy to complete: which files in the inbox are settled, and the facts taken of them.

A file is taken only when its size and time stamp have not changed for ``settle`` seconds, so a
slow copy is never read half-written. A file decided on is not hashed again until its size or
time stamp changes; one whose output folder could not be written is retried after a delay that
doubles (``decide.next_retry_delay``). A file that disappears is forgotten: dropped again later,
it is looked at afresh.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path

# (size, mtime_ns): what "unchanged" means for a file in the inbox
Facts = tuple[int, int]


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def facts(path: Path) -> Facts | None:
    """The file's size and time stamp; None when it is not there."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def unchanged(path: Path, settled: Facts | None) -> bool:
    """The file is still there as it was when we took it."""
    now = facts(path)
    return now is not None and (settled is None or now == settled)


class Settler:
    """The inbox's files between "seen" and "decided on"."""

    def __init__(self, settle: float, wanted: Callable[[Path], bool]) -> None:
        self.settle = settle
        self.wanted = wanted  # a ledger in the inbox (not a lock file, not our output)
        self.seen: dict[Path, tuple[int, int, float]] = {}  # path -> (size, mtime_ns, stable since)
        self.handled: dict[Path, Facts] = {}  # path -> facts already decided on
        self.retry: dict[Path, tuple[float, float]] = {}  # path -> (when, delay): output folder blocked

    def rescan(self, present: set[Path]) -> None:
        """A full listing of the inbox (events can be missed)."""
        for gone in [p for p in (*self.handled, *self.retry) if p not in present]:
            self.forget(gone)
        for path in present:
            self.consider(path)

    def forget(self, path: Path) -> None:
        self.seen.pop(path, None)
        self.handled.pop(path, None)
        self.retry.pop(path, None)

    def consider(self, path: Path) -> None:
        """A file event or listing: start (or restart) its settling clock when it changed."""
        if not self.wanted(path):
            self.forget(path)
            return
        now_facts = facts(path)
        if now_facts is None:
            self.forget(path)
            return
        if self.handled.get(path) == now_facts:
            return  # unchanged since we decided on it: no need to hash it again
        old = self.seen.get(path)
        if old is None or (old[0], old[1]) != now_facts:
            self.seen[path] = (*now_facts, time.monotonic())  # still being written: wait

    def retry_later(self, path: Path, delay: float) -> None:
        self.retry[path] = (time.monotonic() + delay, delay)

    def last_delay(self, path: Path) -> float | None:
        return self.retry[path][1] if path in self.retry else None

    def retries_due(self) -> None:
        now = time.monotonic()
        for path, (when, _delay) in list(self.retry.items()):
            if now >= when:
                self.handled.pop(path, None)
                self.consider(path)

    def settled(self) -> Iterator[tuple[Path, Facts]]:
        """Files whose size and time stamp held for ``settle`` seconds, with those facts; the
        caller says ``decided`` or ``undecided`` of each."""
        now = time.monotonic()
        for path, (size, mtime, since) in list(self.seen.items()):
            if now - since < self.settle:
                continue
            now_facts = facts(path)
            if now_facts is None:
                self.forget(path)
                continue
            if now_facts != (size, mtime):
                self.seen[path] = (*now_facts, now)
                continue
            del self.seen[path]
            yield path, now_facts

    def decided(self, path: Path, settled: Facts) -> None:
        self.handled[path] = settled

    def undecided(self, path: Path) -> None:
        """Vanished or changed mid-run: whatever is there next is looked at afresh."""
        self.handled.pop(path, None)

    def done_retrying(self, path: Path) -> None:
        self.retry.pop(path, None)
