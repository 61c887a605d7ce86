"""Row kinds: which rows of a ledger sheet are measures, sections, or other rows.

Each row is cleaned once (``Row``: merges followed) and classified: blank, total, note, example,
a repeat of the header, a section row, or data; then decisions over the whole sheet (a second
table, headings typed in a column, page titles, unnumbered lines among numbered sections).
The rules are in docs/reading-rules.md (classes 4, 5 and 6)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..model import (
    CANONICAL_TEXT,
    FIELDS,
    OTHER_KINDS,
    Finding,
    Source,
)
from ..rules import findings
from ..text import (
    TRIM,
    clean,
    fold,
    numbering_style,
    strip_numbering,
)
from .columns import match_header
from .header import Header
from .read import RawSheet

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
    # a measure row's cells (序号 blanked) -> its row and 序号
    seen: dict[tuple[str, ...], tuple[int, str]] = field(default_factory=dict)
    flagged: set[tuple[str, tuple[int, int]]] = field(default_factory=set)  # (code, cell) said once
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
        self.found.append(findings.make_at(code, self.sheet.name, (r, c), field=field, value=value, **values))


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
