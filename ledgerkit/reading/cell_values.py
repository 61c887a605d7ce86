"""What a cell means beyond the value calamine gives: formulas that depend on the day, and the
text a number shows through its number format. Pure functions over what xlsx_parts read.

Why: a deadline cell holding ``=TODAY()+30`` keeps the value of the day it was last calculated,
so it is no date at all; and ``2025.10`` typed into a cell is stored as the number 2025.1, which
only its number format (``0.00``) tells from ``2025.1`` (docs/reading-rules.md, issue 21).
"""

from __future__ import annotations

import re

from ..model import col_letter, column_index

Cell = tuple[int, int]  # 0-based (row, col)

# Functions whose result changes with the day the file is opened.
_DAY_FUNCTIONS = re.compile(r"(?<![A-Za-z0-9_.])(?:TODAY|NOW)\s*\(", re.IGNORECASE)
_STRING = re.compile(r'"(?:[^"]|"")*"')
# A reference to a cell (or a range) of the same sheet: not "Sheet1!A1", not a function "LOG10(".
_REF = re.compile(
    r"(?<![A-Za-z0-9_!$.:'])(\$?)([A-Z]{1,3})(\$?)(\d{1,7})(?::(\$?)([A-Z]{1,3})(\$?)(\d{1,7}))?(?![A-Za-z0-9_(!])"
)


# Column letters ↔ 0-based index: the model's, the one pair of functions for A1.
_col, _letters = column_index, col_letter


def shift_formula(text: str, dr: int, dc: int) -> str:
    """A shared formula as it stands ``dr`` rows and ``dc`` columns from its master: relative
    references move, ``$``-fixed parts stay."""

    def one(d_col: str, letters: str, d_row: str, digits: str) -> str:
        c = _col(letters) + (0 if d_col else dc)
        r = int(digits) + (0 if d_row else dr)
        return f"{d_col}{_letters(max(c, 0))}{d_row}{max(r, 1)}"

    def sub(m: re.Match[str]) -> str:
        ref = one(m[1], m[2], m[3], m[4])
        return f"{ref}:{one(m[5], m[6], m[7], m[8])}" if m[6] else ref

    return _REF.sub(sub, text)


def _ranges(text: str) -> list[tuple[int, int, int, int]]:
    out = []
    for m in _REF.finditer(text):
        r1, c1 = int(m[4]) - 1, _col(m[2])
        r2, c2 = (int(m[8]) - 1, _col(m[6])) if m[6] else (r1, c1)
        out.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
    return out


def volatile_cells(formulas: dict[Cell, str]) -> dict[Cell, str]:
    """The formula cells whose result depends on the day: those calling TODAY() or NOW(), and
    those built on such a cell of the same sheet (directly or through others). Cell -> formula."""
    bare = {rc: _STRING.sub('""', text) for rc, text in formulas.items()}
    found = {rc for rc, text in bare.items() if _DAY_FUNCTIONS.search(text)}
    if not found:
        return {}
    deps = {rc: rs for rc, text in bare.items() if rc not in found and (rs := _ranges(text))}
    grew = True
    while grew:  # a chain of cells each built on the one before: until nothing more depends
        grew = False
        for rc, ranges in deps.items():
            if rc not in found and any(
                r1 <= r <= r2 and c1 <= c <= c2 for r1, c1, r2, c2 in ranges for r, c in found
            ):
                found.add(rc)
                grew = True
    return {rc: formulas[rc] for rc in found}


# ---- numbers as their cells show them ------------------------------------------------------

# Built-in number formats (ECMA-376 18.8.30) that show a number as digits.
BUILTIN_FORMATS = {0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00"}
_FIXED = re.compile(r"^(#,##)?0(?:\.(0+))?$")


def shown_number(value: float, code: str) -> str | None:
    """The text a number shows through its format code, for General and fixed decimals
    (``0``, ``0.00``, ``#,##0.0``); None for any other format (we do not guess)."""
    code = code.split(";", 1)[0].strip()
    if code.lower() in ("general", ""):
        return f"{value:.10g}"  # Excel's General: significant digits, no trailing zeros
    m = _FIXED.match(code)
    if m is None:
        return None
    places = len(m[2] or "")
    return f"{value:,.{places}f}" if m[1] else f"{value:.{places}f}"


def year_month_candidate(value: object) -> bool:
    """A number that could be a year.month typed into a cell: 2025.1, 2024.12 (not 2025)."""
    return type(value) is float and 1950 <= value < 2100 and not value.is_integer()
