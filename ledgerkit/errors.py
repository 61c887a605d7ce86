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


def unwritable(out_path: Path, exc: Exception) -> LedgerkitError:
    """The sentence for a workbook that could not be written (the cleaned workbook, combine's,
    compare's), from the OSError met, or the FileCreateError xlsxwriter wraps it in at close."""
    if not isinstance(exc, OSError):
        exc = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else OSError(str(exc))
    name = out_path.name
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM):
        return LedgerkitError(
            f"无法写入“{name}”：文件可能正在 Excel 或 WPS 中打开，或没有写入权限。请关闭该文件后重试。"
        )
    import tempfile  # only here: the CLI imports this module on every start

    temp = tempfile.gettempdir()
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return LedgerkitError(
            f"无法写入“{name}”：磁盘空间不足（输出文件夹“{out_path.parent}”或临时文件夹“{temp}”所在的磁盘）。"
            "请清理磁盘空间后重试。"
        )
    if exc.filename and _under(str(exc.filename), temp):
        return LedgerkitError(
            f"无法写入“{name}”：临时文件夹“{temp}”写入失败（{exc.strerror or exc}）。"
            "请检查该文件夹存在、可写且磁盘有空间。"
        )
    return LedgerkitError(f"无法写入“{out_path}”：{exc.strerror or exc}。请检查输出文件夹。")


def _under(path: str, folder: str) -> bool:
    try:
        return os.path.commonpath([os.path.abspath(path), os.path.abspath(folder)]) == os.path.abspath(folder)
    except ValueError:  # another drive on Windows
        return False
