"""What to do with a settled file, decided from the record and the file's facts: no file is touched here.

- ``decide``: the entry the state has for this name, the content hash now, whether the outputs
  it names are still there and which other names show this content → skip (and why) or do
  (and why). The same content again is skipped; any other content is done, including an
  earlier version dropped back (v1 → v2 → v1), and the same content under a new name gets
  outputs of its own. Only a failure that is the ledger's own is remembered until the content
  changes; a blocked output folder is always tried again.
- ``after_report``: what a report's outcome means for the record. A file that vanished, moved
  or changed while it was reported is not "failed": nothing is recorded, and whatever appears
  next is looked at afresh.
- ``folder_for``: each file's own output folder, kept across versions.
- ``next_retry_delay``: 2 s, doubling to 5 min, while an output folder cannot be written.

Effects (reporting, logging, the record, mail, archive) are effects.py's; the loop is
``Watcher``'s. Every decision's log line is in docs/outputs.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from .state import Entry, MailStatus, Status, StrEnum

RETRY_SECONDS = 2.0  # first retry of a file whose output folder could not be written; doubles
RETRY_MAX_SECONDS = 300.0


class Action(StrEnum):
    SKIP_DONE = "skip-done"  # the outputs already show this content
    SKIP_FAILED = "skip-failed"  # this content failed before: wait for a changed one
    DO = "do"  # report it


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    why: str = ""  # DO: the reason in "开始处理 X（why）"
    outputs_gone: bool = False  # DO because the outputs of this very content were deleted
    resume_mail: bool = False  # SKIP_DONE while its mail was pending: never risk a second copy


def decide(entry: Entry | None, digest: str, outputs_exist: bool, same_content: list[str]) -> Decision:
    """``entry``: the state's for this name; ``outputs_exist``: every output it names is there;
    ``same_content``: other names whose outputs show ``digest``."""
    if entry is None:
        if same_content:
            return Decision(
                Action.DO, f"新文件，内容与已处理的 {same_content[0]} 相同，按新文件名另行生成输出"
            )
        return Decision(Action.DO, "新文件")
    if entry.hash != digest:
        return Decision(Action.DO, "内容与上次处理的版本不同")
    if entry.status is Status.DONE:
        if outputs_exist:
            return Decision(Action.SKIP_DONE, resume_mail=entry.mail is MailStatus.PENDING)
        return Decision(Action.DO, "重新生成", outputs_gone=True)
    if entry.status is Status.FAILED:
        return Decision(Action.SKIP_FAILED)
    return Decision(Action.DO, "重试" if entry.status is Status.BLOCKED else "重新生成")


class After(StrEnum):
    """What a report's outcome means for the record."""

    VANISHED = "vanished"  # no report, and the file is gone or changed: nothing recorded
    BLOCKED = "blocked"  # the output folder: the ledger is fine, retried later
    FAILED = "failed"  # the ledger's own failure: remembered until the content changes
    DONE_UNSURE = "done-unsure"  # outputs written, but the file changed meanwhile: version unknown
    DONE = "done"


def after_report(has_report: bool, output_problem: bool, unchanged: bool) -> After:
    if not has_report and not unchanged:
        return After.VANISHED
    if not has_report:
        return After.BLOCKED if output_problem else After.FAILED
    return After.DONE if unchanged else After.DONE_UNSURE


def keeps_record(after: After) -> bool:
    """Whether the file was decided on (its facts need no second look until they change)."""
    return after not in (After.VANISHED, After.DONE_UNSURE)


def folder_for(entry_folder: str, taken: set[str], named: str, stem: str, suffix: str) -> str:
    """This file's own output folder: the one it had (``entry_folder``) unless another name
    took it, else ``named`` (``outputs.output_folder_name`` among the inbox's ledgers and those
    processed before), with its extension and then a number until no other name has it.
    ``taken``: the other names' folders, casefolded."""
    if entry_folder and entry_folder.casefold() not in taken:
        return entry_folder
    folder = named
    if folder.casefold() in taken:
        folder = f"{stem}（{suffix.lstrip('.')}）"
    base, n = folder, 2
    while folder.casefold() in taken:
        folder, n = f"{base}（{n}）", n + 1
    return folder


def next_retry_delay(last: float | None) -> float:
    """The wait before retrying a blocked file: 2 s first, doubling, at most 5 min."""
    return min((last if last is not None else RETRY_SECONDS / 2) * 2, RETRY_MAX_SECONDS)


def mail_wanted(mail_to: list[str] | tuple[str, ...], has_notice: bool) -> MailStatus:
    """A done version's mail: pending when someone is to get a notice."""
    return MailStatus.PENDING if mail_to and has_notice else MailStatus.NONE
