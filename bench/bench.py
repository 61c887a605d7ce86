"""Issue 6 item 4: one benchmark command, one table.

    python bench/bench.py                 # full run (P3 at 100,000 measures takes minutes)
    python bench/bench.py --quick         # smoke run: fewer repeats, smaller P3 and P4
    python bench/bench.py --only P1,P3    # some rows only

Every figure is a whole cold process (stdout discarded), timed from spawn to reap by the small
wrapper bench/spawn.py, median of several runs. Each row's command and its anchor run interleaved
in the same loop (ours, anchor, anchor, ours, ...), after one untimed warm-up of each, so load
drifts hit both alike. Peak MB is the child's max RSS from ``os.wait4`` in that wrapper (for P4 the largest
single process in the tree, pool parent or worker, not their sum), the highest over the runs.
Below the table, per row: CPU seconds (child plus pool workers) and cores kept busy, the fastest
run of each, and the load average: on a shared machine, read the table with these.

Rows:
  P1  ``ledgerkit report FILE -o OUT`` on a 136-measure ledger with a ledgerkit.toml beside it,
      vs bench/naive_report.py (pandas + openpyxl + python-docx, doing less).  Goal <= 1.3 s.
  P2  ``ledgerkit --help`` vs ``python -c pass``.  Goal <= 0.15 s.
  P3  ``ledgerkit report FILE --no-notice`` on 100,000 measures vs bench/floor.py (calamine
      reads every cell, raw xlsxwriter constant_memory writes them back).  Goal <= 1.3x floor.
  P4  ``ledgerkit report FOLDER --no-notice`` on 200 ledgers of 136 measures with
      LEDGERKIT_WORKERS=2, vs the machine's own two-process ceiling measured in the same loop:
      the folder split in two halves, each reported by its own 1-worker process, both started
      at once (no coordination at all).  Goal: the pool reaches >= 0.95x of that ceiling
      (ratio = ceiling seconds / pool seconds).  LEDGERKIT_WORKERS=1 runs in the same loop too;
      the note says what each gains over it (on a shared machine two cores rarely give 2x).

The ledgerkit console script is the one beside this interpreter, not a pyenv shim found on PATH
(a shim adds ~0.08 s of bash to every run).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_ledger import make_ledger  # noqa: E402

SAMPLE_TOML = Path("/work/shared/samples/000/ledgerkit.toml")
AS_OF = "2025-03-01"
# Used when the sample config is not there: the same keys, so the notice has what it needs.
FALLBACK_TOML = """\
[unit]
name = "开封市机关事务中心"
issuer = "开封市机关事务中心"

[inspection]
committee = "市委"
group = "市委第三巡察组"
kind = ""
start = 2024-07-30
end = 2024-09-14
feedback = 2024-10-24

[contact]
phone = "23875012"
email = "kfsgj3875012@163.com"
address = ""
postcode = ""
"""


@dataclass
class Sizes:
    repeat_p1: int
    repeat_p2: int
    repeat_p3: int
    repeat_p4: int
    p3_measures: int
    p4_files: int


FULL = Sizes(repeat_p1=7, repeat_p2=11, repeat_p3=3, repeat_p4=3, p3_measures=100_000, p4_files=200)
QUICK = Sizes(repeat_p1=3, repeat_p2=5, repeat_p3=2, repeat_p4=2, p3_measures=10_000, p4_files=40)


@dataclass
class Run:
    seconds: float
    rss_mb: float
    cpu: float  # user + system seconds of the child and its reaped children (pool workers)


@dataclass
class Cmd:
    argv: list[str]
    env: dict[str, str] | None = None
    out: Path | None = None  # emptied before every run, so each run writes into a fresh folder


@dataclass
class Row:
    key: str
    what: str
    seconds: float
    anchor: float
    ratio: float
    rss_mb: float
    anchor_rss_mb: float
    goal: str
    met: bool
    note: str = ""


def ledgerkit_exe() -> list[str]:
    script = Path(sysconfig.get_path("scripts")) / "ledgerkit"
    if script.exists():
        return [str(script)]
    found = shutil.which("ledgerkit")
    if found is None:
        sys.exit("ledgerkit is not installed: run `pip install -e .` first.")
    return [found]


def run_once(cmd: Cmd, cwd: Path) -> Run:
    """One cold process, started by bench/spawn.py (see there for why): wall, CPU, max RSS."""
    if cmd.out is not None:
        shutil.rmtree(cmd.out, ignore_errors=True)
    env = {**os.environ, **(cmd.env or {})}
    with tempfile.TemporaryDirectory() as scratch:
        errfile = Path(scratch) / "stderr"
        wrapper = subprocess.run(
            [sys.executable, str(HERE / "spawn.py"), str(errfile), *cmd.argv],
            cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
        )  # fmt: skip
        if wrapper.returncode != 0:
            sys.exit(f"bench/spawn.py failed on {' '.join(cmd.argv)}:\n{wrapper.stderr}")
        result = json.loads(wrapper.stdout)
        if result["exit"] != 0:
            message = errfile.read_text(encoding="utf-8", errors="replace") if errfile.exists() else ""
            sys.exit(f"failed (exit {result['exit']}): {' '.join(cmd.argv)}\n{message}")
    return Run(result["seconds"], result["rss_kb"] / 1024, result["cpu"])


def side_by_side(
    ours: Cmd, anchor: Cmd, repeat: int, cwd: Path, probe: Cmd | None = None
) -> tuple[list[Run], list[Run], str, list[Run]]:
    """Runs of ours and the anchor (and a probe of the machine, if given), interleaved."""
    load = loadavg()
    cmds = [ours, anchor] + ([probe] if probe else [])
    for cmd in cmds:
        run_once(cmd, cwd)  # warm-up: page cache, .pyc files
    runs: list[list[Run]] = [[] for _ in cmds]
    for i in range(repeat):
        order = list(zip(cmds, runs, strict=True))
        for cmd, into in order if i % 2 == 0 else order[::-1]:
            into.append(run_once(cmd, cwd))
    return runs[0], runs[1], cpu_note(runs[0], runs[1], load), runs[2] if probe else []


def median(runs: list[Run]) -> float:
    return statistics.median(r.seconds for r in runs)


def peak(runs: list[Run]) -> float:
    return max(r.rss_mb for r in runs)


def cpu_note(a: list[Run], b: list[Run], load: str) -> str:
    """CPU seconds per run and cores kept busy (CPU / wall): shows when the machine was shared."""
    ca, cb = statistics.median(r.cpu for r in a), statistics.median(r.cpu for r in b)
    return (
        f"cpu {ca:.2f} s ({ca / median(a):.2f} cores busy), anchor cpu {cb:.2f} s "
        f"({cb / median(b):.2f}); min {min(r.seconds for r in a):.3f} / {min(r.seconds for r in b):.3f} s; "
        f"load before {load}"
    )


def loadavg() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def expect_outputs(out: Path, pattern: str, count: int) -> None:
    """The last run of a row really wrote what it should (a fast failure is no result)."""
    found = len(list(out.glob(pattern)))
    if found != count:
        sys.exit(f"expected {count} {pattern} in {out}, found {found}")


def write_toml(folder: Path) -> None:
    target = folder / "ledgerkit.toml"
    if SAMPLE_TOML.exists():
        shutil.copyfile(SAMPLE_TOML, target)
    else:
        target.write_text(FALLBACK_TOML, encoding="utf-8")


# ---- rows ------------------------------------------------------------------------------------


def p1(tmp: Path, sizes: Sizes) -> Row:
    src = make_ledger(tmp / "p1" / "台账136.xlsx", 136)
    write_toml(src.parent)
    out, naive_out = tmp / "p1-out", tmp / "p1-naive"
    ours = Cmd([*ledgerkit_exe(), "report", str(src), "-o", str(out), "--as-of", AS_OF], out=out)
    anchor = Cmd([sys.executable, str(HERE / "naive_report.py"), str(src), str(naive_out)], out=naive_out)
    a, b, note, _ = side_by_side(ours, anchor, sizes.repeat_p1, tmp)
    expect_outputs(out, "*.xlsx", 1)
    expect_outputs(out, "*.docx", 1)
    s = median(a)
    return Row("P1", "report 136 measures (+notice) vs naive pandas/openpyxl/docx", s, median(b),
               s / median(b), peak(a), peak(b), "<= 1.3 s", s <= 1.3, note)  # fmt: skip


def p2(tmp: Path, sizes: Sizes) -> Row:
    ours = Cmd([*ledgerkit_exe(), "--help"])
    anchor = Cmd([sys.executable, "-c", "pass"])
    a, b, note, _ = side_by_side(ours, anchor, sizes.repeat_p2, tmp)
    s = median(a)
    return Row("P2", "ledgerkit --help vs python -c pass", s, median(b), s / median(b), peak(a), peak(b),
               "<= 0.15 s", s <= 0.15, note)  # fmt: skip


def p3(tmp: Path, sizes: Sizes) -> Row:
    n = sizes.p3_measures
    src = make_ledger(tmp / "p3" / f"台账{n}.xlsx", n)
    out, floor_out = tmp / "p3-out", tmp / "p3-floor"
    floor_out.mkdir()
    ours = Cmd(
        [*ledgerkit_exe(), "report", str(src), "--no-notice", "-o", str(out), "--as-of", AS_OF], out=out
    )
    anchor = Cmd([sys.executable, str(HERE / "floor.py"), str(src), str(floor_out / "floor.xlsx")])
    a, b, note, _ = side_by_side(ours, anchor, sizes.repeat_p3, tmp)
    expect_outputs(out, "*.xlsx", 1)
    s, f = median(a), median(b)
    return Row("P3", f"report {n:,} measures --no-notice vs floor (calamine+xlsxwriter)", s, f, s / f,
               peak(a), peak(b), "<= 1.3x floor", s / f <= 1.3, note)  # fmt: skip


def p4(tmp: Path, sizes: Sizes) -> Row:
    n = sizes.p4_files
    one = make_ledger(tmp / "p4-src.xlsx", 136)
    folder = tmp / "p4"
    folder.mkdir()
    for i in range(n):
        shutil.copyfile(one, folder / f"单位{i:03d}台账.xlsx")
    out = tmp / "p4-out"
    argv = [*ledgerkit_exe(), "report", str(folder), "--no-notice", "-o", str(out), "--as-of", AS_OF]
    two = Cmd(argv, env={"LEDGERKIT_WORKERS": "2"}, out=out)
    single = Cmd(argv, env={"LEDGERKIT_WORKERS": "1"}, out=out)
    halves_out = tmp / "p4-halves-out"
    ceiling = _halves_probe(folder, tmp, halves_out)
    # The pool and its anchor (the ceiling) side by side; the single worker as the third command.
    a, c, note, b = side_by_side(two, ceiling, sizes.repeat_p4, tmp, single)
    expect_outputs(out, "*/*.xlsx", n)  # one folder per ledger
    expect_outputs(halves_out, "*/*/*.xlsx", n)
    s, w1, halves = median(a), median(b), median(c)
    note += (
        f"; anchor = two independent 1-worker runs on half the folder each, started together; "
        f"LEDGERKIT_WORKERS=1 {w1:.3f} s (cpu {statistics.median(r.cpu for r in b):.2f} s): "
        f"the pool is {w1 / s:.2f}x faster than one worker, the two halves {w1 / halves:.2f}x"
    )
    return Row("P4", f"report folder of {n} x 136 --no-notice, 2 workers vs two halves", s, halves,
               halves / s, peak(a), peak(c), ">= 0.95x ceiling", halves / s >= 0.95, note)  # fmt: skip


def _halves_probe(folder: Path, tmp: Path, out: Path) -> Cmd:
    """What two cores give this workload here: the folder split in two, each half reported by
    its own single-worker process, both started at once (imports paid on both cores)."""
    files = sorted(folder.iterdir())
    halves = [tmp / "p4-half-a", tmp / "p4-half-b"]
    for half, part in zip(halves, (files[::2], files[1::2]), strict=True):
        half.mkdir()
        for f in part:
            shutil.copyfile(f, half / f.name)
    cmds = [
        shlex.join(
            [*ledgerkit_exe(), "report", str(h), "--no-notice", "-o", str(out / h.name), "--as-of", AS_OF]
        )
        for h in halves
    ]
    return Cmd(["sh", "-c", " & ".join(cmds) + " & wait"], env={"LEDGERKIT_WORKERS": "1"}, out=out)


ROWS: dict[str, Callable[[Path, Sizes], Row]] = {"P1": p1, "P2": p2, "P3": p3, "P4": p4}


# ---- output ----------------------------------------------------------------------------------


def machine_line() -> str:
    cpus = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpus
    load = loadavg()
    nobytecode = (
        "; PYTHONDONTWRITEBYTECODE is set: ledgerkit's modules were byte-compiled up front, as pip does"
        if os.environ.get("PYTHONDONTWRITEBYTECODE")
        else ""
    )
    return (
        f"machine: nproc {usable} (cpu_count {cpus}), Python {platform.python_version()} "
        f"({platform.python_implementation()}, {platform.machine()}), {platform.system()} "
        f"{platform.release()}; load average {load}{nobytecode}"
    )


def print_table(rows: list[Row]) -> None:
    header = ["row", "what", "seconds", "anchor s", "ratio", "peak MB", "anchor MB", "goal", "met?"]
    cells = [
        [r.key, r.what, f"{r.seconds:.3f}", f"{r.anchor:.3f}", f"{r.ratio:.2f}x", f"{r.rss_mb:.0f}",
         f"{r.anchor_rss_mb:.0f}", r.goal, "yes" if r.met else "NO"]
        for r in rows
    ]  # fmt: skip
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(header)]
    left = {0, 1, 7, 8}

    def line(values: list[str]) -> str:
        return "  ".join(
            v.ljust(w) if i in left else v.rjust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        )

    print(line(header))
    print("  ".join("-" * w for w in widths))
    for c in cells:
        print(line(c))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats, smaller P3 and P4 (smoke run)")
    ap.add_argument("--only", default="", help="comma-separated rows, e.g. P1,P3")
    ap.add_argument("--repeat", type=int, default=0, help="runs per command for every row (overrides)")
    args = ap.parse_args()

    wanted = [k.strip().upper() for k in args.only.split(",") if k.strip()] or list(ROWS)
    unknown = [k for k in wanted if k not in ROWS]
    if unknown:
        ap.error(f"unknown rows {unknown}; choose from {', '.join(ROWS)}")
    sizes = QUICK if args.quick else FULL
    if args.repeat > 0:
        r = args.repeat
        sizes = Sizes(r, r, r, r, sizes.p3_measures, sizes.p4_files)

    # An installed package has its .pyc files (pip compiles them, or the first run writes them);
    # with PYTHONDONTWRITEBYTECODE set nothing would, and every run would compile ledgerkit anew.
    compileall.compile_dir(HERE.parent / "ledgerkit", quiet=1)
    print(machine_line(), flush=True)
    print(f"ledgerkit: {' '.join(ledgerkit_exe())}; mode: {'quick' if args.quick else 'full'}; "
          f"repeats P1 {sizes.repeat_p1}, P2 {sizes.repeat_p2}, P3 {sizes.repeat_p3}, P4 {sizes.repeat_p4}", flush=True)  # fmt: skip
    rows = []
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ledgerkit-bench-") as tmp:
        for key in wanted:
            print(f"  {key} ...", file=sys.stderr, flush=True)
            rows.append(ROWS[key](Path(tmp), sizes))
    print()
    print_table(rows)
    print()
    for r in rows:
        print(f"{r.key}: {r.note}")
    print(f"seconds: median wall time of a cold process; ratio: seconds / anchor (P4: anchor / seconds, the share of the ceiling reached); "
          f"total {time.perf_counter() - t0:.0f} s; load average after {loadavg()}")  # fmt: skip


if __name__ == "__main__":
    main()
