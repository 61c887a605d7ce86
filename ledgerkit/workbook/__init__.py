"""The cleaned workbook (整改台账 / 汇总 / 变化 / 校验结果 / 其他内容 / hidden 下拉选项) and the blank ledger template.

This module owns the workbook as a whole: where it may be written (never over the input), the
choice between merged and streamed writing, the atomic write, and the sentence a user reads when
it cannot be written. The sheets are written by their own modules:

- styles.py         sheet names, formats, row heights, title cells, print setup;
- table.py          the ledger table's frame: columns, header, dropdowns, colours (shared with
                    the template);
- ledger_sheet.py   the 整改台账 rows, merges and the findings' notes;
- summary_sheet.py  汇总: figures, tables and charts;
- findings_sheet.py 校验结果;
- other_sheet.py    其他内容: the input's rows that are not measures;
- 变化 (with ``changes``): changes.add_changes_sheet, one row per change since the last version;
- template.py       the blank template and its 填报说明;
- fast_cells.py     the ledger sheet's cells into XML faster, byte for byte the XML xlsxwriter writes.

Written with xlsxwriter, cell by cell: no pandas, no formulas in data cells. Up to
``CONSTANT_MEMORY_ROWS`` measure rows the workbook is built in memory, aspect / problem / issue
cells merged as offices do; above it, in xlsxwriter's ``constant_memory`` mode (rows streamed
to a temporary file, flat memory, no vertical merges). Measured: bench/bench_workbook.py.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import LedgerkitError, unwritable
from ..figures import Summary
from ..model import CHANGES_SHEET, OTHER_SHEET, STANDARD_HEADERS, Finding, Ledger
from ..rules.validate import EXCEL_CELL_LIMIT
from ..support.atomic import atomic_path
from ..support.speed import gc_paused
from .findings_sheet import FINDINGS_HEADERS, FINDINGS_WIDTHS, write_findings_sheet
from .ledger_sheet import LedgerSheet, ledger_rows
from .other_sheet import write_other_sheet
from .styles import (
    DATE_FORMAT,
    EXCEL_ROWS,
    FINDINGS_SHEET,
    FONT,
    INSTRUCTIONS_SHEET,
    LEDGER_SHEET,
    LISTS_SHEET,
    SUMMARY_SHEET,
    Styles,
)
from .summary_sheet import write_summary_sheet
from .table import KINDS, Column, ledger_columns, write_lists_sheet
from .template import INSTRUCTIONS, TEMPLATE_TITLE, write_blank_template

if TYPE_CHECKING:
    from ..compare import Comparison

__all__ = [
    "CONSTANT_MEMORY_ROWS",
    "DATE_FORMAT",
    "EXCEL_CELL_LIMIT",
    "FINDINGS_HEADERS",
    "FINDINGS_SHEET",
    "FINDINGS_WIDTHS",
    "FONT",
    "INSTRUCTIONS",
    "INSTRUCTIONS_SHEET",
    "KINDS",
    "LEDGER_SHEET",
    "LISTS_SHEET",
    "OTHER_SHEET",
    "STANDARD_HEADERS",
    "SUMMARY_SHEET",
    "TEMPLATE_TITLE",
    "Column",
    "LedgerSheet",
    "ledger_columns",
    "ledger_rows",
    "unwritable",
    "workbook_filename",
    "write_blank_template",
    "write_workbook",
]

# Above this many rows, stream rows in constant_memory mode (no vertical merges). Measured with
# bench/bench_workbook.py (write only, CPU, × raw xlsxwriter constant_memory): at 20k rows merged
# 1.29×, streamed 1.34×; at 100k merged 1.27×, streamed 1.24× — the same speed — while merged
# holds the sheet until close: max RSS 185 vs 93 MB at 20k, 520 vs 367 MB at 100k. Merges are
# worth that on the ledgers offices keep (hundreds to thousands of rows), not on huge ones.
# (Those ratios are from before fast_cells.py, which wrote a 100k-row sheet 2.5x faster, P3.)
# Read at every call, so tests and the bench may set it.
CONSTANT_MEMORY_ROWS = 50_000
# Up to this many rows a merged workbook is assembled in memory; above, xlsxwriter writes each
# part to a temporary file first (it would otherwise hold the zip's parts twice in memory).
IN_MEMORY_ROWS = 20_000


CLEANED_MARK = "（清洗）"


def workbook_filename(input_path: Path) -> str:
    """``台账.xlsx`` → ``台账（清洗）.xlsx``; a cleaned ledger reported again keeps its name (no
    ``（清洗）（清洗）``)."""
    stem = input_path.stem
    return f"{stem}.xlsx" if stem.endswith(CLEANED_MARK) else f"{stem}{CLEANED_MARK}.xlsx"


def write_workbook(
    ledger: Ledger,
    summary: Summary,
    findings: list[Finding],
    out_path: Path,
    changes: Comparison | None = None,
) -> Path:
    """Write the cleaned workbook atomically; never over the input ledger. ``changes`` (since
    the last version: ``report --since``, watch) adds the 汇总's "与上次相比" block and the 变化 sheet."""
    import xlsxwriter
    from xlsxwriter.exceptions import FileCreateError, XlsxWriterException

    out_path = Path(out_path)
    _refuse_input(ledger, out_path)
    streamed = len(ledger.measures) + len(ledger.issue_only_rows) > CONSTANT_MEMORY_ROWS
    sheet = LedgerSheet.plan(ledger, summary, streamed=streamed)
    if sheet.first + len(sheet.rows) > EXCEL_ROWS:  # said before any work, in the user's words
        raise LedgerkitError(
            f"台账共 {len(sheet.rows)} 行，超过 Excel 一个工作表的最大行数（{EXCEL_ROWS} 行），无法写成一个工作表。"
        )
    try:
        with atomic_path(out_path) as tmp, gc_paused():
            wb = xlsxwriter.Workbook(
                str(tmp),
                {
                    "constant_memory": streamed,
                    # Build the parts in memory: otherwise xlsxwriter writes and deletes a
                    # temporary file per part, a third of the time for a typical ledger.
                    "in_memory": not streamed and len(sheet.rows) <= IN_MEMORY_ROWS,
                    "strings_to_formulas": False,  # "=1+1" in a ledger is text
                    "strings_to_urls": False,
                    "strings_to_numbers": False,
                },
            )
            wb.set_properties({"title": sheet.title, "comments": "由 ledgerkit 生成"})
            styles = Styles(wb)
            placed = sheet.place(findings)
            sheet.write(wb, styles, placed)
            write_summary_sheet(wb, styles, ledger, summary, changes)
            if changes is not None:
                from .changes import add_changes_sheet

                add_changes_sheet(wb, changes, CHANGES_SHEET)
            write_findings_sheet(wb, styles, findings, placed)
            write_other_sheet(wb, styles, ledger)
            write_lists_sheet(wb)
            wb.close()
    except LedgerkitError:
        raise
    # OSError: the temporary files (ours, or the rows streamed), the final rename
    except (FileCreateError, OSError) as exc:
        raise unwritable(out_path, exc) from None
    except XlsxWriterException as exc:
        raise LedgerkitError(f"无法写入“{out_path.name}”：{exc}。请检查输出文件夹。") from None
    return out_path


def _refuse_input(ledger: Ledger, out_path: Path) -> None:
    if not ledger.source_file:
        return
    src = Path(ledger.source_file)
    same = out_path.resolve() == src.resolve()
    if not same and out_path.exists() and src.exists():
        same = os.path.samefile(out_path, src)
    if same:
        raise LedgerkitError(
            f"输出文件“{out_path.name}”就是输入的台账本身，不能覆盖原台账。请换一个输出文件夹或文件名。"
        )
