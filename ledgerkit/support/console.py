"""The console: output that never raises for a character the console cannot show.

On a Chinese Windows desk with output redirected the encoding is GBK; a file name with an emoji
or a cell with a rare character would end in UnicodeEncodeError. Characters the console cannot
show are replaced ("?"); files ledgerkit writes (JSON, logs) are UTF-8 regardless.
"""

from __future__ import annotations

import contextlib
import io
import sys


def make_streams_safe() -> None:
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            with contextlib.suppress(ValueError, io.UnsupportedOperation):  # closed or detached
                stream.reconfigure(errors="replace")
