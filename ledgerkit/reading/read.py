"""Read a workbook file into plain grids of cell values: the first pipeline stage.

python-calamine gives the values (fast, .xlsx/.xlsm/.xls alike) and the merged ranges.
The format is told from the file's first bytes, not its name. Formula cells are found in
the sheet XML only when a sheet has any (rare in ledgers), so ordinary files pay nothing.

The file is opened once: its bytes are read, and every reader (the safety scan, calamine, the
zip-part readers for formulas, hidden columns and row marks) works on those bytes. A file
replaced while it is read can never give a mix of two versions, and no later stage goes back to
the file: what they need (the row marks too) travels forward in the RawWorkbook.

Before calamine sees a file, hostile ones are refused with a sentence: archives judged by
their declared sizes (zip bombs), XML parts carrying a DTD (entity bombs), and sheets whose
cells reach so far that calamine's dense grid would exhaust memory (it aborts the process,
which no ``except`` can catch). See xlsx_parts for the scan.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import ParseError

from ..errors import UnreadableError, os_reason
from .xlsx_parts import (
    Extent,
    HostilePart,
    check_part,
    exact_extent,
    is_sheet_part,
    sheet_parts,
)

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Refuse archives that would inflate past these before anything is parsed.
MAX_PART_BYTES = 512 * 1024 * 1024
MAX_RATIO = 200
# calamine allocates each sheet as a dense grid (~45 bytes a cell with our lists): refuse beyond
# this. A stray value in row 1,048,576 of a 19-column ledger still reads (about 1 GB, ~15 s).
MAX_CELLS = 20_000_000


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
    # Cells calamine gives as "" that hold a formula with no saved result (error "") or a saved
    # error value ("#N/A"): 0-based (row, col, error). xlsx only.
    formulas_without_value: list[tuple[int, int, str]] = field(default_factory=list)
    hidden: bool = False  # the sheet is hidden (hidden or very hidden)
    hidden_cols: frozenset[int] = frozenset()  # 0-based columns hidden in the sheet; xlsx only
    # 0-based row -> the mark it shows: "strike" (a struck-through cell with text) or "green" (a
    # green fill on any cell), the leftmost mark of the row; xlsx only. rules/marks.py decides.
    marks: dict[int, str] = field(default_factory=dict)
    # 0-based (row, col) -> formula, of formula cells whose result depends on the day; xlsx only
    volatile: dict[tuple[int, int], str] = field(default_factory=dict)
    # 0-based (row, col) -> the text shown, of numbers that could be a year.month (2025.1 shown
    # "2025.10" through a 0.00 format), None when the format is one we do not read; xlsx only
    shown: dict[tuple[int, int], str | None] = field(default_factory=dict)


@dataclass(slots=True)
class RawWorkbook:
    path: Path
    file_format: str  # xlsx | xlsm | xls
    sheets: list[RawSheet]


def sniff_format(path: Path) -> str:
    """xlsx, xlsm or xls from the content; UnreadableError with the reason otherwise."""
    return inspect(path)[0]


def inspect(path: Path) -> tuple[str, frozenset[str]]:
    """The format, and the sheet parts holding formulas, after the safety checks."""
    return inspect_data(path, read_bytes(path))


def read_bytes(path: Path) -> bytes:
    """The whole file, read once; a sentence for the ways opening it fails."""
    name = path.name
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        raise UnreadableError(f"找不到文件“{name}”。请检查路径。") from None
    except IsADirectoryError:
        raise UnreadableError(
            f"“{name}”是文件夹，不是台账文件。请指定其中的一个台账文件；要处理整个文件夹请用 ledgerkit report {name}。"
        ) from None
    except OSError as exc:
        raise UnreadableError(f"无法打开“{name}”：{os_reason(exc)}。请确认文件没有被其他程序独占。") from None


def inspect_data(path: Path, data: bytes) -> tuple[str, frozenset[str]]:
    """``inspect`` over the file's bytes; ``path`` only names it in messages."""
    name = path.name
    head = data[:8]
    if not head:
        raise UnreadableError(f"“{name}”是空文件，不是 Excel 台账。请重新导出或保存后再试。")
    if head.startswith(OLE_MAGIC):
        return _ole_kind(path, data), frozenset()
    if head.startswith(ZIP_MAGIC):
        return _zip_kind(path, data)
    if name.startswith("~$"):
        raise UnreadableError(f"“{name}”是 Excel 打开文件时生成的临时锁文件，不是台账。请选择台账文件本身。")
    raise UnreadableError(_not_a_workbook(path, data))


def _not_a_workbook(path: Path, data: bytes) -> str:
    """Old systems "export to Excel" as an HTML table or 2003 XML under an .xls name: say which."""
    name = path.name
    head = data[:4096].lower()
    save_as = "请用 Excel 或 WPS 打开它，“另存为”Excel 工作簿（.xlsx）后再试。"
    if b"urn:schemas-microsoft-com:office:spreadsheet" in head and b"<workbook" in head:
        return f"“{name}”是 Excel 2003 的 XML 表格格式，本工具不能直接读取。{save_as}"
    if b"<html" in head or b"<table" in head or b"<!doctype html" in head:
        return f"“{name}”其实是网页（HTML）格式的表格，只是扩展名为{path.suffix}（不少系统“导出 Excel”得到的就是这种文件）。{save_as}"
    return f"“{name}”不是 Excel 工作簿（可能是文本、CSV 或网页文件改了扩展名）。{save_as}"


def _ole_kind(path: Path, data: bytes) -> str:
    import olefile  # ships with msoffcrypto-tool; tiny

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            encrypted = ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage")
            stream = next((s for s in ("Workbook", "Book") if ole.exists(s)), None)
            data = ole.openstream(stream).read() if stream and not encrypted else None
    except Exception:  # olefile raises many kinds on a broken container
        encrypted, data = False, None
    if encrypted:
        raise UnreadableError(
            f"“{path.name}”设置了打开密码，无法读取。请在 Excel 中取消密码（文件→信息→保护工作簿）后再试。"
        )
    if data is None:
        raise UnreadableError(
            f"“{path.name}”是损坏的或不是 Excel 的旧版（.xls）文件。请用 Excel 重新保存后再试。"
        )
    _check_extent(path.name, "", _biff_extent(data))
    return "xls"


# BIFF cell records: row and column (u16 each) open the record; MULRK / MULBLANK end with
# their last column. calamine allocates a dense grid up to the farthest, as for .xlsx.
_BIFF_CELLS = frozenset((0x0001, 0x0002, 0x0003, 0x0004, 0x0005, 0x0006, 0x00D6, 0x00FD, 0x0201, 0x0203))
_BIFF_CELLS |= {0x0204, 0x0205, 0x027E, 0x0406}
_BIFF_MULTI = frozenset((0x00BD, 0x00BE))


def _biff_extent(data: bytes) -> Extent:
    rows = cols = 0
    at, end = 0, len(data) - 4
    while at <= end:
        kind, size = struct.unpack_from("<HH", data, at)
        if (kind in _BIFF_CELLS or kind in _BIFF_MULTI) and size >= 6 and at + 4 + size <= len(data):
            row, col = struct.unpack_from("<HH", data, at + 4)
            if kind in _BIFF_MULTI:
                col = struct.unpack_from("<H", data, at + 2 + size)[0]
            rows, cols = max(rows, row + 1), max(cols, col + 1)
        at += 4 + size
    return Extent(rows, cols)


def _zip_kind(path: Path, data: bytes) -> tuple[str, frozenset[str]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if "xl/workbook.xml" not in names:
                raise UnreadableError(_not_excel_zip(path.name, names))
            _check_sizes(path.name, zf)
            with_formulas = _check_parts(path.name, zf)
            ctypes = zf.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except HostilePart as exc:
        raise UnreadableError(
            f"“{path.name}”中的“{exc.part}”{exc.reason}，为安全起见不予读取。请确认文件来源，或用 Excel 打开后另存一份再试。"
        ) from None
    except ZIP_ERRORS:
        raise UnreadableError(
            f"“{path.name}”已损坏（文件不完整或内容与记录不符），无法读取。请重新复制或导出该文件。"
        ) from None
    return ("xlsm" if b"macroEnabled" in ctypes else "xlsx"), with_formulas


def _not_excel_zip(name: str, names: set[str]) -> str:
    save_as = "请用 Excel 或 WPS 打开它，“另存为”Excel 工作簿（.xlsx）后再试。"
    if "xl/workbook.bin" in names:
        return f"“{name}”是 Excel 二进制工作簿（.xlsb）格式，本工具不能直接读取。{save_as}"
    if "content.xml" in names and "mimetype" in names:
        return f"“{name}”是 OpenDocument 表格（.ods）格式，本工具不能直接读取。{save_as}"
    if "word/document.xml" in names:
        return f"“{name}”其实是 Word 文档，不是 Excel 台账。请确认选择的是台账文件。"
    return f"“{name}”是压缩包，但其中没有 Excel 工作簿。请确认选择的是台账文件。"


# What zipfile raises on broken or doctored archives (a part longer than declared fails its CRC).
ZIP_ERRORS = (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, zlib.error)


def _check_sizes(name: str, zf: zipfile.ZipFile) -> None:
    """Zip-bomb guard: judge parts by their declared sizes before inflating any."""
    total = 0
    for info in zf.infolist():
        if info.flag_bits & 0x1:
            raise UnreadableError(f"“{name}”设置了密码，无法读取。请在 Excel 中取消密码后再试。")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UnreadableError(
                f"“{name}”使用了 Excel 不使用的压缩方式，无法读取。请用 Excel 打开后另存一份再试。"
            )
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


def _check_parts(name: str, zf: zipfile.ZipFile) -> frozenset[str]:
    """Every XML part before any parser: no DTD at its head, no sheet reaching past MAX_CELLS.
    Returns the sheet parts that hold formulas."""
    sheets = _sheet_names(zf)
    with_formulas = set()
    for info in zf.infolist():
        if not (info.filename.lower().endswith((".xml", ".rels")) or is_sheet_part(info.filename)):
            continue
        extent = check_part(zf, info)
        if extent is not None and extent.cells > MAX_CELLS:
            _check_extent(name, sheets.get(info.filename, ""), exact_extent(zf, info))
        if extent is not None and extent.formulas:
            with_formulas.add(info.filename)
    return frozenset(with_formulas)


def _sheet_names(zf: zipfile.ZipFile) -> dict[str, str]:
    """Part path -> sheet name, for messages; empty when workbook.xml itself is refused."""
    from defusedxml import DefusedXmlException

    try:
        return {part: sheet for sheet, part in sheet_parts(zf).items()}
    except (DefusedXmlException, ParseError, KeyError):  # refused below with its own sentence
        return {}


def _check_extent(name: str, sheet: str, extent: Extent) -> None:
    if extent.cells <= MAX_CELLS:
        return
    from ..model import col_letter

    where = f"工作表“{sheet}”" if sheet else "其中一个工作表"
    raise UnreadableError(
        f"“{name}”的{where}内容一直延伸到第 {extent.rows} 行、第 {col_letter(extent.cols - 1)} 列，"
        f"范围过大（超过 {MAX_CELLS // 10_000} 万个单元格），无法读取。"
        "请删除表格下方和右侧多余的内容（可按 Ctrl+End 找到最远的单元格）后保存再试。"
    )


def read_workbook(path: Path) -> RawWorkbook:
    """Every sheet's values, merges and what the zip parts add. The file is opened once,
    read-only, and never written; everything below works on its bytes."""
    data = read_bytes(path)
    fmt, with_formulas = inspect_data(path, data)
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [_read_sheet(wb, name) for name in wb.sheet_names]
        for sheet, meta in zip(sheets, wb.sheets_metadata, strict=False):
            sheet.hidden = meta.visible != SheetVisibleEnum.Visible
    except UnreadableError:
        raise
    except Exception as exc:  # calamine raises its own types for broken parts
        raise UnreadableError(
            f"“{path.name}”无法读取（{_reason(exc)}）。请用 Excel 打开后重新保存再试。"
        ) from None
    if fmt != "xls":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            _read_parts(path, zf, sheets, with_formulas)
    return RawWorkbook(path=path, file_format=fmt, sheets=sheets)


def _read_parts(
    path: Path, zf: zipfile.ZipFile, sheets: list[RawSheet], with_formulas: frozenset[str]
) -> None:
    """What calamine does not give, from the same bytes: formula cells, hidden columns, marks,
    and the text numbers show."""
    if with_formulas:
        _find_formulas(path, zf, sheets, with_formulas)
    _find_hidden_columns(zf, sheets)
    _find_marks(zf, sheets)
    _find_shown_numbers(zf, sheets)


def _find_shown_numbers(zf: zipfile.ZipFile, sheets: list[RawSheet]) -> None:
    """For numbers that could be a year.month typed into a cell, the text their format shows."""
    from defusedxml import DefusedXmlException

    from .cell_values import shown_number, year_month_candidate
    from .xlsx_parts import number_formats

    wanted = {}
    for sheet in sheets:
        cells = {
            (r, c) for r, row in enumerate(sheet.rows) for c, v in enumerate(row) if year_month_candidate(v)
        }
        if cells:
            wanted[sheet.name] = cells
    if not wanted:
        return
    try:
        found = number_formats(zf, wanted)
    except (DefusedXmlException, ParseError, KeyError, ValueError, *ZIP_ERRORS):
        found = {}  # no format known: each such number is read as General
    for sheet in sheets:
        codes = found.get(sheet.name, {})
        for r, c in wanted.get(sheet.name, ()):
            sheet.shown[(r, c)] = shown_number(sheet.rows[r][c], codes.get((r, c), "General"))  # type: ignore[arg-type]


def _find_hidden_columns(zf: zipfile.ZipFile, sheets: list[RawSheet]) -> None:
    """Hidden columns (an old 完成情况 column kept out of sight), from each sheet's <cols>."""
    from defusedxml import DefusedXmlException

    from .xlsx_parts import hidden_columns

    try:
        found = hidden_columns(zf)
    except (DefusedXmlException, ParseError, KeyError, *ZIP_ERRORS):
        return  # only a hint for choosing between columns: the values were read already
    for sheet in sheets:
        sheet.hidden_cols = found.get(sheet.name, frozenset())


def _find_marks(zf: zipfile.ZipFile, sheets: list[RawSheet]) -> None:
    """The marks rows show (strikethrough, green fill), from styles.xml and the cells' ``s=``."""
    from defusedxml import DefusedXmlException

    from .xlsx_parts import row_marks

    try:
        found = row_marks(zf, {s.name: s.rows for s in sheets})
    except (DefusedXmlException, ParseError, KeyError, ValueError, *ZIP_ERRORS):
        return  # the styles are a hint: the values were read already
    for sheet in sheets:
        sheet.marks = found.get(sheet.name, {})


# calamine's messages are English; the ones a user can cause get a Chinese reason.
_REASONS = (
    (("password", "encrypt"), "文件设置了密码"),
    (("entity",), "文件中含有不允许的 XML 实体"),
    (("cannot detect file format",), "文件格式无法识别"),
    (("declared", "invalid checksum", "crc"), "文件已损坏"),
)


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    lower = text.lower()
    for words, reason in _REASONS:
        if any(w in lower for w in words):
            return reason
    return text[:120]


def _read_sheet(wb: object, name: str) -> RawSheet:
    sheet = wb.get_sheet_by_name(name)  # type: ignore[attr-defined]
    rows = sheet.to_python(skip_empty_area=False)
    merges = bounded_merges(sheet.merged_cell_ranges or [], len(rows), max(map(len, rows), default=0))
    return RawSheet(name=name, rows=rows, merges=merges)


def bounded_merges(ranges: list, n_rows: int, n_cols: int) -> list[Merge]:
    """Merges cut to the cells that hold data, as calamine's grid already is.

    A merge drawn from below the table to row 1,048,576 (or across to column XFD) covers
    nothing but empty space there; followed cell by cell it took 15 s and 2.6 GB. Beyond the
    grid no row is read, so nothing is lost by cutting it; a merge wholly outside is dropped.
    """
    out = []
    for (r1, c1), (r2, c2) in ranges:
        if r1 >= n_rows or c1 >= n_cols:
            continue
        out.append(Merge(r1, c1, min(r2, n_rows - 1), min(c2, n_cols - 1)))
    return out


def _find_formulas(
    path: Path, zf: zipfile.ZipFile, sheets: list[RawSheet], with_formulas: frozenset[str]
) -> None:
    """Formula cells with no cached value, and saved errors, read as empty: find them so we can
    say so; and the formulas that change with the day (=TODAY()+30)."""
    from defusedxml import DefusedXmlException

    from .xlsx_parts import scan_formulas

    try:
        found = scan_formulas(zf, with_formulas)
    except (DefusedXmlException, ParseError, *ZIP_ERRORS):
        raise UnreadableError(
            f"“{path.name}”的工作表 XML 格式有误或含有不允许的内容，无法读取。请用 Excel 打开后另存一份再试。"
        ) from None
    by_name = {s.name: s for s in sheets}
    for sheet_name, scan in found.items():
        if sheet_name in by_name:
            by_name[sheet_name].formulas_without_value = scan.without_value
            by_name[sheet_name].volatile = scan.volatile
