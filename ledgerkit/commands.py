"""What each command does, between the CLI's argument parsing and the library.

Imported only when a command runs, so ``ledgerkit --help`` never pays for pandas or docx.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from . import formats
from .errors import LedgerkitError
from .model import Finding

LEDGER_SUFFIXES = (".xlsx", ".xlsm", ".xls")


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
    from .pipeline import run

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
    from .pipeline import run

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


def figures_line(s) -> str:
    return figures_line_dict(s.as_dict())


def figures_line_dict(s: dict[str, Any]) -> str:
    """One line of figures from the ``summary --json`` contract."""
    return formats.figures_sentence(
        date.fromisoformat(s["as_of"]), s["issues"], s["issues_done"], s["measures"], s["measures_done"]
    )


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


def manifest(result, workbook: Path, notice: Path | None) -> dict[str, Any]:
    return {
        "file": str(result.path),
        "outputs": {"workbook": str(workbook), "notice": str(notice) if notice else None},
        "summary": result.summary.as_dict(),
        "findings": {"errors": len(result.errors), "warnings": len(result.warnings)},
    }


def default_outdir(path: Path) -> Path:
    return path.parent / "输出"


def report_one(
    path: Path, out: Path | None, as_of: date, config_path: Path | None, no_notice: bool
) -> tuple[dict[str, Any], list[str], Any]:
    """Write the cleaned workbook and the notice for one ledger: (manifest, messages, result)."""
    from .pipeline import run
    from .workbook import workbook_filename, write_workbook

    result = run(path, as_of, config_path)
    outdir = out or default_outdir(path)
    target = outdir / workbook_filename(path)
    _refuse_overwriting_input(path, target)
    workbook = write_workbook(result.ledger, result.summary, result.findings, target)
    notice = None
    messages: list[str] = []
    if not no_notice:
        from .notice import notice_filename, write_notice

        unit = result.config.get("unit", "name") or result.summary.unit
        _refuse_overwriting_input(path, outdir / notice_filename(unit))
        written = write_notice(
            result.ledger, result.summary, result.config, outdir, errors=len(result.errors)
        )
        notice = written.path
        if written.missing:
            messages.append("通报草稿中以下内容待填写（已黄色标出）：" + "、".join(written.missing))
        result.findings.extend(written.warnings)
    return manifest(result, workbook, notice), messages, result


def _refuse_overwriting_input(src: Path, target: Path) -> None:
    if target.exists() and src.resolve() == target.resolve():
        raise LedgerkitError(
            f"输出文件“{target.name}”与输入台账是同一个文件，不会覆盖输入。请用 -o 指定其他输出文件夹。"
        )


def report_command(
    path: Path,
    out: Path | None,
    as_of: date,
    config: Path | None,
    no_notice: bool,
    as_json: bool,
    mail_to: list[str],
) -> int:
    if path.is_dir():
        from .batch import Job, report_folder

        return report_folder(path, out, Job(as_of, config, no_notice, tuple(mail_to)), as_json)
    data, messages, result = report_one(path, out, as_of, config, no_notice)
    if mail_to:
        mailed = mail_outputs(data, mail_to, result.config)
        messages.append(mailed)
    if as_json:
        _print_json(data)
    else:
        print(figures_line_dict(data["summary"]))
        print(f"清洗后的台账：{data['outputs']['workbook']}")
        if data["outputs"]["notice"]:
            print(f"通报草稿：{data['outputs']['notice']}")
        for line in messages:
            print(line)
        n_err, n_warn = data["findings"]["errors"], data["findings"]["warnings"]
        if n_err or n_warn:
            print(f"校验：{n_err} 个错误，{n_warn} 条提醒，见清洗台账的“校验结果”表。")
    return result.exit_code


def mail_outputs(data: dict[str, Any], to: list[str], config) -> str:
    from .mail import send_files

    files = [Path(p) for p in (data["outputs"]["notice"], data["outputs"]["workbook"]) if p]
    sent = send_files(files, to, config=config, summary=data["summary"])
    return (
        f"邮件已发送给 {'、'.join(sent.recipients)}。"
        if sent.sent
        else f"未配置 [mail]，邮件已保存为 {sent.eml}。"
    )


def is_ledger_file(path: Path) -> bool:
    name = path.name
    return (
        path.suffix.lower() in LEDGER_SUFFIXES
        and not name.startswith(("~$", ".", ".~"))
        and "（清洗）" not in path.stem
        and path.is_file()
    )
