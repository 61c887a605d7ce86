"""What each command prints, between the CLI's argument parsing and the library.

Thin: the work is the library's (``pipeline.run`` for check and summary, ``report.report_one``
for report); these functions call it and print. Imported only when a command runs, so
``ledgerkit --help`` never pays for pandas or docx.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import LedgerkitError
from ..model import Finding
from ..workflow.report import Job, Report, figures_line, mail_report, report_one


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _console():
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def print_findings(findings: list[Finding], limit: int = 200) -> None:
    console = _console()
    for f in findings[:limit]:
        tag = "[red]错误[/red]" if f.severity == "error" else "[yellow]提醒[/yellow]"
        console.print(f"{tag} {f.message}{f.hint}", markup=True)
    if len(findings) > limit:
        console.print(f"……另有 {len(findings) - limit} 条未显示（用 --json 查看全部）。")


def check_command(path: Path, as_of: date, as_json: bool, config: Path | None) -> int:
    from ..pipeline import run

    result = run(path, as_of, config)
    if as_json:
        _print_json(
            {
                "file": str(path),
                "errors": [f.as_dict() for f in result.errors],
                "warnings": [f.as_dict() for f in result.warnings],
            }
        )
        return result.exit_code
    print_findings(result.findings)
    n_err, n_warn = len(result.errors), len(result.warnings)
    s = result.summary
    verdict = "未发现错误" if not n_err else f"发现 {n_err} 个错误"
    print(f"“{path.name}”：读取 {s.issues} 个具体问题、{s.measures} 条整改措施，{verdict}，{n_warn} 条提醒。")
    return result.exit_code


def summary_command(path: Path, as_of: date, as_json: bool, config: Path | None) -> int:
    from ..pipeline import run

    result = run(path, as_of, config)
    if as_json:
        _print_json(result.summary.as_dict())
    else:
        print_summary(result.summary)
        if result.errors:
            print(
                f"注意：台账有 {len(result.errors)} 个错误，统计数字可能不准确。请运行 ledgerkit check 查看。"
            )
    return result.exit_code


def print_summary(s) -> None:
    from rich.table import Table

    console = _console()
    console.print(f"[bold]{s.unit or Path(s.file).name}[/bold]  {figures_line(s)}")
    counts = "，".join(f"{k}{v}条" for k, v in s.status_counts.items() if v)
    console.print(f"措施状态：{counts or '无'}；逾期{len(s.overdue)}条，14天内到期{len(s.due_soon)}条。")
    if s.by_aspect:
        table = Table("方面", "具体问题", "已完成", "措施", "已完成", title="分方面")
        for g in s.by_aspect:
            table.add_row(g.title, str(g.issues), str(g.issues_done), str(g.measures), str(g.measures_done))
        console.print(table)
    table = Table("责任科室", "措施", "已完成", "逾期", title="分科室")
    for g in s.by_department:
        table.add_row(g.title or "（未填）", str(g.measures), str(g.measures_done), str(g.overdue))
    console.print(table)
    if s.overdue:
        table = Table("位置", "具体问题", "整改措施", "时限", "责任科室", "逾期天数", title="逾期措施")
        for d in s.overdue:
            table.add_row(
                f"{d.sheet}!{d.row}",
                d.issue[:20],
                d.measure[:24],
                d.deadline,
                d.department,
                str(d.days_overdue),
            )
        console.print(table)


# ---- report ------------------------------------------------------------------------------


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
    """``report FILE|FOLDER [--since OLD]``: the report library does the work; this prints it."""
    if path.is_dir():
        if since is not None:
            raise LedgerkitError(
                "--since 只能用于单个台账文件，不能用于文件夹：请对每个台账分别运行"
                "“ledgerkit report 台账 --since 上次的台账”，或用 ledgerkit watch 自动对照上次的版本。"
            )
        from ..workflow.batch import report_folder

        return report_folder(path, out, Job(as_of, config, no_notice, tuple(mail_to)), as_json)
    report = report_one(path, out, as_of, config, no_notice, since)
    if mail_to:
        report.messages.append(mail_report(report, mail_to))
    if as_json:
        _print_json(report.manifest())
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
