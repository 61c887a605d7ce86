"""Issue 24 item 7: ``ledgerkit serve`` against ``report``, and against itself under load.

    python bench/bench_serve.py               # 7 uploads/runs each, 12 at once twice
    python bench/bench_serve.py --repeat 3

- **S1**: a warm server's upload → manifest for the 136-measure ledger (with its notice; the
  real server in its own process, ``ledgerkit serve FOLDER --port 0 --no-browser``, a POST of
  the file over HTTP, timed until the manifest is read) against the same ledger's cold
  ``ledgerkit report FILE -o OUT`` (bench.py's spawn, interleaved: upload, report, report,
  upload …). Each upload has a new name, so none is a repeat the server may skip.
- **S2**: 12 uploads at once (12 client threads, wall time until the last manifest) against
  12 × one upload ÷ 2 cores, the two-core ideal; the ratio is ideal / measured.

From a worktree, run with PYTHONPATH=<worktree> so the server and the script import that tree.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_ledger import make_ledger  # noqa: E402

from bench import AS_OF, Cmd, ledgerkit_exe, loadavg, machine_line, run_once, write_toml  # noqa: E402

MEASURES = 136
AT_ONCE = 12


class Server:
    """``ledgerkit serve`` in its own process; uploads over http.client."""

    def __init__(self, folder: Path) -> None:
        self.proc = subprocess.Popen(
            [*ledgerkit_exe(), "serve", str(folder), "--port", "0", "--no-browser"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        m = re.search(r"http://([\d.]+):(\d+)/\?token=([\w-]+)", line)
        if not m:
            self.proc.kill()
            sys.exit(f"ledgerkit serve did not print its address: {line!r}")
        self.host, self.port, self.token = m[1], int(m[2]), m[3]

    def upload(self, content: bytes, name: str) -> float:
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="as_of"\r\n\r\n{AS_OF}\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n\r\n'
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        started = time.perf_counter()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=600)
        conn.request("POST", "/api/ledgers", body, {
            "Content-Type": f"multipart/form-data; boundary={boundary}", "X-Ledgerkit-Token": self.token,
        })  # fmt: skip
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        if resp.status != 200 or b'"summary"' not in data:
            sys.exit(f"upload of {name} answered {resp.status}: {data[:300]!r}")
        return time.perf_counter() - started

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=60)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--bursts", type=int, default=2, help="how many times 12 uploads go at once")
    args = ap.parse_args()
    print(machine_line(), flush=True)
    with tempfile.TemporaryDirectory(prefix="ledgerkit-bench-serve-") as name:
        tmp = Path(name)
        src = make_ledger(tmp / "src" / "台账136.xlsx", MEASURES)
        write_toml(src.parent)
        content = src.read_bytes()
        folder = tmp / "inbox"
        folder.mkdir()
        write_toml(folder)  # the same ledgerkit.toml as report's: the same notice
        out = tmp / "report-out"
        report = Cmd([*ledgerkit_exe(), "report", str(src), "-o", str(out), "--as-of", AS_OF], out=out)
        server = Server(folder)
        try:
            n = 0

            def upload() -> float:
                nonlocal n
                n += 1
                return server.upload(content, f"台账{n:04d}.xlsx")

            upload()  # warm-up of both
            run_once(report, tmp)
            ups, cold = [], []
            load = loadavg()
            for i in range(args.repeat):
                pair = [("up", upload), ("cold", lambda: run_once(report, tmp).seconds)]
                for kind, fn in pair if i % 2 == 0 else pair[::-1]:
                    (ups if kind == "up" else cold).append(fn())
            one, cold_s = statistics.median(ups), statistics.median(cold)
            bursts = []
            for b in range(args.bursts):
                names = [f"同时{b}-{i:02d}.xlsx" for i in range(AT_ONCE)]
                started = time.perf_counter()
                with ThreadPoolExecutor(AT_ONCE) as pool:
                    list(pool.map(lambda nm: server.upload(content, nm), names))
                bursts.append(time.perf_counter() - started)
            burst = statistics.median(bursts)
        finally:
            server.close()
        listed = len([p for p in folder.iterdir() if p.suffix == ".xlsx"])
        ideal = AT_ONCE * one / 2
        print(f"load before {load}, after {loadavg()}; {listed} ledgers in the folder")
        print("row  what                                                   ours      anchor   ratio")
        print(f"S1   warm upload->manifest, 136 measures + notice vs cold report  {one:.3f} s  {cold_s:.3f} s  "
              f"{cold_s / one:.2f}x faster")  # fmt: skip
        print(f"S2   {AT_ONCE} uploads at once vs {AT_ONCE} x one upload / 2 cores          {burst:.3f} s  {ideal:.3f} s  "
              f"{ideal / burst:.2f} of the ideal")  # fmt: skip
        print(f"     (uploads: {', '.join(f'{u:.3f}' for u in ups)}; reports: {', '.join(f'{c:.3f}' for c in cold)}; "
              f"bursts: {', '.join(f'{b:.3f}' for b in bursts)})")  # fmt: skip
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
