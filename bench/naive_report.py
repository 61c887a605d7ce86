"""P1's anchor: the report a ten-line script would make, doing less than ``ledgerkit report``.

    python bench/naive_report.py LEDGER.xlsx OUTDIR

pandas.read_excel(engine="openpyxl"), group-by counts, an openpyxl workbook of the rows and the
counts, and a short python-docx notice. No validation, no merged cells, no config, no formats.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(src: Path, outdir: Path) -> None:
    import docx
    import openpyxl
    import pandas as pd

    df = pd.read_excel(src, engine="openpyxl")
    done = df["完成情况"] == "已完成"
    by_status = df.groupby("完成情况").size()
    by_dept = df.groupby("责任科室").agg(
        措施=("整改措施", "size"), 已完成=("完成情况", lambda s: (s == "已完成").sum())
    )
    issues = df.groupby("具体问题")["完成情况"].apply(lambda s: (s == "已完成").all())

    outdir.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "整改台账"
    ws.append(list(df.columns))
    for row in df.itertuples(index=False):
        ws.append([None if pd.isna(v) else v for v in row])
    summary = wb.create_sheet("汇总")
    summary.append(["责任科室", "措施", "已完成"])
    for dept, r in by_dept.iterrows():
        summary.append([dept, int(r["措施"]), int(r["已完成"])])
    wb.save(outdir / f"{src.stem}（清洗）.xlsx")

    doc = docx.Document()
    doc.add_heading("关于巡察整改情况的通报（草稿）", level=1)
    doc.add_paragraph(
        f"具体问题{len(issues)}个，已完成整改{int(issues.sum())}个；"
        f"整改措施{len(df)}条，已完成{int(done.sum())}条。"
    )
    doc.add_paragraph("，".join(f"{k}{v}条" for k, v in by_status.items()) + "。")
    table = doc.add_table(rows=1, cols=3)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text, table.rows[0].cells[2].text = (
        "责任科室",
        "措施",
        "已完成",
    )
    for dept, r in by_dept.iterrows():
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = str(dept), str(r["措施"]), str(r["已完成"])
    doc.save(outdir / "通报（草稿）.docx")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
