"""Issue 14 item 5: ``combine FOLDER`` beside ``report FOLDER --no-notice`` on the same folder.

    python bench/bench_combine.py                # 200 ledgers of 136 measures, 3 runs each
    python bench/bench_combine.py --files 40 --repeat 2

Both are whole cold processes of the installed ``ledgerkit`` script, timed and interleaved by
bench/bench.py's machinery (one untimed warm-up each, then ours, anchor, anchor, ours, ...), on
both cores (LEDGERKIT_WORKERS unset). The folder is flat, as ``report FOLDER`` reads only its
top level, with no ledgerkit.toml: each file is its own unit, so combine counts 200 units.
Goal: combine <= 1.2x report. From a worktree, run with PYTHONPATH=<worktree> so the script
imports that tree.
"""

from __future__ import annotations

import argparse
import compileall
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_ledger import make_ledger  # noqa: E402

from bench import (  # noqa: E402
    AS_OF,
    Cmd,
    Row,
    expect_outputs,
    ledgerkit_exe,
    machine_line,
    median,
    peak,
    print_table,
    side_by_side,
)

GOAL = 1.2


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--measures", type=int, default=136)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    compileall.compile_dir(HERE.parent / "ledgerkit", quiet=1)  # as an installed package has them
    print(machine_line(), flush=True)
    with tempfile.TemporaryDirectory(prefix="ledgerkit-bench-combine-") as name:
        tmp = Path(name)
        one = make_ledger(tmp / "src.xlsx", args.measures)
        folder = tmp / "units"
        folder.mkdir()
        for i in range(args.files):
            shutil.copyfile(one, folder / f"单位{i:03d}台账.xlsx")
        combined, reported = tmp / "combine-out", tmp / "report-out"
        exe = ledgerkit_exe()
        ours = Cmd([*exe, "combine", str(folder), "-o", str(combined), "--as-of", AS_OF], out=combined)
        anchor = Cmd(
            [*exe, "report", str(folder), "--no-notice", "-o", str(reported), "--as-of", AS_OF], out=reported
        )
        a, b, note, _ = side_by_side(ours, anchor, args.repeat, tmp)
        expect_outputs(combined, "巡察整改进展汇总.*", 2)
        expect_outputs(reported, "*/*.xlsx", args.files)
    s, r = median(a), median(b)
    row = Row(
        "C1",
        f"combine folder of {args.files} x {args.measures} vs report FOLDER --no-notice",
        s, r, s / r, peak(a), peak(b), f"<= {GOAL}x report", s / r <= GOAL, note,
    )  # fmt: skip
    print()
    print_table([row])
    print()
    print(f"C1: {note}")
    print(f"ledgerkit: {' '.join(exe)}; seconds: median wall time of {args.repeat} cold processes each")


if __name__ == "__main__":
    main()
