"""Comparing two ledger files: each read through the pipeline and dated, then ``compare.compare``.

The comparison itself is pure (compare/); this is where its inputs come from: a version's date
is its own 填报时间 when it states one, else the file's modification date, and ``--as-of``
overrides NEW's. ``report --since`` and the watched inbox compare a report's ledger with the
last version's file the same way (``compare_with``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..compare.changes import Comparison
    from ..model import Ledger
    from ..pipeline import Result


def ledger_date(ledger: Ledger, path: Path) -> tuple[date, str]:
    """A version's date: its own 填报时间 when it states one, else the file's modification date."""
    if ledger.reported_date is not None:
        return ledger.reported_date, "填报时间"
    return date.fromtimestamp(Path(path).stat().st_mtime), "文件修改日期"


def compare_files(old_path: Path, new_path: Path, as_of: date | None = None) -> Comparison:
    """Read both files and compare them; ``as_of`` (``--as-of``) overrides NEW's own date."""
    from ..compare.classify import compare
    from ..pipeline import load

    old, _notes = load(Path(old_path))
    new, _notes = load(Path(new_path))
    old_as_of, old_from = ledger_date(old, Path(old_path))
    if as_of is not None:
        new_as_of, new_from = as_of, "--as-of"
    else:
        new_as_of, new_from = ledger_date(new, Path(new_path))
    return compare(old, new, old_as_of, new_as_of, old_from=old_from, new_from=new_from)


def compare_with(old_path: Path, result: Result) -> Comparison:
    """A report's ledger with the last version's file: OLD dated by its own 填报时间 (else its file
    date), NEW by the report's 统计截止日期, so the changes' "newly overdue" agree with the 汇总's
    overdue figures."""
    from ..compare.classify import compare
    from ..pipeline import load

    old, _notes = load(old_path)
    old_as_of, old_from = ledger_date(old, old_path)
    return compare(old, result.ledger, old_as_of, result.as_of, old_from=old_from, new_from="统计截止日期")
