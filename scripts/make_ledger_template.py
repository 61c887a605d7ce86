"""Regenerate templates/台账模板.xlsx, the blank ledger ``ledgerkit init`` copies.

Run from the repository root after changing the columns (ledgerkit/workbook/table.py) or 填报说明
(ledgerkit/workbook/template.py):

    python scripts/make_ledger_template.py

Offices may also edit the .xlsx in Excel directly (keep the header row's column names).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ledgerkit.workbook import write_blank_template  # noqa: E402

TEMPLATE_NAME = "台账模板.xlsx"

if __name__ == "__main__":
    out = write_blank_template(ROOT / "templates" / TEMPLATE_NAME)
    print(f"已生成 {out}")
