"""Issue 2 benchmark: read + validate + summarise a 100k-measure ledger, beside
pandas.read_excel(engine="openpyxl") and python-calamine alone on the same file, in one run.

    python bench/bench_read.py [--measures 100000] [--repeat 3]

Each figure is the median wall time of --repeat runs in this process (imports excluded,
measured once up front); peak memory is the process's max RSS growth during each step.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from make_ledger import make_ledger


def timed(fn, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--measures", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-pandas", action="store_true", help="skip the slow openpyxl baseline")
    args = ap.parse_args()

    import pandas as pd
    from python_calamine import CalamineWorkbook

    from ledgerkit.pipeline import run

    as_of = date(2025, 3, 3)
    with tempfile.TemporaryDirectory() as tmp:
        path = make_ledger(Path(tmp) / "big.xlsx", args.measures)

        def ledgerkit_run() -> None:
            run(path, as_of)

        def calamine_only() -> None:
            wb = CalamineWorkbook.from_path(str(path))
            wb.get_sheet_by_index(0).to_python()

        rows = [("python-calamine, values only (floor)", *timed(calamine_only, args.repeat))]
        rows.append(("ledgerkit read + validate + summarise", *timed(ledgerkit_run, args.repeat)))
        if not args.skip_pandas:
            rows.append(
                (
                    "pandas.read_excel(engine='openpyxl')",
                    *timed(lambda: pd.read_excel(path, engine="openpyxl"), 1),
                )
            )
    print(f"{args.measures} measures, median of {args.repeat} (openpyxl: 1 run)")
    print(f"{'what':42} {'seconds':>8} {'max RSS MB':>11}")
    for name, seconds, rss in rows:
        print(f"{name:42} {seconds:8.2f} {rss:11.0f}")


if __name__ == "__main__":
    main()
