"""``report FOLDER``: every ledger in a folder, on both cores, results in input order.

What one file's report is, and where its outputs go, is ``report.py``'s; this module runs many
at once (a process pool forked warm) and prints their lines and the closing summary.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from .. import formats
from ..errors import LedgerkitError
from .outputs import ledger_files, output_folders
from .report import Job, Outcome, figures_line, report_file

__all__ = ["Job", "Outcome", "ledger_files", "report_folder", "run_folder"]


def workers_for(n_files: int) -> int:
    """Both cores by default; LEDGERKIT_WORKERS sets the number (benchmarks, busy servers)."""
    wanted = os.environ.get("LEDGERKIT_WORKERS", "")
    cores = int(wanted) if wanted.isdigit() and int(wanted) > 0 else (os.cpu_count() or 1)
    return max(1, min(n_files, cores))


def _warm_context(no_notice: bool):
    """Workers forked from a parent that has already imported the heavy libraries start warm:
    otherwise each pays about a second of imports (pandas, pandera, docx) before its first file.
    Only what the run needs: these imports are the serial part of a parallel run."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return None  # Windows / macOS spawn: each worker imports for itself
    import pandera.pandas  # noqa: F401
    import python_calamine  # noqa: F401
    import xlsxwriter  # noqa: F401

    from . import report  # noqa: F401

    if not no_notice:
        import docx  # noqa: F401

        from .. import notice  # noqa: F401
    return multiprocessing.get_context("fork")


def run_folder(
    files: list[Path],
    out: Path,
    job: Job,
    workers: int,
    on_done: Callable[[Any], None] | None = None,
    work: Callable[[Path, Path, Job], Any] = report_file,
) -> list[Any]:
    """Outcomes in input order; ``on_done`` sees them in input order too, each as soon as it
    and every file before it are done. Each file's outputs go to its own folder under ``out``
    (``outputs.output_folders``).

    ``work`` is what each file gets (``report_file``: report it); ``combine`` passes its own,
    which only reads. It runs in a worker process, so it must be a module-level function
    returning something picklable."""
    folders = output_folders(files, out)
    results: dict[int, Any] = {}
    emitted = 0

    def finished(i: int, outcome: Any) -> None:
        nonlocal emitted
        results[i] = outcome
        while emitted in results:
            if on_done:
                on_done(results[emitted])
            emitted += 1

    if workers <= 1 or len(files) <= 1:
        for i, p in enumerate(files):
            finished(i, work(p, folders[p], job))
    else:
        with ProcessPoolExecutor(max_workers=workers, mp_context=_warm_context(job.no_notice)) as pool:
            futures = {pool.submit(work, p, folders[p], job): i for i, p in enumerate(files)}
            for future in as_completed(futures):
                finished(futures[future], future.result())
    return [results[i] for i in range(len(files))]


def report_folder(folder: Path, out: Path | None, job: Job, as_json: bool) -> int:
    files = ledger_files(folder)
    if not files:
        raise LedgerkitError(f"文件夹“{folder}”中没有台账文件（.xlsx .xlsm .xls）。")
    outdir = out or folder / "输出"
    outcomes = _run_with_progress(files, outdir, job, as_json)
    if as_json:
        import json

        print(json.dumps({"files": [o.as_json() for o in outcomes]}, ensure_ascii=False, indent=2))
    elif sys.stdout.isatty():
        _closing_table(outcomes)
    else:  # a log or a pipe already has every file's line; a rich table of 200 rows costs ~0.3 s
        print(_closing_line(outcomes))
    return max(o.exit_code for o in outcomes)


def _run_with_progress(files: list[Path], outdir: Path, job: Job, as_json: bool) -> list[Outcome]:
    workers = workers_for(len(files))
    if as_json or not sys.stdout.isatty():

        def plain(o: Outcome) -> None:
            if not as_json:
                print(_line(o), flush=True)

        return run_folder(files, outdir, job, workers, plain)
    from rich.progress import Progress

    with Progress() as progress:
        task = progress.add_task("处理台账", total=len(files))

        def step(o: Outcome) -> None:
            progress.console.print(_line(o), markup=False, highlight=False)
            progress.advance(task)

        return run_folder(files, outdir, job, workers, step)


def _line(o: Outcome) -> str:
    name = o.path.name
    if o.report is None:
        return f"✗ {name}：{o.error}"
    mark = "✓" if o.exit_code == 0 else "!"
    return (
        f"{mark} {name}：{figures_line(o.report.summary)}（错误{o.report.errors}，提醒{o.report.warnings}）"
    )


def _closing_line(outcomes: list[Outcome]) -> str:
    passed = sum(1 for o in outcomes if o.report is not None and o.exit_code == 0)
    with_errors = sum(1 for o in outcomes if o.report is not None and o.exit_code != 0)
    failed = len(outcomes) - passed - with_errors
    return f"汇总：{len(outcomes)} 个台账，通过 {passed} 个，有错误 {with_errors} 个，无法处理 {failed} 个。"


def _closing_table(outcomes: list[Outcome]) -> None:
    from rich.console import Console
    from rich.table import Table

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
