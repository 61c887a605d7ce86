"""Reporting: one ledger into a cleaned workbook and a notice draft (``report_one``), one file of many.

This module owns what a report *is* and how one is made, for every caller (the CLI, ``report
FOLDER``, the watched inbox):

- ``report_one``: the order of the work, so that every finding exists before any output is
  written: pipeline → the comparison with the last version (``since``: ``report --since``, the
  watched inbox) → the notice's content (not rendered) → all findings sorted once → workbook
  (with all findings, and the changes) → notice rendered → ``Report``. 校验结果, the manifest counts,
  the CLI line and the exit code therefore all come from one list.
- ``Report``: the typed result (Summary, findings, output paths, counts); ``Report.manifest()``
  is the ``report --json`` contract and the only place its keys are spelt.
- The refusal to overwrite the input, and the mailing hook (``mail_report``).
- ``report_file``: one file of many, every error a user can cause turned into an ``Outcome``.

Running many files at once (the process pool, progress lines) is ``batch.py``'s; watching a
folder is ``watch/``'s; which files, and where their outputs go, ``outputs.py``'s; printing is
the CLI's (``cli/commands/``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import formats
from ..errors import LedgerkitError, OutputError
from .outputs import default_outdir, ensure_writable_folder
from .outputs import is_ledger_file as is_ledger_file  # re-exported: where callers found them
from .outputs import ledger_files as ledger_files
from .outputs import output_folder_name as output_folder_name
from .outputs import output_folders as output_folders

if TYPE_CHECKING:  # the pipeline imports pandas: only when a report is made
    from ..compare import Comparison
    from ..config import Config
    from ..figures import Summary
    from ..model import Finding
    from ..pipeline import Result


def _refuse_overwriting_input(src: Path, target: Path) -> None:
    if target.exists() and src.resolve() == target.resolve():
        raise LedgerkitError(
            f"输出文件“{target.name}”与输入台账是同一个文件，不会覆盖输入。请用 -o 指定其他输出文件夹。"
        )


# ---- the result ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Since:
    """The changes since the last version, as a report carries them to its callers (the CLI,
    the watched inbox's log and mail, serve's page): typed, so none digs into the JSON."""

    old_file: str  # the file compared with: ``--since``'s, or the watched inbox's remembered copy
    summary: str  # 与上次（2025年2月1日）相比：新完成5条，……。
    red_flags: tuple[str, ...]  # 需要关注：… and one line per red flag; () when there is none
    as_json: dict[str, Any]  # the manifest's ``changes``: {"old": …, "counts": …, <kind>: […]}

    @property
    def lines(self) -> list[str]:
        return [self.summary, *self.red_flags]

    @property
    def headline(self) -> str:
        """The summary and, when any, the red flags named: one line for a log."""
        return self.summary + (self.red_flags[0] if self.red_flags else "")


@dataclass(slots=True)
class Report:
    """What reporting one ledger made: picklable, so a worker process can send it back."""

    path: Path
    summary: Summary
    findings: list[Finding]  # all of them, the notice's included, sorted once
    workbook: Path
    notice: Path | None
    config: Config
    missing: list[str] = field(default_factory=list)  # notice values still 【待填】
    messages: list[str] = field(default_factory=list)  # lines for the user, e.g. what was mailed
    key: str = ""  # which ledger this is a version of (history.ledger_key)
    since: Since | None = None  # the changes since the last version, when compared
    since_problem: str = ""  # the sentence when the last version could not be read (in messages too)

    @property
    def changes(self) -> dict[str, Any] | None:
        """The manifest's ``changes``; None when not compared."""
        return self.since.as_json if self.since is not None else None

    @property
    def change_lines(self) -> list[str]:
        """The summary line and the red flags; [] when not compared."""
        return self.since.lines if self.since is not None else []

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0

    def manifest(self) -> dict[str, Any]:
        """The ``report --json`` contract (and the manifest a folder run lists per file)."""
        manifest = {
            "file": str(self.path),
            "outputs": {"workbook": str(self.workbook), "notice": str(self.notice) if self.notice else None},
            "summary": self.summary.as_dict(),
            "findings": {"errors": self.errors, "warnings": self.warnings},
        }
        if self.changes is not None:  # only when compared: without --since the contract is as before
            manifest["changes"] = self.changes
        return manifest

    def slim(self) -> Report:
        """This report without the per-issue detail the notice was built from (the ledger's
        measures): what crosses from a worker process back to the parent."""
        return dataclasses.replace(self, summary=dataclasses.replace(self.summary, items=[]))


def figures_line(s: Summary) -> str:
    """One line of figures, as the CLI and the folder report print them."""
    return formats.figures_sentence(s.as_of, s.issues, s.issues_done, s.measures, s.measures_done)


# ---- one ledger ----------------------------------------------------------------------------


# ``since`` of report_one: the last version's file (``report --since``), or a lookup from the
# ledger's key (history.ledger_key) to it, None for a first version (the watched inbox).
SinceLookup = Callable[[str], "Path | None"]


def report_one(
    path: Path,
    out: Path | None,
    as_of: date,
    config_path: Path | None,
    no_notice: bool,
    since: Path | SinceLookup | None = None,
) -> Report:
    """Write the cleaned workbook and the notice draft for one ledger into ``out``; with
    ``since``, the changes since that version too (compared before anything is written)."""
    from ..config import which_unit
    from ..pipeline import run
    from ..rules.validate import sort_findings
    from ..workbook import workbook_filename, write_workbook
    from .history import ledger_key

    result = run(path, as_of, config_path, sort=False)
    outdir = out or default_outdir(path)
    workbook_target = outdir / workbook_filename(path)
    _refuse_overwriting_input(path, workbook_target)
    key = ledger_key(result.ledger.unit, result.config.get("unit", "name") or "", path.name)
    comparison, since_note = _changes_since(since, key, result, workbook_target)
    notice = None
    if not no_notice:
        from ..notice import build_notice, notice_filename

        unit = which_unit(result.summary.unit, result.config.get("unit", "name"), "config")
        _refuse_overwriting_input(path, outdir / notice_filename(unit))
        # The notice's content before anything is written: its findings (progress missing,
        # characters Word cannot hold) belong in the workbook's 校验结果 like every other.
        notice = build_notice(result.ledger, result.summary, result.config, errors=len(result.errors))
    # All findings, once, in one order: the 校验结果 sheet, the manifest and the CLI share them.
    findings = sort_findings(result.ledger, [*result.findings, *(notice.warnings if notice else [])])
    ensure_writable_folder(outdir)
    workbook = write_workbook(result.ledger, result.summary, findings, workbook_target, comparison)
    report = Report(path, result.summary, findings, workbook, None, result.config, key=key)
    if since_note:
        report.since_problem = since_note
        report.messages.append(since_note)
    if comparison is not None:
        from ..compare import changes_as_dict, red_flag_lines, summary_line

        report.since = Since(
            old_file=comparison.old.file,
            summary=summary_line(comparison),
            red_flags=tuple(red_flag_lines(comparison)),
            as_json={"old": comparison.old.as_dict(), **changes_as_dict(comparison)},
        )
    if notice is not None:
        from ..notice import save_notice

        report.notice = save_notice(notice, result.config, result.summary, outdir)
        report.missing = list(notice.missing)
        if notice.missing:
            report.messages.append("通报草稿中以下内容待填写（已黄色标出）：" + "、".join(notice.missing))
    return report


def _changes_since(
    since: Path | SinceLookup | None, key: str, result: Result, workbook_target: Path
) -> tuple[Comparison | None, str]:
    """The comparison with the last version, and a sentence when a remembered one could not be
    read. ``--since`` unreadable is the user's to fix: one sentence, exit 2, nothing written."""
    from .compared import compare_with

    if since is None:
        return None, ""
    if isinstance(since, Path):
        _refuse_overwriting_since(since, workbook_target)
        try:
            return compare_with(since, result), ""
        except LedgerkitError as exc:
            raise LedgerkitError(f"上次的台账（--since）：{exc.message}") from None
    old = since(key)
    if old is None:
        return None, ""
    try:
        return compare_with(old, result), ""
    except LedgerkitError as exc:  # a remembered copy spoilt: the new version is still reported
        why = exc.message.rstrip("。")
    except Exception as exc:  # ours, not the user's: it must not cost the new version its report
        why = f"内部错误 {type(exc).__name__}: {exc}"
    return None, f"上次的版本“{old.name}”无法读取（{why}），本次不含变化对照。"


def _refuse_overwriting_since(since: Path, target: Path) -> None:
    if target.exists() and since.exists() and since.resolve() == target.resolve():
        raise LedgerkitError(
            f"输出文件“{target.name}”就是 --since 指定的上次台账，不会覆盖。"
            "请用 -o 指定其他输出文件夹，或先把上次的清洗台账移到别处。"
        )


def mail_report(report: Report, to: list[str]) -> str:
    """Mail the notice and the workbook; the sentence saying what happened. Raises MailError."""
    from .mail import send_files

    files = [p for p in (report.notice, report.workbook) if p]
    sent = send_files(files, to, config=report.config, summary=report.summary, notes=report.change_lines)
    return (
        f"邮件已发送给 {'、'.join(sent.recipients)}。"
        if sent.sent
        else f"未配置 [mail]，邮件已保存为 {sent.eml}。"
    )


# ---- one file of many ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Job:
    """What every file of one run is reported with: picklable, sent to each worker."""

    as_of: date
    config: Path | None = None
    no_notice: bool = False
    mail_to: tuple[str, ...] = ()


@dataclass(slots=True)
class Outcome:
    """What happened to one file of many: a report, or the sentence saying why there is none."""

    path: Path
    exit_code: int
    report: Report | None = None
    error: str = ""
    output_problem: bool = False  # the output folder, not the ledger, was the trouble: worth retrying

    def as_json(self) -> dict[str, Any]:
        if self.report is not None:
            return self.report.manifest()
        return {
            "file": str(self.path),
            "error": self.error,
            "outputs": None,
            "summary": None,
            "findings": None,
        }


def report_file(path: Path, outdir: Path, job: Job, since: SinceLookup | None = None) -> Outcome:
    """Report one file into ``outdir`` (its own folder); a bad file never stops the others.
    ``since``: the watched inbox's lookup of the last version (not picklable: in-process only)."""
    try:
        report = report_one(path, outdir, job.as_of, job.config, job.no_notice, since)
        if job.mail_to and report.notice:
            report.messages.append(mail_report(report, list(job.mail_to)))
        return Outcome(path, report.exit_code, report.slim())
    except OutputError as exc:
        return Outcome(path, exc.exit_code, error=exc.message, output_problem=True)
    except LedgerkitError as exc:
        return Outcome(path, exc.exit_code, error=exc.message)
    except Exception as exc:  # a bad file never stops the others
        return Outcome(path, 3, error=f"处理“{path.name}”时发生内部错误（{type(exc).__name__}: {exc}）。")
