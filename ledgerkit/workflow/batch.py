"""``report FOLDER``: every ledger in a folder, on both cores, results in input order.

What one file's report is, and where its outputs go, is ``report.py``'s; this module runs many
at once (a process pool forked warm) and words their lines and the closing summary, which the
CLI (cli/commands/report.py) prints as they come.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from ..errors import LedgerkitError
from .outputs import Skipped, ledger_files, output_folders, skipped_files
from .report import Job, Outcome, figures_line, report_file

__all__ = ["Job", "Outcome", "Skipped", "folder_ledgers", "ledger_files", "run_folder"]


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


def folder_ledgers(folder: Path) -> tuple[list[Path], list[Skipped]]:
    """The ledgers ``report FOLDER`` reports, and the files it skips with why; none is an error
    that names what was skipped (a folder of CSV files is not "empty")."""
    files, skipped = ledger_files(folder), skipped_files(folder)
    if not files:
        why = "；".join(f"{s.path.name}：{s.reason}" for s in skipped[:5])
        raise LedgerkitError(
            f"文件夹“{folder}”中没有台账文件（.xlsx .xlsm .xls）"
            + (f"，跳过了 {len(skipped)} 个其他文件（{why}）。" if skipped else "。")
            + "请把台账放入该文件夹，或指定台账文件。"
        )
    return files, skipped


# The marks a console line starts with: √ and × are in GBK (a Chinese Windows console), where
# ✓ and ✗ print as "?" and success looks like failure.
MARK_PASSED, MARK_ERRORS, MARK_FAILED = "√", "!", "×"


def outcome_line(o: Outcome) -> str:
    """One file's line as it finishes: its mark, name and figures, or why it failed."""
    name = o.path.name
    if o.report is None:
        return f"{MARK_FAILED} {name}：{o.error}"
    mark = MARK_PASSED if o.exit_code == 0 else MARK_ERRORS
    return (
        f"{mark} {name}：{figures_line(o.report.summary)}（错误{o.report.errors}，提醒{o.report.warnings}）"
    )


def skipped_line(s: Skipped) -> str:
    return f"跳过 {s.path.name}：{s.reason}"


def closing_line(outcomes: list[Outcome]) -> str:
    passed = sum(1 for o in outcomes if o.report is not None and o.exit_code == 0)
    with_errors = sum(1 for o in outcomes if o.report is not None and o.exit_code != 0)
    failed = len(outcomes) - passed - with_errors
    return f"汇总：{len(outcomes)} 个台账，通过 {passed} 个，有错误 {with_errors} 个，无法处理 {failed} 个。"
