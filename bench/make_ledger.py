"""Build a large flat ledger for benchmarks (xlsxwriter, constant memory)."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

HEADER = [
    "序号",
    "问题类别",
    "反馈问题",
    "具体问题",
    "整改措施",
    "责任领导",
    "责任科室",
    "责任人",
    "整改时限",
    "整改进展",
    "完成情况",
    "完成时间",
    "备注",
]
STATUSES = ["已完成", "已完成", "已完成", "阶段性完成", "正在推进", "长期坚持"]
DEPTS = ["办公室", "机关党委", "财务科", "人事科", "保卫科", "资产管理科"]


def make_ledger(path: Path, measures: int) -> Path:
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("整改台账")
    fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, HEADER)
    start = date(2024, 10, 1)
    for i in range(measures):
        r = i + 1
        issue = i // 3
        status = STATUSES[i % len(STATUSES)]
        ws.write_row(
            r,
            0,
            [r, f"方面{issue // 40 % 8}", f"问题{issue // 10}", f"具体问题{issue}", f"整改措施{i}：建立健全制度，加强监督检查",
             "王明", DEPTS[i % len(DEPTS)], "李华"],
        )  # fmt: skip
        ws.write_datetime(r, 8, start + timedelta(days=i % 200), fmt)
        ws.write_string(r, 9, f"已召开专题会议研究部署，制定整改方案，第{i}项工作推进中。")
        ws.write_string(r, 10, status)
        if status == "已完成":
            ws.write_datetime(r, 11, start + timedelta(days=i % 150), fmt)
        ws.write_string(r, 12, "")
    wb.close()
    return path


if __name__ == "__main__":
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    print(make_ledger(Path(sys.argv[1]), n))
