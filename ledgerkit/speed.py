"""What makes bulk work fast, in one place."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of small, cycle-free objects pile up.

    Its passes walk every live object again and again: measured, a third of normalising and
    13% of writing a 100k-measure ledger. The previous setting is restored afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
