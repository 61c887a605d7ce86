"""The cleaned ledger's colours are for its as-of date: no TODAY()/NOW() anywhere in the workbook,
and the rows its colour rules paint red / amber are the 汇总's overdue / due-soon figures."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from ledgerkit.model import DONE, STANDARD_HEADERS
from ledgerkit.workbook import LEDGER_SHEET, SUMMARY_SHEET

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "整改台账.xlsx"
RED, AMBER = "FFC7CE", "FFEB9C"
_DAY = re.compile(r"DATE\((\d{4}),(\d{1,2}),(\d{1,2})\)")


def report(tmp_path: Path, as_of: str) -> Path:
    proc = subprocess.run(
        [sys.executable, "-m", "ledgerkit", "report", str(EXAMPLE), "-o", str(tmp_path), "--as-of", as_of],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode in (0, 1), proc.stderr
    (out,) = tmp_path.glob("*（清洗）.xlsx")
    return out


def every_formula(wb: openpyxl.Workbook) -> list[str]:
    """Cell formulas, conditional formats, validations and defined names of every sheet."""
    out = [str(dn.attr_text) for dn in wb.defined_names.values()]
    for ws in wb.worksheets:
        out += [
            c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value[:1] == "="
        ]
        out += [" ".join(r.formula) for cf in ws.conditional_formatting for r in cf.rules]
        out += [f"{dv.formula1} {dv.formula2}" for dv in ws.data_validations.dataValidation]
    return out


def figure(ws, label: str) -> int:
    for row in ws.iter_rows(values_only=True):
        if label in row:
            return int(row[row.index(label) + 1])
    raise AssertionError(f"no {label} in 汇总")


def painted(ws) -> dict[str, int]:
    """How many data rows each whole-row colour rule paints, evaluating the rule the way Excel does
    for the formulas ledgerkit writes: deadline before / within 14 days of the DATE() in the rule."""
    header = next(r for r in range(1, 6) if ws.cell(r, 1).value == STANDARD_HEADERS["seq"])
    names = [c.value for c in ws[header]]
    d_col, s_col = names.index(STANDARD_HEADERS["deadline"]), names.index(STANDARD_HEADERS["status"])
    counts: dict[str, int] = {}
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            found = _DAY.search(rule.formula[0])
            if found is None:
                continue  # the 已完成 rule on the status column
            day = date(*map(int, found.groups()))
            soon = "+14" in rule.formula[0]
            n = 0
            for row in ws.iter_rows(min_row=header + 1, values_only=True):
                d, status = row[d_col], row[s_col]
                if not isinstance(d, datetime) or status == DONE:
                    continue
                n += (day <= d.date() <= date.fromordinal(day.toordinal() + 14)) if soon else d.date() < day
            counts[rule.dxf.fill.bgColor.rgb[-6:]] = n
            counts[f"day:{rule.dxf.fill.bgColor.rgb[-6:]}"] = day.toordinal()
    return counts


@pytest.mark.parametrize("as_of", ["2024-12-23", "2025-03-01"])
def test_colours_follow_the_as_of_date(tmp_path, as_of):
    out = report(tmp_path, as_of)
    wb = openpyxl.load_workbook(out)
    formulas = every_formula(wb)
    assert formulas and not [f for f in formulas if "TODAY" in f.upper() or "NOW(" in f.upper()]
    summary, ledger = wb[SUMMARY_SHEET], wb[LEDGER_SHEET]
    counts = painted(ledger)
    day = date.fromisoformat(as_of)
    assert counts[f"day:{RED}"] == counts[f"day:{AMBER}"] == day.toordinal()
    assert counts[RED] == figure(summary, "逾期未完成的整改措施（项）")
    assert counts[AMBER] == figure(summary, "14天内到期的整改措施（项）")
    lines = [c for row in summary.iter_rows(max_row=8, values_only=True) for c in row if isinstance(c, str)]
    assert any(f"颜色按{day.year}年{day.month}月{day.day}日标注" in line for line in lines)


def test_the_example_at_its_date_is_ten_red_one_amber(tmp_path):
    """The issue's case: at 2024-12-23 the 汇总 says 逾期 10, 临期 1, and so do the colours."""
    counts = painted(openpyxl.load_workbook(report(tmp_path, "2024-12-23"))[LEDGER_SHEET])
    assert (counts[RED], counts[AMBER]) == (10, 1)
