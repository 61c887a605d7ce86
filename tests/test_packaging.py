"""What users install is the whole package: the built wheel and sdist carry every module and template.

The wheel once listed its packages by hand and left ``ledgerkit/workbook/`` out: every report from a
wheel install ended in ModuleNotFoundError while the editable suite passed. This builds both
archives from the checkout and compares their file lists with the tree.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT


def tracked(folder: str) -> list[str]:
    # -z: without it git quotes non-ASCII names ("templates/\345...") and 台账模板.xlsx dropped out.
    out = subprocess.run(
        ["git", "ls-files", "-z", folder], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.split("\0")
    return [f for f in out if f and (ROOT / f).is_file()]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the tree to compare with is unknown")
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--sdist", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    return {"wheel": next(out.glob("*.whl")), "sdist": next(out.glob("*.tar.gz"))}


def test_the_wheel_carries_every_module_and_template(built):
    names = set(zipfile.ZipFile(built["wheel"]).namelist())
    modules = [f for f in tracked("ledgerkit") if f.endswith((".py", ".typed"))]
    assert modules, "no modules found in the tree"
    assert [m for m in modules if m not in names] == []
    # And every other file of the package (serve's pages, ...): all of ledgerkit/ is shipped.
    assert [f for f in tracked("ledgerkit") if f not in names] == []
    templates = [f for f in tracked("templates")]
    assert "templates/台账模板.xlsx" in templates
    shipped = [f"ledgerkit/{f}" for f in templates]
    assert [t for t in shipped if t not in names] == []
    # Every sub-package is in (the workbook package was the one once left out).
    packages = {str(Path(m).parent) for m in modules}
    assert {"ledgerkit", "ledgerkit/workbook"} <= packages


def test_the_wheel_ships_no_build_script_as_a_module(built):
    names = zipfile.ZipFile(built["wheel"]).namelist()
    assert not [n for n in names if n.startswith("ledgerkit/templates/") and n.endswith(".py")]
    assert not [n for n in names if n.startswith(("scripts/", "tests/", "templates/"))]


def test_the_sdist_carries_what_a_wheel_is_built_from(built):
    with tarfile.open(built["sdist"]) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    needed = tracked("ledgerkit") + tracked("templates") + ["pyproject.toml", "README.md"]
    assert [f for f in needed if f not in names] == []
