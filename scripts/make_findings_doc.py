"""Regenerate docs/findings.md, and the table of codes in docs/使用说明.md, from the registry in
ledgerkit/rules/findings.py.

Run from the repository root after adding or changing a finding (tests/test_docs.py fails until
the file agrees with the registry):

    python scripts/make_findings_doc.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ledgerkit.rules.findings import registry_markdown, with_guide  # noqa: E402

if __name__ == "__main__":
    (ROOT / "docs" / "findings.md").write_text(registry_markdown(), encoding="utf-8", newline="\n")
    guide = ROOT / "docs" / "使用说明.md"
    guide.write_text(with_guide(guide.read_text(encoding="utf-8")), encoding="utf-8", newline="\n")
