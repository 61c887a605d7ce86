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

from .columns import is_group_label, match_header
from .errors import UnreadableError
from .model import Finding, Ledger, Measure, SheetInfo, Source
from .read import RawSheet, RawWorkbook
from .text import (
    canonical_status,
    clean,
    fold,
    format_date,
    numbering_style,
    parse_date,
    split_numbered,
    strip_numbering,
)

HEADER_SCAN_ROWS = 20
LEVELS = ("aspect", "problem", "issue")
# Fields that make a row a measure (a row with only hierarchy cells lists an issue).
MEASURE_FIELDS = (
    "measure",
    "leader",
    "department",
    "owner",
    "deadline",
    "kind",
    "progress",
    "status",
    "done_on",
    "evidence",
)
TEXT_FIELDS = (
    "seq",
    "description",
    "measure",
    "leader",
    "department",
    "owner",
    "kind",
    "progress",
    "evidence",
    "remarks",
)
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
    state: dict[str, tuple[str, Source] | None] = field(default_factory=dict)
    row_findings: list[Finding] = field(default_factory=list)


def col_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(row: int, col: int) -> str:
    return f"{col_letter(col)}{row + 1}"


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


def _cell(rows: list[list[object]], r: int, c: int) -> object:
    row = rows[r]
    return row[c] if c < len(row) else ""


def _own_texts(row: list[object]) -> list[tuple[int, str]]:
    out = []
    for c, v in enumerate(row):
        if v == "" or v is None:
            continue
        t = clean(v)
        if t:
            out.append((c, t))
    return out


def classify(ctx: Context, r: int) -> str:
    """blank | total | footnote | section | data."""
    own = _own_texts(ctx.sheet.rows[r])
    if not own:
        return "blank"
    first = own[0][1]
    if _TOTAL.match(fold(first)):
        return "total"
    if len(own) <= 2 and _FOOTNOTE.match(fold(first)):
        return "footnote"
    if len({t for _c, t in own}) == 1:
        c = own[0][0]
        spans = _merge_width(ctx.sheet, r, c)
        style = numbering_style(first)
        if spans >= 3 or (style in ("cn", "cn_paren") and c not in _measure_cols(ctx.header)):
            return "section"
    return "data"


def _measure_cols(header: Header) -> set[int]:
    return {header.columns[f] for f in MEASURE_FIELDS if f in header.columns}


def _merge_width(sheet: RawSheet, r: int, c: int) -> int:
    for m in sheet.merges:
        if m.first_row == r and m.first_col == c:
            return m.last_col - m.first_col + 1
    return 1


def plan_sections(ctx: Context, kinds: list[str], first: int) -> None:
    """Map each numbering style of section rows to the level it sets."""
    free = [lvl for lvl in ("aspect", "problem") if lvl not in ctx.header.columns]
    styles: list[str] = []
    rank = {name: i for i, name in enumerate(("cn", "cn_paren", "problem_n", "arabic", "arabic_paren"))}
    for offset, kind in enumerate(kinds):
        if kind == "section":
            text = _own_texts(ctx.sheet.rows[first + offset])[0][1]
            style = numbering_style(text) or "plain"
            if style not in styles:
                styles.append(style)
    styles.sort(key=lambda s: rank.get(s, -1))
    for style, level in zip(styles, free, strict=False):
        ctx.section_levels[style] = level


def apply_section(ctx: Context, r: int) -> None:
    c, text = _own_texts(ctx.sheet.rows[r])[0]
    level = ctx.section_levels.get(numbering_style(text) or "plain")
    if level is None:
        return
    ctx.state[level] = (strip_numbering(text), Source(ctx.sheet.name, a1(r, c), text))
    for lower in LEVELS[LEVELS.index(level) + 1 :]:
        ctx.state[lower] = None


def _value(ctx: Context, r: int, c: int) -> tuple[object, tuple[int, int]]:
    """A cell's value, following a merge to its top-left cell."""
    at = ctx.fill.get((r, c), (r, c)) if ctx.fill else (r, c)
    return _cell(ctx.sheet.rows, *at), at


def read_row(ctx: Context, r: int, aspect_from_sheet: str) -> Measure:
    h = ctx.header
    name = ctx.sheet.name
    m = Measure(sheet=name, row=r + 1)
    for level in LEVELS:
        c = h.columns.get(level)
        text, src = "", None
        if c is not None:
            raw, at = _value(ctx, r, c)
            text = clean(raw)
            if text:
                src = Source(name, a1(*at), text)
                title = strip_numbering(text) or text
                prev = ctx.state.get(level)
                if prev is None or fold(prev[0]) != fold(title):
                    # A new aspect / problem: what was "same as above" below it no longer is.
                    for lower in LEVELS[LEVELS.index(level) + 1 :]:
                        ctx.state[lower] = None
                ctx.state[level] = (title, src)
        if not text:
            prev = ctx.state.get(level)
            if prev is None and level == "aspect" and aspect_from_sheet:
                prev = (aspect_from_sheet, Source(name, "", name))
            if prev is not None:
                text, src = prev
                m.origins[level] = src
        elif src is not None and src.cell != a1(r, c):  # type: ignore[arg-type]
            m.origins[level] = src
        title = strip_numbering(text) if text else ""
        setattr(m, level, title or text)
        setattr(m, f"{level}_key", fold(title or text))
    for f in TEXT_FIELDS:
        c = h.columns.get(f)
        if c is None:
            continue
        raw, at = _value(ctx, r, c)
        setattr(m, f, clean(raw))
        if at != (r, c):
            m.origins[f] = Source(name, a1(*at), clean(raw))
    _read_parsed(ctx, r, m)
    for c in h.extras:
        raw, _at = _value(ctx, r, c)
        m.extras[h.texts[c]] = _extra_text(raw)
    return m


def _blank(ctx: Context, r: int, c: int) -> bool:
    return clean(_value(ctx, r, c)[0]) == ""


def _extra_text(raw: object) -> str:
    parsed = parse_date(raw) if not isinstance(raw, (str, int, float)) else None
    if parsed is not None and parsed.value is not None:
        return parsed.value.isoformat()
    return clean(raw)


def _read_parsed(ctx: Context, r: int, m: Measure) -> None:
    h = ctx.header
    name = ctx.sheet.name
    c = h.columns.get("status")
    if c is not None:
        raw, at = _value(ctx, r, c)
        m.status_text = clean(raw)
        m.status = canonical_status(m.status_text) if m.status_text else None
        if at != (r, c):
            m.origins["status"] = Source(name, a1(*at), m.status_text)
    for f, is_deadline in (("deadline", True), ("done_on", False)):
        c = h.columns.get(f)
        if c is None:
            continue
        raw, at = _value(ctx, r, c)
        parsed = parse_date(raw, deadline=is_deadline)
        text = clean(raw)
        if not isinstance(raw, str) and parsed.value is not None:
            text = format_date(parsed.value)
        if is_deadline:
            m.deadline, m.deadline_date, m.deadline_word = text, parsed.value, parsed.word
        else:
            m.done_on_text, m.done_on = text, parsed.value
        if at != (r, c):
            m.origins[f] = Source(name, a1(*at), text)
    if not m.status_text:  # blank: 未开始, unless a completion date says done
        m.status = "已完成" if m.done_on is not None else "未开始"


def is_measure_row(ctx: Context, r: int) -> bool:
    return any(not _blank(ctx, r, c) for c in _measure_cols(ctx.header)) or any(
        not _blank(ctx, r, c) for c in ctx.header.extras
    )


# ---- sheets and the ledger ---------------------------------------------------------------


def read_sheet(
    ledger: Ledger, sheet: RawSheet, header: Header, aspect_from_sheet: str
) -> tuple[list[Measure], list[Measure], list[Finding]]:
    start = header.rows[-1] + 1
    ctx = Context(sheet=sheet, header=header, fill=merged_fill(sheet, start))
    ctx.state = dict.fromkeys(LEVELS)
    kinds = [classify(ctx, r) for r in range(start, len(sheet.rows))]
    plan_sections(ctx, kinds, start)
    measures: list[Measure] = []
    issue_rows: list[Measure] = []
    for offset, kind in enumerate(kinds):
        r = start + offset
        if kind == "section":
            apply_section(ctx, r)
        elif kind == "data":
            m = read_row(ctx, r, aspect_from_sheet)
            (measures if is_measure_row(ctx, r) else issue_rows).append(m)
    notes = [
        Finding(
            "formula-no-value",
            "warning",
            sheet.name,
            a1(r, c),
            header_field(header, c),
            "",
            f"「{sheet.name}」{a1(r, c)}：单元格是公式，但文件中没有保存计算结果，按空白处理。",
            "请在 Excel 或 WPS 中打开台账，确认公式结果显示正常后保存，再重新处理。",
        )
        for r, c in sheet.formulas_without_value
        if r >= start
    ]
    return measures, issue_rows, notes


def header_field(header: Header, c: int) -> str:
    return next((f for f, col in header.columns.items() if col == c), header.texts.get(c, ""))


def split_measures(measures: list[Measure]) -> list[Measure]:
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
        for k, text in enumerate(parts, start=1):
            piece = _copy(m)
            piece.measure, piece.part = text, k
            if len(progress) == len(parts):
                piece.progress = progress[k - 1]
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
    ledger.measures = split_measures(ledger.measures)
    with_measures = {m.issue_id for m in ledger.measures}
    ledger.issue_only_rows = [m for m in issue_rows if m.issue_id not in with_measures and m.issue_key]
    ledger.has_aspects = any(m.aspect_key for m in ledger.measures)
    ledger.has_problems = any(m.problem_key for m in ledger.measures)
    return ledger, notes


def _has_rows(sheet: RawSheet, header: Header) -> bool:
    return any(_own_texts(row) for row in sheet.rows[header.rows[-1] + 1 :])


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
    if not any(_own_texts(row) for s in raw.sheets for row in s.rows):
        return f"“{name}”中所有工作表都是空的，没有台账内容。"
    shown = "、".join(f"“{t[:12]}”" for t in seen[:8]) or "（无）"
    return (
        f"“{name}”中找不到台账的表头（应包含“具体问题”或“整改措施”，以及“责任科室”“完成情况”等列）。"
        f"看到的列名是：{shown}。请检查表头是否在前 {HEADER_SCAN_ROWS} 行内。"
    )
