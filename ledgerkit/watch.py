"""``ledgerkit watch INBOX``: every ledger dropped into a folder is reported once it is complete.

- A file is taken only when its size and time stamp have not changed for ``settle`` seconds,
  so a slow copy is never read half-written.
- Processed files are remembered by content hash in a state file in OUTBOX: a restart redoes
  nothing, a changed file is redone. The state is written after the outputs (atomically), so
  a watcher killed mid-file simply does that file again on restart.
- Mail is at most once: the state says "mail pending" before sending and "sent" after; a
  pending mail found on restart is not sent again (the .eml is there to send by hand).
- A bad file gets 错误报告.txt and never stops the watcher. SIGTERM / Ctrl-C stop it cleanly.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import queue
import shutil
import signal
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .atomic import atomic_path, is_temporary
from .commands import is_ledger_file

STATE_NAME = ".ledgerkit-state.json"
LOG_NAME = "ledgerkit.log"
ERROR_REPORT = "错误报告.txt"
RESCAN_SECONDS = 5.0


class Stopped(BaseException):
    """Raised by SIGTERM / Ctrl-C inside a file: not an Exception, so no handler swallows it.

    Stopping mid-file is safe: outputs are only renamed into place when complete (their
    temporary files are removed on the way out), and the state does not yet say "done", so
    the next start does the file again.
    """


def default_outbox(inbox: Path) -> Path:
    return inbox.with_name(f"{inbox.name}-输出")


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class State:
    """content hash -> what was done with that content; saved atomically after each change."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.files: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["files"]
        except (FileNotFoundError, ValueError, KeyError):
            self.files = {}

    def get(self, digest: str) -> dict[str, Any] | None:
        return self.files.get(digest)

    def put(self, digest: str, **entry: Any) -> None:
        self.files.setdefault(digest, {}).update(entry, at=datetime.now().isoformat(timespec="seconds"))
        with atomic_path(self.path) as tmp:
            tmp.write_text(json.dumps({"files": self.files}, ensure_ascii=False, indent=1), encoding="utf-8")


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

    def __post_init__(self) -> None:
        self.outbox.mkdir(parents=True, exist_ok=True)
        self.state = State(self.outbox / STATE_NAME)
        self.log = _logger(self.outbox / LOG_NAME)
        self.events: queue.Queue[Path] = queue.Queue()
        self.seen: dict[Path, tuple[int, int, float]] = {}  # path -> (size, mtime_ns, stable since)
        self.handled: dict[Path, tuple[int, int]] = {}  # path -> (size, mtime_ns) already processed

    # -- the loop --------------------------------------------------------------------------

    def run(self, poll: bool = False) -> None:
        self._remove_stale_temporaries()
        observer = self._observer(poll)
        self.log.info("开始监视 %s，输出到 %s", self.inbox, self.outbox)
        last_scan = 0.0
        try:
            while not self.stop.is_set():
                if time.monotonic() - last_scan > RESCAN_SECONDS:  # events can be missed
                    self._scan()
                    last_scan = time.monotonic()
                with contextlib.suppress(queue.Empty):
                    self._consider(self.events.get(timeout=0.5))
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
                if not event.is_directory:
                    events.put(Path(getattr(event, "dest_path", "") or event.src_path))

        observer = PollingObserver(timeout=1) if poll else Observer()
        observer.schedule(Handler(), str(self.inbox), recursive=False)
        observer.start()
        return observer

    def _scan(self) -> None:
        for path in self.inbox.iterdir():
            self._consider(path)

    def _consider(self, path: Path) -> None:
        if path.parent != self.inbox or not is_ledger_file(path):
            self.seen.pop(path, None)
            return
        try:
            st = path.stat()
        except FileNotFoundError:
            self.seen.pop(path, None)
            return
        if self.handled.get(path) == (st.st_size, st.st_mtime_ns):
            return  # unchanged since we processed it: no need to hash it again
        now = time.monotonic()
        old = self.seen.get(path)
        if old is None or (old[0], old[1]) != (st.st_size, st.st_mtime_ns):
            self.seen[path] = (st.st_size, st.st_mtime_ns, now)  # still being written: wait

    def _process_settled(self) -> None:
        now = time.monotonic()
        for path, (size, mtime, since) in list(self.seen.items()):
            if self.stop.is_set():
                return
            if now - since < self.settle:
                continue
            try:
                st = path.stat()
            except FileNotFoundError:
                del self.seen[path]
                continue
            if (st.st_size, st.st_mtime_ns) != (size, mtime):
                self.seen[path] = (st.st_size, st.st_mtime_ns, now)
                continue
            del self.seen[path]
            self.busy = True
            try:
                self.process(path)
            finally:
                self.busy = False
            self.handled[path] = (size, mtime)

    # -- one file --------------------------------------------------------------------------

    def process(self, path: Path) -> None:
        from .batch import Job, process_file

        digest = file_hash(path)
        done = self.state.get(digest)
        if done is not None and done.get("status") in ("done", "failed"):
            self._resume_mail(digest, done)
            return
        self.log.info("开始处理 %s", path.name)
        outdir = self.outbox / path.stem
        outcome = process_file(path, self.outbox, Job(date.today(), self.config))
        if outcome.manifest is None:
            self._write_error(outdir, path, outcome.error)
            self.state.put(digest, name=path.name, status="failed", error=outcome.error)
            self.log.warning("处理失败 %s：%s", path.name, outcome.error)
            return
        outputs = outcome.manifest["outputs"]
        (outdir / ERROR_REPORT).unlink(missing_ok=True)  # an earlier failed version's report
        mail = "pending" if self.mail_to and outputs["notice"] else ""
        self.state.put(digest, name=path.name, status="done", outputs=outputs, mail=mail)
        findings = outcome.manifest["findings"]
        self.log.info("完成 %s：错误 %d，提醒 %d", path.name, findings["errors"], findings["warnings"])
        if mail:
            self._mail(digest, outcome.manifest)
        if self.archive is not None:
            self._archive(path)

    def _mail(self, digest: str, manifest: dict[str, Any]) -> None:
        from .commands import mail_outputs
        from .config import load_config
        from .errors import LedgerkitError

        try:
            config = load_config(Path(manifest["file"]), self.config)
            self.log.info(mail_outputs(manifest, self.mail_to, config))
            self.state.put(digest, mail="sent")
        except LedgerkitError as exc:
            self.state.put(digest, mail="failed", mail_error=exc.message)
            self.log.warning("邮件未发送：%s", exc.message)

    def _resume_mail(self, digest: str, entry: dict[str, Any]) -> None:
        if entry.get("mail") == "pending":  # killed while sending: never risk a second copy
            self.state.put(digest, mail="unknown")
            self.log.warning(
                "%s 的邮件在上次退出时可能未发出，不会重发；请检查已发送邮件，必要时手动发送 .eml。",
                entry["name"],
            )

    def _write_error(self, outdir: Path, path: Path, message: str) -> None:
        text = f"文件：{path.name}\n时间：{datetime.now():%Y-%m-%d %H:%M:%S}\n\n{message}\n"
        with atomic_path(outdir / ERROR_REPORT) as tmp:
            tmp.write_text(text, encoding="utf-8")

    def _archive(self, path: Path) -> None:
        assert self.archive is not None
        self.archive.mkdir(parents=True, exist_ok=True)
        target = self.archive / path.name
        if target.exists():
            target = self.archive / f"{path.stem}-{datetime.now():%Y%m%d%H%M%S}{path.suffix}"
        shutil.move(str(path), str(target))
        self.log.info("已归档 %s → %s", path.name, target)

    def _remove_stale_temporaries(self) -> None:
        """Temporary files of a watcher that was killed mid-write: never outputs, so remove them."""
        for tmp in self.outbox.rglob(".~ledgerkit-*"):
            if is_temporary(tmp):
                tmp.unlink(missing_ok=True)


def _logger(path: Path) -> logging.Logger:
    log = logging.getLogger(f"ledgerkit.watch.{path}")
    log.setLevel(logging.INFO)
    log.propagate = False
    if not log.handlers:
        fmt = logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%d %H:%M:%S")
        for handler in (logging.FileHandler(path, encoding="utf-8"), logging.StreamHandler()):
            handler.setFormatter(fmt)
            log.addHandler(handler)
    return log


def watch_command(
    inbox: Path, out: Path | None, config: Path | None, poll: bool, archive: Path | None, mail_to: list[str]
) -> int:
    from .errors import LedgerkitError

    if not inbox.is_dir():
        raise LedgerkitError(f"收件文件夹“{inbox}”不存在。请先创建它（ledgerkit init 会创建 inbox 文件夹）。")
    watcher = Watcher(inbox, out or default_outbox(inbox), config, archive, mail_to)

    def stop(_signum, _frame) -> None:
        watcher.stop.set()
        if watcher.busy:
            raise Stopped

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    watcher.run(poll=poll)
    return 0
