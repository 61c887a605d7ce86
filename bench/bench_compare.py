"""Issue 13 benchmark: comparing two 10,000-measure ledgers against reading both, in one run.

    python bench/bench_compare.py [--measures 10000] [--repeat 3]

Week 1 is bench/make_ledger.py's ledger; week 2 is the same ledger a week later, written here:
5% of the measures newly done (some back-dated), 2% of deadlines moved, 1% deleted, 1% added,
2% of measure texts lightly edited, 1% of issue titles lightly edited (these take the tolerant
paths), and the sheet's second half moved before its first. A further row compares week 1 with
itself with every text and issue title edited (the worst case for matching). Each figure is the median wall time
of --repeat runs in this process (imports excluded); the goal is compare ≤ 2× reading both.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from make_ledger import DEPTS, HEADER, STATUSES, make_ledger


def make_week_two(path: Path, measures: int) -> Path:
    """make_ledger's ledger a week later (see the module docstring)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("整改台账")
    fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, HEADER)
    start = date(2024, 10, 1)
    half = measures // 2
    order = [*range(half, measures), *range(half)]  # reordered: second half first
    r = 0
    for i in order:
        if i % 100 == 7:  # deleted
            continue
        issue = i // 3
        status = STATUSES[i % len(STATUSES)]
        done_on = start + timedelta(days=i % 150)
        if status != "已完成" and i % 20 < 3:  # newly done; every other one dated before week 1
            status = "已完成"
            done_on = date(2025, 2, 5) if i % 2 else date(2025, 1, 20)
        deadline = start + timedelta(days=i % 200 + (30 if i % 50 == 11 else 0) - (10 if i % 50 == 13 else 0))
        text = f"整改措施{i}：建立健全制度，加强监督检查"
        if i % 50 == 17:  # lightly edited
            text = text.replace("加强", "强化")
        title = f"具体问题{issue}" + ("项" if issue % 100 == 5 else "")
        r += 1
        ws.write_row(r, 0, [r, f"方面{issue // 40 % 8}", f"问题{issue // 10}", title, text, "王明", DEPTS[i % len(DEPTS)], "李华"])  # fmt: skip
        ws.write_datetime(r, 8, deadline, fmt)
        ws.write_string(r, 9, f"已召开专题会议研究部署，制定整改方案，第{i}项工作推进中。")
        ws.write_string(r, 10, status)
        if status == "已完成":
            ws.write_datetime(r, 11, done_on, fmt)
        ws.write_string(r, 12, "")
        if i % 100 == 23:  # added after it
            r += 1
            ws.write_row(r, 0, [r, f"方面{issue // 40 % 8}", f"问题{issue // 10}", title, f"新增措施{i}：开展专项检查", "王明", "办公室", "李华"])  # fmt: skip
            ws.write_datetime(r, 8, date(2025, 6, 30), fmt)
            ws.write_string(r, 10, "正在推进")
    wb.close()
    return path


def _all_edited(ledger):
    """The worst case for matching: week 1 with every measure text and every issue title lightly
    edited, so no key survives and every measure goes through the near steps."""
    from copy import copy

    from ledgerkit.text import fold

    out = copy(ledger)
    out.measures = []
    for m in ledger.measures:
        e = copy(m)
        e.measure = m.measure.replace("加强", "强化")
        e.issue = m.issue + "项"
        e.measure_key, e.issue_key = fold(e.measure), fold(e.issue)
        out.measures.append(e)
    return out


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--measures", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from ledgerkit.compare import compare
    from ledgerkit.pipeline import load
    from ledgerkit.workbook.changes import write_changes_workbook
    from ledgerkit.workflow.compared import compare_files

    old_as_of, new_as_of = date(2025, 2, 1), date(2025, 2, 8)
    with tempfile.TemporaryDirectory() as tmp:
        old_path = make_ledger(Path(tmp) / "week1.xlsx", args.measures)
        new_path = make_week_two(Path(tmp) / "week2.xlsx", args.measures)
        old, _ = load(old_path)
        new, _ = load(new_path)
        read = timed(lambda: (load(old_path), load(new_path)), args.repeat)
        pure = timed(lambda: compare(old, new, old_as_of, new_as_of), args.repeat)
        whole = timed(lambda: compare_files(old_path, new_path, new_as_of), args.repeat)
        c = compare(old, new, old_as_of, new_as_of)
        worst = _all_edited(old)
        edited = timed(lambda: compare(old, worst, old_as_of, new_as_of), args.repeat)
        xlsx = timed(lambda: write_changes_workbook(c, Path(tmp) / "变化对照.xlsx"), args.repeat)
    how = {h: sum(p.how == h for p in c.matching.pairs) for h in ("exact", "loose", "near")}
    print(f"{len(old.measures)} vs {len(new.measures)} measures, median of {args.repeat}")
    print(f"matched {how}; counts {c.counts}")
    print(f"{'what':48} {'seconds':>8}")
    rows = [
        ("read both (pipeline.load × 2)", read),
        ("compare (match + classify + both summaries)", pure),
        ("compare_files (read both + compare)", whole),
        ("compare, every text and issue title edited", edited),
        ("write 变化对照.xlsx", xlsx),
    ]
    for name, seconds in rows:
        print(f"{name:48} {seconds:8.2f}")
    print(f"compare / read both = {pure / read:.2f} (goal ≤ 2)")


if __name__ == "__main__":
    main()
