"""speed.py: the GC pause and the import on a second thread leave the process as they found it."""

from __future__ import annotations

import gc
import importlib
import sys

import pytest

from ledgerkit.support.speed import gc_paused, preload


def test_gc_pause_promotes_instead_of_collecting():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        kept = [[i] for i in range(50_000)]  # young objects, many collections' worth
    assert gc.isenabled()
    assert gc.get_count()[0] < 700  # nothing left young to walk at the next allocation
    assert gc.get_freeze_count() == 0  # promoted, not frozen: cycles among them are still collected
    assert len(kept) == 50_000


def test_preload_imports_and_fails_quietly():
    name = "json.tool"
    sys.modules.pop(name, None)
    thread = preload(name, "ledgerkit_no_such_module")
    assert thread is not None
    thread.join(timeout=60)
    assert name in sys.modules
    with pytest.raises(ModuleNotFoundError):  # raised where it is needed, not on the thread
        importlib.import_module("ledgerkit_no_such_module")
    assert preload(name) is None  # already there: no thread
