"""FOLDER kept as ``ledgerkit watch FOLDER`` keeps it: the one place serve touches watch's internals.

The watcher (workflow/watch.py) decides and records on one thread and reports in-process. The
page must take many uploads at once, so this adapter splits watch's ``Watcher.process`` at its
seam: the decision and the bookkeeping (content hash, state, output folder, history, log) stay
with the watcher's own methods under one lock; the report itself — the slow part — runs in a
process pool forked warm, as ``report FOLDER`` does (workflow/batch.py). The history's lookup
goes to the worker as a snapshot (a ``History`` is plain data), so a worker never writes the state.

When watch exposes one function that processes a single inbox file (thread-safe), ``Inbox.process``
becomes a call to it; nothing else in serve knows how watch works.

Besides watch's state, each processed file leaves a page record in ``OUTBOX/.ledgerkit-pages``:
its manifest (the ``report --json`` contract) or its error, its findings and its change lines,
which is what the pages and the API show (views.py). The record is written after watch's state.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..support.atomic import atomic_path
from ..workflow.batch import _warm_context, workers_for
from ..workflow.history import History
from ..workflow.report import Job, Outcome, is_ledger_file, report_file
from ..workflow.watch import Watcher, _unchanged, default_outbox, file_hash

PAGES_DIR = ".ledgerkit-pages"
SETTLE_SECONDS = 2.0  # a hand-copied file is taken once unchanged this long, as watch does
UPLOAD_PREFIX = ".~ledgerkit-upload-"


@dataclass
class Record:
    """What the page knows of one input file: read back from OUTBOX/.ledgerkit-pages."""

    name: str
    folder: str
    hash: str
    as_of: str
    at: str
    manifest: dict[str, Any] | None = None  # report --json's manifest; None when it failed
    error: str = ""
    findings: list[dict[str, str]] = field(default_factory=list)
    change_lines: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _pages_name(folder: str) -> str:
    # The folder name is already unique in the outbox; hashed so any name is a safe file name.
    return hashlib.sha256(folder.casefold().encode()).hexdigest()[:24] + ".json"


def _ignore_interrupt() -> None:
    """Ctrl-C reaches the whole process group: the server stops its workers itself."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _noop() -> int:
    return os.getpid()


class Inbox:
    """FOLDER, its outbox, and the pool that reports its files."""

    def __init__(
        self,
        folder: Path,
        config: Path | None = None,
        workers: int | None = None,
        echo: Callable[[str], None] | None = None,
    ) -> None:
        self.folder = folder
        self.outbox = default_outbox(folder)
        self.watcher = Watcher(folder, self.outbox, config, echo=echo)  # echo: the CLI's console
        self.pages = self.outbox / PAGES_DIR
        self.lock = threading.RLock()  # the watcher's state, history and log
        self.inflight: dict[str, Future[Record | None]] = {}
        self.seen: dict[str, tuple[int, int, float]] = {}  # hand-copied files settling
        self.handled: dict[str, tuple[int, int]] = {}  # name -> (size, mtime_ns) with a record
        self.workers = workers or workers_for(12)
        self._remove_stale_uploads()
        # Forked now, before the server's threads exist: a fork copies only the calling thread.
        self.pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(
            self.workers, mp_context=_warm_context(no_notice=False), initializer=_ignore_interrupt
        )
        for f in [pool.submit(_noop) for _ in range(self.workers)]:
            f.result()  # every worker started (and warm) before a request can need one
        return pool

    def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` in a worker; a pool broken under us (a worker killed) is made anew once,
        so the files of that moment are done again rather than lost."""
        pool = self.pool
        try:
            return pool.submit(fn, *args).result()
        except BrokenProcessPool:
            with self.lock:
                if self.pool is pool:
                    self.watcher.log.warning("处理台账的子进程意外退出，已重新启动，正在重做这个文件。")
                    pool.shutdown(wait=False, cancel_futures=True)
                    self.pool = self._new_pool()  # forked from a process with threads: only here
            return self.pool.submit(fn, *args).result()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    # -- records ---------------------------------------------------------------------------

    def records(self) -> list[Record]:
        """The latest record of every file the state knows and FOLDER still holds, by name."""
        with self.lock:
            names = sorted(self.watcher.state.files)
        found = [r for n in names if (r := self.record(n)) is not None]
        return [r for r in found if (self.folder / r.name).exists()]

    def record(self, name: str) -> Record | None:
        with self.lock:
            entry = self.watcher.state.get(name) or {}
        folder = entry.get("folder")
        return self.record_of_folder(folder) if folder else None

    def record_of_folder(self, folder: str) -> Record | None:
        try:
            data = json.loads((self.pages / _pages_name(folder)).read_text(encoding="utf-8"))
            return Record(**data) if data.get("folder") == folder else None
        except (OSError, ValueError, TypeError):
            return None

    def _save_record(self, record: Record) -> None:
        with atomic_path(self.pages / _pages_name(record.folder)) as tmp:
            tmp.write_text(json.dumps(record.as_dict(), ensure_ascii=False), encoding="utf-8")

    # -- processing ------------------------------------------------------------------------

    def process(self, path: Path, as_of: date | None = None) -> Record | None:
        """Report one file in FOLDER as watch would; its record, None when it vanished or
        changed while being looked at (nothing decided, as watch does). Safe from any thread;
        the same name asked twice at once is processed once."""
        with self.lock:
            running = self.inflight.get(path.name)
            if running is None:
                running = Future()
                self.inflight[path.name] = running
                mine = True
            else:
                mine = False
        if not mine:
            return running.result()
        try:
            record = self._process(path, as_of)
            running.set_result(record)
            return record
        except BaseException as exc:
            running.set_exception(exc)
            raise
        finally:
            with self.lock:
                self.inflight.pop(path.name, None)

    def _process(self, path: Path, as_of: date | None) -> Record | None:
        w = self.watcher
        name = path.name
        with self.lock:
            try:
                st = path.stat()
                digest = file_hash(path)
            except OSError:
                return None
            settled = (st.st_size, st.st_mtime_ns)
            current = self._current(name, digest, as_of)
            if current is not None:
                self.handled[name] = settled
                return current
            folder = w._folder_for(path)
            entry = w.state.get(name)
            w.log.info("开始处理 %s（%s），输出到 %s", name, w._why(name, entry, digest), folder)
            snapshot = History(w.history.folder, copy.deepcopy(w.history.ledgers))
            lookup = functools.partial(snapshot.previous, digest=digest)
        outdir = self.outbox / folder
        job = Job(as_of or date.today(), w.config)
        outcome: Outcome = self.run(report_file, path, outdir, job, lookup)
        with self.lock:
            return self._record_outcome(path, digest, folder, settled, outcome, lookup)

    def _current(self, name: str, digest: str, as_of: date | None) -> Record | None:
        """The record already showing this content (and date, when one is asked), if its
        outputs are all still there: watch would skip the file, and so does the page."""
        entry = self.watcher.state.get(name)
        record = self.record(name)
        if not entry or not record or entry.get("hash") != digest or record.hash != digest:
            return None
        if as_of is not None and record.as_of != as_of.isoformat():
            return None
        if entry.get("status") == "failed":
            return record
        outputs = [p for p in (entry.get("outputs") or {}).values() if p]
        return record if entry.get("status") == "done" and all(Path(p).exists() for p in outputs) else None

    def _record_outcome(
        self,
        path: Path,
        digest: str,
        folder: str,
        settled: tuple[int, int],
        outcome: Outcome,
        lookup: Callable[[str], Path | None],
    ) -> Record | None:
        """Watch's bookkeeping after a report (``Watcher.process``'s second half), and the page record."""
        w = self.watcher
        name = path.name
        outdir = self.outbox / folder
        if not _unchanged(path, settled):
            w.log.info("%s 在处理过程中被移走、删除或改动，不记为失败；它再出现后会重新处理。", name)
            return None
        now = datetime.now().isoformat(timespec="seconds")
        as_of = ""
        if outcome.report is None:
            if outcome.output_problem:
                w._blocked(path, digest, folder, outcome.error)
            else:
                w.log.warning("处理失败 %s：%s", name, outcome.error)
                w._write_error(outdir, path, outcome.error)
                w._put(name, hash=digest, folder=folder, status="failed", error=outcome.error, outputs=None)
            record = Record(name, folder, digest, as_of, now, error=outcome.error)
        else:
            report = outcome.report
            looked_up = [lookup(report.key)] if report.key else []
            w._done(path, digest, folder, report, looked_up)
            record = Record(
                name,
                folder,
                digest,
                report.summary.as_of.isoformat(),
                now,
                manifest=report.manifest(),
                findings=[f.as_dict() for f in report.findings],
                change_lines=list(report.change_lines),
                messages=list(report.messages),
            )
        self.handled[name] = settled
        try:
            self._save_record(record)
        except OSError as exc:
            w.log.warning("无法保存网页记录（%s）。", exc.strerror or exc)
        return record

    # -- files copied into FOLDER by hand --------------------------------------------------

    def scan(self) -> list[Path]:
        """The ledgers in FOLDER that have settled and have no record of their content yet."""
        due: list[Path] = []
        now = time.monotonic()
        present: set[str] = set()
        for path in self.folder.iterdir():
            if not is_ledger_file(path) or path.name in self.inflight:
                continue
            present.add(path.name)
            try:
                st = path.stat()
            except OSError:
                continue
            old = self.seen.get(path.name)
            if old is None or old[:2] != (st.st_size, st.st_mtime_ns):
                self.seen[path.name] = (st.st_size, st.st_mtime_ns, now)
                continue
            if now - old[2] >= SETTLE_SECONDS and not self._known(path.name, st):
                due.append(path)
        for gone in set(self.seen) - present:
            self.seen.pop(gone, None)
        return due

    def _known(self, name: str, st: os.stat_result) -> bool:
        """This version has a record already (hashed once per change of size or time stamp)."""
        stamp = (st.st_size, st.st_mtime_ns)
        if self.handled.get(name) == stamp:
            return True
        record = self.record(name)
        try:
            same = record is not None and file_hash(self.folder / name) == record.hash
        except OSError:
            return True  # locked or gone: looked at again at the next scan
        if same:
            self.handled[name] = stamp
        return same

    def _remove_stale_uploads(self) -> None:
        """Our own upload temporaries left by a server that was killed mid-upload."""
        for tmp in self.folder.glob(UPLOAD_PREFIX + "*"):
            with contextlib.suppress(OSError):
                tmp.unlink()


def combined_json(folder: Path, outdir: Path, as_of: date) -> dict[str, Any]:
    """``combine --json`` for FOLDER, or ``{"error": sentence}``; run in a pool worker."""
    from ..combine import combine_folder
    from ..errors import LedgerkitError

    try:
        combined, outputs = combine_folder(folder, outdir, as_of)
    except LedgerkitError as exc:
        return {"error": exc.message}
    return combined.as_dict(outputs)
