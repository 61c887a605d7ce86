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
out in docs/reading-rules.md; each is a function below.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from .. import formats
from ..errors import UnreadableError
from ..model import (
    CANONICAL_TEXT,
    CHANGES_SHEET,
    FIELDS,
    OTHER_HEADERS,
    OTHER_KINDS,
    OTHER_SHEET,
    Finding,
    Ledger,
    Measure,
    OtherRow,
    SheetInfo,
    Source,
    a1,
    col_letter,
)
from ..rules import findings, marks
from ..text import (
    TRIM,
    canonical_status,
    clean,
    fold,
    numbered_list,
    numbering_style,
    parse_date,
    split_numbered,
    strip_numbering,
)
from . import versions
from .columns import is_group_label, match_header
from .read import RawSheet, RawWorkbook

HEADER_SCAN_ROWS = 20
LEVELS = ("aspect", "problem", "issue")
# (level, its key attribute, the levels below it)
LEVEL_SPECS = tuple((lvl, f"{lvl}_key", LEVELS[i + 1 :]) for i, lvl in enumerate(LEVELS))
# Fields that make a row a measure (a row with only hierarchy cells lists an issue).
MEASURE_FIELDS = tuple(f for f in FIELDS if f not in (*LEVELS, "seq", "description", "remarks"))
TEXT_FIELDS = tuple(f for f in CANONICAL_TEXT if f not in LEVELS)
_TOTAL = re.compile(r"^(合计|总计|小计|共计|汇总|总数|共\d)")
_FOOTNOTE = re.compile(
    r"^(填表说明|填报说明|说明|注|备注|附注|填报人|审核人|制表人|负责人|联系人|联系电话)[:：]?"
)
_UNIT = re.compile(r"填报单位[:：]\s*(.*)")
# Where the unit's name ends: a seal mark, a space between cells, a bar, or the next label.
_UNIT_END = re.compile(
    r"[（(]\s*(?:盖章|公章|章)\s*[)）]|\s|[|｜]|"
    r"(?:联系人|联系电话|电话|手机|填报人|填表人|审核人|负责人|经办人|填报时间|填报日期|日期)\s*[:：]"
)
_ATTACHMENT = re.compile(r"^附(?:件|表)\s*[\d一二三四五六七八九十]*\s*[:：]?$")
_REPORTED = re.compile(r"填报(?:时间|日期)[:：]\s*(\S.*?)\s*$")


@dataclass(slots=True)
class Header:
    rows: tuple[int, ...]  # 0-based
    columns: dict[str, int]  # field -> column index
    texts: dict[int, str]  # column index -> header as written
    extras: list[int]  # unrecognised columns, in order
    unnamed: frozenset[int] = frozenset()  # extras with data but no header: named by name_columns


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
    above: Row | None = None  # the data row above, which ditto marks repeat
    fresh: set[str] = field(default_factory=set)  # levels a section row set since the last data row
    from_section: set[str] = field(default_factory=set)  # levels whose value in force a section row set
    found: list[Finding] = field(default_factory=list)  # findings made while walking the rows
    seen: dict[tuple[str, ...], int] = field(default_factory=dict)  # a measure row's cells -> its row
    header_words: dict[int, frozenset[str]] = field(init=False)  # column -> its header texts, folded
    header_starts: frozenset[str] = field(init=False)  # first characters of those texts
    first_content_col: int = field(init=False)  # the leftmost hierarchy or measure column
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
        self.first_content_col = min(self.measure_cols | self.level_cols, default=0)
        self.text_cols = [(f, cols[f]) for f in TEXT_FIELDS if f in cols]
        self.level_specs = [(*spec, cols.get(spec[0])) for spec in LEVEL_SPECS]
        self.date_cols = [(f, cols[f], f == "deadline") for f in ("deadline", "done_on") if f in cols]
        words: dict[int, set[str]] = {}
        for r in self.header.rows:
            for c, v in enumerate(self.sheet.rows[r]):
                if text := fold(clean(v)):
                    words.setdefault(c, set()).add(text)
        self.header_words = {c: frozenset(w) for c, w in words.items()}
        self.header_starts = frozenset(t[0] for w in words.values() for t in w)

    def finding(
        self, code: str, r: int, c: int, value: str = "", *, field: str | None = None, **values: object
    ) -> None:
        """Note a finding at the input cell (r, c), 0-based."""
        self.found.append(findings.make(code, self.sheet.name, a1(r, c), field=field, value=value, **values))


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
    """The title and the 填报单位 / 填报时间 line above the header; other lines there are kept as notes."""
    for r, row in enumerate(sheet.rows[: header.rows[0]]):
        texts = [clean(v) for v in row if clean(v)]
        if not texts:
            continue
        line = "  ".join(dict.fromkeys(texts))
        if _ATTACHMENT.match(line) or (ledger.title and "填报" not in line):
            # "附件2" above the title is the document's attachment number, not its title
            ledger.other_rows.append(OtherRow(sheet.name, r + 1, _texts(row), "note"))
        elif "填报" in line:
            unit = _UNIT.search(line)
            if unit and not ledger.unit:
                ledger.unit = unit_name(unit[1])
            when = _REPORTED.search(line)
            if when and not ledger.reported_on:
                ledger.reported_on = when[1]
                ledger.reported_date = parse_date(when[1]).value
        elif not ledger.title:
            ledger.title = line


def unit_name(rest: str) -> str:
    """The unit named after 填报单位：, without its seal mark or the contacts written beside it."""
    end = _UNIT_END.search(rest)
    return (rest[: end.start()] if end else rest).strip(" ：:，,；;")


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


_MAYBE_TOTAL = frozenset("合总小共汇")
_MAYBE_FOOTNOTE = frozenset("填说注备附审制负联")
# A sign-off or contact label opening a cell (folded): "填报人：", "单位主要负责人（签字）：", "日期："
_SIGN_OFF = re.compile(
    r"^(?:单位)?(?:主要|分管)?(?:负责人|领导|填报人|填表人|审核人|审批人|制表人|联系人|经办人|"
    r"联系电话|电话|手机|日期|签字|签名|盖章|填报单位|填报时间|填报日期|报送时间|报送日期|时间|单位)"
    r"\s*(?:\((?:签字|签名|盖章|公章)\))?\s*(?::|$)"
)
_MAYBE_SIGN_OFF = frozenset("单主分负领填审制联经电手日签盖")
# A one-line text that is a note, not a heading: sign-offs, attachments, labels of what follows.
_NOTE_LINE = re.compile(
    r"[（(]\s*(?:签字|签名|盖章|公章)\s*[)）]|(?:签字|签名|盖章)\s*[:：]|^附件|^附表|^附[:：]|^以下为|^以上为|"
    r"^注[:：]|^说明[:：]|^备注[:：]"
)
_WHOLE_PAREN = re.compile(r"^[（(][^（()）]*[)）]$")  # "（以下为…反馈问题）": a label in brackets
# An example row: its first cell says so ("示例", "例：", "（样例）").
_EXAMPLE = re.compile(r"^[（(【\[]?(?:填写示例|示例|样例|范例|举例|例)\d*[)）】\]]?\s*(?:[:：]|$)")
_MAYBE_EXAMPLE = frozenset("填示样范举例（(【[")
# A cell of another table's header row: a short label, no digits or sentence punctuation.
_LABEL_CELL = re.compile(r"^[^\d，,。；;：:！!？?]{1,12}$")
_HEADER_ENDINGS = ("序号", "编号", "名称", "文号", "时间", "日期", "类别", "类型", "内容", "数量", "单位",
                   "部门", "科室", "情况", "人", "时限", "材料", "备注", "依据", "级别", "形式", "事项")  # fmt: skip
# Ditto marks: "the same as the cell above" (folded forms).
_DITTO_WRITTEN = (
    "同上",
    "同上。",
    "同 上",
    "同前",
    "〃",
    "″",
    "々",
    '"',
    "''",
    "“",
    "”",
    "＂",
    "ditto",
    "Ditto",
    "do.",
)
DITTO_MARKS = frozenset(fold(t).lower() for t in _DITTO_WRITTEN)
_DITTO_CELLS = frozenset(_DITTO_WRITTEN)  # a quick test of a whole row before looking cell by cell
OTHER_ROW_KINDS = frozenset(OTHER_KINDS)


def classify(ctx: Context, row: Row) -> str:
    """blank | total | note | example | header | section | data.

    The 'table' kind (rows of a second table) is decided over the whole sheet by
    ``mark_other_tables``; an unnumbered line among numbered sections by ``demote_unnumbered``.
    """
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
        return "note"
    if first[0] in _MAYBE_SIGN_OFF and _is_sign_off(texts, filled):
        return "note"
    if first[0] in _MAYBE_EXAMPLE and _EXAMPLE.match(first):
        return "example"
    if first[0] in ctx.header_starts and _is_repeated_header(ctx, texts, filled):
        return "header"
    if len(filled) == 1 or (texts[filled[0]] == texts[filled[-1]] and len({texts[c] for c in filled}) == 1):
        c = filled[0]
        if ctx.merge_width.get((row.index, c), 1) >= 3:
            return "label" if _is_note_line(first) else "section"
        if _is_typed_heading(ctx, c, first):
            return "section"
    return "data"


def _is_sign_off(texts: list[str], filled: list[int]) -> bool:
    """A sign-off line, whatever its width: it opens with a label, and labels are half its cells."""
    labels = [c for c in filled if _SIGN_OFF.match(fold(texts[c]))]
    return bool(labels) and labels[0] == filled[0] and 2 * len(labels) >= len(filled)


def _is_note_line(text: str) -> bool:
    """An unnumbered line that signs, attaches or labels: a numbered line is always a heading."""
    if numbering_style(text) is not None:
        return False
    return bool(_NOTE_LINE.search(text)) or _WHOLE_PAREN.match(text) is not None


def _is_typed_heading(ctx: Context, c: int, text: str) -> bool:
    """A numbered title typed alone in a row, left of the measure and hierarchy columns, unmerged.

    Any numbering (一、 （一） 1. （1） 问题1.) but a circled ①, which numbers measures; the title
    must remain after its number, so a row holding only a 序号 such as "（2）" is not a heading.
    """
    if c >= ctx.first_content_col:  # headings are typed at the left, not in 备注 or 问题描述
        return False
    return _numbered_title(text)


def _is_repeated_header(ctx: Context, texts: list[str], filled: list[int]) -> bool:
    """The ledger's own header again (a printed page repeats it): its cells are the header texts."""
    words = ctx.header_words
    if fold(texts[filled[0]]) not in words.get(filled[0], ()):
        return False
    same = sum(1 for c in filled if fold(texts[c]) in words.get(c, ()))
    return same >= 2 and 5 * same >= 4 * len(filled)


def _is_other_header(ctx: Context, row: Row) -> bool:
    """The header row of another table: short labels naming columns, not laid out as the ledger's."""
    first = next((c for c, t in enumerate(row.texts) if t), None)
    if first is None or type(row.values[first]) is not str or len(row.texts[first]) > 12:
        return False  # most rows: a 序号 number or a long text first
    own = row.own()
    if not own:
        return False
    least = 2 if fold(own[0][1]) in ("序号", "编号") else 3  # no data row starts with 序号
    if len(own) < least:
        return False
    if not all(type(row.values[c]) is str and _LABEL_CELL.match(t) for c, t in own):
        return False
    words = [(c, t) for c, t in own if match_header(t) or fold(t).endswith(_HEADER_ENDINGS)]
    if len(words) < 2 or 2 * len(words) < len(own):
        return False
    columns = ctx.header.columns
    fields = [(c, match_header(t)) for c, t in words]
    fields = [(c, f) for c, f in fields if f != "seq"]  # 序号 is first in every table: it tells nothing
    same = sum(1 for c, f in fields if f is not None and columns.get(f) == c)
    return 2 * same < len(fields) or not fields


def mark_other_tables(ctx: Context, rows: list[Row], kinds: list[str]) -> None:
    """A second table below the ledger (its own header row) runs to the end of the sheet, or to a
    repeat of the ledger's header; the title line just above its header belongs to it."""
    in_table, seen_data = False, False
    for i, row in enumerate(rows):
        kind = kinds[i]
        if in_table:
            if kind == "header":
                in_table = False
            elif kind != "blank":
                kinds[i] = "table"
            continue
        if kind == "data" and seen_data and _is_other_header(ctx, row):
            in_table = True
            kinds[i] = "table"
            j = i - 1
            while j >= 0 and kinds[j] == "blank":
                j -= 1
            if j >= 0 and _is_title_line(ctx, rows[j], kinds[j]):
                kinds[j] = "table"
            c, _text = row.own()[0]
            shown = "｜".join(t for _c, t in row.own()[:6])
            ctx.finding("other-table", row.index, c, shown, row=row.index + 1)
        seen_data = seen_data or kind == "data"


def promote_column_headings(ctx: Context, rows: list[Row], kinds: list[str]) -> None:
    """A numbered title typed alone in a hierarchy column is a heading of a free level above it
    ("1.整改责任落实不到位" alone in the 具体问题 column, under "一、" sections) when its numbering is not
    its column's (the column's other titles are unnumbered, or numbered otherwise) and the next data
    row writes its own title in that column. Otherwise it is an item of the column, as before (an
    issue listed without a measure, or the title row of the measure rows below it)."""
    free = [lvl for lvl in LEVELS if lvl not in ctx.header.columns]
    if not free:
        return
    top_free = LEVELS.index(free[0])
    column_level = {c: f for f, c in ctx.header.columns.items() if f in LEVELS and LEVELS.index(f) > top_free}
    candidates = []
    for i, row in enumerate(rows):
        if kinds[i] != "data":
            continue
        texts, merged = row.texts, row.merged_from
        # cheap first: an own title in such a column starting the way numbering starts
        at = [c for c in column_level if texts[c] and c not in merged and texts[c][0] in _NUMBER_STARTS]
        if len(at) == 1 and len(row.own()) == 1 and _numbered_title(texts[at[0]]):
            candidates.append((i, at[0]))
    if not candidates:
        return
    picked = {i for i, _c in candidates}
    styles: dict[int, Counter[str | None]] = {c: Counter() for c in column_level}
    for i, row in enumerate(rows):
        if kinds[i] == "data" and i not in picked:
            for c in column_level:
                if row.texts[c] and c not in row.merged_from:
                    styles[c][numbering_style(row.texts[c])] += 1
    # One such row alone, in a sheet with no section rows, is more likely an issue listed
    # without a measure (and reported so) than a heading: headings come at least two to a sheet.
    per_style = Counter(numbering_style(rows[i].texts[c]) for i, c in candidates)
    has_sections = "section" in kinds
    following_row = _next_of(kinds, ("data", "section"))
    for i, c in candidates:
        style = numbering_style(rows[i].texts[c])
        usual = styles[c].most_common(1)
        if (usual and usual[0][0] == style) or (per_style[style] < 2 and not has_sections):
            continue
        following = following_row[i]
        if following is not None and kinds[following] == "data":
            nxt = rows[following]
            if nxt.texts[c] and c not in nxt.merged_from:
                kinds[i] = "section"


_NUMBER_STARTS = frozenset("0123456789０１２３４５６７８９一二三四五六七八九十（(问")


def _next_of(kinds: list[str], wanted: tuple[str, ...]) -> list[int | None]:
    """For each row, the index of the next row (below it) whose kind is one of ``wanted``."""
    out: list[int | None] = [None] * len(kinds)
    nxt = None
    for i in range(len(kinds) - 1, -1, -1):
        out[i] = nxt
        if kinds[i] in wanted:
            nxt = i
    return out


def _numbered_title(text: str) -> bool:
    style = numbering_style(text)
    return style is not None and style != "circled" and len(strip_numbering(text)) >= 2


def _is_title_line(ctx: Context, row: Row, kind: str) -> bool:
    """One text alone on its row (merged across, or typed left of the content): a table's title."""
    own = row.own()
    if len(own) != 1:
        return False
    return kind in ("section", "label", "note") or (kind == "data" and own[0][0] < ctx.first_content_col)


_PAGE_TITLE = re.compile(r"台账|续表|[（(]续[)）]|清单|一览表")


def titles_over_headers(ctx: Context, rows: list[Row], kinds: list[str]) -> None:
    """An unnumbered line just above a repeat of the ledger's header is the page's title
    ("XX台账（续表）" printed on each page), not a section: always among numbered sections, and
    among unnumbered ones when it says so (台账, 续表, 清单 …). A numbered line stays a section."""
    numbered = any(k == "section" and numbering_style(rows[i].own()[0][1]) for i, k in enumerate(kinds))
    for i, kind in enumerate(kinds):
        if kind != "header":
            continue
        j = i - 1
        while j >= 0 and kinds[j] == "blank":
            j -= 1
        if j < 0 or not _is_title_line(ctx, rows[j], kinds[j]):
            continue
        text = rows[j].own()[0][1]
        if numbering_style(text) is None and (numbered or _PAGE_TITLE.search(text)):
            kinds[j] = "note"


def demote_unnumbered(ctx: Context, rows: list[Row], kinds: list[str]) -> None:
    """Among numbered section rows, an unnumbered line is not a section: it sets nothing. Nor is a
    label line ("（以下为…反馈问题）", a sign-off, 附件：…) anywhere.

    When data rows follow such a line before the next section row, in a sheet whose sections are
    numbered, a careful person cannot tell whether it heads them: an error at the line.
    """
    at = [i for i, k in enumerate(kinds) if k in ("section", "label")]
    numbered = any(kinds[i] == "section" and numbering_style(rows[i].own()[0][1]) for i in at)
    following_row = _next_of(kinds, ("section", "data"))
    for i in at:
        c, text = rows[i].own()[0]
        if kinds[i] == "section" and (numbering_style(text) or not numbered):
            continue
        kinds[i] = "note"
        if not numbered:
            continue
        following = following_row[i]
        if following is not None and kinds[following] == "data":
            ctx.finding("section-unnumbered", rows[i].index, c, text)


def plan_sections(ctx: Context, rows: list[Row], kinds: list[str]) -> None:
    """Map each numbering style of section rows to the level it sets.

    A style whose every row repeats the title that a hierarchy column gives the next data row
    ("一、政治建设方面" over rows whose 方面 column says 政治建设方面) sets that column's level: a heading
    repeating the column, not a level of its own. The other styles take the levels the columns
    leave free, outermost first. More styles than free levels: the extra styles set nothing, and each
    is an error at its first row (the reader cannot tell which level they mean).
    """
    free = [lvl for lvl in LEVELS if lvl not in ctx.header.columns]
    rank = {name: i for i, name in enumerate(("cn", "cn_paren", "problem_n", "arabic", "arabic_paren"))}
    firsts: dict[str, Row] = {}
    repeats: dict[str, set[str]] = {}  # style -> the column levels every one of its rows repeats
    next_data = _next_of(kinds, ("data",))
    for i, kind in enumerate(kinds):
        if kind != "section":
            continue
        text = rows[i].own()[0][1]
        style = numbering_style(text) or "plain"
        firsts.setdefault(style, rows[i])
        j = next_data[i]
        repeated = _repeated_levels(ctx, text, rows[j] if j is not None else None)
        repeats[style] = repeats[style] & repeated if style in repeats else repeated
    styles = sorted(firsts, key=lambda s: rank.get(s, -1))
    for style in list(styles):
        if repeats.get(style):
            ctx.section_levels[style] = min(repeats[style], key=LEVELS.index)
            styles.remove(style)
    for style, level in zip(styles, free, strict=False):
        ctx.section_levels[style] = level
    for style in styles[len(free) :]:
        row = firsts[style]
        c, text = row.own()[0]
        ctx.finding("section-level-unknown", row.index, c, text, levels=len(free))


def _repeated_levels(ctx: Context, text: str, below: Row | None) -> set[str]:
    """The hierarchy columns whose value on the data row below is this section's title."""
    if below is None:
        return set()
    key = title_of(ctx, text)[1]
    return {
        lvl
        for lvl, _k, _l, c in ctx.level_specs
        if c is not None and below.texts[c] and title_of(ctx, below.texts[c])[1] == key
    }


def apply_section(ctx: Context, row: Row) -> None:
    c, text = row.own()[0]
    level = ctx.section_levels.get(numbering_style(text) or "plain")
    if level is None:
        return
    ctx.state[level] = (*title_of(ctx, text), Source(ctx.sheet.name, a1(row.index, c), text))
    ctx.fresh.add(level)
    ctx.from_section.add(level)
    for lower in LEVELS[LEVELS.index(level) + 1 :]:
        ctx.state[lower] = None
        ctx.fresh.discard(lower)
        ctx.from_section.discard(lower)


# Differences of typing that do not make another title: quotes straight or curly, a final 。
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"'})
_END_PUNCT = "。.；;，,、"


def title_key(title: str) -> str:
    """The matching key of a title: folded, quotes unified, no punctuation at its end."""
    return fold(title).translate(_QUOTES).rstrip(_END_PUNCT)


def title_of(ctx: Context, text: str) -> tuple[str, str]:
    """(title without numbering, matching key), memoised: titles repeat down a sheet."""
    found = ctx.titles.get(text)
    if found is None:
        title = strip_numbering(text) or text
        found = ctx.titles[text] = (title, title_key(title))
    return found


def resolve_ditto(ctx: Context, row: Row) -> None:
    """ "同上", "〃" and the like mean the value of the cell above: take it, and its source cell."""
    above = ctx.above
    ctx.above = row
    if _DITTO_CELLS.isdisjoint(row.texts):
        return
    for c, text in enumerate(row.texts):
        if not text or len(text) > 6 or fold(text).lower() not in DITTO_MARKS:
            continue
        # A mark merged over several rows: each row takes the row above it, itself resolved.
        if above is None or not above.texts[c]:
            if c not in row.merged_from:  # once, at the cell written
                ctx.finding("ditto-nothing-above", row.index, c, text, field=header_field(ctx.header, c))
            continue
        row.values[c], row.texts[c] = above.values[c], above.texts[c]
        row.merged_from[c] = above.at(c)


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
                _reset_below(ctx, row, c, lowers)  # type: ignore[arg-type]
                at = row.at(c)  # type: ignore[arg-type]
                ctx.state[level] = (title, key, Source(name, a1(*at), text))
                ctx.from_section.discard(level)
            else:
                title = prev[0]  # retyped with a 。 or other quotes: the same item, as first written
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
    ctx.fresh.clear()
    for f, c in ctx.text_cols:
        setattr(m, f, texts[c])
        if c in row.merged_from:
            m.origins[f] = Source(name, a1(*row.merged_from[c]), texts[c])
    _read_parsed(ctx, row, m)
    if h.extras:
        m.extras = {h.texts[c]: _extra_text(row.values[c], texts[c]) for c in h.extras}
    return m


def _reset_below(ctx: Context, row: Row, c: int, lowers: tuple[str, ...]) -> None:
    """A new value in a hierarchy column ends the levels below it, except those a section row set.

    A section row just above (no data row between) names the first lower item of this new value:
    an aspect column filled on each problem's first row under "（一）…" problem rows. A section
    row further up is still in force over a new higher value: the hierarchy contradicts itself.
    """
    for lower in lowers:
        if lower in ctx.fresh:
            continue
        held = ctx.state[lower]
        if lower in ctx.from_section and held is not None:
            ctx.finding("level-conflict", row.index, c, row.texts[c], section=held[0], at=held[2].cell)
            continue
        ctx.state[lower] = None


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
        day = parsed.value or (
            raw.date() if isinstance(raw, datetime) else raw if isinstance(raw, date) else None
        )
        if not isinstance(raw, str) and day is not None:  # a date cell, even out of range (1912)
            text = formats.cn_date(day)
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
    unnamed = ctx.header.unnamed  # a stray note in a column with no header makes no measure
    return any(texts[c] for c in ctx.measure_cols) or any(
        texts[c] for c in ctx.header.extras if c not in unnamed
    )


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


def check_duplicate(ctx: Context, row: Row) -> None:
    """A measure row equal to an earlier one in every cell: a careful person cannot know whether
    it was copied twice by mistake or is meant twice. Counted as written, and an error."""
    cells = tuple(row.texts)
    first = ctx.seen.setdefault(cells, row.index)
    if first != row.index:
        c = next(c for c, t in enumerate(cells) if t)
        ctx.finding("row-duplicate", row.index, c, row.texts[c], other=first + 1)


def _own_cells(row: Row) -> list[str]:
    """The row's own texts (a merge's value once, at its first cell), trailing blanks dropped."""
    cells = [t if c not in row.merged_from else "" for c, t in enumerate(row.texts)]
    while cells and not cells[-1]:
        cells.pop()
    return cells


# The fields a figure is computed from: a formula there that cannot be read is an error.
FIGURE_FIELDS = ("status", "deadline", "done_on")


def formula_findings(sheet: RawSheet, header: Header, start: int, measures: list[Measure]) -> list[Finding]:
    """Cells read as blank that hold a formula with no saved result or a saved error (#N/A).

    In a status, deadline or completion-date column the blank would decide a figure (a #N/A
    status beside a date counted as 已完成), so it is an error and the measure's status is left
    unknown; elsewhere a warning.
    """
    bad = {(r, c): error for r, c, error in sheet.formulas_without_value if r >= start}
    if not bad:
        return []
    out = []
    for (r, c), error in sorted(bad.items()):
        f = header_field(header, c)
        if f in FIGURE_FIELDS:
            reason = f"计算结果是错误值“{error}”" if error else "文件中没有保存计算结果"
            name = header.texts.get(c, f)
            out.append(
                findings.make(
                    "formula-unreadable", sheet.name, a1(r, c), field=f, value=error, name=name, reason=reason
                )
            )
        elif error:
            out.append(findings.make("formula-error-value", sheet.name, a1(r, c), field=f, value=error))
        else:
            out.append(findings.make("formula-no-value", sheet.name, a1(r, c), field=f))
    _unknown_where_unreadable(sheet, header, measures, bad)
    return out


def _unknown_where_unreadable(
    sheet: RawSheet, header: Header, measures: list[Measure], bad: dict[tuple[int, int], str]
) -> None:
    """A measure whose status (or, with no status written, completion date) could not be read
    has no known status: it counts in no status figure, rather than as 未开始 or 已完成."""
    cols = header.columns
    for m in measures:
        for f in ("status", "done_on"):
            if f not in cols or (f == "done_on" and m.status_text):
                continue
            src = m.origins.get(f)
            at = _cell_of(src.cell) if src is not None else (m.row - 1, cols[f])
            if at in bad:
                m.status = None


def _cell_of(ref: str) -> tuple[int, int]:
    letters = ref.rstrip("0123456789")
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(ref[len(letters) :]) - 1, col - 1


# ---- every column kept ---------------------------------------------------------------------


def unnamed_column(c: int) -> str:
    """The name given to a column with data but no header (docs/reading-rules.md)."""
    return f"未命名列（第{col_letter(c)}列）"


def name_columns(sheet: RawSheet, header: Header) -> None:
    """Every column with data survives: one with no header gets ``unnamed_column``; an extra
    column whose header repeats another's gets "（2）", "（3）"… so no two share a name."""
    start = header.rows[-1] + 1
    width = max((len(r) for r in sheet.rows[start:]), default=0)
    unnamed = [
        c
        for c in range(width)
        if c not in header.texts and any(c < len(r) and clean(r[c]) for r in sheet.rows[start:])
    ]
    for c in unnamed:
        header.texts[c] = unnamed_column(c)
    if unnamed:
        header.extras = sorted({*header.extras, *unnamed})
        header.unnamed = frozenset(unnamed)
    used = {header.texts[c] for c in header.texts if c not in header.extras}
    for c in header.extras:
        name, k = header.texts[c], 2
        while name in used:
            name, k = f"{header.texts[c]}（{k}）", k + 1
        header.texts[c] = name
        used.add(name)


def header_field(header: Header, c: int) -> str:
    return next((f for f, col in header.columns.items() if col == c), header.texts.get(c, ""))


def split_measures(measures: list[Measure], ledger: Ledger | None = None) -> list[Measure]:
    """An issue in one row whose measure cell lists numbered measures: one record each.

    In a ledger of one row per measure (some issue has several rows), a cell with any text before
    its list ("针对该问题，一是…二是…") is that row's one measure: the text introduces it.
    """
    rows_per_issue: dict[tuple[str, str, str], int] = {}
    for m in measures:
        rows_per_issue[m.issue_id] = rows_per_issue.get(m.issue_id, 0) + 1
    per_measure = any(n > 1 for n in rows_per_issue.values())
    out: list[Measure] = []
    for m in measures:
        parts = split_numbered(m.measure) if rows_per_issue[m.issue_id] == 1 and m.measure else [m.measure]
        if len(parts) > 1 and per_measure and (numbered_list(m.measure) or ("", []))[0]:
            parts = [m.measure]
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
    notes: list[Finding] = [findings.make("instructions-sheet", s.name, "") for s in instructions]
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
    notes.extend(marks.mark_findings(raw, ledger))
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
        OtherRow(sheet.name, r + 1, cells, kind) for r, row in enumerate(sheet.rows) if (cells := _texts(row))
    ]


def _texts(row: list[object]) -> list[str]:
    """A row's cleaned texts, trailing blanks dropped."""
    cells = [clean(v) for v in row]
    while cells and not cells[-1]:
        cells.pop()
    return cells


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
        cells = _texts(row)
        if len(cells) < 3 or not cells[1].isdigit():
            continue
        out.append(OtherRow(cells[0], int(cells[1]), cells[3:], kinds.get(cells[2], "note")))
    return out


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
