"""``ledgerkit init [FOLDER]``: the library fills the folder; this prints what it did."""

from __future__ import annotations

from pathlib import Path


def init_command(folder: Path) -> int:
    from ...workflow.init import init_folder

    print(init_folder(Path(folder)))
    return 0
