"""The floor for ``ledgerkit report --no-notice`` on a big ledger: what no reader+writer can beat.

    python bench/floor.py IN.xlsx OUT.xlsx

python-calamine reads every cell of the first sheet, raw xlsxwriter in constant_memory mode writes
them back with write_row: no validation, no formats, no summary. Run as a cold process by
bench/bench.py, beside ``ledgerkit report``.
"""

from __future__ import annotations

import sys


def main(src: str, out: str) -> int:
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(src).get_sheet_by_index(0).to_python(skip_empty_area=False)
    wb = xlsxwriter.Workbook(out, {"constant_memory": True})
    ws = wb.add_worksheet()
    for r, row in enumerate(rows):
        ws.write_row(r, 0, row)
    wb.close()
    return len(rows)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
