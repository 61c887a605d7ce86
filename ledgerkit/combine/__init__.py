"""``combine FOLDER``: every unit's ledger side by side, for the inspection office.

This module owns what combining means (its rulebook: docs/combine.md): which files in a folder
tree are ledgers, whose each one is (its unit), which of a unit's several versions counts, and the
figures by unit and in total.
Like frictionless's ``Report.from_validation_reports``, :func:`combine` is a pure function over the
typed per-file results of the pipeline (``pipeline.Result``: ledger, findings, summary) — never
over JSON — so each unit's figures are its ``summary --json`` by construction. Files are read in
parallel by ``batch.run_folder``'s pool. What it builds is plain data (``combine_model``), written
by ``combine_workbook`` (xlsx) and ``combine_report`` (docx).
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from .. import formats
from ..config import which_unit
from ..errors import LedgerkitError
from ..figures import DUE_SOON_DAYS
from ..workbook.changes import CHANGES_FILENAME
from ..workflow.outputs import is_ledger_file
from .model import (
    REPORT_NAME,
    WORKBOOK_NAME,
    Combined,
    FileRead,
    Superseded,
    UnitFigures,
    Unreadable,
    stages_paragraph,
)

if TYPE_CHECKING:
    from ..config import Config
    from ..pipeline import Result
    from ..workflow.report import Job

OUTPUT_FOLDER = "输出"
# ledgerkit's own workbooks that is_ledger_file does not know by name: this command's and compare's.
OUR_WORKBOOKS = frozenset((WORKBOOK_NAME, CHANGES_FILENAME))

# A title names its unit before what the ledger is about: "开封市机关事务中心市委巡察反馈问题整改台账",
# "垣曲县委机关事务服务中心落实县委巡察反馈意见整改台账". The unit is what comes before the first of these.
_TITLE_TAIL = re.compile(
    r"关于|落实|对照|(?:[省市县区州盟旗]委)?(?:第[一二三四五六七八九十\d]+轮?)?巡察|巡视|整改|台账"
)
# What is left must name a body, not a time: "2024年度巡察反馈问题整改台账" has no unit in its title.
_NOT_A_UNIT = re.compile(r"^[\d０-９〇零一二三四五六七八九十]{2,4}年|^[（(【\[]")


# ---- finding the ledgers ---------------------------------------------------------------------


def find_ledgers(folder: Path, outdir: Path | None = None) -> list[Path]:
    """Every ledger under ``folder``, sub-folders included, in path order.

    Skipped as ``report FOLDER`` skips them (``outputs.is_ledger_file``: Office lock files ``~$…``,
    hidden files, cleaned workbooks ``…（清洗）.xlsx``), plus hidden folders, the output folder,
    this command's own workbook and compare's 变化对照.xlsx: running it twice never counts its own
    output.
    """
    skip = outdir.resolve() if outdir is not None else None
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        dirs[:] = [d for d in dirs if not d.startswith(".") and (here / d).resolve() != skip]
        for name in files:
            path = here / name
            if name not in OUR_WORKBOOKS and is_ledger_file(path):
                found.append(path)
    return sorted(found, key=lambda p: p.relative_to(folder).parts)


# ---- reading one file (in a worker process) ---------------------------------------------------


def own_config(path: Path) -> Config:
    """The ledgerkit.toml in the ledger's own folder, else none.

    Not ``load_config``'s lookup alone: it falls back to the current folder, whose toml names
    some other unit (or none) and would give every unit-less ledger the same name.
    """
    from ..config import CONFIG_NAME, Config, load_config

    beside = path.parent / CONFIG_NAME
    return load_config(path, beside) if beside.is_file() else Config()


def read_one(path: Path, _out: Path, job: Job) -> FileRead:
    """Read, validate and summarise one ledger; every failure becomes its one sentence.

    Module level and picklable: ``batch.run_folder`` runs it in its worker processes.
    """
    from ..pipeline import run

    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = 0.0
    try:
        return FileRead(path, mtime, result=run(path, job.as_of, config=own_config(path)))
    except LedgerkitError as exc:
        return FileRead(path, mtime, error=exc.message)
    except Exception as exc:  # one bad file never stops the others
        return FileRead(
            path, mtime, error=f"读取“{path.name}”时发生内部错误（{type(exc).__name__}: {exc}）。"
        )


def read_all(files: list[Path], as_of: date) -> list[FileRead]:
    """Every file read on both cores, by the pool ``report FOLDER`` uses, in input order."""
    from ..workflow.batch import Job, run_folder, workers_for

    job = Job(as_of, no_notice=True)  # no_notice: workers are not warmed with python-docx
    return run_folder(files, Path(), job, workers_for(len(files)), work=read_one)


# ---- whose ledger it is ------------------------------------------------------------------------


def unit_from_title(title: str) -> str:
    """The unit a title names before what it is about, or "" when it names none."""
    text = "".join(title.split())
    found = _TITLE_TAIL.search(text)
    unit = text[: found.start()] if found else ""
    return "" if len(unit) < 2 or _NOT_A_UNIT.match(unit) else unit


def unit_of(result: Result) -> tuple[str, bool]:
    """(unit, named): the ledger's 填报单位, else the unit its title names, else ``[unit] name``
    of the ledgerkit.toml in its folder, else the file name (named False)."""
    ledger = result.ledger
    stated = (ledger.unit, unit_from_title(ledger.title))
    name = " ".join(which_unit(stated, result.config.get("unit", "name"), "ledger").split())
    return (name, True) if name else (result.path.stem, False)


def combine(reads: list[FileRead], folder: Path, as_of: date) -> Combined:
    """The units of a folder from its files' results: one counted version per unit."""
    unreadable = [Unreadable(r.path, r.error) for r in reads if r.result is None]
    groups: dict[tuple[str, str], list[tuple[str, FileRead]]] = {}
    for r in reads:
        if r.result is None:
            continue
        unit, named = unit_of(r.result)
        # A unit known only by its file name is never another file's version: two folders'
        # 整改台账.xlsx are two units, not one unit twice.
        key = ("unit", "".join(unit.split())) if named else ("file", str(r.path))
        groups.setdefault(key, []).append((unit, r))
    units: list[UnitFigures] = []
    superseded: list[Superseded] = []
    for versions in groups.values():
        unit, newest = max(versions, key=lambda v: _recency(v[1], [r for _, r in versions]))
        assert newest.result is not None
        units.append(UnitFigures(unit, newest.result, newest.path))
        superseded += [Superseded(r.path, unit, newest.path) for _, r in versions if r is not newest]
    units.sort(key=lambda u: (u.fraction, u.unit, str(u.file)))
    superseded.sort(key=lambda s: str(s.file))
    return Combined(folder, as_of, units, superseded, unreadable)


def _recency(r: FileRead, versions: list[FileRead]) -> tuple:
    """Newest by 填报时间 when every version states one, else by the file's modification time."""
    assert r.result is not None
    if all(v.result is not None and v.result.ledger.reported_date for v in versions):
        return (r.result.ledger.reported_date, r.mtime, str(r.path))
    return (r.mtime, str(r.path))


# ---- the command -------------------------------------------------------------------------------


def combine_folder(folder: Path, outdir: Path | None, as_of: date) -> tuple[Combined, dict[str, str | None]]:
    """Read every ledger under ``folder``, combine them, write both outputs: (combined, outputs)."""
    if folder.is_file():
        raise LedgerkitError(
            f"“{folder}”是一个文件，不是文件夹：combine 汇总的是存放各单位台账的文件夹。"
            "请给出那个文件夹；只看这一个台账请用 ledgerkit report 或 ledgerkit summary。"
        )
    if not folder.is_dir():
        raise LedgerkitError(f"找不到文件夹“{folder}”。请检查路径。")
    outdir = outdir or folder / OUTPUT_FOLDER
    files = find_ledgers(folder, outdir)
    if not files:
        raise LedgerkitError(f"文件夹“{folder}”及其子文件夹中没有台账文件（.xlsx .xlsm .xls）。")
    combined = combine(read_all(files, as_of), folder, as_of)
    if not combined.units:
        return combined, {"workbook": None, "report": None}
    return combined, write_outputs(combined, outdir)


_TO_REPORT: Combined | None = None  # what a forked child writes the report from (never pickled)


def write_outputs(combined: Combined, outdir: Path) -> dict[str, str | None]:
    """The workbook here and, at the same time, the report in a forked process: each is serial
    Python (xlsxwriter, python-docx), and after the reading the second core is idle."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from .workbook import write_combined_workbook

    global _TO_REPORT
    if "fork" not in multiprocessing.get_all_start_methods():  # Windows, macOS spawn: one after the other
        workbook = write_combined_workbook(combined, outdir / WORKBOOK_NAME)
        return {"workbook": str(workbook), "report": _write_report(combined, outdir / REPORT_NAME)}
    _TO_REPORT = combined
    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
            report = pool.submit(_report_in_child, outdir / REPORT_NAME)
            workbook = write_combined_workbook(combined, outdir / WORKBOOK_NAME)
            return {"workbook": str(workbook), "report": report.result()}  # its error raised here
    finally:
        _TO_REPORT = None


def _report_in_child(target: Path) -> str:
    assert _TO_REPORT is not None, "called only in a child forked by write_outputs"
    return _write_report(_TO_REPORT, target)


def _write_report(combined: Combined, target: Path) -> str:
    from .report import write_combined_report

    return str(write_combined_report(combined, target))


def closing_lines(c: Combined, outputs: dict[str, str | None]) -> list[str]:
    """What a person reads after the run: the totals, what was not counted, where the outputs are."""
    t = c.total
    lines = [
        f"汇总：{len(c.units)} 个单位计入，{len(c.superseded)} 个旧版本未计入，{len(c.unreadable)} 个文件无法读取。"
    ]
    if c.units:
        lines.append(formats.figures_sentence(c.as_of, t.issues, t.issues_done, t.measures, t.measures_done))
        lines.append(f"逾期未完成的整改措施{t.overdue}条，{DUE_SOON_DAYS}天内到期{t.due_soon}条。")
        lines.append(stages_paragraph(c))  # the same totals as the 巡察办 states them
    with_errors = [u.unit for u in c.units if u.errors]
    if with_errors:
        lines.append(
            f"注意：{len(with_errors)} 个单位的台账有校验错误，其数字可能不准确：{'、'.join(with_errors)}。"
            "请对各台账运行 ledgerkit check 查看。"
        )
    lines += [f"× {c.relative(u.file)}：{u.message}" for u in c.unreadable]
    lines += [
        f"旧版本未计入：{c.relative(s.file)}（{s.unit}，以 {c.relative(s.by)} 为准）" for s in c.superseded
    ]
    if outputs["workbook"]:
        lines.append(f"汇总表：{outputs['workbook']}")
    if outputs["report"]:
        lines.append(f"汇总报告：{outputs['report']}")
    return lines
