"""Figures for a ledger of each reading class (docs/reading-rules.md), built as the tests build them.

    PYTHONPATH=. python bench/reading_classes.py [--skip-merges]

Prints measures, done, overdue, exit code and finding codes per ledger. Run it with another tree
first on PYTHONPATH to see the figures before a rule (pass --skip-merges there: the old reader
follows a merge to row 1,048,576 cell by cell).
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))


def build(out: Path) -> None:
    import test_reading_rules as t
    from build import HEADER, write_xlsx

    t._workbook(
        out / "1a_hidden_copy.xlsx",
        {"整改台账": t._version(1), "整改台账 (2)": t._version(3)},
        hidden_sheets=["整改台账"],
    )
    t._workbook(out / "1b_month_sheets.xlsx", {"12月": t._version(3), "11月": t._version(1)})
    t._workbook(
        out / "1c_status_columns.xlsx",
        {"整改台账": t._two_status_columns("完成情况（11月）", "完成情况（12月）")},
        hidden_cols=["K"],
    )
    rows = [t._with_headers("是否销号", "计划完成时间"), *t.rows_of(4)]
    rows[3][10] = rows[4][10] = "否"
    rows[3][11] = rows[4][11] = ""
    rows[3][8] = "2025年1月31日"
    write_xlsx(out / "2_header_words.xlsx", rows)
    t._formula_ledger(
        out / "3_formulas.xlsx",
        {(1, 10): ("=VLOOKUP(A2,Z:Z,1,0)", "#N/A"), (2, 8): ('=DATEVALUE("x")', "#VALUE!")},
    )
    deadlines = [
        "2024年第四季度",
        "2025年上半年",
        "2024年10月-2025年2月",
        "原定2024年12月底，已申请延期至2025年6月底",
        "2025.2",
        datetime(1912, 7, 2),
    ]
    rows = [HEADER, *t.rows_of(len(deadlines), status="正在推进", done="")]
    for row, deadline in zip(rows[1:], deadlines, strict=True):
        row[8] = deadline
    write_xlsx(out / "7_deadlines.xlsx", rows)
    t._with_merges(write_xlsx(out / "11_merges.xlsx", [HEADER, *t.rows_of(3)]), ["A5:XFD5", "A6:L1048576"])


def main() -> None:
    from ledgerkit.pipeline import run

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        build(out)
        for path in sorted(out.glob("*.xlsx")):
            if path.name.startswith("11_") and "--skip-merges" in sys.argv:
                continue
            r = run(path, date(2025, 3, 3))
            s = r.summary
            errors = sorted({f.code for f in r.errors})
            warnings = sorted({f.code for f in r.warnings} - {"column-missing"})
            print(
                f"{path.name}: measures={s.measures} done={s.measures_done} overdue={len(s.overdue)} "
                f"exit={r.exit_code} errors={errors} warnings={warnings}"
            )


if __name__ == "__main__":
    main()
