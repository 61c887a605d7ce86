"""``ledgerkit check PATH``: the findings, one a line, and a verdict."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ...model import Finding
from . import console, print_json


def print_findings(findings: list[Finding], limit: int = 200) -> None:
    out = console()
    for f in findings[:limit]:
        tag = "[red]错误[/red]" if f.severity == "error" else "[yellow]提醒[/yellow]"
        out.print(f"{tag} {f.message}{f.hint}", markup=True)
    if len(findings) > limit:
        out.print(f"……另有 {len(findings) - limit} 条未显示（用 --json 查看全部）。")


def check_command(path: Path, as_of: date, as_json: bool, config: Path | None) -> int:
    from ...pipeline import run

    result = run(path, as_of, config)
    if as_json:
        print_json(
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
