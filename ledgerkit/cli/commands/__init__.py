"""One module per command: what it prints, between the CLI's argument parsing and the library.

Thin: the work is the library's; each ``<name>_command`` calls it, prints, and returns the exit
code. Imported only when its command runs, so ``ledgerkit --help`` never pays for pandas or docx.
The helpers every command shares (JSON, the rich console) are here.
"""

from __future__ import annotations

import json
from typing import Any


def print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def console():
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)
