"""The header of a ledger sheet, the lines above it, and the names of its columns.

The header is the row (or two rows) among the first ones that names the most fields; above it
the title and the 填报单位 / 填报时间 line. Every column with data gets a name
(docs/reading-rules.md, "Every input column survives")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import (
    Ledger,
    OtherRow,
    col_letter,
)
from ..text import (
    clean,
    parse_date,
)
from .columns import is_group_label, match_header
from .read import RawSheet

HEADER_SCAN_ROWS = 20
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
            ledger.other_rows.append(OtherRow(sheet.name, r + 1, row_texts(row), "note"))
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


def row_texts(row: list[object]) -> list[str]:
    """A row's cleaned texts, trailing blanks dropped."""
    cells = [clean(v) for v in row]
    while cells and not cells[-1]:
        cells.pop()
    return cells
