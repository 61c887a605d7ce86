"""When CI runs the suite against the installed wheel, the suite really runs against it.

``.ci/run`` installs the built wheel into a fresh venv and runs this suite with
LEDGERKIT_EXPECT_INSTALLED=<venv> and the checkout off sys.path. A wheel that leaves a module out
(``ledgerkit/workbook/`` once was) then fails the suite; but only if every import, in this process
and in the subprocesses the CLI tests start, comes from the venv. Skipped in the developer's
editable run, where the variable is unset.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

EXPECT = os.environ.get("LEDGERKIT_EXPECT_INSTALLED")
pytestmark = pytest.mark.skipif(not EXPECT, reason="LEDGERKIT_EXPECT_INSTALLED is not set (editable run)")


def inside(path: str | Path, folder: str | Path) -> bool:
    return Path(path).resolve().is_relative_to(Path(folder).resolve())


def test_this_process_imports_the_installed_package():
    import ledgerkit
    from ledgerkit import config

    assert inside(ledgerkit.__file__, EXPECT), ledgerkit.__file__
    assert not inside(ledgerkit.__file__, ROOT)
    # The templates the suite uses are the ones the wheel carries, not the checkout's templates/.
    assert inside(config.TEMPLATES_DIR, EXPECT), config.TEMPLATES_DIR
    assert Path(ledgerkit.__file__).resolve().parent / "templates" == config.TEMPLATES_DIR
    assert (config.TEMPLATES_DIR / "notice.docx").is_file()


def test_cli_subprocesses_import_the_installed_package_even_from_the_checkout():
    # The CLI tests run `python -m ledgerkit`, some with cwd=ROOT: without PYTHONSAFEPATH the
    # checkout's ledgerkit/ would shadow the installed one there.
    code = "import ledgerkit; print(ledgerkit.__file__)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert inside(out.stdout.strip(), EXPECT), out.stdout
    main = subprocess.run(
        [sys.executable, "-m", "ledgerkit", "--version"], cwd=ROOT, capture_output=True, text=True
    )
    assert main.returncode == 0, main.stderr
