"""The offline bundle: wheels for the target desk's markers, and installers cmd and sh can read.

``.ci/run`` builds real bundles (this machine's, installed with no network; and win_amd64); these
tests pin what a run on Linux cannot show: a Windows desk's markers, and the .bat's bytes.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import bundle
import wheels


def fake_wheel(folder: Path, name: str, *requires: str) -> Path:
    """A real wheel file carrying only METADATA and WHEEL: what the resolver reads."""
    path = folder / f"{name}-1.0-py3-none-any.whl"
    meta = "".join(f"Requires-Dist: {r}\n" for r in requires)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            f"{name}-1.0.dist-info/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n{meta}"
        )
        zf.writestr(
            f"{name}-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    fake_wheel(
        tmp_path,
        "app",
        'winonly; platform_system == "Windows"',
        'old_only; python_version < "3.11"',
        "lib[fast]>=1",
        'sphinx; extra == "docs"',
    )
    fake_wheel(tmp_path, "lib", 'speedup; extra == "fast"', 'mac_only; sys_platform == "darwin"')
    return tmp_path


def test_the_targets_markers_decide_what_is_missing(folder: Path):
    win310 = wheels.target_environment("win_amd64", "3.10")
    assert sorted(wheels.missing_requirements(folder, ["app"], win310)) == ["old_only", "speedup", "winonly"]
    linux = wheels.target_environment("manylinux2014_aarch64", "3.11")
    assert wheels.missing_requirements(folder, ["app"], linux) == ["speedup"]
    mac = wheels.target_environment("macosx_11_0_arm64", "3.11")
    assert sorted(wheels.missing_requirements(folder, ["app"], mac)) == ["mac_only", "speedup"]


def test_a_root_requirement_for_another_python_is_not_missing(folder: Path):
    env = wheels.target_environment("win_amd64", "3.11")
    fake_wheel(folder, "winonly")
    fake_wheel(folder, "speedup")
    assert wheels.missing_requirements(folder, ["app", "tomli; python_version < '3.11'"], env) == []
    env310 = wheels.target_environment("win_amd64", "3.10")
    assert "tomli" in wheels.missing_requirements(folder, ["app", "tomli; python_version < '3.11'"], env310)


def test_every_platform_has_its_markers_and_a_name_for_the_desk():
    assert set(wheels.PLATFORMS) == set(wheels._MARKERS) == set(bundle.DESKS)
    assert wheels.this_platform() in wheels.PLATFORMS


@pytest.fixture
def windows_bundle(tmp_path: Path) -> Path:
    (tmp_path / "wheels").mkdir()
    fake_wheel(tmp_path / "wheels", "ledgerkit")
    bundle.write_installers(tmp_path, "win_amd64", "3.10")
    return tmp_path


def test_the_bat_is_ascii_with_crlf_and_finds_the_bundles_python(windows_bundle: Path):
    data = (windows_bundle / "安装.bat").read_bytes()
    assert data.isascii()  # cmd reads the file in the OEM code page
    assert data.count(b"\n") == data.count(b"\r\n") > 10
    text = data.decode()
    assert 'py -3.10 -c "pass"' in text and "(3, 10)" in text
    assert '"%~dp0install.py"' in text


def test_the_installers_carry_the_target(windows_bundle: Path):
    installer = (windows_bundle / "install.py").read_text(encoding="utf-8")
    assert 'TARGET = {"python": "3.10", "platform": "win_amd64"}' in installer
    sh = windows_bundle / "install.sh"
    assert b"\r" not in sh.read_bytes()
    assert subprocess.run(["sh", "-n", str(sh)]).returncode == 0
    readme = (windows_bundle / "说明.txt").read_bytes()
    assert readme.startswith("\ufeff".encode()) and b"\r\n" in readme
    text = readme.decode("utf-8-sig")
    assert "%USERPROFILE%\\.ledgerkit-error.log" in text and "Python 3.10" in text and "安装.bat" in text


def test_the_installer_refuses_another_python_before_touching_anything(windows_bundle: Path):
    path = windows_bundle / "install.py"
    path.write_text(path.read_text(encoding="utf-8").replace('"python": "3.10"', '"python": "2.7"'), "utf-8")
    proc = subprocess.run([sys.executable, str(path), "--no-path"], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "本安装包为 Python 2.7 制作" in proc.stdout
    assert not (windows_bundle / "venv").exists()


def test_a_bundle_missing_a_wheel_fails_offline_with_a_sentence_and_the_log(tmp_path: Path):
    (tmp_path / "wheels").mkdir()
    fake_wheel(tmp_path / "wheels", "ledgerkit", "no-such-dependency>=1")
    bundle.write_installers(tmp_path, wheels.this_platform(), f"{sys.version_info[0]}.{sys.version_info[1]}")
    proc = subprocess.run(
        [sys.executable, str(tmp_path / "install.py"), "--no-path"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "安装未完成：pip 未能安装。详细记录见" in proc.stdout
    assert "no-such-dependency" in proc.stdout  # pip's last words, shown with the sentence
    log = (tmp_path / "安装日志.txt").read_text(encoding="utf-8")
    assert "--no-index" in log and "no-such-dependency" in log
