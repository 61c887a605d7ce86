"""What changed between two versions of a ledger: matching, the kinds of change, their wording.

Pure, like beangulp's similar.py: two ``Ledger``s and their dates in, a ``Comparison`` of typed
changes out; nothing here reads a file, stats one or prints. The rooms:

- ``changes.py``: the kinds of change (``KINDS``, ``RED_FLAGS``), ``Change``, ``Side``,
  ``Comparison`` and the JSON contract;
- ``match.py``: pairing the measures of the two versions (the rules are there and in
  docs/compare.md);
- ``classify.py``: ``compare``, the kinds of change of each matched measure;
- ``wording.py``: the lines for a person.

Reading the two files and dating them is ``workflow/compared.py``'s; 变化对照.xlsx is
``workbook/changes.py``'s; printing is the compare command's (cli/commands/compare.py).
"""

from __future__ import annotations

from .changes import (
    KIND_HINTS,
    KIND_NAMES,
    KINDS,
    RED_FLAGS,
    Change,
    Comparison,
    IssueId,
    Matching,
    Pair,
    Side,
    changes_as_dict,
)
from .classify import Cells, classify, compare, deadline_moved
from .match import (
    ISSUE_RATIO,
    MEASURE_RATIO,
    align_issues,
    loose_key,
    match,
    match_measures,
    near_pairs,
    ratio,
)
from .wording import describe, figure_rows, red_flag_lines, report_lines, summary_line

__all__ = [
    "ISSUE_RATIO",
    "KINDS",
    "KIND_HINTS",
    "KIND_NAMES",
    "MEASURE_RATIO",
    "RED_FLAGS",
    "Cells",
    "Change",
    "Comparison",
    "IssueId",
    "Matching",
    "Pair",
    "Side",
    "align_issues",
    "changes_as_dict",
    "classify",
    "compare",
    "deadline_moved",
    "describe",
    "figure_rows",
    "loose_key",
    "match",
    "match_measures",
    "near_pairs",
    "ratio",
    "red_flag_lines",
    "report_lines",
    "summary_line",
]
