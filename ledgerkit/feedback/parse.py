"""Paragraphs and tables of a feedback → the hierarchy of aspects → problems → issues. Pure.

Two forms, the table first when it gives issues:
- a 问题清单 table: its header names the columns (the ledger's own header words: 问题类别 / 方面,
  问题, 具体问题 / 具体表现, 问题描述); a blank cell means "same as above", a merged cell holds its
  text in every row it covers, a row of one text across the table sets the aspect;
- numbered paragraphs: an item is a paragraph numbered as ``text.NUMBERING`` reads it (一、 （一）
  1. （1）, half-width brackets too; ① numbers points of a description, not items), or without a
  typed number a Word heading or automatic numbering level (not bullets). Levels rank by first appearance. The deepest three
  are aspect, problem, issue; with two, problem and issue (aspect and issue when every top title
  names a 方面); with one, issues. Levels above the deepest three are parts ("二、巡察发现的主要
  问题"): a part with no issue under it (总体评价, 意见建议) is left out. A paragraph that is no item
  describes the item above it; "具体表现：" in an item's own paragraph starts its description.

An item with nothing under it is its own only child: a problem printed once becomes one problem
with one issue of the same title. Titles lose their number and stay otherwise verbatim (trimmed).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..reading.columns import match_header
from ..reading.sections import title_key
from ..text import TRIM, numbering_style, strip_numbering
from .read import Block, FeedbackDocument, Paragraph, Table

ITEM_STYLES = frozenset(("cn", "cn_paren", "problem_n", "arabic", "arabic_paren"))
ROLES = ("aspect", "problem", "issue")
# A description's label, opening a paragraph or following the title in the item's own paragraph.
_DESCRIBED = re.compile(r"(?:(?:具体|主要|问题)?表现(?:为|在)?|问题描述)\s*[:：]\s*")
# Lines that close a document, not describe an item: a date alone, a signature, an attachment's
# label, a contact line.
_CLOSING = re.compile(
    r"^(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[^。，,；;]{2,30}(?:巡察组|巡察办|巡察工作领导小组))$"
    r"|^(?:附件|联系人|联系电话)\s*[\d一二三四五六七八九十]*\s*(?:[:：]|$)"
)


@dataclass(slots=True)
class Issue:
    title: str
    description: str = ""


@dataclass(slots=True)
class Problem:
    title: str  # "" when the feedback has no problem level: each issue is then its own problem
    issues: list[Issue] = field(default_factory=list)


@dataclass(slots=True)
class Aspect:
    title: str  # "" when the feedback has no aspect level
    problems: list[Problem] = field(default_factory=list)


@dataclass(slots=True)
class Hierarchy:
    aspects: list[Aspect]
    form: str = "paragraphs"  # "paragraphs" | "table": where the items were found

    @property
    def counts(self) -> tuple[int, int, int]:
        """(aspects, problems, issues) as ``summary`` counts them from the ledger: by their
        matching keys, so a title repeated further on is the same item, as the reader takes it."""
        keys = [tuple(title_key(t) for t in row[:3]) for row in self.rows()]
        aspects = {a for a, _p, _i in keys if a}
        problems = {(a, p) if p else (a, p, i) for a, p, i in keys}  # no problem: the issue is its own
        return len(aspects), len(problems), len(set(keys))

    def rows(self) -> Iterator[tuple[str, str, str, str]]:
        """(方面, 问题, 具体问题, 问题描述), one per issue, in feedback order."""
        for a in self.aspects:
            for p in a.problems:
                for i in p.issues:
                    yield a.title, p.title, i.title, i.description


def parse_feedback(doc: FeedbackDocument) -> Hierarchy:
    """The table's hierarchy when a 问题清单 table gives issues, else the numbered paragraphs'."""
    from_table = parse_tables(doc.tables)
    if from_table.counts[2]:
        return from_table
    return parse_paragraphs(doc.paragraphs)


def preamble(blocks: tuple[Block, ...] | list[Block]) -> list[str]:
    """The paragraphs before the first item (or table): the title and the opening sentence."""
    out = []
    for b in blocks:
        if isinstance(b, Table) or _mark(b) is not None:
            break
        out.append(b.text)
    return out


# ---- tables ---------------------------------------------------------------------------------


def parse_tables(tables: list[Table]) -> Hierarchy:
    """Rows of every table with a 问题清单 header, in order (a list may continue in a second table)."""
    builder = _Builder()
    for table in tables:
        found = _table_header(table)
        if found is None:
            continue
        at, columns = found
        header = table.rows[at]
        held = {"aspect": "", "problem": ""}
        across = table.across or (False,) * len(table.rows)
        for row, merged in zip(table.rows[at + 1 :], across[at + 1 :], strict=True):
            if row == header:
                continue  # the header repeated on a new page
            _table_row(builder, columns, row, held, merged)
    return builder.hierarchy("table")


def _table_header(table: Table) -> tuple[int, dict[str, int]] | None:
    """The first row (of the first five) naming a problem or issue column and one more."""
    for r, row in enumerate(table.rows[:5]):
        columns: dict[str, int] = {}
        for c, text in enumerate(row):
            f = match_header(text) if text else None
            if f in (*ROLES, "description") and f not in columns:
                columns[f] = c
        if ("issue" in columns or "problem" in columns) and len(columns) >= 2:
            return r, columns
    return None


def _table_row(
    builder: _Builder, columns: dict[str, int], row: tuple[str, ...], held: dict[str, str], merged: bool
) -> None:
    def cell(f: str) -> str:
        c = columns.get(f)
        return row[c] if c is not None and c < len(row) else ""

    texts = [t for t in row if t]
    if not texts:
        return
    if merged or (len(set(texts)) == 1 and len(texts) >= 3):
        # one text across the row: a section, setting the highest level without a column
        level = next((lvl for lvl in ROLES[:2] if lvl not in columns), None)
        if level is not None:
            held[level] = _title(texts[0])
            if level == "aspect":
                held["problem"] = ""
        return
    aspect, problem, issue = cell("aspect"), cell("problem"), cell("issue")
    if aspect and _title(aspect) != held["aspect"]:
        held["aspect"], held["problem"] = _title(aspect), ""
    if problem:
        held["problem"] = _title(problem)
    # no 具体问题 column, or its cell blank beside a problem of the row's own: the problem is its issue
    title = _title(issue) if issue else _title(problem) if problem else ""
    if title:
        builder.add(held["aspect"], held["problem"], title, cell("description"))


# ---- numbered paragraphs --------------------------------------------------------------------


@dataclass(slots=True)
class _Item:
    depth: int
    title: str
    body: list[str] = field(default_factory=list)
    children: list[_Item] = field(default_factory=list)


def _mark(p: Paragraph) -> str | None:
    """What makes a paragraph an item: its typed numbering, else its heading or list level."""
    style = numbering_style(p.text)
    if style in ITEM_STYLES and len(strip_numbering(p.text)) >= 2:
        return style
    if style is None and p.heading_level is not None:
        return f"heading{p.heading_level}"
    if style is None and p.numbering:
        return p.numbering
    return None


def parse_paragraphs(paragraphs: list[Paragraph]) -> Hierarchy:
    marks = [_mark(p) for p in paragraphs]
    order: list[str] = []
    for m in marks:
        if m is not None and m not in order:
            order.append(m)
    roots: list[_Item] = []
    stack: list[_Item] = []
    for p, m in zip(paragraphs, marks, strict=True):
        if m is None:
            if stack and not _CLOSING.match(p.text):
                stack[-1].body.append(p.text)
            continue
        item = _Item(order.index(m), _own_title(p.text))
        inline = _DESCRIBED.search(item.title)
        if inline:
            item.body.append(item.title[inline.end() :])
            item.title = item.title[: inline.start()].strip(TRIM)
        while stack and stack[-1].depth >= item.depth:
            stack.pop()
        (stack[-1].children if stack else roots).append(item)
        stack.append(item)
    roles = _roles(len(order), roots)
    builder = _Builder()
    for item in roots:
        _emit(builder, item, roles, {"aspect": "", "problem": ""})
    return builder.hierarchy("paragraphs")


def _own_title(text: str) -> str:
    return strip_numbering(text) or text


def _roles(levels: int, roots: list[_Item]) -> list[str]:
    """The role of each depth: parts above the deepest three, then aspect, problem, issue."""
    if levels == 2 and roots and all(r.title.rstrip("。.；;：:").endswith("方面") for r in roots):
        return ["aspect", "issue"]
    kept = list(ROLES[-min(levels, 3) :]) if levels else []
    return ["part"] * (levels - len(kept)) + kept


def _reaches(item: _Item, roles: list[str], role: str) -> bool:
    return roles[item.depth] == role or any(_reaches(c, roles, role) for c in item.children)


def _emit(builder: _Builder, item: _Item, roles: list[str], held: dict[str, str]) -> None:
    role = roles[item.depth]
    if role == "part":
        if _reaches(item, roles, "issue"):
            for child in item.children:
                _emit(builder, child, roles, {"aspect": "", "problem": ""})
        return
    if role == "issue":
        builder.add(held["aspect"], held["problem"], item.title, _description(item.body))
        return
    inner = dict(held)
    inner[role] = item.title
    if role == "aspect":
        inner["problem"] = ""
    children = [c for c in item.children if roles[c.depth] != "part"]
    if not children:  # printed once: its own only issue (and problem)
        problem = inner["problem"] or item.title
        builder.add(inner["aspect"], problem, item.title, _description(item.body))
        return
    for child in children:
        _emit(builder, child, roles, inner)


def _description(body: list[str]) -> str:
    parts = []
    for text in body:
        m = _DESCRIBED.match(text)
        parts.append(text[m.end() :] if m else text)
    return "\n".join(p.strip(TRIM) for p in parts if p.strip(TRIM))


def _title(text: str) -> str:
    return strip_numbering(text) or text.strip(TRIM)


class _Builder:
    """Issues added in order, grouped under their aspect and problem as they come."""

    def __init__(self) -> None:
        self.aspects: list[Aspect] = []

    def add(self, aspect: str, problem: str, issue: str, description: str) -> None:
        if not self.aspects or self.aspects[-1].title != aspect:
            self.aspects.append(Aspect(aspect))
        problems = self.aspects[-1].problems
        if not problem or not problems or problems[-1].title != problem:
            problems.append(Problem(problem))
        problems[-1].issues.append(Issue(issue, description))

    def hierarchy(self, form: str) -> Hierarchy:
        return Hierarchy(self.aspects, form)
