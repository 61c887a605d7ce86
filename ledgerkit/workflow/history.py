"""What a watched outbox remembers of each ledger: its last cleaned workbook, for the next version.

- **Which ledger** a file is a version of: the unit the ledger itself states (填报单位), else the
  configured unit (``[unit] name``), else the file name (``ledger_key``). A 巡察办's inbox takes
  many units' ledgers under one config, so the ledger's own statement comes first; an office's
  weekly files (台账0201.xlsx, 台账0208.xlsx) are one ledger through its unit.
- **Files**: ``<outbox>/.ledgerkit-history/<key>-<content hash>.xlsx``, copies of the cleaned
  workbooks. Named by the input's content, so writing a new copy never touches a file the state
  still points to, and a watcher killed at any moment leaves the memory consistent.
- **Index**: the state file's ``ledgers``: key → ``{"current": entry, "previous": entry | null}``,
  each entry ``{file, hash, source, at}``. Two slots, because the version that arrives may be
  the one already remembered (its outputs were deleted, or the watcher was killed after
  remembering it but before recording it done): it is then compared with the one before it,
  never with itself.

The watcher (watch/state.py) saves the index with its state; this module only reads and changes it.
"""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

from ..config import which_unit
from ..support.atomic import atomic_path, is_temporary

HISTORY_DIR = ".ledgerkit-history"
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')  # not allowed in a Windows file name
KEY_CHARS = 60  # a unit's full name fits; the hash keeps longer ones apart


def ledger_key(ledger_unit: str, config_unit: str, filename: str) -> str:
    """Which ledger this is a version of: "单位：…" or "文件：…" (the ledger's unit first)."""
    unit = which_unit(ledger_unit, config_unit, "ledger").strip()
    return f"单位：{unit}" if unit else f"文件：{filename}"


def history_name(key: str, digest: str) -> str:
    """A file name for one remembered version: readable, and safe on Windows and shares."""
    safe = _UNSAFE.sub("_", key.replace("：", "-")).strip(" .")[:KEY_CHARS]
    return f"{safe}-{digest[:12]}.xlsx"


class History:
    """The remembered versions of each ledger: files under ``folder``, index in ``ledgers``."""

    def __init__(self, folder: Path, ledgers: dict[str, Any]) -> None:
        self.folder = folder
        self.ledgers = ledgers  # the state's own dict: changed in place, saved by the state

    def previous(self, key: str, digest: str) -> Path | None:
        """The version to compare content ``digest`` with: the last one, unless that is this
        very content (done again), then the one before; None for a ledger's first version."""
        slots = self.ledgers.get(key) or {}
        entry = slots.get("current")
        if entry and entry.get("hash") == digest:
            entry = slots.get("previous")
        if not entry:
            return None
        path = self.folder / str(entry.get("file", ""))
        return path if path.is_file() else None

    def source_of(self, key: str, file_name: str) -> str:
        """The input file name a remembered copy was made from (for the log)."""
        for entry in (self.ledgers.get(key) or {}).values():
            if entry and entry.get("file") == file_name:
                return str(entry.get("source") or file_name)
        return file_name

    def remember(self, key: str, digest: str, source: str, workbook: Path) -> list[Path]:
        """Keep a copy of ``workbook`` as the ledger's latest version (in the index, not yet
        saved). Returns the copies no longer referenced: delete them once the index is saved.
        Raises OSError when the copy cannot be written (the index is then unchanged)."""
        name = history_name(key, digest)
        with atomic_path(self.folder / name) as tmp:
            shutil.copy2(workbook, tmp)  # its time stamp too: OLD's date when it states none
        entry = {"file": name, "hash": digest, "source": source, "at": _now()}
        slots = self.ledgers.setdefault(key, {"current": None, "previous": None})
        current = slots.get("current")
        if current and current.get("hash") == digest:
            slots["current"] = entry  # the same version done again: the one before stays
        else:
            slots["previous"], slots["current"] = current, entry
        return self._unreferenced()

    def _unreferenced(self) -> list[Path]:
        kept = {e.get("file") for slots in self.ledgers.values() for e in (slots or {}).values() if e}
        if not self.folder.is_dir():
            return []
        return [p for p in self.folder.glob("*.xlsx") if p.name not in kept and not is_temporary(p)]


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")
