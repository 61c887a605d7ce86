"""Which files are ledgers to report, and where their outputs go: one folder per input, never two in one.

- ``is_ledger_file`` / ``ledger_files``: a ledger we report is not an Office lock file, a hidden
  file or one of our own outputs.
- ``output_folder_name`` / ``output_folders``: the stem, or stem plus extension where two inputs
  share a stem (``台账.xls`` → ``台账（xls）``, ``台账.xlsx`` → ``台账（xlsx）``); ``default_outdir``.
- ``ensure_writable_folder``: an output folder proven writable before any work, said as such.

The output files' own names are their writers' (``workbook.workbook_filename``,
``notice.notice_filename``). The naming rules are in docs/outputs.md.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import OutputError

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
        raise OutputError(
            f"输出文件夹“{folder}”不能写入（{exc.strerror or exc}），请检查该文件夹的权限和磁盘空间。"
        ) from None
