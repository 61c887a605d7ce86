"""Which files are ledgers to report, and where their outputs go: one folder per input, never two in one.

- ``is_ledger_file`` / ``ledger_files``: a ledger we report is not an Office lock file, a hidden
  file or one of our own outputs; ``skipped_files``: the others a user put there, each with why.
- ``output_folder_name`` / ``output_folders``: the stem, or stem plus extension where two inputs
  share a stem (``台账.xls`` → ``台账（xls）``, ``台账.xlsx`` → ``台账（xlsx）``); ``default_outdir``.
- ``ensure_writable_folder``: an output folder proven writable before any work, said as such.

The output files' own names are their writers' (``workbook.workbook_filename``,
``notice.notice_filename``). The naming rules are in docs/outputs.md.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import OutputError, os_reason, read_only, read_only_folder

LEDGER_SUFFIXES = (".xlsx", ".xlsm", ".xls")


# ---- which files, and where their outputs go ------------------------------------------------


def is_ledger_file(path: Path) -> bool:
    """A ledger we report: not an Office lock file, a hidden file or one of our own outputs."""
    name = path.name
    return (
        path.suffix.lower() in LEDGER_SUFFIXES
        and not name.startswith(("~$", ".", ".~"))
        and "（清洗）" not in path.stem
        and path.is_file()
    )


def ledger_files(folder: Path) -> list[Path]:
    """Ledgers in a folder, by name."""
    return sorted((p for p in folder.iterdir() if is_ledger_file(p)), key=lambda p: p.name)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file in a reported folder that is not reported, and why, in a sentence for the user."""

    path: Path
    reason: str

    def as_json(self) -> dict[str, str]:
        return {"file": str(self.path), "reason": self.reason}


# Tables in a format we do not read: said with what to do, as a user would otherwise wonder.
OTHER_TABLES = (".csv", ".et", ".ods", ".numbers", ".xlsb")


def skip_reason(path: Path) -> str | None:
    """Why a file beside the ledgers is not reported; None for files not worth a word.

    Not worth a word: folders (the 输出 folder lives there), hidden files and Office lock files
    (``~$台账.xlsx``: Excel and WPS make and remove them while a ledger is open, they are not
    the user's files), and the folder's own ledgerkit.toml. Everything else the user put there
    and might expect reported is listed.
    """
    from ..config import CONFIG_NAME

    name = path.name
    if name.startswith(("~$", ".")) or name == CONFIG_NAME or not path.is_file():
        return None
    suffix = path.suffix.lower()
    if suffix in LEDGER_SUFFIXES:
        return "这是 ledgerkit 写出的清洗台账，不再作为台账处理。" if "（清洗）" in path.stem else None
    if suffix in OTHER_TABLES:
        kind = "CSV" if suffix == ".csv" else suffix.lstrip(".")
        return f"{kind} 文件不能作为台账读取，请用 Excel 或 WPS 打开后另存为 .xlsx，再运行一次。"
    return "不是台账文件（只处理 .xlsx .xlsm .xls）。"


def skipped_files(folder: Path) -> list[Skipped]:
    """The files of a folder that ``report FOLDER`` leaves out and says so, by name."""
    found = ((p, skip_reason(p)) for p in sorted(folder.iterdir(), key=lambda p: p.name))
    return [Skipped(p, why) for p, why in found if why]


def default_outdir(path: Path) -> Path:
    """``输出`` beside the ledger (or inside the folder) reported."""
    return path.parent / "输出"


def output_folder_name(path: Path, siblings: list[Path]) -> str:
    """The folder for one input's outputs among ``siblings`` (the ledgers beside it).

    Each ledger gets its own folder because notices are named after the unit: one unit's
    several ledgers must not overwrite each other's notice. The folder is the stem; where two
    ledgers share a stem (``x.xls`` and ``x.xlsx``), each gets its extension in full-width
    brackets, as ``（清洗）`` is written: ``x（xls）``, ``x（xlsx）``. Stems compare without case,
    as Windows folders do.
    """
    stem = path.stem.casefold()
    clash = any(p.name != path.name and p.stem.casefold() == stem for p in siblings)
    return f"{path.stem}（{path.suffix.lstrip('.')}）" if clash else path.stem


def output_folders(files: list[Path], out: Path) -> dict[Path, Path]:
    """Input file → its own output folder under ``out``; never two inputs in one folder."""
    return {p: out / output_folder_name(p, files) for p in files}


def ensure_writable_folder(folder: Path) -> None:
    """Create ``folder`` and prove a file can be made in it; else one sentence (OutputError).

    Checked before any work so an unwritable output folder is said as such, and callers
    (the watcher) can tell it from a bad ledger: the ledger is fine and worth retrying.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".~ledgerkit-probe-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except FileExistsError:
        raise OutputError(
            f"输出文件夹“{folder}”无法创建：同名的文件已存在，请删除或改名该文件后重试。"
        ) from None
    except NotADirectoryError:
        raise OutputError(
            f"输出文件夹“{folder}”无法创建：路径中有一部分是文件而不是文件夹，请检查输出路径。"
        ) from None
    except OSError as exc:
        where = folder if folder.is_dir() else folder.parent
        if read_only(where, exc):
            raise read_only_folder(where, "无法写入清洗台账和通报") from None
        raise OutputError(
            f"输出文件夹“{folder}”不能写入（{os_reason(exc)}），请检查该文件夹的权限和磁盘空间。"
        ) from None
