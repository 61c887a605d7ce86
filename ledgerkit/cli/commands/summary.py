"""``ledgerkit summary PATH``: the figures, by aspect and department, and the overdue measures."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from ...formats import position
from ...workflow.report import figures_line
from . import console, print_json


def summary_command(path: Path, as_of: date, as_json: bool, config: Path | None) -> int:
    from ...pipeline import run

    result = run(path, as_of, config)
    if as_json:
        print_json(result.summary.as_dict())
    else:
        print_summary(result.summary)
        for f in result.findings:  # a new ledger: what the office fills next, said once
            if f.code == "measures-pending":
                print(f"{f.message}{f.hint}")
        if result.errors:
            print(
                f"注意：台账有 {len(result.errors)} 个错误，统计数字可能不准确。请运行 ledgerkit check 查看。"
            )
    return result.exit_code


def print_summary(s) -> None:
    from rich.table import Table

    out = console()
    out.print(f"[bold]{s.unit or Path(s.file).name}[/bold]  {figures_line(s)}")
    counts = "，".join(f"{k}{v}条" for k, v in s.status_counts.items() if v)
    out.print(f"措施状态：{counts or '无'}；逾期{len(s.overdue)}条，14天内到期{len(s.due_soon)}条。")
    if s.by_aspect:
        table = Table("方面", "具体问题", "已完成", "措施", "已完成", title="分方面")
        for g in s.by_aspect:
            table.add_row(g.title, str(g.issues), str(g.issues_done), str(g.measures), str(g.measures_done))
        out.print(table)
    table = Table("责任科室", "措施", "已完成", "逾期", title="分科室")
    for g in s.by_department:
        table.add_row(g.title or "（未填）", str(g.measures), str(g.measures_done), str(g.overdue))
    out.print(table)
    if s.overdue:
        out.print(overdue_table(s.overdue))


def overdue_table(overdue: list) -> Any:
    """逾期措施: the position whole in every row (its column never shrinks below the longest,
    「整改台账」第101行 is never 「整改台账」第1…); the texts give way instead."""
    from rich.cells import cell_len
    from rich.table import Table

    places = [position(d.sheet, row=d.row) for d in overdue]
    table = Table(title="逾期措施")
    table.add_column("位置", no_wrap=True, min_width=max(cell_len(p) for p in places))
    for name in ("具体问题", "整改措施", "时限", "责任科室"):
        table.add_column(name, no_wrap=name == "时限", min_width=10 if name == "时限" else None)
    table.add_column("逾期天数", no_wrap=True)
    for place, d in zip(places, overdue, strict=True):
        table.add_row(place, d.issue[:20], d.measure[:24], d.deadline, d.department, str(d.days_overdue))
    return table
