"""Validation: a pandera schema for the measures table, then cross-field rules.

The schema checks each value on its own (required text, allowed statuses, dates that parse)
and runs lazily so every failure comes back at once. The rules are plain named functions in
``RULES``; adding a rule is adding a function. Both produce Findings with stable codes.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from datetime import date

from ..formats import cn_date
from ..model import (
    CANONICAL_TEXT,
    STANDARD_HEADERS,
    STATUSES,
    Finding,
    Ledger,
    Measure,
)
from ..text import dates_named, nearest_status, not_applicable, parse_date
from .findings import REGISTRY, make
from .findings import sort_findings as _sort

STANDARD_NAMES = STANDARD_HEADERS  # a message names a field as the office would


def finding(
    ledger: Ledger,
    m: Measure | None,
    code: str,
    value: str = "",
    *,
    at: tuple[int, int] = (0, 0),
    sheet: str = "",
    **extra: object,
) -> Finding:
    """A registry finding about measure ``m`` (or a sheet), named in the office's own headers."""
    field = REGISTRY[code].field
    if m is not None:
        src = ledger.source(m, field) if field else None
        sheet = sheet or m.sheet
        # the value's cell; the row's first cell where the ledger has no column for it
        at = at if at[0] else (src.row, src.column) if src else (m.row, 1)
    name = _field_name(ledger, sheet, field) if field else ""
    return make(code, sheet, *at, value=value, name=name, **extra)


def _field_name(ledger: Ledger, sheet: str, field: str) -> str:
    """The office's own header for a field, so the message speaks its language."""
    for info in ledger.sheets:
        if info.name == sheet and field in info.columns:
            return "".join(info.headers.get(info.columns[field], "").split()) or STANDARD_NAMES[field]
    return STANDARD_NAMES.get(field, field)


# ---- schema ------------------------------------------------------------------------------


def measures_frame(ledger: Ledger):  # -> pandas.DataFrame
    import pandas as pd

    ms = ledger.measures
    return pd.DataFrame(
        {
            "measure": [m.measure for m in ms],
            "issue": [m.issue for m in ms],
            "status": [m.status if m.status is not None else m.status_text for m in ms],
            # "/" and "无" in a date cell mean "no date": nothing to check
            "deadline": ["" if not_applicable(m.deadline) else m.deadline for m in ms],
            "deadline_date": pd.to_datetime([m.deadline_date for m in ms]),
            "deadline_word": [m.deadline_word for m in ms],
            "done_on_text": ["" if not_applicable(m.done_on_text) else m.done_on_text for m in ms],
            "done_on": pd.to_datetime([m.done_on for m in ms]),
        }
    )


def schema():
    import pandera.pandas as pa

    def dates_ok(text_col: str, date_col: str, word_col: str | None = None):
        def check(df):
            ok = (df[text_col] == "") | df[date_col].notna()
            return ok | (df[word_col] != "") if word_col else ok

        return check

    return pa.DataFrameSchema(
        {
            "measure": pa.Column(str, pa.Check.str_length(min_value=1, name="measure-missing")),
            "issue": pa.Column(str, pa.Check.str_length(min_value=1, name="issue-missing")),
            "status": pa.Column(str, pa.Check.isin(STATUSES, name="status-unknown")),
            "deadline": pa.Column(str),
            "deadline_date": pa.Column("datetime64[ns]", nullable=True, coerce=True),
            "done_on": pa.Column("datetime64[ns]", nullable=True, coerce=True),
        },
        checks=[
            pa.Check(dates_ok("deadline", "deadline_date", "deadline_word"), name="deadline-invalid"),
            pa.Check(dates_ok("done_on_text", "done_on"), name="date-invalid"),
        ],
    )


COLUMN_CODES = {"measure": "measure-missing", "issue": "issue-missing", "status": "status-unknown"}


def schema_findings(ledger: Ledger) -> list[Finding]:
    if not ledger.measures:
        return []
    import pandera.errors as pe

    try:
        schema().validate(measures_frame(ledger), lazy=True)
    except pe.SchemaErrors as exc:
        return _from_failures(ledger, exc.failure_cases)
    return []


def _from_failures(ledger: Ledger, cases) -> list[Finding]:
    out = []
    seen = set()
    for row in cases.itertuples(index=False):
        # Built-in checks report their own description, not their name: code by column.
        code = COLUMN_CODES.get(row.column, "") if row.schema_context == "Column" else str(row.check)
        index = row.index
        if code not in REGISTRY or index is None or (code, index) in seen:
            continue  # dtype failures cannot happen: the frame is built from typed fields
        seen.add((code, index))
        m = ledger.measures[int(index)]
        value = _value_of(m, REGISTRY[code].field)
        if code == "status-unknown" and not value:
            continue  # an unreadable formula left the status unknown: formula-unreadable says so
        extra = {"nearest": nearest_status(value)} if code == "status-unknown" else {}
        out.append(finding(ledger, m, code, value, **extra))
    return out


def _value_of(m: Measure, field: str) -> str:
    return {"status": m.status_text, "done_on": m.done_on_text}.get(field, str(getattr(m, field, "")))


# ---- cross-field rules ---------------------------------------------------------------------

Rule = Callable[[Ledger, date], Iterable[Finding]]
_SAYS_DONE = re.compile(r"(已全部完成|全部完成|已完成整改|整改已完成|已整改到位|已完成)[。.！!；;]?$")


def done_without_date(ledger: Ledger, as_of: date) -> Iterable[Finding]:
    for m in ledger.measures:
        no_date = not m.done_on_text or not_applicable(m.done_on_text)
        if m.done and m.done_on is None and no_date and _has_column(ledger, m, "done_on"):
            yield finding(ledger, m, "done-without-date")


def done_after_as_of(ledger: Ledger, as_of: date) -> Iterable[Finding]:
    for m in ledger.measures:
        if m.done_on is not None and m.done_on > as_of:
            yield finding(ledger, m, "done-after-as-of", m.done_on_text, as_of=f"{as_of:%Y-%m-%d}")


def owners_missing(ledger: Ledger, as_of: date) -> Iterable[Finding]:
    for field, code in (("department", "department-missing"), ("owner", "owner-missing")):
        for m in ledger.measures:
            if not getattr(m, field) and _has_column(ledger, m, field):
                yield finding(ledger, m, code)


def columns_missing(ledger: Ledger, as_of: date) -> Iterable[Finding]:
    for info in ledger.sheets:
        for field in ("department", "owner", "deadline", "status"):
            if field not in info.columns:
                at = (info.header_rows[0], 1)  # the header row's first cell
                said = _said_in_text(ledger, info.name) if field == "status" else 0
                if said:  # the statuses were read from the progress text: say so instead
                    progress = _field_name(ledger, info.name, "progress")
                    yield finding(
                        ledger,
                        None,
                        "status-in-text",
                        at=at,
                        sheet=info.name,
                        count=said,
                        progress=progress,
                    )
                    continue
                yield finding(ledger, None, "column-missing", STANDARD_NAMES[field], at=at, sheet=info.name)


def _said_in_text(ledger: Ledger, sheet: str) -> int:
    """Measures of a sheet with no status column whose status its progress text states."""
    return sum(1 for m in ledger.measures if m.sheet == sheet and m.status_text and m.part <= 1)


def issues_without_measure(ledger: Ledger, as_of: date) -> Iterable[Finding]:
    """An issue without a measure among issues with measures is a gap (an error at its cell); a
    ledger whose issues all await their measures is a new one: what to fill next, said once."""
    if not ledger.issue_only_rows:
        return
    if not ledger.measures:
        first = ledger.issue_only_rows[0]
        yield finding(
            ledger, first, "measures-pending", count=len({m.issue_id for m in ledger.issue_only_rows})
        )
        return
    for m in ledger.issue_only_rows:
        yield finding(ledger, m, "issue-no-measure", m.issue)


def duplicate_seq(ledger: Ledger, as_of: date) -> Iterable[Finding]:
    # 序号 restarts per section in many layouts, so duplicates count within one parent only.
    first: dict[tuple[str, str, str, str], Measure] = {}
    for m in ledger.measures:
        if not m.seq or m.part > 1 or "seq" in m.origins:
            continue
        key = (m.sheet, m.aspect_key, m.problem_key, m.seq)
        if key in first:
            yield finding(ledger, m, "seq-duplicate", m.seq, other=first[key].row)
        else:
            first[key] = m


def deadline_extended(ledger: Ledger, as_of: date) -> Iterable[Finding]:
    """A deadline written as extended counts by its new date: say so, naming the original."""
    for m in ledger.measures:
        if m.deadline_date is None:
            continue
        parsed = parse_date(m.deadline, deadline=True)
        if parsed.original:
            yield finding(
                ledger,
                m,
                "deadline-extended",
                m.deadline,
                new=cn_date(m.deadline_date),
                original=parsed.original,
            )


def progress_future_date(ledger: Ledger, as_of: date) -> Iterable[Finding]:
    """A progress text reporting a day after the ledger's own date (its 填报时间 when it states
    one and that is earlier, else the as-of date): the paper rectification inspectors look for.
    Dates worded as plans or limits ("计划…", "…前", "…起") are not reports."""
    day, which = as_of, "统计截止日期"
    if ledger.reported_date is not None and ledger.reported_date <= as_of:
        day, which = ledger.reported_date, "台账的填报时间"
    seen: set[tuple[str, str]] = set()
    for m in ledger.measures:
        if not m.progress or not _HAS_YEAR.search(m.progress):
            continue
        later = [d.text for d in dates_named(m.progress, after=day) if not d.planned]
        if not later:
            continue
        f = finding(
            ledger,
            m,
            "progress-future-date",
            "、".join(dict.fromkeys(later[:3])) + (f"等{len(later)}处" if len(later) > 3 else ""),
            ledger_day=which + cn_date(day),
        )
        if (f.sheet, f.cell) not in seen:  # measures split from one row share its progress cell
            seen.add((f.sheet, f.cell))
            yield f


_HAS_YEAR = re.compile(r"\d{4}|[０-９]{4}")  # most progress texts name no date: skip them cheaply


def progress_says_done(ledger: Ledger, as_of: date) -> Iterable[Finding]:
    for m in ledger.measures:
        if not m.done and m.status_text and _SAYS_DONE.search(m.progress):
            yield finding(ledger, m, "progress-says-done", m.status_text)


def status_inferred(ledger: Ledger, as_of: date) -> Iterable[Finding]:
    for m in ledger.measures:
        if not m.status_text and m.done and _has_column(ledger, m, "status"):
            yield finding(ledger, m, "status-inferred")


EXCEL_CELL_LIMIT = 32767


_TEXTS = operator.attrgetter(*CANONICAL_TEXT)


def text_too_long(ledger: Ledger, as_of: date) -> Iterable[Finding]:
    """Excel cannot hold more than 32,767 characters in a cell: say which input cell is cut."""
    for m in ledger.measures:
        longest = max(map(len, _TEXTS(m)))
        if m.extras:
            longest = max(longest, *map(len, m.extras.values()))
        if longest <= EXCEL_CELL_LIMIT:
            continue
        for field, text in [*zip(CANONICAL_TEXT, _TEXTS(m), strict=True), *m.extras.items()]:
            if len(text) > EXCEL_CELL_LIMIT:
                src = ledger.source(m, field)
                at = (src.row, src.column) if src else (m.row, 1)
                yield finding(ledger, m, "text-too-long", text[:20] + "……", at=at, length=len(text))


def _has_column(ledger: Ledger, m: Measure, field: str) -> bool:
    return field in ledger.sheet(m.sheet).columns


RULES: list[Rule] = [
    done_without_date,
    done_after_as_of,
    owners_missing,
    columns_missing,
    issues_without_measure,
    duplicate_seq,
    deadline_extended,
    progress_future_date,
    progress_says_done,
    status_inferred,
    text_too_long,
]


def validate(ledger: Ledger, as_of: date) -> list[Finding]:
    findings = schema_findings(ledger)
    for rule in RULES:
        findings.extend(rule(ledger, as_of))
    return findings


def sort_findings(ledger: Ledger, findings: Iterable[Finding]) -> list[Finding]:
    """Errors first, then in the order of the ledger's sheets and cells."""
    return _sort(findings, [s.name for s in ledger.sheets])
