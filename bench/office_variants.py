"""Issue 15, row classes: the sample ledgers as offices change them, read, and compared with truth.

    PYTHONPATH=$PWD python3 bench/office_variants.py [SAMPLES_DIR]

Each line: the variant, the figures read (aspects, problems, issues, issues done, measures,
measures done), the truth's when they differ, and the error findings (code, cell). A variant whose
rows a careful person cannot read for sure (an exact duplicate row) must give an error instead.
Run it with another tree first on PYTHONPATH to see that tree's figures.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from build import append_row, insert_rows

from ledgerkit.pipeline import run

SAMPLES = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/samples")
KEYS = ("aspects", "problems", "issues", "issues_done", "measures", "measures_done")
CN = "一二三四五六七八九十"


def sign_offs(wb) -> None:  # class 4
    ws = wb.worksheets[0]
    append_row(ws, ["单位主要负责人（签字）：                 （盖章）"], merged=True)
    append_row(ws, ["附件：整改佐证材料目录"], merged=True)
    insert_rows(ws, 4, [["（以下为市委第三巡察组反馈问题）"]])
    ws.merge_cells("A4:K4")


def sign_off_cells(wb) -> None:  # class 4
    append_row(
        wb.worksheets[0],
        ["填报人：张三", None, None, None, "审核人：李四", None, None, None, "联系电话：0371-23456789"],
    )


def second_table(wb) -> None:  # class 5
    ws = wb.worksheets[0]
    append_row(ws, [])
    append_row(ws, ["附表：建章立制清单"], merged=True)
    append_row(ws, ["序号", "制度名称", "制定部门", "印发时间", "文号"])
    for i in range(1, 6):
        append_row(ws, [i, f"制度{i}", "办公室", "2025年1月", f"机事〔2025〕{i}号"])


def repeated_header(wb) -> None:  # class 5
    ws = wb.worksheets[0]
    for at in (40, 80):
        insert_rows(ws, at, [[c.value for c in ws[1]]])
    append_row(ws, ["汇总", None, None, None, None, "108条", None, None, None, None, None, "已完成104条"])


def instructions_sheet(wb) -> None:  # class 5
    ws = wb.create_sheet("填报说明", 0)
    for row in wb.worksheets[1].iter_rows(min_row=1, max_row=2, values_only=True):
        ws.append(list(row))


def ditto(wb) -> None:  # class 6
    ws = wb.worksheets[0]
    prev: list[object] | None = None
    for r in range(2, ws.max_row + 1):
        row = [ws.cell(r, c).value for c in range(1, 15)]
        for c in (2, 3, 4, 8, 9):
            if prev and row[c - 1] and row[c - 1] == prev[c - 1]:
                ws.cell(r, c, "同上" if r % 2 else "〃")
        prev = row


def retyped(wb) -> None:  # class 6
    ws = wb.worksheets[0]
    prev = None
    for r in range(2, ws.max_row + 1):
        v = ws.cell(r, 4).value
        if v == prev:
            ws.cell(r, 4, v + "。" if r % 2 == 0 else v.replace("“", '"').replace("”", '"'))
        prev = v


def duplicate(wb) -> None:  # class 6
    ws = wb.worksheets[0]
    insert_rows(ws, 11, [[c.value for c in ws[10]]])


def typed_problems(wb, column: int = 1) -> None:  # class 6: "（一）…" problem rows typed "1.…", unmerged
    ws = wb.worksheets[0]
    for m in list(ws.merged_cells.ranges):
        v = ws.cell(m.min_row, 1).value
        if m.min_row == m.max_row and m.max_col >= 5 and isinstance(v, str) and v.startswith("（"):
            ws.unmerge_cells(m.coord)
            n = CN.index(re.match(r"（(.)）", v)[1]) + 1
            ws.cell(m.min_row, 1).value = None
            ws.cell(m.min_row, column, f"{n}.{v[3:]}")


def typed_problems_in_issue_column(wb) -> None:
    typed_problems(wb, column=2)


def sections_over_aspect(wb) -> None:  # class 10: a section row names each problem
    ws = wb.worksheets[0]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    out, prev, k = [rows[0][:2] + rows[0][3:]], None, 0
    for row in rows[1:]:
        new = row[:2] + row[3:]
        if row[1] and row[2] != prev:
            k += 1
            out.append([f"（{CN[(k - 1) % 10]}）{row[2]}"])
        elif row[1]:
            new[1] = None
        prev = row[2] if row[1] else prev
        out.append(new)
    for r in range(1, ws.max_row + 1):
        for c in range(1, 15):
            ws.cell(r, c).value = None
    for r, row in enumerate(out, start=1):
        for c, v in enumerate(row, start=1):
            ws.cell(r, c, v)
        if len(row) == 1:
            ws.merge_cells(f"A{r}:M{r}")


def unit_contacts(wb) -> None:  # class 8
    ws = wb.worksheets[0]
    ws.cell(2, 1, "填报单位：开封市机关事务中心（盖章）   联系人：张三   电话：13800000000")


VARIANTS: list[tuple[str, str, Callable]] = [
    ("4 sign-off, 附件, label lines", "sections_midway.xlsx", sign_offs),
    ("4 sign-off over three cells", "sections_midway.xlsx", sign_off_cells),
    ("4 sign-off over three cells", "flat.xlsx", sign_off_cells),
    ("5 second table", "flat.xlsx", second_table),
    ("5 second table", "sections_midway.xlsx", second_table),
    ("5 second table", "sections_column.xlsx", second_table),
    ("5 repeated header + 汇总 row", "flat.xlsx", repeated_header),
    ("5 填报说明 sheet with an example row", "flat.xlsx", instructions_sheet),
    ("6 同上 / 〃", "flat.xlsx", ditto),
    ("6 issue retyped (。 / quotes)", "flat.xlsx", retyped),
    ("6 problems typed 1. unmerged", "sections_midway.xlsx", typed_problems),
    ("6 problems typed 1. in 具体问题", "sections_midway.xlsx", typed_problems_in_issue_column),
    ("6 exact duplicate row (error)", "flat.xlsx", duplicate),
    ("8 unit line with contacts", "merged_midway.xlsx", unit_contacts),
    ("10 problem sections over 方面", "flat.xlsx", sections_over_aspect),
]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name, sample, change in VARIANTS:
            src = next(SAMPLES.glob(f"*/{sample}"))
            truth = json.loads(src.with_name(src.stem + ".truth.json").read_text(encoding="utf-8"))
            wb = openpyxl.load_workbook(src)
            change(wb)
            out = Path(tmp) / sample
            wb.save(out)
            result = run(out, date.fromisoformat(truth["as_of"]), config_path=src.parent / "ledgerkit.toml")
            s = result.summary.as_dict()
            got, want = tuple(s[k] for k in KEYS), tuple(truth[k] for k in KEYS)
            unit = result.ledger.unit or s["unit"]
            errors = [(f.code, f.cell) for f in result.errors][:3]
            print(
                f"{name:34} {sample:22} {got}", "" if got == want else f"truth {want}", f"unit={unit}", errors
            )


if __name__ == "__main__":
    main()
