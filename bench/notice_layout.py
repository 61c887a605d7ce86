"""How a real client lays out the notice draft: pages, characters a line, lines a page (LibreOffice).

    python bench/notice_layout.py LEDGER.xlsx [--config ledgerkit.toml] [--measures 136]

``--measures N`` first copies the ledger's rows (issue titles marked （续）) until it has N
measures, to see a notice of that size. Needs soffice, pdfinfo and pdftotext on PATH.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ledgerkit.notice import write_notice
from ledgerkit.notice.model import text_width
from ledgerkit.pipeline import run


def grow(src: Path, measures: int, target: Path) -> Path:
    """A copy of a one-sheet ledger whose first rows repeat (as new issues) up to ``measures`` rows."""
    from openpyxl import load_workbook

    wb = load_workbook(src)
    ws = wb.active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    header = next(i for i, r in enumerate(rows) if any(v and "整改措施" in str(v) for v in r))
    body = [r for r in rows[header + 1 :] if any(v not in (None, "") for v in r)]
    titles = [
        j for j, v in enumerate(rows[header]) if v and ("具体问题" in str(v) or v in ("问题", "反馈问题"))
    ]
    for k in range(max(measures - len(body), 0)):
        row = list(body[k % len(body)])
        for j in titles:
            row[j] = f"{row[j]}（续{k // len(body) + 1}）" if row[j] else row[j]
        ws.append(row)
    wb.save(target)
    return target


def layout(pdf: Path, pages: list[int]) -> tuple[list[float], int]:
    widths, lines = [], 0
    for page in pages:
        text = subprocess.run(
            ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        rows = [re.sub(r"\s", "", line) for line in text.splitlines() if line.strip()]
        widths += [text_width(r) for r in rows if text_width(r) >= 20]  # lines a paragraph fills
        lines = max(lines, len(rows) - 1)  # less the page number
    return sorted(widths), lines


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("ledger", type=Path)
    ap.add_argument("--config", type=Path)
    ap.add_argument("--measures", type=int, default=0)
    args = ap.parse_args()
    out = Path(tempfile.mkdtemp(prefix="notice-layout-"))
    ledger = grow(args.ledger, args.measures, out / "ledger.xlsx") if args.measures else args.ledger
    result = run(ledger, date(2025, 3, 3), args.config)
    written = write_notice(result.ledger, result.summary, result.config, out)
    profile = (out / "lo-profile").as_uri()
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", str(out),
         str(written.path)],
        capture_output=True, check=True, timeout=600,
    )  # fmt: skip
    pdf = out / (written.path.stem + ".pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    widths, lines = layout(pdf, [p for p in (2, 3, 5, 8) if p < pages])
    median = widths[len(widths) // 2] if widths else 0
    print(
        f"{result.summary.measures} 条措施、{result.summary.issues} 个具体问题：LibreOffice {pages} 页；"
        f"正文满行每行 {median:g} 字（中位数，最多 {max(widths, default=0):g}）；正文页最多 {lines} 行。PDF：{pdf}"
    )


if __name__ == "__main__":
    main()
