"""docs/使用说明.md and the README for office staff: the guide's codes are the registry's, its
sheets are the workbook's, its pictures are what its commands produce, and the exit codes it
states (Ctrl-C's 130 among them) are what the CLI returns."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ledgerkit.model import CHANGES_SHEET, OTHER_SHEET
from ledgerkit.rules.findings import GUIDE_END, GUIDE_START, REGISTRY, registry_guide
from ledgerkit.workbook import FINDINGS_SHEET, LEDGER_SHEET, SUMMARY_SHEET

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "使用说明.md"
README = ROOT / "README.md"
# Pictures of other commands, made where those are tested: combine's (docs/combine.md's folder) and
# the web page's (the browser test of serve).
MADE_ELSEWHERE = {"combine-summary.png", "serve-home.png", "serve-ledger.png"}
PICTURES = json.loads((ROOT / "docs" / "pictures.json").read_text(encoding="utf-8"))


def guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


def ledgerkit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ledgerkit", *args], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def test_every_code_with_its_fix_is_the_registrys():
    text = guide()
    block = text[text.index(GUIDE_START) : text.index(GUIDE_END) + len(GUIDE_END)]
    assert block == registry_guide(), "run: python scripts/make_findings_doc.py"
    codes = re.findall(r"^\| `([a-z-]+)` \|", block, re.M)
    assert codes == list(REGISTRY)


def test_each_output_and_sheet_is_explained():
    text = guide()
    for sheet in (LEDGER_SHEET, SUMMARY_SHEET, CHANGES_SHEET, FINDINGS_SHEET, OTHER_SHEET):
        assert f"- **{sheet}**" in text, sheet
    for heading in ("安装", "第一份报告", "通报草稿", "校验结果代码", "compare", "combine", "watch"):
        assert heading in text
    for desk in ("Windows", "麒麟", "统信", "macOS"):
        assert desk in text
    assert "scripts/bundle.py" in text and "安装.bat" in text and "install.sh" in text


def test_the_readme_links_the_guide_first():
    text = README.read_text(encoding="utf-8")
    links = re.findall(r"\]\((docs/[^)#]+)", text)
    assert links[0] == "docs/使用说明.md"


def _commands(text: str) -> list[str]:
    """Every command a text gives on the bundled example."""
    return re.findall(r"ledgerkit report examples/[^\s`]+(?: --as-of [\d-]+)?", text)


def test_pictures_are_what_their_command_produces():
    """The README's and the guide's first command is the one the pictures were made with, it still
    gives the figures recorded with them, and the PNGs are the ones that run wrote."""
    command = " ".join(PICTURES["command"])
    assert set(_commands(README.read_text(encoding="utf-8"))) == set(_commands(guide())) == {command}
    proc = ledgerkit("summary", *PICTURES["command"][2:], "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    figures = PICTURES["figures"]
    assert {k: summary[k] for k in figures if k != "overdue"} == {
        k: v for k, v in figures.items() if k != "overdue"
    }
    assert len(summary["overdue"]) == figures["overdue"]
    for name, digest in PICTURES["pictures"].items():
        path = ROOT / "docs" / name
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, (
            f"{name}: python scripts/make_doc_pictures.py"
        )
    readme = README.read_text(encoding="utf-8")
    shown = re.findall(r"!\[[^\]]*\]\(docs/([^)]+\.png)\)", readme) + re.findall(
        r"!\[[^\]]*\]\(([^)/]+\.png)\)", guide()
    )
    assert shown and all((ROOT / "docs" / name).is_file() for name in shown)
    made_here = set(shown) - MADE_ELSEWHERE
    assert set(made_here) <= set(PICTURES["pictures"])
    # The figures the guide states for its first report are the command's.
    rate = f"{summary['completion_rate'] * 100:.1f}%"
    assert (
        f"具体问题 {summary['issues']} 个，已完成整改 {summary['issues_done']} 个，完成率 {rate}" in guide()
    )


def test_what_the_pictures_show_is_what_the_command_writes_today(tmp_path):
    """The pictures' content digest, recomputed from a fresh run of their command (no LibreOffice):
    a change to what the notice's first part, 整改台账, 汇总 or 校验结果 say fails here until
    ``python scripts/make_doc_pictures.py`` has drawn the pictures again."""
    spec = importlib.util.spec_from_file_location(
        "make_doc_pictures", ROOT / "scripts" / "make_doc_pictures.py"
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    proc = ledgerkit(*PICTURES["command"][1:], "-o", str(tmp_path), "--json")
    assert proc.returncode in (0, 1), proc.stderr
    outputs = json.loads(proc.stdout)["outputs"]
    assert script.shown_content(outputs) == PICTURES["shown_content"], "python scripts/make_doc_pictures.py"


def test_ctrl_c_exits_130_as_the_tables_say(tmp_path):
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ledgerkit",
            "report",
            str(ROOT / "examples" / "整改台账.xlsx"),
            "-o",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONFAULTHANDLER": "1"},  # SIGABRT below dumps every thread's stack
    )
    # Ctrl-C once the command is at work (its lazily imported readers are loaded), well before
    # the report is written: a fixed sleep raced the report on a fast machine (exit -2 after it).
    maps = Path(f"/proc/{proc.pid}/maps")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        if maps.exists() and "python_calamine" in maps.read_text(errors="replace"):
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    try:
        _out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:  # seen once under heavy load: say where it hung
        proc.send_signal(signal.SIGABRT)
        _out, err = proc.communicate()
        pytest.fail("ledgerkit did not stop 60 s after Ctrl-C; its threads:\n" + err[-4000:])
    assert proc.returncode == 130 and "已中断" in err and "Traceback" not in err
    assert not list(tmp_path.glob("**/.~ledgerkit-*"))  # no half-written file left behind
    assert re.search(r"^\| 130 \| 按了 Ctrl-C", README.read_text(encoding="utf-8"), re.M)
    assert "130 按了 Ctrl-C" in guide()


def test_docs_index_lists_each_file_once():
    text = (ROOT / "docs" / "README.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| \[([^\]]+)\]", text, re.M)
    assert len(listed) == len(set(listed)) and "使用说明.md" in listed
    assert all((ROOT / "docs" / name).is_file() for name in listed)
