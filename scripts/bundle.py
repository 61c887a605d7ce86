"""Write an offline bundle: a folder IT staff carry to desks that reach no package registry.

    python3 scripts/bundle.py --platform win_amd64 --python 3.11 --out 离线安装包

writes OUT/ with wheels/ (the ledgerkit wheel and the wheel of every runtime dependency for that
platform and Python), install.py (the installer), 安装.bat (Windows), install.sh (Linux, macOS),
说明.txt and 示例/整改台账.xlsx. Without --platform / --python: this machine's. Downloading needs
the network; installing from the bundle never does. Exit code 1 when some dependency has no
wheel for the target (pip's last words are printed).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from wheels import PLATFORMS, download, this_platform

ROOT = Path(__file__).resolve().parent.parent

DESKS = {
    "win_amd64": "Windows 64 位",
    "manylinux2014_x86_64": "Linux x86_64（统信、麒麟 x86 版等）",
    "manylinux2014_aarch64": "Linux aarch64（麒麟、统信 ARM 版，飞腾、鲲鹏）",
    "macosx_11_0_arm64": "macOS（Apple 芯片）",
    "macosx_10_13_x86_64": "macOS（Intel 芯片）",
}

# ASCII only and CRLF: cmd reads a .bat in the console's OEM code page (936 on a Chinese desk), so
# any non-ASCII byte would be misread; the Chinese messages are printed by install.py instead.
BAT = r"""@echo off
rem ledgerkit offline installer for Windows, written by scripts/bundle.py.
rem Finds Python {python} and runs install.py beside this file (no network is used).
setlocal
set "PY="
py -{python} -c "pass" >nul 2>&1 && set "PY=py -{python}"
if not defined PY python -c "import sys; sys.exit(sys.version_info[:2] != ({major}, {minor}))" >nul 2>&1 && set "PY=python"
if not defined PY goto nopython
%PY% "%~dp0install.py" %*
set "RC=%ERRORLEVEL%"
pause
exit /b %RC%

:nopython
echo.
echo Python {python} was not found on this computer.
echo Install it from https://www.python.org/downloads/windows/ - "Windows installer (64-bit)",
echo tick "Add python.exe to PATH" on its first page, then run this file again.
echo.
pause
exit /b 1
"""

SH = """#!/bin/sh
# ledgerkit offline installer for Linux (Kylin, UOS) and macOS, written by scripts/bundle.py.
# Finds Python {python} (or the one in $PYTHON) and runs install.py beside this file; no network.
here=$(cd "$(dirname "$0")" && pwd)
for py in "${{PYTHON:-}}" python{python} python3 python; do
  [ -n "$py" ] && command -v "$py" >/dev/null 2>&1 || continue
  if "$py" -c "import sys; sys.exit(sys.version_info[:2] != ({major}, {minor}))" 2>/dev/null; then
    exec "$py" "$here/install.py" "$@"
  fi
done
echo "未找到 Python {python}。请 IT 人员安装 Python {python}，或用 PYTHON=/路径/python{python} sh install.sh 指定。" >&2
exit 1
"""

README_WINDOWS = """Windows：
1. 安装 Python {python}：从 https://www.python.org/downloads/windows/ 下载 Python {python} 的
   “Windows installer (64-bit)”（内网电脑可由 IT 人员带入），运行时在第一页勾选“Add python.exe to PATH”，
   再点“Install Now”。
2. 把整个文件夹复制到本机硬盘（例如 D:\\ledgerkit），不要在 U 盘或压缩包里直接运行；装好后不要移动这个文件夹。
3. 双击“安装.bat”。看到“安装完成”后关闭窗口。
4. 打开一个新的“命令提示符”（开始菜单中搜索 cmd），输入 ledgerkit --version 检查；
   试用：ledgerkit report D:\\ledgerkit\\示例\\整改台账.xlsx
"""

README_POSIX = """Linux（麒麟、统信）、macOS：
1. 需要 Python {python}：在终端中输入 python{python} --version 检查。系统自带的 Python 版本较低时，请 IT 人员安装
   Python {python}（macOS 用 python.org 的安装程序）。
2. 把整个文件夹复制到本机（例如 ~/ledgerkit），装好后不要移动这个文件夹。
3. 在终端中运行：sh ~/ledgerkit/install.sh
   （Python 不在常用位置时：PYTHON=/路径/python{python} sh install.sh）
4. 打开新的终端，输入 ledgerkit --version 检查；试用：ledgerkit report ~/ledgerkit/示例/整改台账.xlsx
"""

README = """ledgerkit 离线安装包
适用于：{desk}，Python {python}（其他系统或 Python 版本请用对应的安装包）

本文件夹中：
  wheels/         ledgerkit 和它用到的全部软件包（{count} 个文件），安装时只用这些文件，不连网
  安装.bat         Windows 的安装程序（双击运行）
  install.sh      Linux、macOS 的安装程序
  install.py      上面两个文件调用的安装程序
  示例/整改台账.xlsx  试用的示例台账

{steps}
安装程序在本文件夹中建立 venv 文件夹并装入 ledgerkit，再把 ledgerkit 命令加入 PATH。再次运行会重新安装（用于升级）。

出了问题：
- 安装的详细记录：本文件夹中的“安装日志.txt”。
- ledgerkit 运行时的内部错误：{log}（把它和出错的台账一起发给维护人员）。
"""


def build_wheel(dest: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--wheel-dir", str(dest), str(ROOT)],
                   check=True)  # fmt: skip
    return next(dest.glob("ledgerkit-*.whl"))


def write_text(path: Path, text: str, *, crlf: bool = False, bom: bool = False) -> None:
    data = text.replace("\n", "\r\n") if crlf else text
    path.write_bytes(("\ufeff" if bom else "").encode() + data.encode("utf-8"))


def write_installers(out: Path, platform: str, python: str) -> None:
    major, minor = python.split(".")
    fields = {"python": python, "major": major, "minor": minor}
    installer = (ROOT / "scripts" / "bundle_install.py").read_text(encoding="utf-8")
    target = f'TARGET = {{"python": "{python}", "platform": "{platform}"}}'
    placeholder = 'TARGET = {"python": "3.11", "platform": ""}'
    assert placeholder in installer, "scripts/bundle_install.py lost its TARGET line"
    installer = installer.replace(placeholder, target, 1)
    write_text(out / "install.py", installer)
    bat = BAT.format(**fields)
    assert bat.isascii(), "安装.bat must stay ASCII"
    write_text(out / "安装.bat", bat, crlf=True)
    write_text(out / "install.sh", SH.format(**fields))
    (out / "install.sh").chmod(0o755)
    windows = platform.startswith("win")
    steps = (README_WINDOWS if windows else README_POSIX).format(**fields)
    log = r"%USERPROFILE%\.ledgerkit-error.log" if windows else "~/.ledgerkit-error.log"
    count = len(list((out / "wheels").glob("*.whl")))
    text = README.format(desk=DESKS[platform], python=python, count=count, steps=steps, log=log)
    # Windows Notepad before 2019 reads UTF-8 only with a BOM; CRLF for the same desks.
    write_text(out / "说明.txt", text, crlf=windows, bom=windows)


def make_bundle(out: Path, platform: str, python: str, wheel: Path | None) -> int:
    wheels = out / "wheels"
    shutil.rmtree(wheels, ignore_errors=True)  # never mix two bundles' wheels
    wheels.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = shutil.copy2(wheel or build_wheel(Path(tmp)), wheels)
    proc = download(platform, python, [str(wheel)], wheels)
    if proc.returncode:
        print(
            f"{platform} cp{python}: {(proc.stderr.strip().splitlines() or ['pip failed'])[-1]}",
            file=sys.stderr,
        )
        return 1
    write_installers(out, platform, python)
    (out / "示例").mkdir(exist_ok=True)
    shutil.copy2(ROOT / "examples" / "整改台账.xlsx", out / "示例" / "整改台账.xlsx")
    count = len(list(wheels.glob("*.whl")))
    print(f"{out}: {DESKS[platform]}, Python {python}, {count} wheels")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write an offline ledgerkit bundle (see 说明.txt inside).")
    parser.add_argument("--platform", choices=sorted(PLATFORMS), default=this_platform())
    parser.add_argument("--python", default=f"{sys.version_info[0]}.{sys.version_info[1]}", help="e.g. 3.11")
    parser.add_argument("--out", type=Path, required=True, help="folder to write (its wheels/ is replaced)")
    parser.add_argument("--wheel", type=Path, help="a ledgerkit wheel already built (default: build one)")
    args = parser.parse_args(argv)
    return make_bundle(args.out.resolve(), args.platform, args.python, args.wheel)


if __name__ == "__main__":
    sys.exit(main())
