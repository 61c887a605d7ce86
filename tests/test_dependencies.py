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

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10, the declared floor
    import tomli as tomllib

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


def _unguarded_tomllib(path: Path) -> bool:
    """An ``import tomllib`` outside an ``if sys.version_info`` / ``try`` (with the tomli fallback) fails on 3.10."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    guards = [t for t in ast.walk(tree) if isinstance(t, (ast.If, ast.Try))]
    guarded = {id(n) for t in guards for b in t.body for n in ast.walk(b)}
    return any(
        isinstance(n, ast.Import) and any(a.name == "tomllib" for a in n.names) and id(n) not in guarded
        for n in ast.walk(tree)
    )


def test_the_python_floor_is_the_one_everything_keeps():
    floor = PYPROJECT["project"]["requires-python"]
    assert floor == ">=3.10", "changed the floor: update what follows with it"
    assert PYPROJECT["tool"]["ruff"]["target-version"] == "py310"
    # tomllib is 3.11+: the package and the tests each declare the fallback for 3.10.
    tomli = "tomli>=2,<3; python_version < '3.11'"
    assert tomli in PYPROJECT["project"]["dependencies"]
    assert tomli in PYPROJECT["project"]["optional-dependencies"]["test"]
    files = [*ROOT.glob("ledgerkit/**/*.py"), *ROOT.glob("tests/*.py"), *ROOT.glob("scripts/*.py")]
    files += [ROOT / ".ci" / "check_wheels.py"]
    assert [str(f.relative_to(ROOT)) for f in files if _unguarded_tomllib(f)] == []
    # The wheel check resolves for the floor as well as for the bundles' Python.
    assert re.search(r'PYTHONS = \["3\.10", "3\.11"\]', (ROOT / ".ci" / "check_wheels.py").read_text())
