"""The watched outbox's record: which content each input file name's outputs show, and what became of it.

Input file name → an ``Entry``: the version (content hash) its outputs reflect, its ``Status``,
its output folder and outputs, and its mail's ``MailStatus``; plus history.py's index of each
ledger's remembered versions (``ledgers``). Saved atomically after each change, so it survives
restarts; a save that fails is kept in memory and said once (``save_error``).

Keyed by name, not by content: going back to an earlier version (v1 → v2 → v1) is a change of
what the outputs must show, and the same content under a new name is a new file with outputs
of its own. A state file of the earlier layout (keyed by content hash) is read too.

Several watchers of one outbox (``watch`` and ``serve``, threads or processes) share the file:
``locked()`` holds the outbox's lock and ``refresh()`` then reads what another holder saved.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

from ...errors import os_reason
from ...support.atomic import atomic_path
from ...support.lock import exclusive

if sys.version_info >= (3, 11):
    from enum import StrEnum
else:  # pragma: no cover

    class StrEnum(str, Enum):
        def __str__(self) -> str:
            return str(self.value)


STATE_NAME = ".ledgerkit-state.json"
LOCK_NAME = ".ledgerkit-state.lock"


class Status(StrEnum):
    """What became of the version an entry names."""

    DONE = "done"  # its outputs are written
    FAILED = "failed"  # the ledger itself cannot be reported: 错误报告.txt says why
    BLOCKED = "blocked"  # the output folder could not be written: tried again later


class MailStatus(StrEnum):
    """The mail of a done version: at most once, so "pending" found on restart is never resent."""

    NONE = ""  # no mail wanted
    PENDING = "pending"  # about to be sent
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"  # was pending when the watcher stopped: perhaps sent


@dataclass(slots=True)
class Entry:
    """One input file name's record."""

    hash: str = ""  # "" when which version the outputs show is not known
    folder: str = ""
    status: Status | None = None  # None: a status this release does not know (tried again)
    error: str = ""
    outputs: dict[str, str | None] | None = None  # the manifest's outputs
    mail: MailStatus = MailStatus.NONE
    mail_error: str = ""
    at: str = ""

    def output_paths(self) -> list[Path]:
        return [Path(p) for p in (self.outputs or {}).values() if p]

    def as_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["status"] = str(self.status) if self.status is not None else None
        data["mail"] = str(self.mail)
        if not self.mail_error:  # as earlier releases wrote it
            del data["mail_error"]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        def text(key: str) -> str:
            value = data.get(key)
            return value if isinstance(value, str) else ""

        outputs = data.get("outputs")
        return cls(
            hash=text("hash"),
            folder=text("folder"),
            status=_member(Status, data.get("status")),
            error=text("error"),
            outputs=outputs if isinstance(outputs, dict) else None,
            mail=_member(MailStatus, data.get("mail")) or MailStatus.NONE,
            mail_error=text("mail_error"),
            at=text("at"),
        )


def _member(kind: type[StrEnum], value: Any) -> Any:
    try:
        return kind(value)
    except ValueError:
        return None


class State:
    """The outbox's record, read from ``path`` and saved there after each change."""

    VERSION = 2

    def __init__(self, path: Path) -> None:
        self.path = path
        self.save_error = ""  # the last save's failure, said once by the watcher
        self.files: dict[str, Entry] = {}
        self.ledgers: dict[str, Any] = {}  # history.History's index, changed in place by it
        self._read_as: tuple[int, int] | None = None  # the file on disk as last read or written
        self.refresh()  # the first read

    # -- sharing the file --------------------------------------------------------------------

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the outbox's lock (threads and processes) and see what others saved."""
        with exclusive(self.path.with_name(LOCK_NAME)):
            self.refresh()
            yield

    def refresh(self) -> None:
        """Read the file again if someone else saved it since. Kept as it is in memory: what
        this process could not save yet (the next save writes it), and everything while the
        file cannot be seen (the outbox moved away for a moment)."""
        seen = _signature(self.path)
        if self.save_error or seen is None or seen == self._read_as:
            return
        files, ledgers = _read(self.path)
        self.files = files
        self.ledgers.clear()  # in place: History holds this very dict
        self.ledgers.update(ledgers)
        self._read_as = seen

    # -- reading -----------------------------------------------------------------------------

    def get(self, name: str) -> Entry | None:
        return self.files.get(name)

    def done_with(self, digest: str) -> list[str]:
        """Names whose outputs show this content."""
        return [n for n, e in self.files.items() if e.hash == digest and e.status is Status.DONE]

    def folders(self, other_than: str) -> set[str]:
        return {e.folder.casefold() for n, e in self.files.items() if n != other_than and e.folder}

    # -- changing ----------------------------------------------------------------------------

    def put(self, name: str, **changes: Any) -> None:
        """Change some fields of ``name``'s entry (made if new) and save."""
        entry = self.files.setdefault(name, Entry())
        for key, value in changes.items():
            setattr(entry, key, value)
        entry.at = datetime.now().isoformat(timespec="seconds")
        self.save()

    def save(self) -> None:
        try:
            with atomic_path(self.path) as tmp:
                data = {
                    "version": self.VERSION,
                    "files": {n: e.as_json() for n, e in self.files.items()},
                    "ledgers": self.ledgers,
                }
                tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
            self.save_error = ""
            self._read_as = _signature(self.path)
        except OSError as exc:  # kept in memory; saved with the next change the folder allows
            self.save_error = f"无法保存处理记录“{self.path}”（{os_reason(exc)}）"


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def _read(path: Path) -> tuple[dict[str, Entry], dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        raw = data["files"] if data.get("version") == State.VERSION else _by_name(data["files"])
        files = {str(n): Entry.from_json(e) for n, e in raw.items() if isinstance(e, dict)}
        ledgers = data.get("ledgers")
        return files, ledgers if isinstance(ledgers, dict) else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}, {}


def _by_name(by_hash: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The earlier state layout (content hash → entry with its name), newest entry per name."""
    files: dict[str, dict[str, Any]] = {}
    for digest, entry in sorted(by_hash.items(), key=lambda kv: str(kv[1].get("at", ""))):
        name = entry.get("name")
        if name:
            files[name] = {k: v for k, v in entry.items() if k != "name"} | {
                "hash": digest,
                "folder": Path(name).stem,  # where that version put the outputs
            }
    return files
