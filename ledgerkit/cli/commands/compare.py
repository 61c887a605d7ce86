"""``ledgerkit compare OLD NEW``: 0 compared without red flags, 1 with, 2 a file unreadable."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from ...errors import LedgerkitError
from . import print_json


def compare_command(
    old: Path, new: Path, as_of: date | None, outdir: Path | None, as_json: bool, config: Path | None
) -> int:
    from ...compare import report_lines
    from ...config import load_config, which_unit
    from ...workbook.changes import CHANGES_FILENAME, write_changes_workbook
    from ...workflow.compared import compare_files

    try:
        cfg = load_config(Path(new), config)
        comparison = compare_files(Path(old), Path(new), as_of)
        written = None
        if outdir is not None:
            unit = which_unit(comparison.new.summary.unit, cfg.get("unit", "name"), "config")
            written = write_changes_workbook(comparison, Path(outdir) / CHANGES_FILENAME, unit)
    except LedgerkitError as exc:
        print(exc.message, file=sys.stderr)
        return exc.exit_code
    if as_json:
        print_json(comparison.as_dict())
    else:
        for line in report_lines(comparison):
            print(line)
        if written is not None:
            print(f"变化对照表：{written}")
    return comparison.exit_code
