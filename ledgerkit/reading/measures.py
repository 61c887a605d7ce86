"""A data row → a Measure: its hierarchy, texts, status and dates; duplicates, formula
cells without a readable value, and a cell listing several measures split into records."""

from __future__ import annotations

from datetime import date, datetime

from .. import formats
from ..model import (
    Finding,
    Ledger,
    Measure,
    Source,
    a1,
)
from ..rules import findings
from ..text import (
    canonical_status,
    clean,
    numbered_list,
    parse_date,
    split_numbered,
    status_in_text,
    year_month_shown,
)
from .cell_values import shown_number, year_month_candidate
from .header import Header, header_field
from .read import RawSheet
from .rows import Context, Row
from .sections import title_of


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
                ctx.state[level] = (title, key, Source.at(name, at, text))
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
                    Source(name, 0, 0, aspect_from_sheet),
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
            m.origins[f] = Source.at(name, row.merged_from[c], texts[c])
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
            m.origins["status"] = Source.at(m.sheet, row.merged_from[c], m.status_text)
    _status_in_text(ctx, row, m, c)
    done_unknown = False
    for f, c, is_deadline in ctx.date_cols:
        raw = row.values[c]
        at = row.at(c)
        if at in ctx.sheet.volatile:  # =TODAY()+30: no date at all; an error says so
            _once(ctx, "date-volatile", at, f, formula=ctx.sheet.volatile[at])
            raw = ""
            done_unknown = done_unknown or f == "done_on"
        elif year_month_candidate(raw):
            raw = _year_month(ctx, at, f, raw)  # type: ignore[arg-type]
            done_unknown = done_unknown or (f == "done_on" and raw == "")
        parsed = parse_date(raw, deadline=is_deadline)
        text = row.texts[c] if raw is row.values[c] else clean(raw)
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
            m.origins[f] = Source.at(m.sheet, row.merged_from[c], text)
    if not m.status_text:  # blank: 未开始, unless a completion date says done
        m.status = None if done_unknown else "已完成" if m.done_on is not None else "未开始"


def _once(ctx: Context, code: str, at: tuple[int, int], f: str, value: str = "", **values: object) -> None:
    """A finding about an input cell, once however many rows a merge gives its value."""
    if (code, at) in ctx.flagged:
        return
    ctx.flagged.add((code, at))
    name = ctx.header.texts.get(ctx.header.columns[f], f)
    ctx.finding(code, *at, value, field=f, name="".join(name.split()), **values)


def _year_month(ctx: Context, at: tuple[int, int], f: str, number: float) -> str:
    """A number typed for a year.month (2025.1 stored for "2025.10"): the month as the cell shows
    it ("2025.10" through a 0.00 format), when that is certain; else "" and an error."""
    shown = ctx.sheet.shown.get(at, shown_number(number, "General"))
    month = year_month_shown(shown) if shown is not None else None
    if month is not None:
        return month
    reason = (
        f"显示为“{shown}”，可能是{shown[:4]}年1月，也可能是{shown[:4]}年10月（数字末尾的 0 会被省略）"
        if shown is not None and year_month_shown(shown + "0") is not None
        else f"单元格显示为“{shown}”，不能确定是哪一年哪一月"
        if shown is not None
        else "单元格的数字格式无法判断它显示成什么"
    )
    _once(ctx, "date-year-month-ambiguous", at, f, f"{number:g}", reason=reason)
    return ""


def _status_in_text(ctx: Context, row: Row, m: Measure, status_col: int | None) -> None:
    """ "整改状态：已完成。" opening a line of the progress cell: the status, where the status
    column is absent or blank; where both are written and disagree, an error at the status cell."""
    pc = ctx.header.columns.get("progress")
    said = status_in_text(m.progress) if pc is not None and m.progress else None
    if said is None:
        return
    at = row.at(pc)  # type: ignore[arg-type]
    if not m.status_text:
        m.status_text, m.status = said, canonical_status(said)
        m.origins["status"] = Source.at(m.sheet, at, said)
    elif canonical_status(said) != m.status and status_col is not None:
        name = "".join(ctx.header.texts.get(status_col, "完成情况").split())
        where = "".join(ctx.header.texts.get(pc, "整改进展").split())  # type: ignore[arg-type]
        cell = row.at(status_col)
        ctx.finding(
            "status-text-disagrees", *cell, m.status_text, field="status", name=name, said=said,
            progress=where, at=a1(*at),
        )  # fmt: skip


def is_measure_row(ctx: Context, row: Row) -> bool:
    texts = row.texts
    unnamed = ctx.header.unnamed  # a stray note in a column with no header makes no measure
    return any(texts[c] for c in ctx.measure_cols) or any(
        texts[c] for c in ctx.header.extras if c not in unnamed
    )


def check_duplicate(ctx: Context, row: Row) -> None:
    """A measure row equal to an earlier one in every cell, or in every cell but an empty 序号 (a
    row pasted again without its number): a careful person cannot know whether it was copied
    twice by mistake or is meant twice. Counted as written, and an error naming both rows."""
    cells = tuple(row.texts)
    sc = ctx.header.columns.get("seq")
    seq = cells[sc] if sc is not None else ""
    key = cells if sc is None else (*cells[:sc], "", *cells[sc + 1 :])
    first = ctx.seen.setdefault(key, (row.index, seq))
    if first[0] == row.index or (seq and first[1] and seq != first[1]):
        return  # the first of its kind, or two rows numbered apart: meant as two
    c = next(c for c, t in enumerate(cells) if t)
    same = "的每个单元格都完全相同" if seq == first[1] else "除序号为空外完全相同"
    ctx.finding("row-duplicate", row.index, c, row.texts[c], other=first[0] + 1, same=same)


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
                findings.make_at(
                    "formula-unreadable", sheet.name, (r, c), field=f, value=error, name=name, reason=reason
                )
            )
        elif error:
            out.append(findings.make_at("formula-error-value", sheet.name, (r, c), field=f, value=error))
        else:
            out.append(findings.make_at("formula-no-value", sheet.name, (r, c), field=f))
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
            at = (src.row - 1, src.column - 1) if src is not None else (m.row - 1, cols[f])
            if at in bad:
                m.status = None


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
        whole = Source(m.sheet, src.row, src.column, m.progress) if src else Source(m.sheet, 0, 0, m.progress)
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
