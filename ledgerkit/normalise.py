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
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from . import findings, formats
from .columns import is_group_label, match_header
from .errors import UnreadableError
from .model import CANONICAL_TEXT, FIELDS, Finding, Ledger, Measure, SheetInfo, Source, a1, col_letter
from .read import RawSheet, RawWorkbook
from .text import (
    TRIM,
    canonical_status,
    clean,
    fold,
    numbering_style,
    parse_date,
    split_numbered,
    strip_numbering,
)

HEADER_SCAN_ROWS = 20
LEVELS = ("aspect", "problem", "issue")
# (level, its key attribute, the levels below it)
LEVEL_SPECS = tuple((lvl, f"{lvl}_key", LEVELS[i + 1 :]) for i, lvl in enumerate(LEVELS))
# Fields that make a row a measure (a row with only hierarchy cells lists an issue).
MEASURE_FIELDS = tuple(f for f in FIELDS if f not in (*LEVELS, "seq", "description", "remarks"))
TEXT_FIELDS = tuple(f for f in CANONICAL_TEXT if f not in LEVELS)
_TOTAL = re.compile(r"^(合计|总计|小计|共计)")
_FOOTNOTE = re.compile(
    r"^(填表说明|填报说明|说明|注|备注|附注|填报人|审核人|制表人|负责人|联系人|联系电话)[:：]?"
)
_UNIT = re.compile(r"填报单位[:：]\s*(.*?)(?:[（(]\s*(?:盖章|公章)\s*[)）])?\s*(?:填报(?:时间|日期)|$)")
_REPORTED = re.compile(r"填报(?:时间|日期)[:：]\s*(\S.*?)\s*$")


@dataclass(slots=True)
class Header:
    rows: tuple[int, ...]  # 0-based
    columns: dict[str, int]  # field -> column index
    texts: dict[int, str]  # column index -> header as written
    extras: list[int]  # unrecognised columns, in order


@dataclass(slots=True)
class Context:
    """Per-sheet state while walking its rows."""

    sheet: RawSheet
    header: Header
    fill: dict[tuple[int, int], tuple[int, int]]  # merged cell -> its top-left cell
    section_levels: dict[str, str] = field(default_factory=dict)  # numbering style -> level
    # level -> (title, key, where it was written) of the aspect / problem / issue in force
    state: dict[str, tuple[str, str, Source] | None] = field(default_factory=lambda: dict.fromkeys(LEVELS))
    titles: dict[str, tuple[str, str]] = field(default_factory=dict)
    fill_rows: set[int] = field(init=False)
    merge_width: dict[tuple[int, int], int] = field(init=False)
    measure_cols: set[int] = field(init=False)
    level_cols: set[int] = field(init=False)
    text_cols: list[tuple[str, int]] = field(init=False)
    level_specs: list[tuple[str, str, tuple[str, ...], int | None]] = field(init=False)
    date_cols: list[tuple[str, int, bool]] = field(init=False)

    def __post_init__(self) -> None:
        self.fill_rows = {r for r, _c in self.fill}
        self.merge_width = {
            (m.first_row, m.first_col): m.last_col - m.first_col + 1 for m in self.sheet.merges
        }
        cols = self.header.columns
        self.measure_cols = {cols[f] for f in MEASURE_FIELDS if f in cols}
        self.level_cols = {cols[f] for f in LEVELS if f in cols}
        self.text_cols = [(f, cols[f]) for f in TEXT_FIELDS if f in cols]
        self.level_specs = [(*spec, cols.get(spec[0])) for spec in LEVEL_SPECS]
        self.date_cols = [(f, cols[f], f == "deadline") for f in ("deadline", "done_on") if f in cols]


# ---- header -------------------------------------------------------------------------------


def find_header(sheet: RawSheet) -> Header | None:
    best: tuple[int, int] | None = None  # (score, row)
    for r, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        fields = {match_header(clean(v)) for v in row if isinstance(v, str)} - {None}
        if not ({"measure", "issue"} & fields) or len(fields) < 3:
            continue
        if best is None or len(fields) > best[0]:
            best = (len(fields), r)
    if best is None:
        return None
    top = best[1]
    rows = sheet.rows
    width = max(len(rows[top]), len(rows[top + 1]) if top + 1 < len(rows) else 0)
    upper = [clean(v) for v in rows[top]] + [""] * (width - len(rows[top]))
    lower = [""] * width
    if top + 1 < len(rows) and _is_sub_header(rows[top + 1]):
        lower = [clean(v) for v in rows[top + 1]] + [""] * (width - len(rows[top + 1]))
    columns: dict[str, int] = {}
    texts: dict[int, str] = {}
    extras: list[int] = []
    for c in range(width):
        text = lower[c] or upper[c]
        if not text:
            continue
        texts[c] = text
        name = match_header(text)
        if name is None and lower[c] and not is_group_label(upper[c]):
            name = match_header(upper[c])
        if name is not None and name not in columns:
            columns[name] = c
        else:
            extras.append(c)
    if "issue" not in columns and "problem" in columns:
        # No 具体问题 column: the problem column lists the issues (each its own problem).
        columns["issue"] = columns.pop("problem")
    header_rows = (top, top + 1) if any(lower) else (top,)
    return Header(header_rows, columns, texts, extras)


def _is_sub_header(row: list[object]) -> bool:
    texts = [clean(v) for v in row]
    filled = [t for t in texts if t]
    matched = [t for t in filled if match_header(t)]
    return len(matched) >= 2 and len(filled) - len(matched) <= 1


def headers_seen(sheet: RawSheet) -> list[str]:
    """The texts of the first non-empty rows, for the "no ledger header" message."""
    for row in sheet.rows[:HEADER_SCAN_ROWS]:
        texts = [clean(v) for v in row if clean(v)]
        if len(texts) >= 3:
            return texts[:12]
    return []


# ---- metadata above the header ------------------------------------------------------------


def read_metadata(ledger: Ledger, sheet: RawSheet, header: Header) -> None:
    for row in sheet.rows[: header.rows[0]]:
        texts = [clean(v) for v in row if clean(v)]
        if not texts:
            continue
        line = "  ".join(dict.fromkeys(texts))
        if "填报" in line:
            unit = _UNIT.search(line)
            if unit and not ledger.unit:
                ledger.unit = unit[1].strip(" ：:")
            when = _REPORTED.search(line)
            if when and not ledger.reported_on:
                ledger.reported_on = when[1]
                ledger.reported_date = parse_date(when[1]).value
        elif not ledger.title:
            ledger.title = line


# ---- rows ----------------------------------------------------------------------------------


def merged_fill(sheet: RawSheet, start_row: int) -> dict[tuple[int, int], tuple[int, int]]:
    fill = {}
    for m in sheet.merges:
        if m.last_row < start_row:
            continue
        for r in range(max(m.first_row, start_row), m.last_row + 1):
            for c in range(m.first_col, m.last_col + 1):
                if (r, c) != (m.first_row, m.first_col):
                    fill[(r, c)] = (m.first_row, m.first_col)
    return fill


@dataclass(slots=True)
class Row:
    """One sheet row, cleaned once: values with merges followed, and which cells are its own."""

    index: int  # 0-based
    values: list[object]  # raw values, merged cells holding their merge's value
    texts: list[str]  # cleaned text of values
    merged_from: dict[int, tuple[int, int]]  # column -> the merge's top-left cell

    def own(self) -> list[tuple[int, str]]:
        return [(c, t) for c, t in enumerate(self.texts) if t and c not in self.merged_from]

    def at(self, c: int) -> tuple[int, int]:
        return self.merged_from.get(c, (self.index, c))


def make_row(ctx: Context, r: int, width: int) -> Row:
    values = list(ctx.sheet.rows[r][:width])
    values += [""] * (width - len(values))
    merged_from: dict[int, tuple[int, int]] = {}
    if r in ctx.fill_rows:
        rows = ctx.sheet.rows
        for c in range(width):
            at = ctx.fill.get((r, c))
            if at is not None:
                top = rows[at[0]]
                values[c] = top[at[1]] if at[1] < len(top) else ""
                merged_from[c] = at
    # clean() inlined for plain strings: this runs for every cell of the ledger
    texts = [
        v.strip(TRIM) if type(v) is str and "_x000" not in v and "\r" not in v else clean(v) for v in values
    ]
    return Row(r, values, texts, merged_from)


_MAYBE_TOTAL = frozenset("合总小共")
_MAYBE_FOOTNOTE = frozenset("填说注备附审制负联")


def classify(ctx: Context, row: Row) -> str:
    """blank | total | footnote | section | data."""
    texts, merged = row.texts, row.merged_from
    filled = (
        [c for c, t in enumerate(texts) if t and c not in merged]
        if merged
        else [c for c, t in enumerate(texts) if t]
    )
    if not filled:
        return "blank"
    first = texts[filled[0]]
    # fold() only when the first character could start such a word: most rows start with a 序号
    if first[0] in _MAYBE_TOTAL and _TOTAL.match(fold(first)):
        return "total"
    if len(filled) <= 2 and first[0] in _MAYBE_FOOTNOTE and _FOOTNOTE.match(fold(first)):
        return "footnote"
    if len(filled) == 1 or (texts[filled[0]] == texts[filled[-1]] and len({texts[c] for c in filled}) == 1):
        c = filled[0]
        if ctx.merge_width.get((row.index, c), 1) >= 3:
            return "section"
        style = numbering_style(first)
        if style in ("cn", "cn_paren") and c not in ctx.measure_cols and c not in ctx.level_cols:
            return "section"  # a heading typed in the first column, not merged
    return "data"


def plan_sections(ctx: Context, sections: list[Row]) -> None:
    """Map each numbering style of section rows to the level it sets."""
    free = [lvl for lvl in LEVELS if lvl not in ctx.header.columns]
    rank = {name: i for i, name in enumerate(("cn", "cn_paren", "problem_n", "arabic", "arabic_paren"))}
    styles = list(dict.fromkeys(numbering_style(row.own()[0][1]) or "plain" for row in sections))
    styles.sort(key=lambda s: rank.get(s, -1))
    for style, level in zip(styles, free, strict=False):
        ctx.section_levels[style] = level


def apply_section(ctx: Context, row: Row) -> None:
    c, text = row.own()[0]
    level = ctx.section_levels.get(numbering_style(text) or "plain")
    if level is None:
        return
    ctx.state[level] = (*title_of(ctx, text), Source(ctx.sheet.name, a1(row.index, c), text))
    for lower in LEVELS[LEVELS.index(level) + 1 :]:
        ctx.state[lower] = None


def title_of(ctx: Context, text: str) -> tuple[str, str]:
    """(title without numbering, matching key), memoised: titles repeat down a sheet."""
    found = ctx.titles.get(text)
    if found is None:
        title = strip_numbering(text) or text
        found = ctx.titles[text] = (title, fold(title))
    return found


def read_row(ctx: Context, row: Row, aspect_from_sheet: str) -> Measure:
    h = ctx.header
    name = ctx.sheet.name
    m = Measure(sheet=name, row=row.index + 1)
    texts = row.texts
    for level, key_attr, lowers, c in ctx.level_specs:
        text = texts[c] if c is not None else ""
        if text:
            title, key = title_of(ctx, text)
            prev = ctx.state[level]
            if prev is None or prev[1] != key:
                # A new aspect / problem: what was "same as above" below it no longer is.
                for lower in lowers:
                    ctx.state[lower] = None
                at = row.at(c)  # type: ignore[arg-type]
                ctx.state[level] = (title, key, Source(name, a1(*at), text))
            if c in row.merged_from:
                m.origins[level] = ctx.state[level][2]  # type: ignore[index]
        else:
            prev = ctx.state[level]
            if prev is None and level == "aspect" and aspect_from_sheet:
                prev = ctx.state[level] = (
                    *title_of(ctx, aspect_from_sheet),
                    Source(name, "", aspect_from_sheet),
                )
            if prev is None:
                continue
            title, key = prev[0], prev[1]
            m.origins[level] = prev[2]
        setattr(m, level, title)
        setattr(m, key_attr, key)
    for f, c in ctx.text_cols:
        setattr(m, f, texts[c])
        if c in row.merged_from:
            m.origins[f] = Source(name, a1(*row.merged_from[c]), texts[c])
    _read_parsed(ctx, row, m)
    if h.extras:
        m.extras = {h.texts[c]: _extra_text(row.values[c], texts[c]) for c in h.extras}
    return m


def _extra_text(raw: object, text: str) -> str:
    if isinstance(raw, (datetime, date)):
        return (raw.date() if isinstance(raw, datetime) else raw).isoformat()
    return text


def _read_parsed(ctx: Context, row: Row, m: Measure) -> None:
    h = ctx.header
    c = h.columns.get("status")
    if c is not None:
        m.status_text = row.texts[c]
        m.status = canonical_status(m.status_text) if m.status_text else None
        if c in row.merged_from:
            m.origins["status"] = Source(m.sheet, a1(*row.merged_from[c]), m.status_text)
    for f, c, is_deadline in ctx.date_cols:
        raw = row.values[c]
        parsed = parse_date(raw, deadline=is_deadline)
        text = row.texts[c]
        if not isinstance(raw, str) and parsed.value is not None:
            text = formats.cn_date(parsed.value)
        if is_deadline:
            m.deadline, m.deadline_date, m.deadline_word = text, parsed.value, parsed.word
        else:
            m.done_on_text, m.done_on = text, parsed.value
        if c in row.merged_from:
            m.origins[f] = Source(m.sheet, a1(*row.merged_from[c]), text)
    if not m.status_text:  # blank: 未开始, unless a completion date says done
        m.status = "已完成" if m.done_on is not None else "未开始"


def is_measure_row(ctx: Context, row: Row) -> bool:
    texts = row.texts
    return any(texts[c] for c in ctx.measure_cols) or any(texts[c] for c in ctx.header.extras)


# ---- sheets and the ledger ---------------------------------------------------------------


def read_sheet(
    ledger: Ledger, sheet: RawSheet, header: Header, aspect_from_sheet: str
) -> tuple[list[Measure], list[Measure], list[Finding]]:
    start = header.rows[-1] + 1
    ctx = Context(sheet=sheet, header=header, fill=merged_fill(sheet, start))
    width = max([len(r) for r in sheet.rows[start:]] + [max(header.texts, default=0) + 1])
    rows = [make_row(ctx, r, width) for r in range(start, len(sheet.rows))]
    kinds = [classify(ctx, row) for row in rows]
    plan_sections(ctx, [row for row, kind in zip(rows, kinds, strict=True) if kind == "section"])
    measures: list[Measure] = []
    issue_rows: list[Measure] = []
    for row, kind in zip(rows, kinds, strict=True):
        if kind == "section":
            apply_section(ctx, row)
        elif kind == "data":
            m = read_row(ctx, row, aspect_from_sheet)
            (measures if is_measure_row(ctx, row) else issue_rows).append(m)
    notes = [
        findings.make("formula-no-value", sheet.name, a1(r, c), field=header_field(header, c))
        for r, c in sheet.formulas_without_value
        if r >= start
    ]
    return measures, issue_rows, notes


def header_field(header: Header, c: int) -> str:
    return next((f for f, col in header.columns.items() if col == c), header.texts.get(c, ""))


def split_measures(measures: list[Measure], ledger: Ledger | None = None) -> list[Measure]:
    """An issue in one row whose measure cell lists numbered measures: one record each."""
    rows_per_issue: dict[tuple[str, str, str], int] = {}
    for m in measures:
        rows_per_issue[m.issue_id] = rows_per_issue.get(m.issue_id, 0) + 1
    out: list[Measure] = []
    for m in measures:
        parts = split_numbered(m.measure) if rows_per_issue[m.issue_id] == 1 and m.measure else [m.measure]
        if len(parts) < 2:
            out.append(m)
            continue
        progress = split_numbered(m.progress) if m.progress else []
        src = ledger.source(m, "progress") if ledger is not None else m.origins.get("progress")
        whole = Source(m.sheet, src.cell if src is not None else "", m.progress)
        for k, text in enumerate(parts, start=1):
            piece = _copy(m)
            piece.measure, piece.part = text, k
            if len(progress) == len(parts):
                piece.progress = progress[k - 1]
                # the whole cell, lead-in and numbering included, for the notice to print once
                piece.origins.setdefault("progress", whole)
            out.append(piece)
    return out


def _copy(m: Measure) -> Measure:
    from copy import copy

    piece = copy(m)
    piece.extras = dict(m.extras)
    piece.origins = dict(m.origins)
    return piece


def normalise(raw: RawWorkbook) -> tuple[Ledger, list[Finding]]:
    found = [(s, find_header(s)) for s in raw.sheets]
    ledger_sheets = [(s, h) for s, h in found if h is not None and _has_rows(s, h)]
    if not ledger_sheets:
        ledger_sheets = [(s, h) for s, h in found if h is not None]
    if not ledger_sheets:
        raise UnreadableError(_no_header_message(raw))
    ledger = Ledger(source_file=str(raw.path), file_format=raw.file_format, sheets=[])
    sheet_as_aspect = len(ledger_sheets) > 1 and all("aspect" not in h.columns for _s, h in ledger_sheets)
    notes: list[Finding] = []
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
    ledger.has_aspects = any(m.aspect_key for m in ledger.measures)
    ledger.has_problems = any(m.problem_key for m in ledger.measures)
    return ledger, notes


def _macro_note(ledger: Ledger) -> Finding:
    return findings.make("macros-not-kept", ledger.sheets[0].name, "A1")


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
