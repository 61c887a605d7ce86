"""``ledgerkit report FILE|FOLDER [--since OLD]``: the report library does the work; this prints it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ...errors import LedgerkitError
from ...workflow.report import Job, Report, figures_line, mail_report, report_one
from . import print_json


def report_command(
    path: Path,
    out: Path | None,
    as_of: date,
    config: Path | None,
    no_notice: bool,
    as_json: bool,
    mail_to: list[str],
    since: Path | None = None,
) -> int:
    if path.is_dir():
        if since is not None:
            raise LedgerkitError(
                "--since 只能用于单个台账文件，不能用于文件夹：请对每个台账分别运行"
                "“ledgerkit report 台账 --since 上次的台账”，或用 ledgerkit watch 自动对照上次的版本。"
            )
        from ...workflow.batch import report_folder

        return report_folder(path, out, Job(as_of, config, no_notice, tuple(mail_to)), as_json)
    report = report_one(path, out, as_of, config, no_notice, since)
    if mail_to:
        report.messages.append(mail_report(report, mail_to))
    if as_json:
        print_json(report.manifest())
    else:
        print_report(report)
    return report.exit_code


def print_report(report: Report) -> None:
    print(figures_line(report.summary))
    print(f"清洗后的台账：{report.workbook}")
    if report.notice:
        print(f"通报草稿：{report.notice}")
    for line in report.messages:
        print(line)
    if report.changes is not None:
        for line in report.change_lines:
            print(line)
        print("每条变化见清洗台账的“变化”表。")
    if report.errors or report.warnings:
        print(f"校验：{report.errors} 个错误，{report.warnings} 条提醒，见清洗台账的“校验结果”表。")
