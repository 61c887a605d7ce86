"""Regenerate the pictures README.md and docs/使用说明.md show, from the commands they give.

Run from the repository root (needs LibreOffice ``soffice`` and poppler)::

    python scripts/make_doc_pictures.py

It runs the README's own command, ``ledgerkit report examples/整改台账.xlsx --as-of 2024-12-23``
(into a temporary folder: the figures are the same wherever the output goes), converts the notice
draft and the cleaned workbook with LibreOffice and writes docs/notice-page1.png (the draft's first
page), docs/summary-sheet.png (汇总), docs/ledger-sheet.png (整改台账, first page) and
docs/findings-sheet.png (校验结果). docs/pictures.json records the command, its figures and each
picture's SHA-256 and a digest of what they show (``shown_content``); tests/test_guide.py checks
that the command still gives those figures and that content, and that the pictures are the ones
recorded, so a picture cannot drift from its command.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
RECORD = DOCS / "pictures.json"
COMMAND = ["report", "examples/整改台账.xlsx", "--as-of", "2024-12-23"]
FIGURES = ("as_of", "issues", "issues_done", "completion_rate", "measures", "measures_done")
DPI = 80  # A4 portrait at 80 dpi is 662 × 936 pixels: readable on a page, small in the repository
# picture -> (which output, the text its page starts with: the first page that has it)
PAGES = {
    "notice-page1.png": ("notice", ""),
    "summary-sheet.png": ("workbook", "巡察反馈问题整改情况汇总"),
    "ledger-sheet.png": ("workbook", ""),
    "findings-sheet.png": ("workbook", "校验结果"),
}


def ledgerkit(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "ledgerkit", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def to_pdf(path: Path, work: Path) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("需要 LibreOffice（soffice）才能生成图片。")
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{work}/lo", "--convert-to", "pdf",
         "--outdir", str(work), str(path)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return work / (path.stem + ".pdf")


def page_starting(pdf: Path, text: str) -> int:
    """The first page (1-based) whose text starts with ``text``; page 1 for ""."""
    if not text:
        return 1
    pages = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for k, page in enumerate(pages.split("\f"), start=1):
        if page.strip().startswith(text):
            return k
    raise SystemExit(f"{pdf.name} 中没有以“{text}”开头的页。")


def render(pdf: Path, page: int, target: Path) -> None:
    stem = target.with_suffix("")
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(DPI),
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(pdf),
            str(stem),
        ],
        check=True,
    )


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def shown_content(outputs: dict[str, str]) -> str:
    """A digest of what the pictures show, read from the outputs themselves (no LibreOffice): the
    notice's paragraphs up to its second part, and the cells of 整改台账 (first rows), 汇总 and 校验结果.
    The test recomputes it from a fresh run: when the code changes what a picture shows, it fails
    until the pictures are made again."""
    from docx import Document
    from openpyxl import load_workbook

    paragraphs = []
    for p in Document(outputs["notice"]).paragraphs:
        if p.text.startswith("二、"):
            break
        paragraphs.append(p.text)
    wb = load_workbook(outputs["workbook"], read_only=True)
    cells = {
        name: [
            [str(v) for v in row if v is not None]
            for row in wb[name].iter_rows(max_row=rows, values_only=True)
        ]
        for name, rows in (("整改台账", 20), ("汇总", None), ("校验结果", None))
    }
    wb.close()
    text = json.dumps({"notice": paragraphs, "workbook": cells}, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        proc = ledgerkit(*COMMAND, "-o", str(work / "输出"), "--json")
        if proc.returncode not in (0, 1):
            raise SystemExit(proc.stderr)
        manifest = json.loads(proc.stdout)
        pdfs = {key: to_pdf(Path(manifest["outputs"][key]), work) for key in ("notice", "workbook")}
        for name, (key, starts) in PAGES.items():
            render(pdfs[key], page_starting(pdfs[key], starts), DOCS / name)
        content = shown_content(manifest["outputs"])
    summary = manifest["summary"]
    record = {
        "command": ["ledgerkit", *COMMAND],
        "figures": {k: summary[k] for k in FIGURES} | {"overdue": len(summary["overdue"])},
        "pictures": {name: sha256(DOCS / name) for name in PAGES},
        "shown_content": content,
    }
    RECORD.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"已写出 {len(PAGES)} 张图片和 {RECORD.relative_to(ROOT)}。")


if __name__ == "__main__":
    main()
