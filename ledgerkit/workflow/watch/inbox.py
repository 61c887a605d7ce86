"""One file in a watched inbox, exactly as ``watch`` does it: ``Inbox.process`` and ``process_file``.

``Inbox.begin`` / ``Inbox.finish`` are its two halves: decide and plan, then record the outcome.
``report``, a parameter, is how the report is made (serve passes one that takes a report made
early in its pool, serve/folder.py).

The order of one file's work: hash it → under the outbox's lock, read the record and decide
(decide.py) → report it into its own output folder, compared with the ledger's last version
(history.py) → record what came of it, then the effects (effects.py: 错误报告.txt, the history
copy, the mail, the archive). The state is written after the outputs (atomically), so a
watcher killed mid-file simply does that file again on restart.

Safe from several threads and processes on one outbox (``watch`` and ``serve`` at once): the
whole of one file's work holds the outbox's lock (state.State.locked), so two holders never
report one file twice, mail it twice, or save a record that loses the other's entry.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ...errors import os_reason
from ..history import HISTORY_DIR, History
from ..outputs import ensure_writable_folder, is_ledger_file, output_folder_name
from ..report import Job, Outcome, Report, SinceLookup, report_file
from .decide import (
    Action,
    After,
    Decision,
    after_report,
    decide,
    folder_for,
    keeps_record,
    mail_wanted,
    next_retry_delay,
)
from .effects import (
    ERROR_REPORT,
    LOG_NAME,
    clear_error_report,
    delete,
    give_up_mail,
    logger,
    record,
    remember,
    say_changes,
    send_mail,
    write_error_report,
)
from .effects import archive as move_to_archive
from .settle import Facts, file_hash, unchanged
from .state import STATE_NAME, State, Status

ReportFile = Callable[[Path, Path, Job, SinceLookup | None], Outcome]


def default_outbox(inbox: Path) -> Path:
    return inbox.with_name(f"{inbox.name}-输出")


@dataclass(frozen=True, slots=True)
class Plan:
    """A file decided to be reported: into ``folder``, compared through ``since`` (picklable)."""

    path: Path
    digest: str
    settled: Facts | None
    folder: str
    since: Callable[[str], Path | None]


@dataclass(slots=True)
class Processed:
    """What became of one file."""

    after: After | Action | None  # None: the file could not be hashed (gone, or locked)
    folder: str = ""
    report: Report | None = None
    error: str = ""
    retry_in: float = 0.0  # BLOCKED: seconds until the output folder is worth trying again

    @property
    def decided(self) -> bool:
        """False when the file vanished or changed while we looked: nothing was decided about
        it, and whatever is there next is looked at afresh."""
        return self.after is not None and (not isinstance(self.after, After) or keeps_record(self.after))


@dataclass
class Inbox:
    """An inbox folder and its outbox: the record, the history and the log they share."""

    folder: Path
    outbox: Path
    config: Path | None = None
    archive: Path | None = None
    mail_to: list[str] = field(default_factory=list)
    echo: Callable[[str], None] | None = None  # where each log line is shown as well (the CLI's console)

    def __post_init__(self) -> None:
        ensure_writable_folder(self.outbox)  # the state and the log live there: said before starting
        self.state = State(self.outbox / STATE_NAME)
        self.history = History(self.outbox / HISTORY_DIR, self.state.ledgers)
        self.log = logger(self.outbox / LOG_NAME, self.echo)

    def process(
        self,
        path: Path,
        settled: Facts | None = None,
        *,
        last_delay: float | None = None,
        as_of: date | None = None,
        report: ReportFile = report_file,
    ) -> Processed:
        """Decide on one settled file, do it and say so in the log. ``settled``: its size and
        time stamp when taken (a change meanwhile means it was not decided on); ``last_delay``:
        the wait before this retry of a blocked output folder; ``as_of``: the report's date
        (today). The outbox's lock is held throughout: one holder does one file at a time."""
        with self.state.locked():
            begun = self.begin(path, settled)
            if isinstance(begun, Processed):
                return begun
            job = Job(as_of or date.today(), self.config)
            outcome = report(path, self.outbox / begun.folder, job, begun.since)
            return self.finish(begun, outcome, last_delay=last_delay)

    def begin(self, path: Path, settled: Facts | None = None) -> Plan | Processed:
        """The first half of ``process``: hash the file and decide; a ``Plan`` when it is to be
        reported (the log says so), else what became of it."""
        name = path.name
        try:
            digest = file_hash(path)
        except FileNotFoundError:
            self.log.info("%s 在处理前已被移走或删除，不作处理。", name)
            return Processed(None)
        except OSError as exc:  # e.g. locked by the program still saving it: looked at again
            self.log.info("暂时无法读取 %s（%s），稍后再试。", name, os_reason(exc))
            return Processed(None)
        with self.state.locked():
            decision = self._decide(name, digest)
            if decision.action is not Action.DO:
                entry = self.state.get(name)
                return Processed(decision.action, entry.folder if entry else "")
            folder = self._folder_for(path)
            self.log.info("开始处理 %s（%s），输出到 %s", name, decision.why, folder)
            # What the report is compared with, from the history as it is now: plain data, so it
            # can go to another process with the report.
            snapshot = History(self.history.folder, copy.deepcopy(self.history.ledgers))
            return Plan(path, digest, settled, folder, functools.partial(snapshot.previous, digest=digest))

    def finish(self, plan: Plan, outcome: Outcome, *, last_delay: float | None = None) -> Processed:
        """The second half of ``process``: record what the report's ``outcome`` means, and its
        effects (错误报告.txt, the history copy, the mail, the archive)."""
        path, digest, folder, name = plan.path, plan.digest, plan.folder, plan.path.name
        outdir = self.outbox / folder
        with self.state.locked():
            after = after_report(
                outcome.report is not None, outcome.output_problem, unchanged(path, plan.settled)
            )
            done = Processed(after, folder, outcome.report, outcome.error)
            if after is After.VANISHED:
                self.log.info(
                    "%s 在处理过程中被移走、删除或改动，不记为失败；它再出现或保存完成后会重新处理。", name
                )
            elif after is After.BLOCKED:
                done.retry_in = next_retry_delay(last_delay)
                reason = outcome.error.rstrip("。")
                # Recorded before it is logged: whoever reads the log line finds the record saved.
                self._record(
                    name, hash=digest, folder=folder, status=Status.BLOCKED, error=outcome.error, outputs=None
                )
                self.log.warning(
                    "处理失败 %s：%s；台账本身没有问题，%d 秒后自动重试。", name, reason, done.retry_in
                )
            elif after is After.FAILED:
                write_error_report(self.log, outdir, name, outcome.error)
                self._record(
                    name, hash=digest, folder=folder, status=Status.FAILED, error=outcome.error, outputs=None
                )
                self.log.warning("处理失败 %s：%s", name, outcome.error)
            elif outcome.report is not None:
                looked_up = [plan.since(outcome.report.key)]  # what the report was compared with
                if after is After.DONE_UNSURE:
                    # The outputs show what was read, but which version that was is not known:
                    # whatever is there next (the same name again, an earlier version) is done again.
                    self.log.info(
                        "%s 在处理过程中被移走或改动；输出按处理时读到的内容生成，文件再出现时会重新处理。",
                        name,
                    )
                self._done(path, digest if after is After.DONE else "", folder, outcome.report, looked_up)
            return done

    def _decide(self, name: str, digest: str) -> Decision:
        entry = self.state.get(name)
        outputs = entry.output_paths() if entry else []
        same = [n for n in self.state.done_with(digest) if n != name] if entry is None else []
        decision = decide(entry, digest, bool(outputs) and all(p.exists() for p in outputs), same)
        if decision.action is Action.SKIP_DONE:
            if decision.resume_mail:
                give_up_mail(self.log, self.state, name)
            self.log.info(
                "跳过 %s：内容与上次处理时相同，输出已是这一版本（%s）。", name, entry.folder if entry else ""
            )
        elif decision.action is Action.SKIP_FAILED:
            self.log.info(
                "跳过 %s：内容与上次处理失败时相同（原因见 %s/%s）；修改并保存后会重新处理。",
                name,
                entry.folder if entry else "",
                ERROR_REPORT,
            )
        elif decision.outputs_gone:
            self.log.info("%s 内容未变，但上次的输出已不在，重新生成。", name)
        return decision

    def _folder_for(self, path: Path) -> str:
        """This file's own output folder, among the ledgers in the inbox and those processed
        before (archived ones included)."""
        siblings = [p for p in self.folder.iterdir() if is_ledger_file(p)]
        siblings += [self.folder / n for n in self.state.files]
        entry = self.state.get(path.name)
        return folder_for(
            entry.folder if entry else "",
            self.state.folders(other_than=path.name),
            output_folder_name(path, siblings),
            path.stem,
            path.suffix,
        )

    def _record(self, name: str, **changes: object) -> None:
        record(self.log, self.state, name, **changes)

    def _done(
        self, path: Path, digest: str, folder: str, report: Report, looked_up: list[Path | None]
    ) -> None:
        name = path.name
        outputs = report.manifest()["outputs"]
        clear_error_report(self.outbox / folder)
        say_changes(self.log, self.history, name, report, looked_up)
        stale = remember(self.log, self.history, name, digest, report)
        mail = mail_wanted(self.mail_to, report.notice is not None)
        self._record(
            name, hash=digest, folder=folder, status=Status.DONE, outputs=outputs, mail=mail, error=""
        )
        delete(stale)  # only once the saved state no longer names them
        self.log.info("完成 %s：错误 %d，提醒 %d，输出在 %s", name, report.errors, report.warnings, folder)
        if mail:
            send_mail(self.log, self.state, name, report, self.mail_to)
        if self.archive is not None and path.exists():
            move_to_archive(self.log, path, self.archive)


def process_file(
    path: Path,
    outbox: Path | None = None,
    *,
    config: Path | None = None,
    archive: Path | None = None,
    mail_to: list[str] | tuple[str, ...] = (),
) -> Processed:
    """Process one file of an inbox (``path.parent``) exactly as ``watch`` does: the same record,
    history, output folder, log lines, mail at most once, archive. ``outbox`` defaults to
    ``watch``'s (``<inbox>-输出``). Safe to call from several threads and processes at once.
    Raises OutputError when the outbox itself cannot be written."""
    inbox = Inbox(path.parent, outbox or default_outbox(path.parent), config, archive, list(mail_to))
    return inbox.process(path)
