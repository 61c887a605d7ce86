"""``ledgerkit watch INBOX``: every ledger dropped into a folder is reported once it is complete.

The rooms, each with its job:

- ``settle.py``: waiting for a copy to complete (size and time stamp unchanged for ``settle``
  seconds), and the facts taken of a file (its hash).
- ``state.py``: the outbox's record (``.ledgerkit-state.json``), per input file name, of which
  content its outputs show (``Entry``, ``Status``, ``MailStatus``); shared under a lock.
- ``decide.py``: pure, the record and the file's facts → what to do, and what a report's
  outcome means.
- ``effects.py``: doing it: the log, 错误报告.txt, the history copy, the mail, the archive.
- ``inbox.py``: one file, in that order (``Inbox.process``, ``process_file``), for ``watch``
  and for ``serve`` alike.
- here: the loop (file events and rescans, retries, stopping when ``stop`` is set or ``Stopped``
  is raised; the CLI's ``watch`` command turns SIGTERM / Ctrl-C into those).

Each decision's log line is in docs/outputs.md; how a ledger's versions are remembered is
history.py's.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..outputs import is_ledger_file
from ..report import report_file
from . import effects
from .decide import After
from .effects import ERROR_REPORT, LOG_NAME
from .inbox import Inbox, Processed, default_outbox, process_file
from .settle import Facts, Settler, file_hash
from .state import STATE_NAME

__all__ = [
    "ERROR_REPORT",
    "LOG_NAME",
    "STATE_NAME",
    "Inbox",
    "Processed",
    "Stopped",
    "Watcher",
    "default_outbox",
    "file_hash",
    "process_file",
]

RESCAN_SECONDS = 5.0


class Stopped(BaseException):
    """Raised by SIGTERM / Ctrl-C inside a file: not an Exception, so no handler swallows it.

    Stopping mid-file is safe: outputs are only renamed into place when complete (their
    temporary files are removed on the way out), and the state does not yet say "done", so
    the next start does the file again.
    """


@dataclass
class Watcher:
    inbox: Path
    outbox: Path
    config: Path | None = None
    archive: Path | None = None
    mail_to: list[str] = field(default_factory=list)
    settle: float = 2.0
    stop: threading.Event = field(default_factory=threading.Event)
    busy: bool = False  # inside a file: a stop request interrupts it
    echo: Callable[[str], None] | None = None  # the CLI's: where each log line is shown as well

    def __post_init__(self) -> None:
        self.files = Inbox(self.inbox, self.outbox, self.config, self.archive, self.mail_to, self.echo)
        self.state, self.log = self.files.state, self.files.log
        self.events: queue.Queue[Path] = queue.Queue()
        self.settler = Settler(self.settle, lambda p: p.parent == self.inbox and is_ledger_file(p))

    # -- the loop --------------------------------------------------------------------------

    def run(self, poll: bool = False) -> None:
        effects.remove_stale_temporaries(self.outbox)
        observer = self._observer(poll)
        self.log.info("开始监视 %s，输出到 %s", self.inbox, self.outbox)
        last_scan = 0.0
        try:
            while not self.stop.is_set():
                if time.monotonic() - last_scan > RESCAN_SECONDS:  # events can be missed
                    self.settler.rescan(set(self.inbox.iterdir()))
                    last_scan = time.monotonic()
                with contextlib.suppress(queue.Empty):
                    self.settler.consider(self.events.get(timeout=0.5))
                self.settler.retries_due()
                self._process_settled()
        except Stopped:
            self.log.info("收到停止信号，正在处理的文件将在下次启动时重新处理。")
        finally:
            observer.stop()
            observer.join(timeout=5)
            self.log.info("已停止监视。")

    def _observer(self, poll: bool):
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer
        from watchdog.observers.polling import PollingObserver

        events = self.events

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event) -> None:
                if event.is_directory:
                    return
                events.put(Path(event.src_path))  # a move's source too: it is gone from there
                if getattr(event, "dest_path", ""):
                    events.put(Path(event.dest_path))

        observer = PollingObserver(timeout=1) if poll else Observer()
        observer.schedule(Handler(), str(self.inbox), recursive=False)
        observer.start()
        return observer

    def _process_settled(self) -> None:
        for path, settled in self.settler.settled():
            if self.stop.is_set():
                return
            self.busy = True
            try:
                done = self._process(path, settled)
            finally:
                self.busy = False
            if done.decided:
                self.settler.decided(path, settled)
            else:  # vanished or changed mid-run: whatever is there next is looked at afresh
                self.settler.undecided(path)

    # -- one file --------------------------------------------------------------------------

    def process(self, path: Path, settled: Facts | None = None) -> bool:
        """Decide on one settled file and say so in the log; False when the file vanished or
        changed while we looked, so nothing was decided about it."""
        return self._process(path, settled).decided

    def _process(self, path: Path, settled: Facts | None) -> Processed:
        # report_file looked up here, at call time: tests replace it on this module
        done = self.files.process(path, settled, last_delay=self.settler.last_delay(path), report=report_file)
        if done.after is After.BLOCKED:
            self.settler.retry_later(path, done.retry_in)
        elif done.after is not None:
            self.settler.done_retrying(path)
        return done
