"""A ledger of each class of issue 21, built the way the class describes (docs/reading-rules.md).

    PYTHONPATH=. python bench/issue21_classes.py OUT_DIR
    ledgerkit summary OUT_DIR/1_status_in_text.xlsx --as-of 2025-03-03 --json   # on main, then here

1. the flat sample with its 完成情况 and 完成时间 columns removed, each status written at the
   head of its 整改进展 cell instead ("整改状态：已完成。…");
2. four measures, not done, whose deadlines are =TODAY()+30, =EDATE(TODAY(),1), a cell built on
   one of those (=I2+10), and a typed date;
3. four measures, not done, whose deadlines are numbers: 2025.1 shown "2025.10" (0.00), 2025.12
   and 2025.6 (General), and 2025.1 (General: January or October?);
4. four measures and row 3 pasted again below with its 序号 left empty.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLE = (
    Path(os.environ.get("LEDGERKIT_SAMPLES", HERE.parent.parent / "shared" / "samples")) / "000" / "flat.xlsx"
)
sys.path.insert(0, str(HERE.parent / "tests"))


def status_in_text(out: Path, sample: Path = SAMPLE) -> Path:
    from openpyxl import load_workbook

    wb = load_workbook(sample)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    status, progress, done = (
        header.index("完成情况") + 1,
        header.index("整改进展") + 1,
        header.index("完成时间") + 1,
    )
    for r in range(2, ws.max_row + 1):
        said = ws.cell(r, status).value
        if said:
            ws.cell(r, progress).value = f"整改状态：{said}。{ws.cell(r, progress).value or ''}"
    ws.delete_cols(done)
    ws.delete_cols(status)
    path = out / "1_status_in_text.xlsx"
    wb.save(path)
    return path


def _rows(n: int):
    from build import measure_row

    return [
        measure_row(i, "方面甲", "问题甲", f"问题{i}", f"措施{i}", status="正在推进", done="")
        for i in range(1, n + 1)
    ]


def volatile(out: Path) -> Path:
    import xlsxwriter
    from build import HEADER

    path = out / "2_volatile_deadlines.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("整改台账")
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, HEADER)
    for r, row in enumerate(_rows(4), start=1):
        ws.write_row(r, 0, row)
    # saved as last calculated, on 2025-01-20: the old results are in the file
    ws.write_formula(1, 8, "=TODAY()+30", day, 45707)  # 2025-02-19
    ws.write_formula(2, 8, "=EDATE(TODAY(),1)", day, 45708)
    ws.write_formula(3, 8, "=I2+10", day, 45717)  # built on I2
    ws.write_datetime(4, 8, datetime(2025, 2, 28), day)
    wb.close()
    return path


def year_month(out: Path) -> Path:
    import xlsxwriter
    from build import HEADER

    path = out / "3_year_month_numbers.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("整改台账")
    two = wb.add_format({"num_format": "0.00"})
    ws.write_row(0, 0, HEADER)
    for r, row in enumerate(_rows(4), start=1):
        ws.write_row(r, 0, row)
    ws.write_number(1, 8, 2025.1, two)  # typed 2025.10, shown 2025.10
    ws.write_number(2, 8, 2025.12)
    ws.write_number(3, 8, 2025.6)
    ws.write_number(4, 8, 2025.1)  # General: 2025.1 or 2025.10?
    wb.close()
    return path


def pasted_without_seq(out: Path) -> Path:
    from build import HEADER, write_xlsx

    rows = [HEADER, *_rows(4)]
    copy = list(rows[3])
    copy[0] = None
    return write_xlsx(out / "4_pasted_without_seq.xlsx", [*rows, copy])


def build(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    return [status_in_text(out), volatile(out), year_month(out), pasted_without_seq(out)]


if __name__ == "__main__":
    for p in build(Path(sys.argv[1])):
        print(p)
