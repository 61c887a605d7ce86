"""The project's own docs are current: the finding codes are generated from the registry, and
code comments cite only files that are in the repository."""

from __future__ import annotations

import re
from pathlib import Path

from ledgerkit.rules.findings import REGISTRY, registry_markdown

ROOT = Path(__file__).resolve().parent.parent


def test_findings_doc_is_generated_from_the_registry():
    text = (ROOT / "docs" / "findings.md").read_text(encoding="utf-8")
    assert text == registry_markdown(), "run: python scripts/make_findings_doc.py"
    assert all(f"`{code}`" in text for code in REGISTRY)


def test_docs_cited_in_code_exist():
    cited = set()
    for path in [
        *(ROOT / "ledgerkit").rglob("*.py"),
        *(ROOT / "templates").glob("*.py"),
        *(ROOT / "tests").glob("*.py"),
    ]:
        cited |= {(path, m) for m in re.findall(r"docs/[\w./-]+\.md", path.read_text(encoding="utf-8"))}
    missing = sorted(f"{p.relative_to(ROOT)} cites {doc}" for p, doc in cited if not (ROOT / doc).is_file())
    assert not missing, missing
