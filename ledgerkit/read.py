"""Read a workbook file into plain grids of cell values: the first pipeline stage.

python-calamine gives the values (fast, .xlsx/.xlsm/.xls alike) and the merged ranges.
The format is told from the file's first bytes, not its name. Formula cells are found in
the sheet XML only when a sheet has any (rare in ledgers), so ordinary files pay nothing.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UnreadableError

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Refuse archives that would inflate past these before anything is parsed.
MAX_PART_BYTES = 512 * 1024 * 1024
MAX_RATIO = 200


@dataclass(slots=True)
class Merge:
    first_row: int  # 0-based, inclusive
    first_col: int
    last_row: int
    last_col: int


@dataclass(slots=True)
class RawSheet:
    name: str
    rows: list[list[object]]  # cell values as calamine gives them; "" for empty
    merges: list[Merge] = field(default_factory=list)
    formulas_without_value: list[tuple[int, int]] = field(default_factory=list)  # 0-based


@dataclass(slots=True)
class RawWorkbook:
    path: Path
    file_format: str  # xlsx | xlsm | xls
    sheets: list[RawSheet]


def sniff_format(path: Path) -> str:
    """xlsx, xlsm or xls from the content; UnreadableError with the reason otherwise."""
    name = path.name
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except FileNotFoundError:
        raise UnreadableError(f"找不到文件“{name}”。请检查路径。") from None
    except IsADirectoryError:
        raise UnreadableError(f"“{name}”是文件夹，不是台账文件。") from None
    except OSError as exc:
        raise UnreadableError(f"无法打开“{name}”：{exc.strerror}。请确认文件没有被其他程序独占。") from None
    if not head:
        raise UnreadableError(f"“{name}”是空文件，不是 Excel 台账。请重新导出或保存后再试。")
    if head.startswith(OLE_MAGIC):
        return _ole_kind(path)
    if head.startswith(ZIP_MAGIC):
        return _zip_kind(path)
    if name.startswith("~$"):
        raise UnreadableError(f"“{name}”是 Excel 打开文件时生成的临时锁文件，不是台账。请选择台账文件本身。")
    raise UnreadableError(
        f"“{name}”不是 Excel 工作簿（可能是文本、CSV 或网页文件改了扩展名）。"
        "请用 Excel 或 WPS 打开后“另存为” .xlsx 格式再试。"
    )


def _ole_kind(path: Path) -> str:
    import olefile  # ships with msoffcrypto-tool; tiny

    try:
        with olefile.OleFileIO(str(path)) as ole:
            if ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage"):
                raise UnreadableError(
                    f"“{path.name}”设置了打开密码，无法读取。请在 Excel 中取消密码（文件→信息→保护工作簿）后再试。"
                )
            if ole.exists("Workbook") or ole.exists("Book"):
                return "xls"
    except OSError:
        pass
    raise UnreadableError(
        f"“{path.name}”是损坏的或不是 Excel 的旧版（.xls）文件。请用 Excel 重新保存后再试。"
    )


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "xl/workbook.xml" not in names:
                raise UnreadableError(
                    f"“{path.name}”是压缩包，但其中没有 Excel 工作簿。请确认选择的是台账文件。"
                )
            _check_sizes(path.name, zf)
            ctypes = zf.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except zipfile.BadZipFile:
        raise UnreadableError(
            f"“{path.name}”已损坏（文件不完整），无法读取。请重新复制或导出该文件。"
        ) from None
    return "xlsm" if b"macroEnabled" in ctypes else "xlsx"


def _check_sizes(name: str, zf: zipfile.ZipFile) -> None:
    """Zip-bomb guard: judge parts by their declared sizes before inflating any."""
    total = 0
    for info in zf.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if (
            info.file_size > MAX_PART_BYTES
            or total > MAX_PART_BYTES
            or (info.file_size > 10_000_000 and ratio > MAX_RATIO)
        ):
            raise UnreadableError(
                f"“{name}”中的“{info.filename}”解压后异常巨大（{info.file_size // 1_000_000} MB），"
                "为安全起见不予读取。请确认文件来源，或重新导出台账。"
            )


def read_workbook(path: Path) -> RawWorkbook:
    """Every sheet's values and merges. The file is opened read-only and never written."""
    fmt = sniff_format(path)
    from python_calamine import CalamineWorkbook

    try:
        with open(path, "rb") as fh:
            wb = CalamineWorkbook.from_filelike(fh)
            sheets = [_read_sheet(wb, name) for name in wb.sheet_names]
    except UnreadableError:
        raise
    except Exception as exc:  # calamine raises its own types for broken parts
        raise UnreadableError(
            f"“{path.name}”无法读取（{_reason(exc)}）。请用 Excel 打开后重新保存再试。"
        ) from None
    if fmt in ("xlsx", "xlsm"):
        _find_formulas_without_value(path, sheets)
    return RawWorkbook(path=path, file_format=fmt, sheets=sheets)


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "password" in text.lower() or "encrypt" in text.lower():
        return "文件设置了密码"
    return text[:120]


def _read_sheet(wb: object, name: str) -> RawSheet:
    sheet = wb.get_sheet_by_name(name)  # type: ignore[attr-defined]
    rows = sheet.to_python(skip_empty_area=False)
    merges = [Merge(a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or [])]
    return RawSheet(name=name, rows=rows, merges=merges)


def _find_formulas_without_value(path: Path, sheets: list[RawSheet]) -> None:
    """Formula cells with no cached value read as empty: find them so we can warn."""
    from .xlsx_parts import formula_cells_without_value

    found = formula_cells_without_value(path)
    by_name = {s.name: s for s in sheets}
    for sheet_name, cells in found.items():
        if sheet_name in by_name:
            by_name[sheet_name].formulas_without_value = cells
