"""Time the cleaned-workbook writer against raw xlsxwriter on a large ledger.

    python bench/bench_workbook.py            # 100,000 measures
    python bench/bench_workbook.py 20000      # another size
    python bench/bench_workbook.py --pipeline # also time ledgerkit.pipeline.run (the reader)
    python bench/bench_workbook.py --repeat=5 # more interleaved runs (the best of each is kept)

The floor, the anchor of bench/bench.py's P3 row, is calamine reading the input plus raw
xlsxwriter writing the same cells with write_row in constant_memory mode. Ours is the same read
plus write_workbook (title, formats, dates, merges or not, dropdowns, colours, 汇总, 校验结果),
which writes with xlsxwriter too, merged (normal mode) or streamed (constant_memory): the
difference is what ours costs beyond the bare cells. Each variant runs in its own
process so its peak memory (max RSS) is its own; CPU time is shown beside wall time because a
shared machine makes wall time noisy.
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

HEADER = ["序号", "方面", "问题", "具体问题", "整改措施", "责任领导", "责任科室", "责任人", "整改时限",
          "整改进展", "完成情况", "完成时间", "备注"]  # fmt: skip
AS_OF = date(2025, 3, 1)
PHRASE = "深入学习贯彻党的二十大精神，完善制度机制，压实整改责任，推动整改落实见底见效"


def make_input(path: Path, n: int) -> None:
    """A flat ledger of n measures with realistic text lengths (what offices send)."""
    import xlsxwriter

    rnd = random.Random(1)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("整改台账")
    dates = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, HEADER)
    issue = problem = aspect = 0
    for i in range(1, n + 1):
        if rnd.random() < 0.35:
            issue += 1
            if rnd.random() < 0.2:
                problem += 1
                if rnd.random() < 0.1:
                    aspect += 1
        deadline = date(2024, 10, 1) + timedelta(days=rnd.randrange(200))
        status = rnd.choice(["已完成", "已完成", "已完成", "正在推进", "阶段性完成", "长期坚持"])
        row = [
            str(i),
            f"第{aspect + 1}方面：{PHRASE[:20]}",
            f"问题{problem + 1}：{PHRASE[: rnd.randrange(8, 16)]}",
            f"具体问题{issue + 1}：{PHRASE[: rnd.randrange(10, 24)]}",
            f"措施{i}：{PHRASE[: rnd.randrange(15, 38)]}",
            rnd.choice(["张明", "李华", "王强"]),
            rnd.choice(["办公室", "财务科", "人事科", "机关党委"]),
            rnd.choice(["赵六", "钱七", "孙八、周九"]),
            None,
            (PHRASE * 4)[: rnd.randrange(60, 160)],
            status,
            None,
            "",
        ]
        ws.write_row(i, 0, row)
        ws.write_datetime(i, 8, deadline, dates)
        if status == "已完成":
            ws.write_datetime(i, 11, deadline - timedelta(days=rnd.randrange(30)), dates)
    wb.close()


def read_rows(path: Path) -> list[list[object]]:
    from python_calamine import CalamineWorkbook

    return (
        CalamineWorkbook.from_path(str(path)).get_sheet_by_name("整改台账").to_python(skip_empty_area=False)
    )


def raw_write(rows: list[list[object]], out: Path) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(out), {"constant_memory": True})
    ws = wb.add_worksheet()
    for r, row in enumerate(rows):
        ws.write_row(r, 0, row)
    wb.close()


def to_ledger(path: Path, rows: list[list[object]]):
    """The input as the reader would give it, built directly (this times the writer, not the reader)."""
    from ledgerkit.formats import cn_date as format_date
    from ledgerkit.model import Ledger, Measure, SheetInfo
    from ledgerkit.text import canonical_status, fold

    fields = ["seq", "aspect", "problem", "issue", "measure", "leader", "department", "owner", "deadline",
              "progress", "status", "done_on", "remarks"]  # fmt: skip
    letters = "ABCDEFGHIJKLM"
    info = SheetInfo(
        "整改台账", (1,), dict(zip(fields, letters, strict=True)), dict(zip(letters, HEADER, strict=True)), []
    )
    ledger = Ledger(str(path), "xlsx", [info], unit="基准测试单位", has_aspects=True, has_problems=True)
    for r, row in enumerate(rows[1:], start=2):
        seq, aspect, problem, issue, text, leader, dept, owner, deadline, progress, status, done, remarks = (
            row
        )
        ledger.measures.append(
            Measure(
                sheet="整改台账", row=r, seq=seq, aspect=aspect, problem=problem, issue=issue, measure=text,
                leader=leader, department=dept, owner=owner, deadline=format_date(_day(deadline)),
                deadline_date=_day(deadline), progress=progress, status_text=status,
                status=canonical_status(status), done_on=_day(done) if done else None,
                done_on_text=format_date(_day(done)) if done else "", remarks=remarks,
                aspect_key=fold(aspect), problem_key=fold(problem), issue_key=fold(issue),
            )
        )  # fmt: skip
    return ledger


def _day(value: object) -> date:
    return value.date() if hasattr(value, "date") else value  # calamine: date or datetime


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def variant(name: str, src: Path, out: Path) -> dict[str, float]:
    """Run one measurement in this (fresh) process: wall and CPU seconds of read and write."""
    result: dict[str, float] = {}
    w0, c0 = time.perf_counter(), _cpu()
    rows = read_rows(src)
    result["read"], result["read_cpu"] = time.perf_counter() - w0, _cpu() - c0
    if name == "pipeline":
        from ledgerkit import pipeline

        w0, c0 = time.perf_counter(), _cpu()
        pipeline.run(src, AS_OF)
        result["read"], result["read_cpu"] = time.perf_counter() - w0, _cpu() - c0
        result["write"] = result["write_cpu"] = 0.0
    elif name == "raw":
        w0, c0 = time.perf_counter(), _cpu()
        raw_write(rows, out)
        result["write"], result["write_cpu"] = time.perf_counter() - w0, _cpu() - c0
    else:
        from ledgerkit import workbook
        from ledgerkit.figures import summarise

        workbook.CONSTANT_MEMORY_ROWS = {"ours-merged": 10**9, "ours-streamed": 0}[name]
        ledger = to_ledger(src, rows)
        summary = summarise(ledger, AS_OF)
        del rows
        w0, c0 = time.perf_counter(), _cpu()
        workbook.write_workbook(ledger, summary, [], out)
        result["write"], result["write_cpu"] = time.perf_counter() - w0, _cpu() - c0
    result["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["size_mb"] = out.stat().st_size / 1e6 if out.exists() else 0.0
    return result


LABELS = {
    "raw": "floor: calamine + raw constant_mem",
    "ours-merged": "calamine + write_workbook (merges)",
    "ours-streamed": "calamine + write_workbook (stream)",
    "pipeline": "pipeline.run (the reader; for scale)",
}


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 100_000
    repeat = next((int(a.split("=")[1]) for a in sys.argv if a.startswith("--repeat=")), 3)
    names = ["raw", "ours-merged", "ours-streamed"] + (["pipeline"] if "--pipeline" in sys.argv else [])
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"ledger_{n}.xlsx"
        make_input(src, n)
        print(
            f"input: {n:,} measures, {src.stat().st_size / 1e6:.1f} MB; {repeat} interleaved runs each, best kept"
        )
        for _ in range(repeat):  # interleaved, so a busy machine slows every variant alike
            for name in names:
                out = Path(tmp) / f"{name}.xlsx"
                child = subprocess.run(
                    [sys.executable, __file__, "--variant", name, str(src), str(out)],
                    check=True, capture_output=True, text=True,
                )  # fmt: skip
                runs[name].append(json.loads(child.stdout.strip().splitlines()[-1]))
    best = {name: {k: min(r[k] for r in rs) for k in rs[0]} for name, rs in runs.items()}
    floor = best["raw"]["read"] + best["raw"]["write"]
    floor_cpu = best["raw"]["read_cpu"] + best["raw"]["write_cpu"]
    print(
        f"{'':38}{'read s':>8}{'write s':>9}{'total s':>9}{'× floor':>9}{'CPU × floor':>13}{'max RSS MB':>12}"
    )
    for name, r in best.items():
        total, cpu = r["read"] + r["write"], r["read_cpu"] + r["write_cpu"]
        print(
            f"{LABELS[name]:38}{r['read']:8.2f}{r['write']:9.2f}{total:9.2f}{total / floor:9.2f}"
            f"{cpu / floor_cpu:13.2f}{r['rss_mb']:12.0f}"
        )
    raw_w, raw_c = best["raw"]["write"], best["raw"]["write_cpu"]
    for name in ("ours-merged", "ours-streamed"):
        print(
            f"write only, {name}: {best[name]['write'] / raw_w:.2f}× raw xlsxwriter (wall), "
            f"{best[name]['write_cpu'] / raw_c:.2f}× (CPU)"
        )
    print(f"write_workbook chooses merges up to {_threshold():,} rows, streaming above.")


def _threshold() -> int:
    from ledgerkit.workbook import CONSTANT_MEMORY_ROWS

    return CONSTANT_MEMORY_ROWS


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--variant":
        print(json.dumps(variant(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))))
    else:
        main()
