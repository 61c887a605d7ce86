"""``ledgerkit combine FOLDER [-o OUTDIR] [--as-of DATE] [--json]``.

Exit 0 every file read and no unit has errors; 1 some unit has validation errors or some file
could not be read; 2 none could be read.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from . import print_json


def combine_command(folder: Path, outdir: Path | None, as_of: date, as_json: bool) -> int:
    from ...combine import closing_lines, combine_folder

    combined, outputs = combine_folder(Path(folder), Path(outdir) if outdir else None, as_of)
    if as_json:
        print_json(combined.as_dict(outputs))
    else:
        for line in closing_lines(combined, outputs):
            print(line)
    return combined.exit_code
