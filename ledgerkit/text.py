"""Text rules of the domain: folding for matching, numbering, statuses, dates.

Values stay verbatim (trimmed); the folded forms here are only for matching and parsing.
"""

from __future__ import annotations

import calendar
import difflib
import re
import unicodedata
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from .model import STATUSES

# Spaces offices type: ASCII, full-width (U+3000), no-break, tabs, and line breaks.
TRIM = " \t\r\n\u3000\u00a0\ufeff"
_WS = re.compile(r"[\s\u3000\u00a0\ufeff]+")
_X000D = re.compile(r"_x000[dD]_")


def clean(value: object) -> str:
    """The verbatim text of a cell, trimmed; Excel's escaped CR (``_x000D_``) removed."""
    if type(value) is str:  # the common case first: this runs for every cell
        if "_x000" in value or "\r" in value:
            value = _X000D.sub("", value).replace("\r\n", "\n").replace("\r", "\n")
        return value.strip(TRIM)
    if value is None or value == "":
        return ""
    return _clean_value(value)


@lru_cache(maxsize=4096)
def _clean_value(value: object) -> str:
    """Text of a number or date cell: few distinct values (dates, 序号), so memoised."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean(str(value))


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Matching form: NFKC (full-width → half-width), no white space at all."""
    return _WS.sub("", unicodedata.normalize("NFKC", _X000D.sub("", text)))


# ---- numbering in front of titles -------------------------------------------------------

_CN_NUM = "一二三四五六七八九十百零〇"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# Level styles of section numbering, highest first (GB/T 9704 order).
NUMBERING = (
    ("cn", re.compile(rf"^[{_CN_NUM}]+\s*[、.．]\s*")),  # 一、
    ("cn_paren", re.compile(rf"^[（(]\s*[{_CN_NUM}]+\s*[)）]\s*[、.．]?\s*")),  # （一）
    ("problem_n", re.compile(r"^问题\s*\d+\s*[、.．:：]?\s*")),  # 问题1.
    ("arabic", re.compile(r"^\d+(?:\.\d+)*\s*[、.．](?!\d)\s*")),  # 1. 1、 1.1.
    ("arabic_paren", re.compile(r"^[（(]\s*\d+\s*[)）]\s*[、.．]?\s*")),  # （1）
    ("circled", re.compile(rf"^[{_CIRCLED}]\s*")),  # ①
)
_LABEL = re.compile(r"^(具体表现|具体问题|问题表现)\s*[:：]\s*")


# A list mark opening a text ("一是……"): numbers items of a list, not a heading, so it is no
# NUMBERING style; ``starts_numbered`` counts it.
_SHI_START = re.compile(r"^[一二三四五六七八九十]+是")


def starts_numbered(text: str) -> bool:
    """The text opens with a numbering the office wrote: a NUMBERING style or a list mark 一是.
    The one numbering grammar: the reader's section styles and the notice's line joins use it."""
    return numbering_style(text) is not None or _SHI_START.match(text) is not None


def numbering_style(text: str) -> str | None:
    for name, pattern in NUMBERING:
        if pattern.match(text):
            return name
    return None


def strip_numbering(text: str) -> str:
    """ "一、加强党的建设方面" → "加强党的建设方面"; the rest stays verbatim."""
    for _name, pattern in NUMBERING:
        m = pattern.match(text)
        if m:
            text = text[m.end() :]
            break
    text = _LABEL.sub("", text)
    return text.strip(TRIM)


# ---- several measures in one cell -----------------------------------------------------

_CN_ORDINALS = "一二三四五六七八九十"
_SPLITTERS = (
    re.compile(rf"[{_CIRCLED}]"),
    re.compile(r"(?:^|(?<=[。；;，,\n]))\s*([一二三四五六七八九十])是"),
    re.compile(r"(?m)^\s*(\d{1,2})\s*[.．、)）](?!\d)"),
    re.compile(r"(?m)^\s*[（(](\d{1,2})[)）]"),
)


# A head that only announces the list ("整改措施：", "采取以下措施：", "具体如下："): the items
# are the measures, the head a label.
_LIST_LABEL = re.compile(r"^[^，,。；;]{0,12}(?:措施|举措|任务|如下)[:：]?$")


def numbered_list(text: str) -> tuple[str, list[str]] | None:
    """(the text before the first number, the items) when the text lists items numbered 1, 2, 3…
    in order ("①…②…", "一是…；二是…", "1.…\n2.…"), else None."""
    for pattern in _SPLITTERS:
        marks = list(pattern.finditer(text))
        if len(marks) < 2 or not _in_sequence(pattern, marks):
            continue
        parts = []
        for i, m in enumerate(marks):
            end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
            parts.append(text[m.end() : end].strip(TRIM + "；;，,"))
        if all(parts):
            return text[: marks[0].start()].strip(TRIM), parts
    return None


def is_lead_in(head: str) -> bool:
    """A head that makes the list below it one item's content: it ends with a colon and says more
    than a label ("制定学习贯彻实施方案，明确：")."""
    return head.endswith((":", "：")) and not _LIST_LABEL.search(head)


def split_numbered(text: str) -> list[str]:
    """Split "①…②…", "一是…；二是…", "1.…\n2.…" into items when numbered 1, 2, 3… in order.

    Returns [text] when the cell is not such a list, so a sentence that merely contains
    "一是" once is never cut; nor when a lead-in introduces the list as one item's content
    ("制定…方案，明确：1.… 2.…"), or a head is too long to be a label (> 40 characters).
    """
    found = numbered_list(text)
    if found is None:
        return [text]
    head, parts = found
    if head and (len(head) > 40 or is_lead_in(head)):
        return [text]
    return parts


def _in_sequence(pattern: re.Pattern[str], marks: list[re.Match[str]]) -> bool:
    if pattern is _SPLITTERS[0]:
        numbers = [_CIRCLED.index(m.group(0)) + 1 for m in marks]
    elif pattern is _SPLITTERS[1]:
        numbers = [_CN_ORDINALS.index(m.group(1)) + 1 for m in marks]
    else:
        numbers = [int(m.group(1)) for m in marks]
    return numbers == list(range(1, len(numbers) + 1))


# ---- statuses --------------------------------------------------------------------------

STATUS_WORDS: dict[str, str] = {}
for _canon, _words in {
    "已完成": "已完成 完成 已整改 已销号 整改完成 已完成整改 已整改完成 整改到位 已整改到位 销号 已办结 是",
    "阶段性完成": "阶段性完成 基本完成 部分完成 取得阶段性进展 阶段完成 取得阶段性成效",
    "正在推进": "正在推进 推进中 正在整改 整改中 未完成 持续整改 正在落实 否 尚未完成 未销号 尚未销号",
    "长期坚持": "长期坚持 长期推进 持续推进 长期 长期整改 持续坚持",
    "未开始": "未开始 未启动 尚未开始 尚未启动",
}.items():
    for _w in _words.split():
        STATUS_WORDS[fold(_w)] = _canon


def canonical_status(text: str) -> str | None:
    """The canonical status of a written one, or None when the word is unknown."""
    return STATUS_WORDS.get(fold(text).rstrip("。.;；"))


def nearest_status(text: str) -> str:
    """The known word closest to an unknown status, for the hint."""
    folded = fold(text)
    match = difflib.get_close_matches(folded, list(STATUS_WORDS), n=1, cutoff=0.0)
    return STATUS_WORDS[match[0]] if match else STATUSES[0]


# The status stated at the start of a line of the progress text: "整改状态：已完成。……"
_STATUS_LINE = re.compile(
    r"(?m)^[ \t\u3000\u00a0]*(?:整改状态|完成情况|完成状态|状态)[ \t\u3000\u00a0]*[:：][ \t\u3000\u00a0]*([^。；;，,.\n]*)"
)


_STATUS_STATEMENT = re.compile(
    r"(?m)^([ \t\u3000\u00a0]*)(?:整改状态|完成情况|完成状态|状态)[ \t\u3000\u00a0]*[:：][ \t\u3000\u00a0]*"
    r"[^。；;，,.\n]*[。；;，,.]?[ \t\u3000\u00a0]*"
)


def without_status(text: str) -> str:
    """The text without the status statement opening a line ("整改状态：已完成。"): the status is
    counted from it, and a notice says the progress, not the ledger's label."""
    return _STATUS_STATEMENT.sub(r"\1", text) if "状态" in text or "完成情况" in text else text


def status_in_text(text: str) -> str | None:
    """The status word stated in a text ("整改状态：阶段性完成" at the start of a line), else None."""
    m = _STATUS_LINE.search(text)
    word = m[1].strip(TRIM) if m else ""
    return word or None


# ---- dates -------------------------------------------------------------------------------

DEADLINE_WORDS = {"立行立改": "立行立改", "长期坚持": "长期坚持", "长期": "长期坚持", "持续推进": "长期坚持"}
EXCEL_EPOCH = date(1899, 12, 30)
_SERIAL_MIN, _SERIAL_MAX = 18264, 73051  # 1950-01-01 .. 2099-12-31
_DATE_RE = re.compile(r"(\d{4})\s*(?:[年./\-]\s*(\d{1,2})\s*(?:[月./\-]\s*(?:(\d{1,2})\s*[日号]?)?)?)?")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_AFTER = re.compile(r"^(?:月?\s*)?(底|末|上旬|中旬|下旬|初)?")


class DateParse:
    """Result of reading a date cell: a date, a deadline word, or neither (invalid).

    ``original``: for a deadline written as extended ("原定…，已申请延期至…"), the original
    deadline as written; ``value`` is then the new one.
    """

    __slots__ = ("original", "valid", "value", "word")

    def __init__(
        self, value: date | None = None, word: str = "", valid: bool = True, original: str = ""
    ) -> None:
        self.value, self.word, self.valid, self.original = value, word, valid, original


EMPTY = DateParse()


# The forms a typed day (an as-of date on the command line or the page) may take: the ledger's.
DAY_FORMS = "2024-12-23、2024/12/23、2024.12.23 或 2024年12月23日"


def whole_day(text: str) -> date | None:
    """A day as a person types it, in any form a ledger's date cells take (parse_date, the one
    date parser), as long as the day is written: a month or a year alone is no day."""
    parsed = parse_date(text)
    whole = len(re.findall(r"\d+", text)) == 3 or re.fullmatch(r"\s*\d{8}\s*", text)
    return parsed.value if whole else None


def parse_date(raw: object, *, deadline: bool = False) -> DateParse:
    """Read every date form offices use. Words (立行立改, 长期坚持) only for deadlines."""
    if raw is None or raw == "":
        return EMPTY
    if type(raw) is str:
        return _parse_text(raw, deadline)
    return _parse_value(raw)


@lru_cache(maxsize=16384)
def _parse_value(raw: object) -> DateParse:
    """Dates and numbers as calamine gives them; few distinct values, so memoised."""
    if isinstance(raw, (datetime, date)):
        # A typo in a date cell (4566 for 45666) shows as 1912: range-checked like typed dates.
        day = raw.date() if isinstance(raw, datetime) else raw
        return DateParse(day) if _YEARS[0] <= day.year <= _YEARS[1] else DateParse(valid=False)
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return _from_number(raw)
    return _parse_text(str(raw), False) if not isinstance(raw, timedelta) else DateParse(valid=False)


def _from_number(number: float) -> DateParse:
    if _SERIAL_MIN <= number <= _SERIAL_MAX:  # an Excel serial stored as a plain number
        return DateParse(EXCEL_EPOCH + timedelta(days=int(number)))
    text = str(int(number)) if float(number).is_integer() else str(number)
    return _parse_text(text, False)


# What offices write in a cell to say "nothing here" (a date cell with no date, a progress or
# description left as "/"): read as empty. Folded, so full-width ／ and － are the same marks.
NOT_APPLICABLE = frozenset(("/", "-", "--", "—", "——", "无", "暂无", "/。", "—/—"))


def not_applicable(text: str) -> bool:
    return fold(text) in NOT_APPLICABLE


# Deadline wording beyond a single date (docs/reading-rules.md, "Deadlines"):
_YEARS = (1950, 2099)
_EXTENDED = re.compile(r"(?:延期|延长|推迟|顺延|调整|变更|改)(?:时限|期限|时间)?(?:至|到|为)")
_RANGE_SEP = re.compile(r"(?:-|—|–|~|～|至|到)+")
_YEAR_MONTH = re.compile(r"^(\d{4})[./](\d{1,2})(?:月?(底|末|上旬|中旬|下旬|初))?前?$")  # 2024.12
_QUARTER = re.compile(r"(\d{4})年?(?:第?([一二三四1-4])季度|[Qq]([1-4]))")
_HALF = re.compile(r"(\d{4})年?(上|下)半年")
_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


@lru_cache(maxsize=16384)
def _parse_text(text: str, deadline: bool) -> DateParse:
    folded = fold(text)
    if not folded or folded in NOT_APPLICABLE:
        return EMPTY
    if deadline:
        for word, canon in DEADLINE_WORDS.items():
            if folded.startswith(word) and not _DATE_RE.search(folded):
                return DateParse(word=canon)
        worded = _deadline_wording(folded)
        if worded is not None:
            return worded
    m = _DATE_COMPACT.match(folded.rstrip("前"))
    if m:
        return _make(int(m[1]), int(m[2]), int(m[3]))
    m = _YEAR_MONTH.match(folded)
    if m and _YEARS[0] <= int(m[1]) <= _YEARS[1]:  # "2024.12": a month, not a serial 202412
        return _month_part(int(m[1]), int(m[2]), m[3])
    if folded.replace(".", "", 1).isdigit():  # a serial number typed as text
        number = float(folded)
        return _from_number(number) if _SERIAL_MIN <= number <= _SERIAL_MAX else DateParse(valid=False)
    m = _DATE_RE.search(folded)
    if not m:
        return DateParse(valid=False)
    year, month, day = int(m[1]), m[2], m[3]
    if month is None:  # "2025年底前", "2025年"
        return _make(year, 12, 31) if "底" in folded or "末" in folded or deadline else DateParse(valid=False)
    if day is None:
        rest = folded[m.end() :]
        when = _AFTER.match(rest)
        return _month_part(year, int(month), when[1] if when else None)
    return _make(year, int(month), int(day))


_SHOWN_YEAR_MONTH = re.compile(r"^(\d{4})\.(\d{1,2})$")


def year_month_shown(shown: str) -> str | None:
    """ "2025.10" as a number cell shows it → "2025.10", a month ``parse_date`` reads as its last
    day; None when the text is no year.month, or when a month "1" could be "10" with its final 0
    dropped (General or one-decimal formats show 2025.10 as "2025.1")."""
    m = _SHOWN_YEAR_MONTH.match(shown)
    if m is None or not _YEARS[0] <= int(m[1]) <= _YEARS[1] or not 1 <= int(m[2]) <= 12 or m[2] == "1":
        return None
    return shown


def _deadline_wording(folded: str) -> DateParse | None:
    """An extended deadline (the new date, the original kept), a range (its end), a quarter
    or a half year (its last day); None when the text is none of these."""
    ext = _EXTENDED.search(folded)
    if ext:
        new = _parse_text(folded[ext.end() :], True)
        before = folded[: ext.start()]
        if new.value is not None and _DATE_RE.search(before):
            original = _DATE_RE.search(before)
            return DateParse(new.value, original=before[original.start() :].rstrip("，,；;。(（已申请经批准"))
    for sep in _RANGE_SEP.finditer(folded):
        end = _range_end(folded[: sep.start()], folded[sep.end() :])
        if end is not None:
            return end
    m = _QUARTER.search(folded)
    if m:
        q = _QUARTERS[m[2] or m[3]]
        return _month_part(int(m[1]), q * 3, None)
    m = _HALF.search(folded)
    if m:
        return _make(int(m[1]), 6 if m[2] == "上" else 12, 30 if m[2] == "上" else 31)
    return None


def _range_end(left: str, right: str) -> DateParse | None:
    """ "2024年10月-2025年6月" → the end. The start must name at least a month, so the dashes
    of "2025-06-30" are not read as a range; an end without a year ("3月-6月") takes the start's."""
    start = _DATE_RE.search(left)
    if not start or start[2] is None or not right or not _parse_text(left, True).value:
        return None
    if _DATE_RE.match(right):
        end = _parse_text(right, True)
    elif "月" in right:  # "3月-6月": not the "-01" of "2025-03-01"
        end = _parse_text(f"{start[1]}年{right}", True)
    else:
        return None
    return end if end.value is not None else None


def _month_part(year: int, month: int, part: str | None) -> DateParse:
    if not 1 <= month <= 12:
        return DateParse(valid=False)
    last = calendar.monthrange(year, month)[1]
    day = {"上旬": 10, "中旬": 20, "初": 10}.get(part or "", last)
    return _make(year, month, day)


def _make(year: int, month: int, day: int) -> DateParse:
    try:
        value = date(year, month, day)
    except ValueError:
        return DateParse(valid=False)
    if not _YEARS[0] <= year <= _YEARS[1]:
        return DateParse(valid=False)
    return DateParse(value)


# ---- dates named inside free text (a progress text reporting the future) -------------------

# A full date in the forms parse_date reads (2025年3月4日, 2025.3.4, 2025-03-04, 2025/3/4), or a
# month written with 年/月 (2025年3月); not a bare "2025.3", which is as often a number.
_MENTION = re.compile(  # ASCII digits (text with full-width ones is folded first); 1950–2099
    r"(19[5-9]\d|20\d\d)\s*(?:([年./\-])\s*(\d{1,2})\s*(?:月|\2)\s*(\d{1,2})(?!\d)\s*[日号]?"
    r"|年\s*(\d{1,2})\s*月(?!\s*\d{1,2}\s*[日号]))",
    re.ASCII,
)
# Words that make a date a plan or a limit rather than something done: "计划于2025年3月召开",
# "2025年3月底前完成", "自2025年1月1日起施行", "将在2025年…".
_PLANNED_BEFORE = re.compile(
    r"(?:计划|拟|将|预计|预定|定于|力争|争取|确保|要求|预期|准备|打算|待)[^，,。；;]{0,6}$"
)
_PLANNED_AFTER = re.compile(r"^\s*(?:底|末|中旬|下旬|上旬|初)?\s*(?:之?前|以前|起|以后|之后|为止|止|内)")


class DateMention(NamedTuple):
    text: str  # the date as written (full-width digits made half-width)
    first_day: date  # the earliest day it can mean: a month's first day
    planned: bool  # worded as a plan or a limit ("计划…", "…前", "…起")


_WIDE_DIGIT = re.compile(r"[０-９]")


def dates_named(text: str, after: date | None = None) -> list[DateMention]:
    """Every valid date or month a free text names, in order; with ``after``, only those whose
    first day is after it. Runs over every progress text of a ledger: the text is folded only
    when it has full-width digits, and the plan words are looked at only for dates kept."""
    if _WIDE_DIGIT.search(text):
        text = unicodedata.normalize("NFKC", text)
    out = []
    for m in _MENTION.finditer(text):
        year = int(m[1])
        # No look-behind in the pattern (it would cost a check at every character): a year
        # that continues a longer number ("12025年") is checked here.
        if (m.start() and text[m.start() - 1].isdigit()) or (after is not None and year < after.year):
            continue
        month, day = (int(m[3]), int(m[4])) if m[3] else (int(m[5]), 1)
        try:
            first = date(year, month, day)
        except ValueError:
            continue
        if after is not None and first <= after:
            continue
        before, rest = text[max(m.start() - 12, 0) : m.start()], text[m.end() : m.end() + 8]
        planned = bool(_PLANNED_BEFORE.search(before) or _PLANNED_AFTER.match(rest))
        out.append(DateMention(_WS.sub("", m[0]), first, planned))
    return out
