"""FOLDER kept as ``ledgerkit watch FOLDER`` keeps it: the one place serve meets watch.

Every file is recorded by watch's own ``Inbox.process`` (workflow/watch/inbox.py): the same
decision, state, output folder, history, log lines and 错误报告.txt as ``watch``. That function
holds the outbox's lock for the whole of a file, report included, so reports made inside it run
one at a time. The page must take many uploads at once, so the report — the slow part — is made
first, in a process pool forked warm as ``report FOLDER`` does (workflow/batch.py), into the
output folder watch will choose, compared with a snapshot of the history; watch's ``process``
then takes that outcome as its report. Should the folder or the ledger's last version have
changed meanwhile (another version of the same ledger recorded first), the outcome is not used
and watch reports the file itself, under its lock: correct, only slower.

Besides watch's state, each file leaves a page record in ``OUTBOX/.ledgerkit-pages``: its
manifest (the ``report --json`` contract) or its error, its findings and its change lines, which
is what the pages and the API show (views.py). Files copied into FOLDER by hand are found by
``scan`` (settled as watch settles them) and processed the same way.
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
from ..workflow.outputs import is_ledger_file
from ..workflow.report import Job, Outcome, SinceLookup, report_file
from ..workflow.watch import Inbox, default_outbox, file_hash
from ..workflow.watch.decide import Action, After, decide
from ..workflow.watch.settle import facts

PAGES_DIR = ".ledgerkit-pages"
UPLOAD_PREFIX = ".~ledgerkit-upload-"
SETTLE_SECONDS = 2.0  # a hand-copied file is taken once unchanged this long, as watch does


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
    output_problem: bool = False  # the outbox, not the ledger, could not be written

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


class KeptFolder:
    """FOLDER, watch's record of it, and the pool that reports its files."""

    def __init__(
        self,
        folder: Path,
        config: Path | None = None,
        workers: int | None = None,
        echo: Callable[[str], None] | None = None,
    ) -> None:
        self.folder = folder
        self.outbox = default_outbox(folder)
        self.config = config
        self.watch = Inbox(folder, self.outbox, config, echo=echo)  # echo: the CLI's console
        self.log = self.watch.log
        self.pages = self.outbox / PAGES_DIR
        self.lock = threading.Lock()  # the in-flight names, the scan's memory, the pool
        self.inflight: dict[str, Future[Record | None]] = {}
        self.seen: dict[str, tuple[int, int, float]] = {}  # hand-copied files settling
        self.handled: dict[str, tuple[int, int]] = {}  # name -> (size, mtime_ns) with a record
        self.workers = workers or workers_for(12)
        self._remove_stale_uploads()
        self.pool = self._new_pool()  # forked now, before the server's threads exist

    def _new_pool(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(
            self.workers, mp_context=_warm_context(no_notice=False), initializer=_ignore_interrupt
        )
        for f in [pool.submit(_noop) for _ in range(self.workers)]:
            f.result()  # every worker started (and warm) before a request can need one
        return pool

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` in a worker; a pool broken under us (a worker killed) is made anew once,
        so the files of that moment are done again rather than lost."""
        pool = self.pool
        try:
            return pool.submit(fn, *args).result()
        except BrokenProcessPool:
            with self.lock:
                if self.pool is pool:
                    self.log.warning("处理台账的子进程意外退出，已重新启动，正在重做这个文件。")
                    pool.shutdown(wait=False, cancel_futures=True)
                    self.pool = self._new_pool()  # forked from a process with threads: only here
            return self.pool.submit(fn, *args).result()

    # -- records ---------------------------------------------------------------------------

    def _folders(self) -> dict[str, str]:
        """Input name → its output folder, as watch's state has them now."""
        state = self.watch.state
        with state.locked():
            return {name: e.folder for name, e in state.files.items() if e.folder}

    def records(self) -> list[Record]:
        """The latest record of every file the state knows and FOLDER still holds, by name."""
        found = [
            self.record_of_folder(f) for n, f in sorted(self._folders().items()) if (self.folder / n).exists()
        ]
        return [r for r in found if r is not None]

    def record(self, name: str) -> Record | None:
        folder = self._folders().get(name)
        return self.record_of_folder(folder) if folder else None

    def record_of_folder(self, folder: str) -> Record | None:
        try:
            data = json.loads((self.pages / _pages_name(folder)).read_text(encoding="utf-8"))
            return Record(**data) if data.get("folder") == folder else None
        except (OSError, ValueError, TypeError):
            return None

    def _save(self, record: Record) -> Record:
        try:
            with atomic_path(self.pages / _pages_name(record.folder)) as tmp:
                tmp.write_text(json.dumps(record.as_dict(), ensure_ascii=False), encoding="utf-8")
        except OSError as exc:
            self.log.warning("无法保存网页记录（%s）。", exc.strerror or exc)
        return record

    # -- processing ------------------------------------------------------------------------

    def process(self, path: Path, as_of: date | None = None) -> Record | None:
        """Process one file in FOLDER as watch does; its record, None when it vanished or
        changed while being looked at (nothing decided). Safe from any thread; the same name
        asked twice at once is processed once."""
        with self.lock:
            running = self.inflight.get(path.name)
            mine = running is None
            if running is None:
                running = self.inflight[path.name] = Future()
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
        name = path.name
        settled = facts(path)
        try:
            digest = file_hash(path)
        except OSError:
            return None
        if settled is None:
            return None
        w = self.watch
        with w.state.locked():  # a look at what watch will decide, and where it will write
            entry = w.state.get(name)
            outputs = entry.output_paths() if entry else []
            same = [n for n in w.state.done_with(digest) if n != name] if entry is None else []
            action = decide(entry, digest, bool(outputs) and all(p.exists() for p in outputs), same).action
            folder = entry.folder if entry and action is not Action.DO else w._folder_for(path)
            snapshot = History(w.history.folder, copy.deepcopy(w.history.ledgers))
        lookup = functools.partial(snapshot.previous, digest=digest)
        job = Job(as_of or date.today(), self.config)
        outdir = self.outbox / folder
        record = self.record(name)
        if action is not Action.DO:
            if record and record.hash == digest and (as_of is None or record.as_of == job.as_of.isoformat()):
                self.handled[name] = settled
                return record  # watch would skip it, and the page has it
            if action is Action.SKIP_FAILED and record and record.hash == digest:
                return record
            # Recorded by watch without a page (or asked for another date): the page's own report
            # into the same folder; watch's record stays as it is (same content, same outputs).
            outcome = self.run(report_file, path, outdir, job, lookup)
            self.handled[name] = settled
            return self._save(self._record(name, folder, digest, outcome))
        early: Outcome = self.run(report_file, path, outdir, job, lookup)
        done = w.process(path, settled, report=functools.partial(_take, early, outdir, lookup, job))
        if done.after is None or done.after is After.VANISHED:
            return None
        self.handled[name] = settled
        if isinstance(done.after, Action):  # decided otherwise meanwhile (another process)
            return self.record(name) or self._save(self._record(name, done.folder, digest, early))
        outcome = Outcome(path, 0, done.report, done.error, output_problem=done.after is After.BLOCKED)
        return self._save(self._record(name, done.folder, digest, outcome))

    @staticmethod
    def _record(name: str, folder: str, digest: str, outcome: Outcome) -> Record:
        now = datetime.now().isoformat(timespec="seconds")
        report = outcome.report
        if report is None:
            return Record(
                name, folder, digest, "", now, error=outcome.error, output_problem=outcome.output_problem
            )
        return Record(
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
            stamp = facts(path)
            if stamp is None:
                continue
            old = self.seen.get(path.name)
            if old is None or old[:2] != stamp:
                self.seen[path.name] = (*stamp, now)
                continue
            if now - old[2] >= SETTLE_SECONDS and not self._known(path.name, stamp):
                due.append(path)
        for gone in set(self.seen) - present:
            self.seen.pop(gone, None)
        return due

    def _known(self, name: str, stamp: tuple[int, int]) -> bool:
        """This version has a record already (hashed once per change of size or time stamp)."""
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


def _take(
    early: Outcome,
    outdir: Path,
    used: SinceLookup,
    mine: Job,
    path: Path,
    out: Path,
    _job: Job,
    since: SinceLookup | None,
) -> Outcome:
    """watch's report for this file: the one made early in the pool, when it was made into the
    folder watch chose and compared with the version watch would compare it with; else made
    again now (under watch's lock)."""
    report = early.report
    if out == outdir and (
        report is None or not report.key or since is None or since(report.key) == used(report.key)
    ):
        return early
    return report_file(path, out, mine, since)  # the upload's date, not watch's today


def combined_json(folder: Path, outdir: Path, as_of: date) -> dict[str, Any]:
    """``combine --json`` for FOLDER, or ``{"error": sentence}``; run in a pool worker."""
    from ..combine import combine_folder
    from ..errors import LedgerkitError

    try:
        combined, outputs = combine_folder(folder, outdir, as_of)
    except LedgerkitError as exc:
        return {"error": exc.message}
    return combined.as_dict(outputs)
