"""Every package ledgerkit imports is one it declares, with a bounded range.

typer once stopped depending on click while ledgerkit still imported click: a fresh install
turned every usage error into a traceback, and the suite passed because the machine still had
click. This reads the code, not the machine's site-packages, so it fails where a fresh install would.
"""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# Import names whose distribution is not installed on every test machine (conditional deps).
KNOWN = {"tomli": "tomli", "docx": "python-docx", "python_calamine": "python-calamine"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].strip().lower().replace("_", "-")


def imported_top_level() -> dict[str, str]:
    """Third-party top-level modules imported anywhere in the package (module or function level)."""
    found: dict[str, str] = {}
    for path in (ROOT / "ledgerkit").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top != "ledgerkit":
                    found.setdefault(top, str(path.relative_to(ROOT)))
    return found


def test_every_import_is_a_declared_dependency():
    declared = {_name(d) for d in PYPROJECT["project"]["dependencies"]}
    owners = packages_distributions()
    undeclared = []
    for top, where in sorted(imported_top_level().items()):
        dists = {d.lower().replace("_", "-") for d in owners.get(top, [])} or {KNOWN.get(top, top)}
        if not dists & declared:
            undeclared.append(f"{top} (in {where})")
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"


def test_every_dependency_has_an_upper_bound():
    for group in [
        PYPROJECT["project"]["dependencies"],
        *PYPROJECT["project"]["optional-dependencies"].values(),
    ]:
        for requirement in group:
            spec = requirement.split(";")[0]
            assert "<" in spec, f"{requirement}: give it an upper bound (next major, next minor for 0.x)"
