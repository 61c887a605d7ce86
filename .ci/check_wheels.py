"""Check that every runtime dependency installs as wheels on the desks offices use.

For each target platform and each Python from the lowest the project declares to 3.11,
``scripts/wheels.py`` resolves the runtime dependencies (from pyproject.toml) without building
anything, with the target's own environment markers. A platform that fails is printed with pip's
last words; the exit code is the number of failures.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10, the declared floor
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from wheels import PLATFORMS, download  # noqa: E402

# The declared floor and the Python the offline bundles are built for.
PYTHONS = ["3.10", "3.11"]


def runtime_dependencies(pyproject: Path) -> list[str]:
    return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]


def check(platform: str, python: str, deps: list[str]) -> tuple[bool, str]:
    with tempfile.TemporaryDirectory() as dest:
        proc = download(platform, python, deps, Path(dest))
        wheels = sorted(p.name for p in Path(dest).glob("*.whl"))
    if proc.returncode:
        return False, (proc.stderr.strip().splitlines() or ["pip failed"])[-1]
    return True, f"{len(wheels)} wheels"


def main() -> int:
    deps = runtime_dependencies(ROOT / "pyproject.toml")
    failed = 0
    for python in PYTHONS:
        for platform in PLATFORMS:
            ok, detail = check(platform, python, deps)
            failed += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {platform} cp{python.replace('.', '')}: {detail}", flush=True)
    return failed


if __name__ == "__main__":
    sys.exit(main())
