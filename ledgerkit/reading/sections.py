"""Section rows and ditto marks: what sets the aspect / problem / issue of the rows below.

A section row's numbering style maps to the level it sets (``plan_sections``); applying it
ends the levels below (``apply_section``). Retyped titles share a key (``title_key``); 同上 and
the like take the value above (``resolve_ditto``)."""

from __future__ import annotations

from ..model import (
    Source,
)
from ..text import (
    fold,
    numbering_style,
    strip_numbering,
)
from .header import header_field
from .rows import LEVELS, Context, Row, _next_of

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
    ctx.state[level] = (*title_of(ctx, text), Source.at(ctx.sheet.name, (row.index, c), text))
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
