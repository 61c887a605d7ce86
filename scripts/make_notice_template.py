"""Regenerate templates/notice.docx, the Word template the notice draft is written into.

Run from the repository root: ``python scripts/make_notice_template.py``. The styles, page
setup and page-number footers are defined in ledgerkit/notice/render.py (values from
docs/notice-format.md). Offices may then edit notice.docx in Word (fonts, sizes, margins) and
keep their copy beside their ledgerkit.toml; the draft is always produced from a template file.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from ledgerkit.notice.render import write_template  # noqa: E402

if __name__ == "__main__":
    target = ROOT / "templates" / "notice.docx"
    write_template(target)
    print(f"已生成 {target}")
