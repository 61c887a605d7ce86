"""Write small real workbooks for tests: openpyxl for .xlsx (merges), xlwt for .xls."""

from __future__ import annotations

from pathlib import Path

HEADER = [
    "序号",
    "方面",
    "问题",
    "具体问题",
    "整改措施",
    "责任领导",
    "责任科室",
    "责任人",
    "整改时限",
    "整改进展",
    "完成情况",
    "完成时间",
]


def write_xlsx(
    path: Path,
    rows: list[list[object]],
    merges: list[str] | None = None,
    sheet: str = "整改台账",
    extra_sheets: dict[str, list[list[object]]] | None = None,
) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    for rng in merges or []:
        ws.merge_cells(rng)
    for name, more in (extra_sheets or {}).items():
        extra = wb.create_sheet(name)
        for row in more:
            extra.append(row)
    wb.save(path)
    return path


def write_sheets(
    path: Path,
    sheets: dict[str, list[list[object]]],
    hidden_sheets: tuple[str, ...] | list[str] = (),
    hidden_cols: tuple[str, ...] | list[str] = (),
) -> Path:
    """Sheets in order; hidden_sheets by name; hidden_cols: column letters hidden on every sheet."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        if name in hidden_sheets:
            ws.sheet_state = "hidden"
        for letter in hidden_cols:
            ws.column_dimensions[letter].hidden = True
    wb.save(path)
    return path


def insert_rows(ws, at: int, rows: list[list[object]]) -> None:
    """openpyxl's insert_rows without losing the merges below (it does not move them)."""
    from openpyxl.worksheet.cell_range import CellRange

    merges = [CellRange(m.coord) for m in ws.merged_cells.ranges]
    for m in merges:
        ws.unmerge_cells(m.coord)
    ws.insert_rows(at, len(rows))
    for k, values in enumerate(rows):
        for c, v in enumerate(values, start=1):
            ws.cell(at + k, c, v)
    for m in merges:
        if m.min_row >= at:
            m.shift(row_shift=len(rows))
        ws.merge_cells(m.coord)


def append_row(ws, values: list[object], merged: bool = False) -> None:
    """A row below the last, merged across the sheet's width if asked (a sign-off line)."""
    r = ws.max_row + 1
    for c, v in enumerate(values, start=1):
        ws.cell(r, c, v)
    if merged:
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ws.max_column)


def write_xls(path: Path, rows: list[list[object]], merges: list[tuple[int, int, int, int]] = ()) -> Path:
    """merges: (first_row, last_row, first_col, last_col), 0-based, value in the first cell."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("整改台账")
    covered = {(r, c) for r1, r2, c1, c2 in merges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
    starts = {(r1, c1): (r1, r2, c1, c2) for r1, r2, c1, c2 in merges}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if (r, c) in starts:
                r1, r2, c1, c2 = starts[(r, c)]
                ws.write_merge(r1, r2, c1, c2, value)
            elif (r, c) not in covered and value not in ("", None):
                ws.write(r, c, value)
    wb.save(str(path))
    return path


def measure_row(
    seq, aspect, problem, issue, measure, status="已完成", deadline="2025年3月31日", done="2025年3月1日"
):
    return [
        seq,
        aspect,
        problem,
        issue,
        measure,
        "王明",
        "办公室",
        "李华",
        deadline,
        f"{measure}，已推进。",
        status,
        done,
    ]
