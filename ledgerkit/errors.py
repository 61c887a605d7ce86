"""Errors a user can cause, carrying the one Chinese sentence they are shown."""

from __future__ import annotations

import errno
import os
from pathlib import Path


class LedgerkitError(Exception):
    """Anything a user can cause and fix: shown as its message, never a traceback."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnreadableError(LedgerkitError):
    """The file cannot be read as a ledger (exit 2)."""


class ConfigError(LedgerkitError):
    """ledgerkit.toml has an unknown key, a wrong type or bad TOML (exit 2)."""


class MailError(LedgerkitError):
    """The mail server refused the connection or the login (exit 2)."""


class MailSettingsError(ConfigError, MailError):
    """[mail] in ledgerkit.toml has a value no server takes: found when the config is loaded (exit 2)."""


class OutputError(LedgerkitError):
    """An output folder or file cannot be written: the ledger is fine, the place is not (exit 2)."""


# What went wrong, in Chinese: ``strerror`` is English on Linux and macOS ("Permission denied").
_REASONS = {
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.EROFS: "所在的磁盘或共享是只读的",
    errno.ENOSPC: "磁盘空间不足",
    errno.ENOENT: "文件或文件夹不存在",
    errno.EEXIST: "同名的文件已存在",
    errno.ENOTDIR: "路径中有一部分是文件而不是文件夹",
    errno.EISDIR: "这是一个文件夹",
    errno.EBUSY: "正被其他程序占用",
    errno.ENAMETOOLONG: "文件名或路径太长",
    errno.EIO: "读写磁盘出错",
}


def os_reason(exc: OSError) -> str:
    """The cause of an OSError in a few Chinese words, for a sentence a user reads."""
    return _REASONS.get(exc.errno or 0) or (f"系统错误 {exc.errno}" if exc.errno else "系统错误")


def read_only(folder: Path, exc: OSError) -> bool:
    """The folder itself cannot be written (a read-only share or disk, no write permission), as
    opposed to one file in it being locked: an open workbook on Windows is a PermissionError too."""
    if exc.errno == errno.EROFS:
        return True
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM):
        return not os.access(folder, os.W_OK)
    return False


def read_only_folder(
    folder: Path, failed: str, instead: str = "换一个可以写入的文件夹（用 -o 指定输出文件夹）"
) -> LedgerkitError:
    """What ``failed`` (无法写入“变化对照.xlsx”) because ``folder`` is read-only: said so, with the
    folder named and what to do ``instead``; never "the file may be open in Excel"."""
    return OutputError(
        f"{failed}：文件夹“{folder}”是只读的（没有写入权限）。请{instead}，或请管理员开放该文件夹的写入权限。"
    )


def unwritable(out_path: Path, exc: Exception) -> LedgerkitError:
    """The sentence for a workbook that could not be written (the cleaned workbook, combine's,
    compare's), from the OSError met, or the FileCreateError xlsxwriter wraps it in at close."""
    if not isinstance(exc, OSError):
        exc = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else OSError(str(exc))
    name = out_path.name
    if read_only(out_path.parent, exc):
        return read_only_folder(out_path.parent, f"无法写入“{name}”")
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM):
        return LedgerkitError(f"无法写入“{out_path}”：文件可能正在 Excel 或 WPS 中打开。请关闭该文件后重试。")
    import tempfile  # only here: the CLI imports this module on every start

    temp = tempfile.gettempdir()
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return LedgerkitError(
            f"无法写入“{name}”：磁盘空间不足（输出文件夹“{out_path.parent}”或临时文件夹“{temp}”所在的磁盘）。"
            "请清理磁盘空间后重试。"
        )
    if exc.filename and _under(str(exc.filename), temp):
        return LedgerkitError(
            f"无法写入“{name}”：临时文件夹“{temp}”写入失败（{os_reason(exc)}）。"
            "请检查该文件夹存在、可写且磁盘有空间。"
        )
    return LedgerkitError(f"无法写入“{out_path}”：{os_reason(exc)}。请检查输出文件夹。")


def _under(path: str, folder: str) -> bool:
    try:
        return os.path.commonpath([os.path.abspath(path), os.path.abspath(folder)]) == os.path.abspath(folder)
    except ValueError:  # another drive on Windows
        return False
