"""Download the wheels a desk needs: every runtime dependency, for one platform and one Python.

Used by ``.ci/check_wheels.py`` (does every dependency install as wheels everywhere?) and by
``scripts/bundle.py`` (the offline bundle). ``pip download --platform`` picks wheels for the target
but evaluates environment markers for *this* machine: from Linux, click's
``colorama; platform_system == "Windows"`` is never fetched and a Windows desk without a network
cannot install. So after pip is done, the wheels' own requirements are evaluated for the target,
and whatever is missing is fetched too, until nothing is.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement

# Each target with the tags pip may accept there: a manylinux2014 (glibc 2.17) desk also installs
# wheels for older glibc; the newer manylinux_2_28 is Kylin V10 / UOS 20 era glibc, also accepted.
PLATFORMS: dict[str, list[str]] = {
    "win_amd64": ["win_amd64"],
    "manylinux2014_x86_64": ["manylinux2014_x86_64", "manylinux_2_17_x86_64", "manylinux_2_28_x86_64"],
    "manylinux2014_aarch64": ["manylinux2014_aarch64", "manylinux_2_17_aarch64", "manylinux_2_28_aarch64"],
    "macosx_11_0_arm64": ["macosx_11_0_arm64"],
    "macosx_10_13_x86_64": ["macosx_10_13_x86_64", "macosx_10_9_x86_64"],
}

# What environment markers see on each target desk (PEP 508 variables).
_MARKERS: dict[str, dict[str, str]] = {
    "win_amd64": {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt", "platform_machine": "AMD64"},
    "manylinux2014_x86_64": {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix", "platform_machine": "x86_64"},
    "manylinux2014_aarch64": {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix", "platform_machine": "aarch64"},
    "macosx_11_0_arm64": {"sys_platform": "darwin", "platform_system": "Darwin", "os_name": "posix", "platform_machine": "arm64"},
    "macosx_10_13_x86_64": {"sys_platform": "darwin", "platform_system": "Darwin", "os_name": "posix", "platform_machine": "x86_64"},
}  # fmt: skip


def this_platform() -> str:
    """The PLATFORMS key for the machine this runs on."""
    import platform

    machine = platform.machine().lower()
    if sys.platform == "win32":
        return "win_amd64"
    if sys.platform == "darwin":
        return "macosx_11_0_arm64" if machine == "arm64" else "macosx_10_13_x86_64"
    return "manylinux2014_aarch64" if machine in ("aarch64", "arm64") else "manylinux2014_x86_64"


def target_environment(platform: str, python: str) -> dict[str, str]:
    env = dict(default_environment())
    env.update(_MARKERS[platform])
    env.update(python_version=python, python_full_version=f"{python}.0", implementation_name="cpython")
    env.update(platform_python_implementation="CPython", platform_release="", platform_version="")
    return env


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def wheel_metadata(wheel: Path) -> tuple[str, str, list[str]]:
    """(name, version, Requires-Dist lines) read from a wheel's METADATA."""
    with zipfile.ZipFile(wheel) as zf:
        path = next(n for n in zf.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA"))
        meta = Parser().parsestr(zf.read(path).decode("utf-8"))
    return meta["Name"], meta["Version"], meta.get_all("Requires-Dist") or []


def missing_requirements(folder: Path, wanted: list[str], env: dict[str, str]) -> list[str]:
    """Requirements (of ``wanted`` and of every wheel in folder, for the target) no wheel there provides."""
    have: dict[str, tuple[str, list[str]]] = {}
    for wheel in folder.glob("*.whl"):
        name, version, requires = wheel_metadata(wheel)
        have[canonical(name)] = (version, requires)
    extras: dict[str, set[str]] = {}
    pending = [Requirement(r) for r in wanted if not r.endswith(".whl")]
    pending = [r for r in pending if r.marker is None or r.marker.evaluate({**env, "extra": ""})]
    pending += [Requirement(f"{name}=={v}") for name, (v, _) in have.items()]
    missing: dict[str, Requirement] = {}
    seen: set[tuple[str, frozenset[str]]] = set()
    while pending:
        req = pending.pop()
        name = canonical(req.name)
        key = (name, frozenset(req.extras))
        if key in seen:
            continue
        seen.add(key)
        extras.setdefault(name, set()).update(req.extras)
        if name not in have:
            missing[name] = req
            continue
        for line in have[name][1]:
            dep = Requirement(line)
            if dep.marker is None or any(
                dep.marker.evaluate({**env, "extra": extra}) for extra in ("", *req.extras)
            ):
                pending.append(dep)
    return [
        f"{r.name}{'[' + ','.join(sorted(r.extras)) + ']' if r.extras else ''}{r.specifier}"
        for r in missing.values()
    ]


def download(
    platform: str, python: str, requirements: list[str], dest: Path
) -> subprocess.CompletedProcess[str]:
    """pip download (wheels only) for the target, then fetch what the target's markers add.

    Returns the last pip run; a non-zero returncode means the target cannot install as wheels.
    """
    env = target_environment(platform, python)
    base = [sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check",
            "--only-binary=:all:", "--python-version", python, "--implementation", "cp",
            "--dest", str(dest)]  # fmt: skip
    for tag in PLATFORMS[platform]:
        base += ["--platform", tag]
    proc = subprocess.run([*base, *requirements], capture_output=True, text=True)
    for _ in range(5):
        if proc.returncode:
            return proc
        missing = missing_requirements(dest, requirements, env)
        if not missing:
            return proc
        # The wheels already there go in again as files: the second resolution keeps them.
        pins = [str(w) for w in sorted(dest.glob("*.whl"))]
        proc = subprocess.run([*base, *missing, *pins], capture_output=True, text=True)
    left = missing_requirements(dest, requirements, env)
    if left and not proc.returncode:
        proc.returncode, proc.stderr = 1, f"still missing for {platform}: {', '.join(left)}"
    return proc
