"""Versions kept side by side: which sheet, and which of two like columns, is the ledger now.

Offices keep last month's ledger in the same workbook (a hidden copy, or sheets "11月" and
"12月") and add a status column a month (完成情况（11月）, 完成情况（12月）). Counting both
counts every measure twice; counting the old one gives last month's figures. The rules
(docs/reading-rules.md, "Versions kept side by side"):

- two ledger sheets are versions of one ledger when most issue / measure texts of the smaller
  one are on the other; sheets that share little (a sheet per aspect) are parts and combine;
- of versions, the newest counts: the latest month named in the sheet name, else the visible
  over the hidden, else the right-most; the others are named in a warning;
- of two columns naming one field, the latest month named in the header counts, else the
  visible over the hidden; the other is kept as an extra column and named in a warning;
- when these disagree (the latest month hidden, months a year apart with no year) or say
  nothing (two plain 完成情况 columns) it is an error naming the cells, never a silent guess.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from ..model import Finding, a1
from ..rules import findings
from ..text import clean, fold
from .columns import match_header
from .read import RawSheet


class Header(Protocol):
    """What these rules read and change of normalise.Header (not imported: normalise calls here)."""

    rows: tuple[int, ...]
    columns: dict[str, int]
    texts: dict[int, str]
    extras: list[int]


# Share of the smaller sheet's texts found on the other for the two to be versions.
SAME_LEDGER = 0.5
_MONTH = (
    re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月"),
    re.compile(r"(\d{4})\s*[.\-_/]\s*(\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(\d{4})(\d{2})(?!\d)"),
)
# The hierarchy is read from the first column naming each level, as always.
HIERARCHY = ("seq", "aspect", "problem", "issue", "description", "measure")
# Fields whose value decides a figure: two undistinguished columns of these are an error.
FIGURE_FIELDS = ("status", "deadline", "done_on")


def month_of(text: str) -> tuple[int, int] | None:
    """(year or 0, month) named in a sheet name or header: "12月", "2025年1月", "2025.01"."""
    folded = fold(text)
    for pattern in _MONTH:
        m = pattern.search(folded)
        if m and 1 <= int(m[2]) <= 12 and (m[1] is None or 1950 <= int(m[1]) <= 2099):
            return (int(m[1] or 0), int(m[2]))
    return None


def newest(names: Sequence[str], hidden: Sequence[bool]) -> tuple[int, str]:
    """Index of the newest of several versions (given in sheet / column order), and "" or the
    reason the choice is ambiguous. Each rule applies only where it tells the versions apart."""
    months = [month_of(n) for n in names]
    order = list(range(len(names)))
    visible = [i for i in order if not hidden[i]] or order
    if all(months) and len(set(months)) == len(months):
        years = {m[0] for m in months}  # type: ignore[index]
        latest = max(order, key=lambda i: months[i])  # type: ignore[arg-type,return-value]
        span = max(m[1] for m in months) - min(m[1] for m in months)  # type: ignore[index]
        if years == {0} and span >= 6:
            return latest, "名称中的月份没有年份，且相差半年以上，无法判断是否跨年"
        if hidden[latest] and latest not in visible:
            return latest, "月份较新的一个被隐藏了"
        return latest, ""
    if len(visible) < len(order):
        return visible[-1], ""
    return order[-1], "名称中没有可比较的月份，也没有隐藏其中一个"


# ---- sheets ------------------------------------------------------------------------------


def sheet_texts(sheet: RawSheet, header: Header) -> set[str]:
    """What identifies a sheet's rows: issue and measure text together (an issue left blank
    for "same as above" takes the one above), so short or common texts do not link parts."""
    cols = header.columns
    ci, cm = cols.get("issue"), cols.get("measure")
    out = set()
    issue = ""
    for row in sheet.rows[header.rows[-1] + 1 :]:
        if ci is not None and ci < len(row) and clean(row[ci]):
            issue = fold(clean(row[ci]))
        measure = fold(clean(row[cm])) if cm is not None and cm < len(row) else ""
        if measure or (cm is None and issue):
            out.add(f"{issue}\x1f{measure}")
    return out


def _groups(texts: list[set[str]]) -> list[list[int]]:
    """Sheets linked by shared texts, each group in sheet order (union-find over pairs)."""
    parent = list(range(len(texts)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            small = min(len(texts[i]), len(texts[j]))
            if small and len(texts[i] & texts[j]) >= SAME_LEDGER * small:
                parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(texts)):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def pick_sheets(
    ledger_sheets: list[tuple[RawSheet, Header]],
) -> tuple[list[tuple[RawSheet, Header]], list[Finding]]:
    """The ledger sheets that count: of sheets that are versions of one another, the newest."""
    if len(ledger_sheets) < 2:
        return ledger_sheets, []
    texts = [sheet_texts(s, h) for s, h in ledger_sheets]
    dropped: set[int] = set()
    notes: list[Finding] = []
    for group in _groups(texts):
        if len(group) < 2:
            continue
        sheets = [ledger_sheets[i][0] for i in group]
        k, ambiguous = newest([s.name for s in sheets], [s.hidden for s in sheets])
        kept = sheets[k]
        others = "、".join(f"「{s.name}」" for i, s in enumerate(sheets) if i != k)
        if ambiguous:
            notes.append(
                findings.make("sheet-versions-ambiguous", kept.name, others=others, reason=ambiguous)
            )
        for i, s in enumerate(sheets):
            if i != k:
                dropped.add(group[i])
                where = (ledger_sheets[group[i]][1].rows[0], 0)
                notes.append(findings.make_at("sheet-superseded", s.name, where, kept=kept.name))
    return [x for i, x in enumerate(ledger_sheets) if i not in dropped], notes


# ---- columns -----------------------------------------------------------------------------


def month_columns(sheet: RawSheet, header: Header) -> None:
    """A header cell merged over cells naming months ("完成情况" over "11月" and "12月"): each
    is a column of that field for its month, named "完成情况（11月）", and the month row is
    part of the header. Changes ``header`` in place; pick_columns then chooses."""
    top = header.rows[0]
    if top + 1 >= len(sheet.rows):
        return
    below = [clean(v) for v in sheet.rows[top + 1]]
    groups = []
    for m in sheet.merges:
        if m.first_row != top or m.last_row != top or m.last_col == m.first_col:
            continue
        upper = clean(sheet.rows[top][m.first_col])
        f = match_header(upper)
        cols = range(m.first_col, min(m.last_col + 1, len(below)))
        labels = [below[c] for c in cols]
        if f in HIERARCHY or f is None or len(labels) < 2:
            continue
        if all(label and len(fold(label)) <= 10 and month_of(label) for label in labels):
            groups.append((f, upper, cols, labels))
    if not groups:
        return
    in_groups = {c for _f, _u, cols, _l in groups for c in cols}
    if len(header.rows) == 1 and any(t and c not in in_groups for c, t in enumerate(below)):
        return  # the row below holds more than month labels: a data row, not a header row
    header.rows = (top, top + 1)
    for f, upper, cols, labels in groups:
        for c, label in zip(cols, labels, strict=True):
            header.texts[c] = f"{upper}（{label}）"
            if header.columns.get(f) is None:
                header.columns[f] = c
            if c != header.columns[f] and c not in header.extras:
                header.extras.append(c)
            for other, col in list(header.columns.items()):
                if col == c and other != f:
                    del header.columns[other]  # the month label named no field of its own
    header.extras = sorted(set(header.extras) - set(header.columns.values()))


# The sheets of ledgerkit's own cleaned workbook (workbook.LEDGER_SHEET, SUMMARY_SHEET,
# FINDINGS_SHEET; not imported here: workbook loads the xlsx writer). A test keeps them equal.
OWN_SHEETS = frozenset(("整改台账", "汇总", "校验结果"))


def written_by_us(sheet_names: Sequence[str]) -> bool:
    """A cleaned workbook ledgerkit wrote: its standard columns hold what was counted, and the
    columns it kept beside them (完成情况（11月）) were reported when the original was read."""
    return set(sheet_names) >= OWN_SHEETS


def pick_columns(sheet: RawSheet, header: Header, ours: bool = False) -> list[Finding]:
    """Of two or more columns naming one field, the one that counts; the others become extra
    columns (kept in the cleaned workbook). Changes ``header`` in place. ``ours``: the workbook
    is ledgerkit's cleaned workbook (``written_by_us``): the first column of a field counts."""
    if ours:
        return []
    month_columns(sheet, header)
    by_field: dict[str, list[int]] = {}
    for c in sorted(header.texts):
        f = next((f for f, col in header.columns.items() if col == c), None) or match_header(header.texts[c])
        if f is not None:
            by_field.setdefault(f, []).append(c)
    notes = []
    row = header.rows[0]
    for f, cols in by_field.items():
        if len(cols) < 2 or f not in header.columns or f in HIERARCHY:
            continue
        names = [header.texts[c] for c in cols]
        if f not in FIGURE_FIELDS and not any(month_of(n) for n in names):
            continue  # 责任人 and 具体责任人, 备注 and 备注2: the first names the field, the rest are kept
        k, ambiguous = newest(names, [c in sheet.hidden_cols for c in cols])
        if ambiguous:
            keep = header.columns[f]  # as before: the first; the error says to choose
            others = "、".join(f"「{header.texts[c]}」（{a1(row, c)}）" for c in cols if c != keep)
            notes.append(
                findings.make_at(
                    "column-versions-ambiguous",
                    sheet.name,
                    (row, keep),
                    field=f,
                    value=header.texts[keep],
                    others=others,
                    reason=ambiguous,
                )
            )
            continue
        keep = cols[k]
        header.columns[f] = keep
        header.extras = sorted({*header.extras, *cols} - {keep})
        for c in cols:
            if c != keep:
                notes.append(
                    findings.make_at(
                        "column-superseded",
                        sheet.name,
                        (row, c),
                        field=f,
                        value=header.texts[c],
                        kept=header.texts[keep],
                        kept_cell=a1(row, keep),
                    )
                )
    return notes
