"""ledgerkit 离线安装程序：在本文件夹中建立 venv，只从 wheels/ 安装，不连网。

Copied into each offline bundle as ``install.py`` by ``scripts/bundle.py``, which fills in TARGET;
``安装.bat`` (Windows) and ``install.sh`` (Linux, macOS) find the right Python and run it.
Standard library only: it runs on a desk that has nothing but Python.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

TARGET = {"python": "3.11", "platform": ""}  # written by scripts/bundle.py

HERE = Path(__file__).resolve().parent
VENV = HERE / "venv"
LOG = HERE / "安装日志.txt"
WINDOWS = sys.platform == "win32"


def say(text: str) -> None:
    print(text, flush=True)


def fail(text: str) -> int:
    say(f"安装未完成：{text}")
    return 1


def offline_env() -> dict[str, str]:
    """pip with no index and no configuration: a pip.ini or PIP_* variable on the desk (a mirror
    that is unreachable, extra find-links) can neither slow the install nor add wheels to it."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("PIP_")}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    env["PYTHONNOUSERSITE"] = "1"
    return env


def venv_file(name: str) -> Path:
    return VENV / ("Scripts" if WINDOWS else "bin") / (f"{name}.exe" if WINDOWS else name)


def make_venv() -> str | None:
    try:
        venv.EnvBuilder(clear=True, with_pip=True).create(VENV)
    except PermissionError:
        return f"无法重建 {VENV}：请先关闭正在运行的 ledgerkit（包括 watch），再运行一次。"
    except (OSError, subprocess.CalledProcessError) as exc:
        if not WINDOWS:
            return (
                f"无法建立 Python 虚拟环境（{exc.__class__.__name__}）。"
                "请 IT 人员安装 python3-venv（统信、麒麟：sudo apt install python3-venv）后再运行。"
            )
        return f"无法建立 Python 虚拟环境（{exc}）。"
    return None


def pip_install() -> bool:
    cmd = [str(venv_file("python")), "-m", "pip", "install", "--no-index", "--find-links",
           str(HERE / "wheels"), "--upgrade", "ledgerkit"]  # fmt: skip
    with LOG.open("a", encoding="utf-8") as log:
        log.write(f"$ {' '.join(cmd)}\n")
        log.flush()
        proc = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, env=offline_env())
    return proc.returncode == 0


def add_to_path() -> str:
    """Make `ledgerkit` a command in new terminal windows; returns what was done, in a sentence."""
    scripts = venv_file("ledgerkit").parent
    if WINDOWS:
        return _add_to_windows_path(str(scripts))
    link = Path.home() / ".local" / "bin" / "ledgerkit"
    if link.exists() and not link.is_symlink():
        return f"{link} 已存在且不是本安装的链接，未改动；可直接运行 {venv_file('ledgerkit')}"
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink():
        link.unlink()
    link.symlink_to(venv_file("ledgerkit"))
    if str(link.parent) in os.environ.get("PATH", "").split(os.pathsep):
        return f"已建立命令 {link}"
    if sys.platform == "darwin":  # zsh adds no ~/.local/bin by itself; Debian/Kylin/UOS profiles do
        profile = Path.home() / ".zprofile"
        text = profile.read_text(encoding="utf-8") if profile.exists() else ""
        if ".local/bin" not in text:
            profile.write_text(
                text + '\nexport PATH="$HOME/.local/bin:$PATH"  # ledgerkit\n', encoding="utf-8"
            )
        return f"已建立命令 {link}，并加入 {profile}：在新的终端窗口中可用"
    return f"已建立命令 {link}（重新登录后可直接输入 ledgerkit；现在可运行 {link}）"


def _add_to_windows_path(folder: str) -> str:
    import ctypes
    import winreg

    with winreg.OpenKey(winreg.HKEY_CURRENT_USER, "Environment", 0, winreg.KEY_ALL_ACCESS) as key:
        try:
            value, kind = winreg.QueryValueEx(key, "Path")
        except FileNotFoundError:
            value, kind = "", winreg.REG_EXPAND_SZ
        parts = [p for p in value.split(";") if p]
        if folder.lower() in (p.lower() for p in parts):
            return f"{folder} 已在用户 PATH 中"
        winreg.SetValueEx(key, "Path", 0, kind, ";".join([*parts, folder]))
    # Tell Explorer, so that a command window opened from now on sees the new PATH.
    ctypes.windll.user32.SendMessageTimeoutW(0xFFFF, 0x001A, 0, "Environment", 0x0002, 5000, None)
    return f"已把 {folder} 加入用户 PATH"


def main(argv: list[str]) -> int:
    want = TARGET["python"]
    have = f"{sys.version_info[0]}.{sys.version_info[1]}"
    if have != want:
        return fail(
            f"本安装包为 Python {want} 制作，这里运行的是 Python {have}。请安装 Python {want} 后再运行。"
        )
    say(f"正在安装 ledgerkit 到 {VENV} （不连网，只用 {HERE / 'wheels'} 中的文件）……")
    LOG.write_text(f"Python {sys.version}\n{sys.executable}\n", encoding="utf-8")
    problem = make_venv()
    if problem:
        return fail(problem)
    if not pip_install():
        tail = LOG.read_text(encoding="utf-8").strip().splitlines()[-3:]
        return fail("pip 未能安装。详细记录见 " + str(LOG) + "\n" + "\n".join(tail))
    version = subprocess.run([str(venv_file("ledgerkit")), "--version"], capture_output=True, text=True)
    if version.returncode:
        return fail(f"安装后无法运行 ledgerkit。详细记录见 {LOG}")
    say(f"已安装 {version.stdout.strip()}")
    if "--no-path" not in argv:
        say(add_to_path())
    say(f'安装完成。打开一个新的命令行窗口，试一下：ledgerkit report "{HERE / "示例" / "整改台账.xlsx"}"')
    say(f"运行出错时的详细信息在 {Path.home() / '.ledgerkit-error.log'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
