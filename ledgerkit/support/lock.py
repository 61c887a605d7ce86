"""One holder at a time of a folder's shared record: threads of this process and other processes.

A thread lock per lock file (re-entrant, so a holder may call code that locks again), and an
exclusive OS lock on the file itself (``fcntl.flock``, ``msvcrt.locking`` on Windows) for other
processes. The OS lock is released when its holder exits, even when killed: a lock file left
behind never blocks anyone. Where the lock file cannot be made (the folder is gone or read-only)
only the thread lock is held: the record itself then cannot be written either, and says so.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

_guard = threading.Lock()
_locks: dict[str, tuple[threading.RLock, list[int]]] = {}  # path -> (lock, [depth])


@contextlib.contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """Hold ``path``'s lock for the ``with`` block, waiting for any other holder."""
    key = os.path.abspath(path)
    with _guard:
        lock, depth = _locks.setdefault(key, (threading.RLock(), [0]))
    with lock:
        depth[0] += 1
        try:
            if depth[0] == 1:
                with _os_lock(path):
                    yield
            else:
                yield
        finally:
            depth[0] -= 1


@contextlib.contextmanager
def _os_lock(path: Path) -> Iterator[None]:
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError:
        yield
        return
    try:
        _lock(fd)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # retries for 10 s, then raises
                return
            except OSError:
                continue

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
