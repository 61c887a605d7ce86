"""Grids of cells → a Ledger: find the header, follow merges and section rows, parse values.

General rules, not per-file cases:
- the header is the row (or two rows) among the first ones that names the most fields;
- a vertically merged cell holds its value for every row of the merge;
- a blank aspect / problem / issue cell means "same as above";
- a row holding one text merged across the table, or numbered 一、/（一）, is a section row
  setting the aspect / problem of the rows below it;
- 合计 rows and footnotes are not data;
- sheets with a ledger header are one ledger, in sheet order;
- an issue given in one row whose measure cell lists numbered measures has that many measures.

Rows that are not measures (totals, notes, sign-offs, repeated headers, example rows, a second
table) are kept as ``Ledger.other_rows``. The rules a careful person applies to rows are written
out in docs/reading-rules.md; each is a function in header.py, rows.py,
sections.py or measures.py; this module walks the sheets.
"""

from __future__ import annotations

import re

from ..errors import UnreadableError
from ..model import (
    CHANGES_SHEET,
    OTHER_HEADERS,
    OTHER_KINDS,
    OTHER_SHEET,
    Finding,
    Ledger,
    Measure,
    OtherRow,
    SheetInfo,
    col_letter,
)
from ..rules import findings
from ..text import (
    clean,
    fold,
)
from . import versions
from .header import (
    HEADER_SCAN_ROWS,
    Header,
    find_header,
    headers_seen,
    name_columns,
    read_metadata,
    row_texts,
)
from .measures import check_duplicate, formula_findings, is_measure_row, read_row, split_measures
from .read import RawSheet, RawWorkbook
from .rows import (
    Context,
    Row,
    classify,
    demote_unnumbered,
    make_row,
    mark_other_tables,
    merged_fill,
    promote_column_headings,
    titles_over_headers,
)
from .sections import apply_section, plan_sections, resolve_ditto

OTHER_ROW_KINDS = frozenset(OTHER_KINDS)


# ---- sheets and the ledger ---------------------------------------------------------------


def read_sheet(
    ledger: Ledger, sheet: RawSheet, header: Header, aspect_from_sheet: str
) -> tuple[list[Measure], list[Measure], list[Finding]]:
    start = header.rows[-1] + 1
    ctx = Context(sheet=sheet, header=header, fill=merged_fill(sheet, start))
    width = max([len(r) for r in sheet.rows[start:]] + [max(header.texts, default=0) + 1])
    rows = [make_row(ctx, r, width) for r in range(start, len(sheet.rows))]
    kinds = [classify(ctx, row) for row in rows]
    mark_other_tables(ctx, rows, kinds)
    promote_column_headings(ctx, rows, kinds)
    titles_over_headers(ctx, rows, kinds)
    demote_unnumbered(ctx, rows, kinds)
    plan_sections(ctx, rows, kinds)
    measures: list[Measure] = []
    issue_rows: list[Measure] = []
    for row, kind in zip(rows, kinds, strict=True):
        if kind == "section":
            apply_section(ctx, row)
        elif kind == "data":
            resolve_ditto(ctx, row)
            m = read_row(ctx, row, aspect_from_sheet)
            if is_measure_row(ctx, row):
                check_duplicate(ctx, row)
                measures.append(m)
            elif any(c in ctx.level_cols for c, _t in row.own()):
                issue_rows.append(m)
            else:  # no measure, no title of its own (a 序号 alone, a stray line): kept, not counted
                ledger.other_rows.append(OtherRow(sheet.name, row.index + 1, _own_cells(row), "note"))
        elif kind in OTHER_ROW_KINDS:
            ledger.other_rows.append(OtherRow(sheet.name, row.index + 1, _own_cells(row), kind))
    notes = formula_findings(sheet, header, start, measures)
    return measures, issue_rows, notes + ctx.found


def _own_cells(row: Row) -> list[str]:
    """The row's own texts (a merge's value once, at its first cell), trailing blanks dropped."""
    cells = [t if c not in row.merged_from else "" for c, t in enumerate(row.texts)]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def normalise(raw: RawWorkbook) -> tuple[Ledger, list[Finding]]:
    ours = [s for s in raw.sheets if _is_other_sheet(s)]  # a cleaned workbook read back
    own_output = versions.written_by_us([s.name for s in raw.sheets])
    derived = [s for s in raw.sheets if own_output and _is_changes_sheet(s)]
    found = [(s, find_header(s)) for s in raw.sheets if not any(s is o for o in (*ours, *derived))]
    ledger_sheets = [(s, h) for s, h in found if h is not None and _has_rows(s, h)]
    if not ledger_sheets:
        ledger_sheets = [(s, h) for s, h in found if h is not None]
    if not ledger_sheets:
        raise UnreadableError(_no_header_message(raw))
    ledger_sheets, instructions = _without_instructions(ledger_sheets)
    notes: list[Finding] = [findings.make("instructions-sheet", s.name) for s in instructions]
    picked, version_notes = versions.pick_sheets(ledger_sheets)
    # old versions are not counted, but nothing the office wrote is lost: kept under 其他内容
    superseded = [s for s, _h in ledger_sheets if not any(s is k for k, _h2 in picked)]
    ledger_sheets = picked
    notes.extend(version_notes)
    for sheet, header in ledger_sheets:
        notes.extend(versions.pick_columns(sheet, header, own_output))
        name_columns(sheet, header)
    ledger = Ledger(source_file=str(raw.path), file_format=raw.file_format, sheets=[])
    for sheet in ours:
        ledger.other_rows.extend(_restore_other_rows(sheet))
    for sheet in instructions:
        ledger.other_rows.extend(_sheet_rows(sheet))
    for sheet in superseded:
        ledger.other_rows.extend(_sheet_rows(sheet, "version"))
    sheet_as_aspect = len(ledger_sheets) > 1 and all("aspect" not in h.columns for _s, h in ledger_sheets)
    issue_rows: list[Measure] = []
    for sheet, header in ledger_sheets:
        read_metadata(ledger, sheet, header)
        ledger.sheets.append(_sheet_info(sheet, header))
        ms, only, sheet_notes = read_sheet(ledger, sheet, header, sheet.name if sheet_as_aspect else "")
        ledger.measures.extend(ms)
        issue_rows.extend(only)
        notes.extend(sheet_notes)
        for c in header.extras:
            if header.texts[c] not in ledger.extra_headers:
                ledger.extra_headers.append(header.texts[c])
    if not ledger.measures and not issue_rows:
        sheets = "、".join(f"「{info.name}」" for info in ledger.sheets)
        raise UnreadableError(
            f"“{raw.path.name}”的工作表{sheets}有表头，但表头下面没有任何整改措施。请确认选择的是已填写的台账。"
        )
    if raw.file_format == "xlsm":
        notes.append(_macro_note(ledger))
    ledger.measures = split_measures(ledger.measures, ledger)
    for m in ledger.measures:
        m.measure_key = fold(m.measure)
    with_measures = {m.issue_id for m in ledger.measures}
    ledger.issue_only_rows = [m for m in issue_rows if m.issue_id not in with_measures and m.issue_key]
    # The hierarchy is the issues', measures or not: a new ledger lists issues awaiting measures.
    listed = (*ledger.measures, *ledger.issue_only_rows)
    ledger.has_aspects = any(m.aspect_key for m in listed)
    ledger.has_problems = any(m.problem_key for m in listed)
    return ledger, notes


# A sheet of instructions or a filled-in example, not part of the ledger, whatever it holds.
_INSTRUCTIONS = re.compile(r"说明|示例|样例|范例|样表|模板|填表要求|填报要求")


def _without_instructions(
    sheets: list[tuple[RawSheet, Header]],
) -> tuple[list[tuple[RawSheet, Header]], list[RawSheet]]:
    """Sheets named as instructions or an example (填报说明, 示例) are not the ledger, even with
    its header and an example row, when another sheet holds the ledger."""
    kept = [(s, h) for s, h in sheets if not _INSTRUCTIONS.search(fold(s.name))]
    if not kept:
        return sheets, []
    return kept, [s for s, _h in sheets if _INSTRUCTIONS.search(fold(s.name))]


def _sheet_rows(sheet: RawSheet, kind: str = "sheet") -> list[OtherRow]:
    """Every non-empty row of a sheet not counted as a whole (instructions, an old version)."""
    return [
        OtherRow(sheet.name, r + 1, cells, kind)
        for r, row in enumerate(sheet.rows)
        if (cells := row_texts(row))
    ]


def _is_other_sheet(sheet: RawSheet) -> bool:
    """The 其他内容 sheet a cleaned workbook carries: read back as other rows, not as a ledger."""
    if sheet.name != OTHER_SHEET or not sheet.rows:
        return False
    return tuple(clean(v) for v in sheet.rows[0][: len(OTHER_HEADERS)]) == OTHER_HEADERS


def _is_changes_sheet(sheet: RawSheet) -> bool:
    """The 变化 sheet of a cleaned workbook (changes since the last version): its header names
    方面, 具体问题 and 整改措施, but its rows are changes computed from two ledgers, not the
    ledger. Dropped when read back; the next report with --since writes it anew."""
    if sheet.name != CHANGES_SHEET or not sheet.rows or not sheet.rows[0]:
        return False
    return clean(sheet.rows[0][0]) == CHANGES_SHEET


def _restore_other_rows(sheet: RawSheet) -> list[OtherRow]:
    kinds = {name: kind for kind, name in OTHER_KINDS.items()}
    out = []
    for row in sheet.rows[1:]:
        cells = row_texts(row)
        if len(cells) < 3 or not cells[1].isdigit():
            continue
        out.append(OtherRow(cells[0], int(cells[1]), cells[3:], kinds.get(cells[2], "note")))
    return out


def _macro_note(ledger: Ledger) -> Finding:
    return findings.make("macros-not-kept", ledger.sheets[0].name, 1, 1)


def _has_rows(sheet: RawSheet, header: Header) -> bool:
    return any(_filled(row) for row in sheet.rows[header.rows[-1] + 1 :])


def _filled(row: list[object]) -> bool:
    return any(clean(v) for v in row)


def _sheet_info(sheet: RawSheet, header: Header) -> SheetInfo:
    return SheetInfo(
        name=sheet.name,
        header_rows=tuple(r + 1 for r in header.rows),
        columns={f: col_letter(c) for f, c in header.columns.items()},
        headers={col_letter(c): t for c, t in header.texts.items()},
        extra_columns=[col_letter(c) for c in header.extras],
    )


def _no_header_message(raw: RawWorkbook) -> str:
    name = raw.path.name
    seen = next((h for h in (headers_seen(s) for s in raw.sheets) if h), [])
    if not any(_filled(row) for s in raw.sheets for row in s.rows):
        return f"“{name}”中所有工作表都是空的，没有台账内容。"
    shown = "、".join(f"“{t[:12]}”" for t in seen[:8]) or "（无）"
    return (
        f"“{name}”中找不到台账的表头（应包含“具体问题”或“整改措施”，以及“责任科室”“完成情况”等列）。"
        f"看到的列名是：{shown}。请检查表头是否在前 {HEADER_SCAN_ROWS} 行内。"
    )
