"""``ledgerkit report FILE|FOLDER [--since OLD]``: the report library does the work; this prints it."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ...errors import LedgerkitError
from ...workflow.report import Job, Report, figures_line, mail_report, report_one
from . import print_json

if TYPE_CHECKING:
    from ...workflow.batch import Outcome


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


# ---- report FOLDER ---------------------------------------------------------------------------


def report_folder(folder: Path, out: Path | None, job: Job, as_json: bool) -> int:
    from ...workflow.batch import closing_line, folder_ledgers, skipped_line

    files, skipped = folder_ledgers(folder)
    if not as_json:
        for s in skipped:
            print(skipped_line(s), flush=True)
    outcomes = _run_with_progress(files, out or folder / "输出", job, as_json)
    if as_json:
        print_json({"files": [o.as_json() for o in outcomes], "skipped": [s.as_json() for s in skipped]})
    elif sys.stdout.isatty():
        _closing_table(outcomes)
    else:  # a log or a pipe already has every file's line; a rich table of 200 rows costs ~0.3 s
        print(closing_line(outcomes))
    return max(o.exit_code for o in outcomes)


def _run_with_progress(files: list[Path], outdir: Path, job: Job, as_json: bool) -> list[Outcome]:
    from ...workflow.batch import outcome_line, run_folder, workers_for

    workers = workers_for(len(files))
    if as_json or not sys.stdout.isatty():

        def plain(o: Outcome) -> None:
            if not as_json:
                print(outcome_line(o), flush=True)

        return run_folder(files, outdir, job, workers, plain)
    from rich.progress import Progress

    with Progress() as progress:
        task = progress.add_task("处理台账", total=len(files))

        def step(o: Outcome) -> None:
            progress.console.print(outcome_line(o), markup=False, highlight=False)
            progress.advance(task)

        return run_folder(files, outdir, job, workers, step)


def _closing_table(outcomes: list[Outcome]) -> None:
    from rich.console import Console
    from rich.table import Table

    from ... import formats

    table = Table(
        "文件", "具体问题", "已完成", "完成率", "措施", "已完成", "错误", "提醒", "结果", title="汇总"
    )
    for o in outcomes:
        name = o.path.name
        if o.report is None:
            table.add_row(name, "", "", "", "", "", "", "", "无法读取" if o.exit_code == 2 else "出错")
            continue
        s = o.report.summary
        table.add_row(
            name, str(s.issues), str(s.issues_done), formats.percent(s.issues_done, s.issues),
            str(s.measures), str(s.measures_done), str(o.report.errors), str(o.report.warnings),
            "通过" if o.exit_code == 0 else "有错误",
        )  # fmt: skip
    Console(highlight=False).print(table)
