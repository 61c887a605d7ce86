"""The ledger as plain data: what every stage after reading passes forward.

Everything here is a dataclass of strings, dates and lists, so two ledgers can be
compared field by field and many can be combined without touching a workbook.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

# Canonical statuses, in the order reports list them.
DONE = "已完成"
STATUSES: tuple[str, ...] = ("已完成", "阶段性完成", "正在推进", "长期坚持", "未开始")

# Canonical measure fields and their standard Chinese headers, in the order the cleaned
# workbook writes them. The reader recognises these headers too, so the cleaned workbook reads back.
STANDARD_HEADERS: dict[str, str] = {
    "seq": "序号",
    "aspect": "方面",
    "problem": "问题",
    "issue": "具体问题",
    "description": "问题描述",
    "measure": "整改措施",
    "leader": "责任领导",
    "department": "责任科室",
    "owner": "责任人",
    "deadline": "整改时限",
    "kind": "整改类型",
    "progress": "整改进展",
    "status": "完成情况",
    "done_on": "完成时间",
    "evidence": "佐证材料",
    "remarks": "备注",
}
FIELDS: tuple[str, ...] = tuple(STANDARD_HEADERS)
PARSED_FIELDS = ("deadline", "status", "done_on")  # kept as written beside a parsed value
# Text fields kept verbatim (trimmed).
CANONICAL_TEXT: tuple[str, ...] = tuple(f for f in FIELDS if f not in PARSED_FIELDS)


class Source(NamedTuple):
    """Where a value came from in the input workbook: a position as numbers, its A1 derived."""

    sheet: str
    row: int  # 1-based row in the input sheet; 0 when the value is no cell (a sheet's name)
    column: int  # 1-based column (A is 1); 0 with row 0
    text: str  # the cell's original text

    @classmethod
    def at(cls, sheet: str, grid: tuple[int, int], text: str) -> Source:
        """From a reader's 0-based (row, column) in the sheet's grid."""
        return cls(sheet, grid[0] + 1, grid[1] + 1, text)

    @property
    def cell(self) -> str:
        return cell_name(self.row, self.column)


@dataclass(slots=True)
class Measure:
    """One 整改措施 with the aspect / problem / issue it belongs to.

    Text fields hold the input verbatim, trimmed. Parsed fields keep their input
    text beside the parsed value (``deadline`` / ``deadline_date``, ``status_text`` /
    ``status``), so nothing the office wrote is lost.
    """

    sheet: str
    row: int  # 1-based row in the input sheet
    seq: str = ""
    aspect: str = ""
    problem: str = ""
    issue: str = ""
    description: str = ""
    measure: str = ""
    leader: str = ""
    department: str = ""
    owner: str = ""
    deadline: str = ""  # as written: "2025年3月底前", "立行立改", "2025-03-31"
    deadline_date: date | None = None
    deadline_word: str = ""  # 立行立改 / 长期坚持 when the deadline is a word
    kind: str = ""
    progress: str = ""
    status_text: str = ""  # as written: "已 完成", "已销号"
    status: str | None = None  # canonical, None when unknown
    done_on_text: str = ""
    done_on: date | None = None
    evidence: str = ""
    remarks: str = ""
    # Keys identifying the hierarchy: folded text, so " 学习氛围不浓" == "学习氛围不浓".
    aspect_key: str = ""
    problem_key: str = ""
    issue_key: str = ""
    measure_key: str = ""  # the measure text folded: with the three keys above, the measure's identity
    part: int = 0  # k-th measure split from a cell listing several (0: not split)
    extras: dict[str, str] = field(default_factory=dict)  # unrecognised columns
    # Where each value came from when it is not this row's own cell of its column
    # (merged cells, section rows, split cells). See Ledger.source().
    origins: dict[str, Source] = field(default_factory=dict)

    @property
    def done(self) -> bool:
        return self.status == DONE

    @property
    def issue_id(self) -> tuple[str, str, str]:
        return (self.aspect_key, self.problem_key, self.issue_key)

    @property
    def key(self) -> tuple[str, str, str, str]:
        """The measure's identity: where it belongs and what it says, independent of its row.

        Comparing two versions of a ledger matches on it first (then tolerantly); combining many
        ledgers keys on (unit, key). Two identical rows under one issue share it.
        """
        return (self.aspect_key, self.problem_key, self.issue_key, self.measure_key)

    @property
    def uid(self) -> str:
        """``key`` as 12 hex digits, for a column or a JSON field."""
        return hashlib.sha1("\x1f".join(self.key).encode("utf-8")).hexdigest()[:12]

    def canonical(self) -> dict[str, object]:
        """The values that must survive a round trip through the cleaned workbook.

        Written forms that the cleaned workbook standardises (a deadline typed as
        "2025.3.1", a status written "已销号") compare by their parsed value.
        """
        return {
            **{f: getattr(self, f) for f in CANONICAL_TEXT},
            "deadline_date": self.deadline_date,
            "deadline_word": self.deadline_word,
            "status": self.status if self.status is not None else self.status_text,
            "done_on": self.done_on if self.done_on is not None else self.done_on_text,
            "extras": {k: v for k, v in self.extras.items() if v != ""},
        }


@dataclass(slots=True)
class SheetInfo:
    """A sheet that holds part of the ledger, and where its columns are."""

    name: str
    header_rows: tuple[int, ...]  # 1-based
    columns: dict[str, str]  # field -> column letter
    headers: dict[str, str]  # column letter -> header as written (every column)
    extra_columns: list[str]  # column letters of unrecognised columns, in order


@dataclass(slots=True)
class OtherRow:
    """A row of a ledger sheet that is not a measure, kept as written: a total, a note, a sign-off,
    a header repeated by printing, an example row, a second table below the ledger.

    The cleaned workbook writes these to a sheet of their own, so nothing the office wrote is lost.
    """

    sheet: str
    row: int  # 1-based row in the input sheet
    cells: list[str]  # the row's texts by column (A first), trailing blanks dropped
    kind: str  # one of OTHER_KINDS


# The cleaned workbook's sheet of other rows, and its first columns (the row's cells follow, A first).
OTHER_SHEET = "其他内容"
OTHER_HEADERS: tuple[str, ...] = ("原工作表", "原行号", "内容类型")
# The cleaned workbook's sheet of changes since the last version (``report --since``, watch): one
# row per change, compare.DETAIL_HEADERS, "变化" first. Derived, not input: a reader skips it.
CHANGES_SHEET = "变化"
# What an OtherRow is, in the words the cleaned workbook shows.
OTHER_KINDS: dict[str, str] = {
    "total": "合计行",
    "note": "说明、签字等",
    "header": "重复的表头",
    "example": "示例行",
    "table": "另一张表",
    "sheet": "说明工作表",
    "version": "旧版本",  # every row of a sheet superseded by a newer version of the ledger
}


@dataclass(slots=True)
class Ledger:
    source_file: str
    file_format: str  # xlsx | xlsm | xls
    sheets: list[SheetInfo]
    title: str = ""
    unit: str = ""  # 填报单位
    reported_on: str = ""  # 填报时间 as written
    reported_date: date | None = None
    has_aspects: bool = False
    has_problems: bool = False
    extra_headers: list[str] = field(default_factory=list)  # unrecognised headers, in order
    measures: list[Measure] = field(default_factory=list)
    issue_only_rows: list[Measure] = field(default_factory=list)  # issues listed with no measure
    other_rows: list[OtherRow] = field(default_factory=list)  # rows that are not measures, in order

    def sheet(self, name: str) -> SheetInfo:
        for s in self.sheets:  # a handful of sheets: a scan beats keeping an index in sync
            if s.name == name:
                return s
        raise KeyError(name)

    def source(self, m: Measure, fieldname: str) -> Source | None:
        """The input cell a value of ``m`` came from."""
        if fieldname in m.origins:
            return m.origins[fieldname]
        info = next((s for s in self.sheets if s.name == m.sheet), None)  # combined ledgers may lack it
        col = info.columns.get(fieldname) if info is not None else None
        if col is None:
            return None
        text = {"status": m.status_text, "done_on": m.done_on_text}.get(fieldname)
        if text is None:
            text = str(getattr(m, fieldname, ""))
        return Source(m.sheet, m.row, column_index(col) + 1, text)


@dataclass(slots=True)
class Finding:
    """A problem found in a ledger: data, with a stable code and a Chinese message.

    Where it is: ``sheet`` and the cell as numbers (``row``, ``column``: 1-based, 0 where the
    finding is about a whole sheet or row); ``cell`` is their A1 text, derived."""

    code: str
    severity: str  # "error" | "warning"
    sheet: str
    row: int
    column: int
    field: str
    value: str
    message: str
    hint: str = ""

    @property
    def cell(self) -> str:
        return cell_name(self.row, self.column)

    def as_dict(self) -> dict[str, str | int | None]:
        return {
            "code": self.code,
            "severity": self.severity,
            "sheet": self.sheet,
            "cell": self.cell,
            "row": self.row or None,
            "column": self.column or None,
            "field": self.field,
            "value": self.value,
            "message": self.message,
            "hint": self.hint,
        }


# ---- cell addresses: numbers are the data, "F12" is derived here and only here ----------------
def col_letter(index: int) -> str:
    """0-based column index → its letters: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """Column letters (as the input file writes them) → 0-based index: A → 0, AA → 26."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def cell_name(row: int, column: int) -> str:
    """The A1 text of a 1-based (row, column); "" for no cell (row or column 0)."""
    return f"{col_letter(column - 1)}{row}" if row > 0 and column > 0 else ""


def a1(row: int, col: int) -> str:
    """The A1 text of a reader's 0-based grid position."""
    return cell_name(row + 1, col + 1)
