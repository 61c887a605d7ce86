"""What the watcher does once it has decided: the log, the record, 错误报告.txt, history, mail, archive.

Each function does one effect and turns the OSError it can meet into a log line: the watcher
goes on whatever one file's outputs, the history copy, the mail or the archive folder do.
The decisions these carry out are decide.py's; the order they happen in is inbox.py's.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import LedgerkitError, os_reason
from ...support.atomic import atomic_path, is_temporary
from ..history import History
from .state import MailStatus, State

if TYPE_CHECKING:
    from ..report import Report

LOG_NAME = "ledgerkit.log"
ERROR_REPORT = "错误报告.txt"


def logger(path: Path, echo: Callable[[str], None] | None = None) -> logging.Logger:
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


def record(log: logging.Logger, state: State, name: str, **changes: Any) -> None:
    """Change the record and save it; a failed save is said once, when it starts failing."""
    said = state.save_error
    state.put(name, **changes)
    if state.save_error and state.save_error != said:
        log.warning("%s；下次启动可能重做已处理的文件。", state.save_error)


def write_error_report(log: logging.Logger, outdir: Path, name: str, message: str) -> None:
    text = f"文件：{name}\n时间：{datetime.now():%Y-%m-%d %H:%M:%S}\n\n{message}\n"
    try:
        with atomic_path(outdir / ERROR_REPORT) as tmp:
            tmp.write_text(text, encoding="utf-8")
    except OSError as exc:
        log.warning("无法写入 %s（%s）。", outdir / ERROR_REPORT, os_reason(exc))


def clear_error_report(outdir: Path) -> None:
    """An earlier version's 错误报告.txt, once this version's outputs are there."""
    with contextlib.suppress(OSError):
        (outdir / ERROR_REPORT).unlink(missing_ok=True)


def say_changes(
    log: logging.Logger, history: History, name: str, report: Report, looked_up: list[Path | None]
) -> None:
    """One line: the changes since the last version with the red flags, or that there was none."""
    if report.since is not None:
        source = history.source_of(report.key, Path(report.since.old_file).name)
        log.info("变化 %s（上次的版本：%s）：%s", name, source, report.since.headline)
    elif looked_up and looked_up[-1] is None:
        log.info("%s 是这本台账（%s）的第一个版本，没有可对照的上次版本。", name, report.key)
    if report.since_problem:  # a remembered version that could not be read
        log.warning("%s：%s", name, report.since_problem)


def remember(log: logging.Logger, history: History, name: str, digest: str, report: Report) -> list[Path]:
    """Keep this version's cleaned workbook for the next one; the copies now unneeded."""
    if not digest or not report.key:  # which version the outputs show is not known
        return []
    try:
        return history.remember(report.key, digest, name, report.workbook)
    except OSError as exc:
        log.warning("未能保存 %s 的清洗台账副本（%s），下一个版本将无法与这一版对照。", name, os_reason(exc))
        return []


def delete(paths: list[Path]) -> None:
    for old in paths:
        with contextlib.suppress(OSError):
            old.unlink()


def send_mail(log: logging.Logger, state: State, name: str, report: Report, mail_to: list[str]) -> None:
    from ..report import mail_report

    try:
        log.info(mail_report(report, mail_to))
        record(log, state, name, mail=MailStatus.SENT)
    except LedgerkitError as exc:
        record(log, state, name, mail=MailStatus.FAILED, mail_error=exc.message)
        log.warning("邮件未发送：%s", exc.message)


def give_up_mail(log: logging.Logger, state: State, name: str) -> None:
    """A mail that was pending when the watcher stopped: perhaps sent, so never sent again."""
    record(log, state, name, mail=MailStatus.UNKNOWN)
    log.warning("%s 的邮件在上次退出时可能未发出，不会重发；请检查已发送邮件，必要时手动发送 .eml。", name)


def archive(log: logging.Logger, path: Path, folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / path.name
        if target.exists():
            target = folder / f"{path.stem}-{datetime.now():%Y%m%d%H%M%S}{path.suffix}"
        shutil.move(str(path), str(target))
    except OSError as exc:
        log.warning("未能归档 %s（%s），台账留在收件文件夹。", path.name, os_reason(exc))
        return
    log.info("已归档 %s → %s", path.name, target)


def remove_stale_temporaries(outbox: Path) -> None:
    """Temporary files of a watcher that was killed mid-write: never outputs, so remove them."""
    for tmp in outbox.rglob(".~ledgerkit-*"):
        if is_temporary(tmp):
            tmp.unlink(missing_ok=True)
