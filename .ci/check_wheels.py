"""Check that every runtime dependency installs as wheels on the desks offices use.

For each target platform, ``pip download --only-binary=:all:`` resolves the project's runtime
dependencies (from pyproject.toml) for Python 3.11 without building anything. A platform that
fails is printed with pip's last words; the exit code is the number of platforms that failed.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import tomllib

# Each target with the tags pip may accept there: a manylinux2014 (glibc 2.17) desk also installs
# wheels for older glibc; the newer manylinux_2_28 is Kylin V10 / UOS 20 era glibc, also accepted.
PLATFORMS: dict[str, list[str]] = {
    "win_amd64": ["win_amd64"],
    "manylinux2014_x86_64": ["manylinux2014_x86_64", "manylinux_2_17_x86_64", "manylinux_2_28_x86_64"],
    "manylinux2014_aarch64": ["manylinux2014_aarch64", "manylinux_2_17_aarch64", "manylinux_2_28_aarch64"],
    "macosx_11_0_arm64": ["macosx_11_0_arm64"],
    "macosx_10_13_x86_64": ["macosx_10_13_x86_64", "macosx_10_9_x86_64"],
}


def runtime_dependencies(pyproject: Path) -> list[str]:
    return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]


def check(platform: str, tags: list[str], deps: list[str]) -> tuple[bool, str]:
    with tempfile.TemporaryDirectory() as dest:
        cmd = [sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check",
               "--only-binary=:all:", "--python-version", "3.11", "--implementation", "cp",
               "--dest", dest]  # fmt: skip
        for tag in tags:
            cmd += ["--platform", tag]
        proc = subprocess.run([*cmd, *deps], capture_output=True, text=True)
        wheels = sorted(p.name for p in Path(dest).glob("*.whl"))
    if proc.returncode:
        return False, (proc.stderr.strip().splitlines() or ["pip failed"])[-1]
    return True, f"{len(wheels)} wheels"


def main() -> int:
    deps = runtime_dependencies(Path(__file__).resolve().parent.parent / "pyproject.toml")
    failed = 0
    for platform, tags in PLATFORMS.items():
        ok, detail = check(platform, tags, deps)
        failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {platform}: {detail}", flush=True)
    return failed


if __name__ == "__main__":
    sys.exit(main())
