"""``ledgerkit watch INBOX``: every ledger dropped into a folder is reported once it is complete.

- A file is taken only when its size and time stamp have not changed for ``settle`` seconds,
  so a slow copy is never read half-written.
- What to do is decided from the file as it is when settled: the state file in OUTBOX records,
  per input file name, which content (hash) its outputs show. The same content again is
  skipped (a line in the log says so); any other content is done, including an earlier
  version dropped back (v1 → v2 → v1), and the same content under a new name gets outputs of
  its own. The state is written after the outputs (atomically), so a watcher killed mid-file
  simply does that file again on restart.
- A file that vanishes, moves or changes while it is being reported is not "failed": nothing
  is recorded, and whatever appears next is looked at afresh. Only a failure that is the
  ledger's own (it cannot be read) is remembered, until the content changes.
- Each file has its own output folder (``report.output_folder_name``: the stem, or stem plus
  extension where two inputs share a stem), kept across versions.
- An output folder that cannot be written fails that file with one sentence; the watcher goes
  on and retries the file (after 2 s, doubling to 5 min) until the folder can be written.
- Every decision is a line in OUTBOX/ledgerkit.log (each case and its line: docs/outputs.md).
- Each ledger's last version is remembered (history.py: a copy of its cleaned workbook in
  OUTBOX/.ledgerkit-history, the index in the state file): a new version's report carries the
  changes since it (as ``report --since``), the log says them and their red flags, and so does
  the mail. A ledger is its unit (its own 填报单位, else [unit] name), else its file name.
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
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..errors import LedgerkitError
from ..support.atomic import atomic_path, is_temporary
from .history import HISTORY_DIR, History
from .report import (
    Job,
    Report,
    ensure_writable_folder,
    is_ledger_file,
    mail_report,
    output_folder_name,
    report_file,
)

STATE_NAME = ".ledgerkit-state.json"
LOG_NAME = "ledgerkit.log"
ERROR_REPORT = "错误报告.txt"
RESCAN_SECONDS = 5.0
RETRY_SECONDS = 2.0  # first retry of a file whose output folder could not be written; doubles
RETRY_MAX_SECONDS = 300.0


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
    """Input file name → the version of it (content hash) that its outputs reflect, and what
    became of that version; saved atomically after each change, so it survives restarts.

    Keyed by name, not by content: going back to an earlier version (v1 → v2 → v1) is a change
    of what the outputs must show, and the same content under a new name is a new file with
    outputs of its own. A state file of the earlier layout (keyed by content hash) is read too.
    """

    VERSION = 2

    def __init__(self, path: Path) -> None:
        self.path = path
        self.save_error = ""  # the last save's failure, said once by the watcher
        self.ledgers: dict[str, Any] = {}  # history.History's index: each ledger's remembered versions
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            self.files: dict[str, dict[str, Any]] = (
                data["files"] if data.get("version") == self.VERSION else _by_name(data["files"])
            )
            if isinstance(data.get("ledgers"), dict):
                self.ledgers = data["ledgers"]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self.files = {}

    def get(self, name: str) -> dict[str, Any] | None:
        return self.files.get(name)

    def done_with(self, digest: str) -> list[str]:
        """Names whose outputs show this content."""
        return [n for n, e in self.files.items() if e.get("hash") == digest and e.get("status") == "done"]

    def folders(self, other_than: str) -> set[str]:
        return {e["folder"].casefold() for n, e in self.files.items() if n != other_than and e.get("folder")}

    def put(self, name: str, **entry: Any) -> None:
        self.files.setdefault(name, {}).update(entry, at=datetime.now().isoformat(timespec="seconds"))
        try:
            with atomic_path(self.path) as tmp:
                data = {"version": self.VERSION, "files": self.files, "ledgers": self.ledgers}
                tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
            self.save_error = ""
        except OSError as exc:  # kept in memory; saved with the next change the folder allows
            self.save_error = f"无法保存处理记录“{self.path}”（{exc.strerror or exc}）"


def _by_name(by_hash: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The earlier state layout (content hash → entry with its name), newest entry per name."""
    files: dict[str, dict[str, Any]] = {}
    for digest, entry in sorted(by_hash.items(), key=lambda kv: str(kv[1].get("at", ""))):
        name = entry.get("name")
        if name:
            files[name] = {k: v for k, v in entry.items() if k != "name"} | {
                "hash": digest,
                "folder": Path(name).stem,  # where that version put the outputs
            }
    return files


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
        ensure_writable_folder(self.outbox)  # the state and the log live there: said before starting
        self.state = State(self.outbox / STATE_NAME)
        self.history = History(self.outbox / HISTORY_DIR, self.state.ledgers)
        self.log = _logger(self.outbox / LOG_NAME, self.echo)
        self.events: queue.Queue[Path] = queue.Queue()
        self.seen: dict[Path, tuple[int, int, float]] = {}  # path -> (size, mtime_ns, stable since)
        self.handled: dict[Path, tuple[int, int]] = {}  # path -> (size, mtime_ns) already decided on
        self.retry: dict[Path, tuple[float, float]] = {}  # path -> (when, delay): output folder blocked

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
                self._retry_due()
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

    def _scan(self) -> None:
        present = set(self.inbox.iterdir())
        for gone in [p for p in (*self.handled, *self.retry) if p not in present]:
            self._gone(gone)  # dropped again later, it is looked at afresh
        for path in present:
            self._consider(path)

    def _gone(self, path: Path) -> None:
        self.seen.pop(path, None)
        self.handled.pop(path, None)
        self.retry.pop(path, None)

    def _consider(self, path: Path) -> None:
        if path.parent != self.inbox or not is_ledger_file(path):
            self._gone(path)
            return
        try:
            st = path.stat()
        except FileNotFoundError:
            self._gone(path)
            return
        if self.handled.get(path) == (st.st_size, st.st_mtime_ns):
            return  # unchanged since we decided on it: no need to hash it again
        now = time.monotonic()
        old = self.seen.get(path)
        if old is None or (old[0], old[1]) != (st.st_size, st.st_mtime_ns):
            self.seen[path] = (st.st_size, st.st_mtime_ns, now)  # still being written: wait

    def _retry_due(self) -> None:
        now = time.monotonic()
        for path, (when, _delay) in list(self.retry.items()):
            if now >= when:
                self.handled.pop(path, None)
                self._consider(path)

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
                self._gone(path)
                continue
            if (st.st_size, st.st_mtime_ns) != (size, mtime):
                self.seen[path] = (st.st_size, st.st_mtime_ns, now)
                continue
            del self.seen[path]
            self.busy = True
            try:
                decided = self.process(path, (size, mtime))
            finally:
                self.busy = False
            if decided:
                self.handled[path] = (size, mtime)
            else:  # vanished or changed mid-run: whatever is there next is looked at afresh
                self.handled.pop(path, None)

    # -- one file --------------------------------------------------------------------------

    def process(self, path: Path, settled: tuple[int, int] | None = None) -> bool:
        """Decide on one settled file and say so in the log; False when the file vanished or
        changed while we looked, so nothing was decided about it."""
        name = path.name
        try:
            digest = file_hash(path)
        except FileNotFoundError:
            self.log.info("%s 在处理前已被移走或删除，不作处理。", name)
            return False
        except OSError as exc:  # e.g. locked by the program still saving it: looked at again
            self.log.info("暂时无法读取 %s（%s），稍后再试。", name, exc.strerror or exc)
            return False
        entry = self.state.get(name)
        if entry is not None and entry.get("hash") == digest and not self._worth_redoing(name, entry):
            return True
        folder = self._folder_for(path)
        self.log.info("开始处理 %s（%s），输出到 %s", name, self._why(name, entry, digest), folder)
        outdir = self.outbox / folder
        looked_up: list[Path | None] = []  # what the report was compared with; [] when not read

        def since(key: str) -> Path | None:
            looked_up.append(self.history.previous(key, digest))
            return looked_up[-1]

        outcome = report_file(path, outdir, Job(date.today(), self.config), since)
        self.retry.pop(path, None)
        if outcome.report is None and not _unchanged(path, settled):
            self.log.info(
                "%s 在处理过程中被移走、删除或改动，不记为失败；它再出现或保存完成后会重新处理。", name
            )
            return False
        if outcome.report is None and outcome.output_problem:
            self._blocked(path, digest, folder, outcome.error)
        elif outcome.report is None:
            self.log.warning("处理失败 %s：%s", name, outcome.error)
            self._write_error(outdir, path, outcome.error)
            self._put(name, hash=digest, folder=folder, status="failed", error=outcome.error, outputs=None)
        elif not _unchanged(path, settled):
            # The outputs show what was read, but which version that was is not known: whatever
            # is there next (the same name again, an earlier version) is done again.
            self.log.info(
                "%s 在处理过程中被移走或改动；输出按处理时读到的内容生成，文件再出现时会重新处理。", name
            )
            self._done(path, "", folder, outcome.report, looked_up)
            return False
        else:
            self._done(path, digest, folder, outcome.report, looked_up)
        return True

    def _worth_redoing(self, name: str, entry: dict[str, Any]) -> bool:
        """The same content as last time: say why it is skipped, or why it is done again."""
        status = entry.get("status")
        if status == "done":
            outputs = [p for p in (entry.get("outputs") or {}).values() if p]
            if outputs and all(Path(p).exists() for p in outputs):
                self._resume_mail(name, entry)
                self.log.info(
                    "跳过 %s：内容与上次处理时相同，输出已是这一版本（%s）。", name, entry.get("folder")
                )
                return False
            self.log.info("%s 内容未变，但上次的输出已不在，重新生成。", name)
            return True
        if status == "failed":
            self.log.info(
                "跳过 %s：内容与上次处理失败时相同（原因见 %s/%s）；修改并保存后会重新处理。",
                name,
                entry.get("folder"),
                ERROR_REPORT,
            )
            return False
        return True  # "blocked" (the output folder) or unknown: try again

    def _why(self, name: str, entry: dict[str, Any] | None, digest: str) -> str:
        if entry is None:
            same = [n for n in self.state.done_with(digest) if n != name]
            return f"新文件，内容与已处理的 {same[0]} 相同，按新文件名另行生成输出" if same else "新文件"
        if entry.get("hash") != digest:
            return "内容与上次处理的版本不同"
        return "重试" if entry.get("status") == "blocked" else "重新生成"

    def _folder_for(self, path: Path) -> str:
        """This file's own output folder: the one it had, else by ``report.output_folder_name``
        among the ledgers in the inbox and those processed before (archived ones included)."""
        taken = self.state.folders(other_than=path.name)
        entry = self.state.get(path.name) or {}
        if entry.get("folder") and entry["folder"].casefold() not in taken:
            return entry["folder"]
        siblings = [p for p in self.inbox.iterdir() if is_ledger_file(p)]
        siblings += [self.inbox / n for n in self.state.files]
        folder = output_folder_name(path, siblings)
        if folder.casefold() in taken:
            folder = f"{path.stem}（{path.suffix.lstrip('.')}）"
        base, n = folder, 2
        while folder.casefold() in taken:
            folder, n = f"{base}（{n}）", n + 1
        return folder

    def _put(self, name: str, **entry: Any) -> None:
        said = self.state.save_error
        self.state.put(name, **entry)
        if self.state.save_error and self.state.save_error != said:
            self.log.warning("%s；下次启动可能重做已处理的文件。", self.state.save_error)

    def _done(
        self, path: Path, digest: str, folder: str, report: Report, looked_up: list[Path | None]
    ) -> None:
        name = path.name
        outputs = report.manifest()["outputs"]
        with contextlib.suppress(OSError):
            (self.outbox / folder / ERROR_REPORT).unlink(missing_ok=True)  # an earlier version's
        self._say_changes(name, report, looked_up)
        stale = self._remember(name, digest, report)
        mail = "pending" if self.mail_to and report.notice else ""
        self._put(name, hash=digest, folder=folder, status="done", outputs=outputs, mail=mail, error="")
        for old in stale:  # only once the saved state no longer names them
            with contextlib.suppress(OSError):
                old.unlink()
        self.log.info("完成 %s：错误 %d，提醒 %d，输出在 %s", name, report.errors, report.warnings, folder)
        if mail:
            self._mail(name, report)
        if self.archive is not None and path.exists():
            self._archive(path)

    def _say_changes(self, name: str, report: Report, looked_up: list[Path | None]) -> None:
        """One line: the changes since the last version with the red flags, or that there was none."""
        if report.changes is not None:
            source = self.history.source_of(report.key, Path(report.changes["old"]["file"]).name)
            line = "".join(report.change_lines[:2])  # the summary line, and 需要关注：… when any
            self.log.info("变化 %s（上次的版本：%s）：%s", name, source, line)
        elif looked_up and looked_up[-1] is None:
            self.log.info("%s 是这本台账（%s）的第一个版本，没有可对照的上次版本。", name, report.key)
        for line in report.messages:  # e.g. a remembered version that could not be read
            if line.startswith("上次的版本"):
                self.log.warning("%s：%s", name, line)

    def _remember(self, name: str, digest: str, report: Report) -> list[Path]:
        """Keep this version's cleaned workbook for the next one; the copies now unneeded."""
        if not digest or not report.key:  # which version the outputs show is not known
            return []
        try:
            return self.history.remember(report.key, digest, name, report.workbook)
        except OSError as exc:
            self.log.warning(
                "未能保存 %s 的清洗台账副本（%s），下一个版本将无法与这一版对照。", name, exc.strerror or exc
            )
            return []

    def _blocked(self, path: Path, digest: str, folder: str, error: str) -> None:
        """The output folder cannot be written: the ledger is fine, so it is tried again later."""
        _when, delay = self.retry.get(path, (0.0, RETRY_SECONDS / 2))
        delay = min(delay * 2, RETRY_MAX_SECONDS)
        self.retry[path] = (time.monotonic() + delay, delay)
        reason = error.rstrip("。")
        self.log.warning("处理失败 %s：%s；台账本身没有问题，%d 秒后自动重试。", path.name, reason, delay)
        self._put(path.name, hash=digest, folder=folder, status="blocked", error=error, outputs=None)

    def _mail(self, name: str, report: Report) -> None:
        try:
            self.log.info(mail_report(report, self.mail_to))
            self._put(name, mail="sent")
        except LedgerkitError as exc:
            self._put(name, mail="failed", mail_error=exc.message)
            self.log.warning("邮件未发送：%s", exc.message)

    def _resume_mail(self, name: str, entry: dict[str, Any]) -> None:
        if entry.get("mail") == "pending":  # killed while sending: never risk a second copy
            self._put(name, mail="unknown")
            self.log.warning(
                "%s 的邮件在上次退出时可能未发出，不会重发；请检查已发送邮件，必要时手动发送 .eml。", name
            )

    def _write_error(self, outdir: Path, path: Path, message: str) -> None:
        text = f"文件：{path.name}\n时间：{datetime.now():%Y-%m-%d %H:%M:%S}\n\n{message}\n"
        try:
            with atomic_path(outdir / ERROR_REPORT) as tmp:
                tmp.write_text(text, encoding="utf-8")
        except OSError as exc:
            self.log.warning("无法写入 %s（%s）。", outdir / ERROR_REPORT, exc.strerror or exc)

    def _archive(self, path: Path) -> None:
        assert self.archive is not None
        try:
            self.archive.mkdir(parents=True, exist_ok=True)
            target = self.archive / path.name
            if target.exists():
                target = self.archive / f"{path.stem}-{datetime.now():%Y%m%d%H%M%S}{path.suffix}"
            shutil.move(str(path), str(target))
        except OSError as exc:
            self.log.warning("未能归档 %s（%s），台账留在收件文件夹。", path.name, exc.strerror or exc)
            return
        self.log.info("已归档 %s → %s", path.name, target)

    def _remove_stale_temporaries(self) -> None:
        """Temporary files of a watcher that was killed mid-write: never outputs, so remove them."""
        for tmp in self.outbox.rglob(".~ledgerkit-*"):
            if is_temporary(tmp):
                tmp.unlink(missing_ok=True)


def _unchanged(path: Path, settled: tuple[int, int] | None) -> bool:
    """The file is still there as it was when we took it."""
    try:
        st = path.stat()
    except OSError:
        return False
    return settled is None or (st.st_size, st.st_mtime_ns) == settled


def _logger(path: Path, echo: Callable[[str], None] | None = None) -> logging.Logger:
    """The log file, and ``echo`` (the console, which only the CLI writes) for each line too."""
    log = logging.getLogger(f"ledgerkit.watch.{path}")
    log.setLevel(logging.INFO)
    log.propagate = False
    if not log.handlers:
        fmt = logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%d %H:%M:%S")
        handlers: list[logging.Handler] = [logging.FileHandler(path, encoding="utf-8")]
        if echo is not None:
            handlers.append(_Echo(echo))
        for handler in handlers:
            handler.setFormatter(fmt)
            log.addHandler(handler)
    return log


class _Echo(logging.Handler):
    """Hands each formatted line to a callback instead of writing a stream itself."""

    def __init__(self, echo: Callable[[str], None]) -> None:
        super().__init__()
        self.echo = echo

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.echo(self.format(record))
        except Exception:  # a console that cannot show the line never stops the watcher
            self.handleError(record)
