"""The bits of an .xlsx that calamine does not expose, read straight from its XML parts.

Three things: formula cells (calamine returns a formula's cached value, and an empty string
when the file was saved without one, as some export tools do, or when the saved result is an
error such as #N/A), the cell styles people mark rows with (strikethrough, fill colour), and a
safety scan of every part before calamine sees it. Every parse goes through defusedxml, so entity bombs in a
hostile file are refused; the scan itself parses nothing.

Why the scan: calamine builds each sheet as a dense grid from its first to its last cell
holding a value, so two cells at A1 and XFD1048576 (a 1 KB file) ask for 17 billion cells
and abort the process. The scan finds how far a sheet's cells reach, the way calamine
places them: a cell's ``r`` reference, or, without one, counted along its row.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain

from defusedxml import ElementTree as SafeET

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL = re.compile(r"([A-Z]+)(\d+)")
MAX_TREE = 16 << 20  # parts parsed whole into a tree; real ones are a few kilobytes


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part path inside the zip."""
    wb = SafeET.fromstring(_read_small(zf, "xl/workbook.xml"))
    rels = SafeET.fromstring(_read_small(zf, "xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{PKG_REL}Relationship")}
    parts = {}
    for sheet in wb.iter(f"{NS}sheet"):
        target = targets.get(sheet.get(f"{REL_NS}id"), "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
        parts[sheet.get("name", "")] = path
    return parts


def _read_small(zf: zipfile.ZipFile, name: str) -> bytes:
    if zf.getinfo(name).file_size > MAX_TREE:
        raise HostilePart(name, "解压后异常巨大")
    return zf.read(name)


@dataclass(slots=True)
class FormulaScan:
    """What one sheet's formula cells say that calamine's values do not."""

    # 0-based (row, col, error) of cells calamine reads as blank although they hold something
    without_value: list[tuple[int, int, str]]
    # 0-based (row, col) -> formula, of the cells whose result depends on the day (TODAY, NOW)
    volatile: dict[tuple[int, int], str]


def scan_formulas(zf: zipfile.ZipFile, with_formulas: frozenset[str] | None = None) -> dict[str, FormulaScan]:
    """Sheet name -> its FormulaScan, for the sheets holding formulas or error values.

    ``with_formulas``: the sheet parts known to hold formulas or errors (the safety scan notes
    them), so the others are not inflated again.
    """
    found: dict[str, FormulaScan] = {}
    names = set(zf.namelist())
    for name, part in sheet_parts(zf).items():
        if part not in names:
            continue
        if not (part in with_formulas if with_formulas is not None else _has_formulas(zf, part)):
            continue
        scan = _scan(zf, part)
        if scan.without_value or scan.volatile:
            found[name] = scan
    return found


def formula_cells_without_value(
    zf: zipfile.ZipFile, with_formulas: frozenset[str] | None = None
) -> dict[str, list[tuple[int, int, str]]]:
    """Sheet name -> 0-based (row, col, error) of cells calamine reads as blank although they
    hold something: formula cells with no cached value (error "") and cells whose saved value
    is an error such as "#N/A" (calamine gives "" for both)."""
    scans = scan_formulas(zf, with_formulas)
    return {name: scan.without_value for name, scan in scans.items() if scan.without_value}


def _has_formulas(zf: zipfile.ZipFile, part: str) -> bool:
    with zf.open(part) as fh:
        tail = b""
        while chunk := fh.read(1 << 20):
            if _holds_formulas(tail + chunk):
                return True
            tail = chunk[-6:]
    return False


def _holds_formulas(data: bytes) -> bool:
    """A formula, or a cell holding an error value (t="e"), in this piece of a sheet part."""
    return b"<f>" in data or b"<f " in data or b't="e"' in data


def _scan(zf: zipfile.ZipFile, part: str) -> FormulaScan:
    from .cell_values import shift_formula, volatile_cells

    cells = []
    formulas: dict[tuple[int, int], str] = {}
    masters: dict[str, tuple[tuple[int, int], str]] = {}  # shared formula id -> (its cell, text)
    sharing: list[tuple[tuple[int, int], str]] = []  # cells using a shared formula: (cell, id)
    with zf.open(part) as fh:
        for _event, el in SafeET.iterparse(fh, events=("end",)):
            if el.tag != f"{NS}c":
                continue
            v = el.find(f"{NS}v")
            f = el.find(f"{NS}f")
            value = (v.text or "") if v is not None else ""
            rc = _rc(el.get("r", ""))
            if el.get("t") == "e":
                cells.append((*rc, value or "#N/A"))
            elif f is not None and not value and el.find(f"{NS}is") is None:
                cells.append((*rc, ""))
            if f is not None and rc[0] >= 0:
                text, si = f.text or "", f.get("si")
                if f.get("t") == "shared" and si is not None and not text:
                    sharing.append((rc, si))
                elif text:
                    formulas[rc] = text
                    if f.get("t") == "shared" and si is not None:
                        masters[si] = (rc, text)
            el.clear()
    for rc, si in sharing:  # the master's formula, its references moved to this cell
        if si in masters:
            (r0, c0), text = masters[si]
            formulas[rc] = shift_formula(text, rc[0] - r0, rc[1] - c0)
    return FormulaScan([c for c in cells if c[0] >= 0], volatile_cells(formulas))


_COL_TAG = re.compile(rb"<(?:[\w]+:)?col\s[^>]*>")
_HEAD_BYTES = 1 << 18  # <cols> comes before <sheetData>: the head of the part is enough


def hidden_columns(zf: zipfile.ZipFile) -> dict[str, frozenset[int]]:
    """Sheet name -> 0-based columns marked hidden in its <cols> (read from the part's head)."""
    found: dict[str, frozenset[int]] = {}
    names = set(zf.namelist())
    for name, part in sheet_parts(zf).items():
        if part not in names:
            continue
        with zf.open(part) as fh:
            head = fh.read(_HEAD_BYTES)
        head = head.split(b"<sheetData", 1)[0]
        cols: set[int] = set()
        for tag in _COL_TAG.findall(head):
            attrs = {m[1]: (m[2] if m[2] is not None else m[3]) for m in _ATTR.finditer(tag)}
            if attrs.get(b"hidden") in (b"1", b"true"):
                first, last = int(attrs.get(b"min", b"1")), int(attrs.get(b"max", b"1"))
                cols.update(range(first - 1, min(last, first + 1000)))  # a hidden run to XFD: bounded
        if cols:
            found[name] = frozenset(cols)
    return found


# ---- marks people put on rows: strikethrough, a green fill ---------------------------------

# Legacy palette entries that are green (indexed colours in older files).
_GREEN_INDEXED = frozenset((3, 11, 17, 42, 50, 57))


def _is_green(color) -> bool:
    if color is None:
        return False
    if color.get("indexed") is not None:
        return color.get("indexed", "").isdigit() and int(color.get("indexed")) in _GREEN_INDEXED
    rgb = color.get("rgb", "")[-6:]
    if len(rgb) != 6:
        return False
    try:
        r, g, b = (int(rgb[i : i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        return False
    return g >= 100 and g - max(r, b) >= 40  # 00B050, 92D050, C6EFCE, 00FF00 …


def _green_fill(fill) -> bool:
    pattern = fill.find(f"{NS}patternFill")
    if pattern is None or pattern.get("patternType", "none") == "none":
        return False
    return _is_green(pattern.find(f"{NS}fgColor")) or _is_green(pattern.find(f"{NS}bgColor"))


def marked_styles(zf: zipfile.ZipFile) -> dict[int, str]:
    """Cell style index -> "strike" or "green" for the styles that carry such a mark."""
    if "xl/styles.xml" not in zf.namelist():
        return {}
    root = SafeET.fromstring(_read_small(zf, "xl/styles.xml"))
    fonts = root.find(f"{NS}fonts")
    fills = root.find(f"{NS}fills")
    xfs = root.find(f"{NS}cellXfs")
    struck = set()
    for i, font in enumerate(fonts if fonts is not None else []):
        strike = font.find(f"{NS}strike")
        if strike is not None and strike.get("val", "1") not in ("0", "false"):
            struck.add(i)
    green = {i for i, fill in enumerate(fills if fills is not None else []) if _green_fill(fill)}
    marks = {}
    for i, xf in enumerate(xfs if xfs is not None else []):
        if int(xf.get("fontId", "0") or 0) in struck:
            marks[i] = "strike"
        elif int(xf.get("fillId", "0") or 0) in green:
            marks[i] = "green"
    return marks


def number_formats(
    zf: zipfile.ZipFile, wanted: dict[str, set[tuple[int, int]]]
) -> dict[str, dict[tuple[int, int], str]]:
    """Sheet name -> {0-based (row, col): number format code} of the cells asked about (a cell
    with no style, or style 0, is "General")."""
    from .cell_values import BUILTIN_FORMATS

    codes = _format_codes(zf)
    found: dict[str, dict[tuple[int, int], str]] = {}
    names = set(zf.namelist())
    for name, part in sheet_parts(zf).items():
        cells = wanted.get(name)
        if not cells or part not in names:
            continue
        out = found.setdefault(name, dict.fromkeys(cells, BUILTIN_FORMATS[0]))
        with zf.open(part) as fh:
            for data in _pieces(fh, part):
                for m in _STYLED_CELL.finditer(data):
                    ref, s = _REF_ATTR.search(m[1]), _STYLE_ATTR.search(m[1])
                    if ref is None or s is None:
                        continue
                    rc = (int(ref[2]) - 1, _col_index(ref[1]))
                    if rc in out:
                        out[rc] = codes.get(int(s[1]), BUILTIN_FORMATS[0])
    return found


_STYLED_CELL = re.compile(rb'<(?:\w+:)?c\s([^>]*?\ss="[^"]*"[^>]*)>')


def _format_codes(zf: zipfile.ZipFile) -> dict[int, str]:
    """Cell style index -> its number format code (built-in ones by number)."""
    from .cell_values import BUILTIN_FORMATS

    if "xl/styles.xml" not in zf.namelist():
        return {}
    root = SafeET.fromstring(_read_small(zf, "xl/styles.xml"))
    custom = {}
    fmts = root.find(f"{NS}numFmts")
    for fmt in fmts if fmts is not None else []:
        if (fid := fmt.get("numFmtId", "")).isdigit():
            custom[int(fid)] = fmt.get("formatCode", "")
    xfs = root.find(f"{NS}cellXfs")
    out = {}
    for i, xf in enumerate(xfs if xfs is not None else []):
        fid = int(xf.get("numFmtId", "0") or 0)
        out[i] = custom.get(fid, BUILTIN_FORMATS.get(fid, f"builtin:{fid}"))
    return out


def row_marks(zf: zipfile.ZipFile, grids: dict[str, list[list[object]]]) -> dict[str, dict[int, str]]:
    """Sheet name -> {0-based row: the mark it shows}: the leftmost of a green fill on any cell,
    or a strikethrough on a cell holding text (an empty struck cell shows nothing). Nothing is
    scanned when no style carries a mark (most files); one entry per row, however wide."""
    found: dict[str, dict[int, str]] = {}
    styles = marked_styles(zf)
    if not styles:
        return found
    names = set(zf.namelist())
    # Most cells carry no mark: the pattern matches only tags naming a marked style, so the
    # loop below runs for those alone.
    ids = b"|".join(str(i).encode() for i in styles)
    marked = re.compile(rb'<(?:\w+:)?c\s([^>]*?\ss="(?:' + ids + rb')"[^>]*)>')
    for name, part in sheet_parts(zf).items():
        grid = grids.get(name)
        if grid is None or part not in names:
            continue
        rows: dict[int, tuple[int, str]] = {}
        with zf.open(part) as fh:
            for data in _pieces(fh, part):
                for m in marked.finditer(data):
                    ref, s = _REF_ATTR.search(m[1]), _STYLE_ATTR.search(m[1])
                    if ref is None or s is None:
                        continue
                    r, c = int(ref[2]) - 1, _col_index(ref[1])
                    mark = styles[int(s[1])]
                    if (r in rows and rows[r][0] < c) or (mark == "strike" and not _has_text(grid, r, c)):
                        continue
                    rows[r] = (c, mark)
        if rows:
            found[name] = {r: mark for r, (_c, mark) in sorted(rows.items())}
    return found


_REF_ATTR = re.compile(rb'(?:^|\s)r="([A-Z]{1,3})(\d+)"')
_STYLE_ATTR = re.compile(rb'(?:^|\s)s="(\d+)"')


def _has_text(grid: list[list[object]], r: int, c: int) -> bool:
    from ..text import clean

    return r < len(grid) and c < len(grid[r]) and bool(clean(grid[r][c]))


def _rc(ref: str) -> tuple[int, int]:
    m = _CELL.fullmatch(ref)
    if not m:
        return (-1, -1)
    return (int(m[2]) - 1, _col_index(m[1].encode()))


# ---- safety scan ----------------------------------------------------------------------------

SHEET_DIRS = ("xl/worksheets/", "xl/chartsheets/", "xl/dialogsheets/")  # calamine reads sheets here
CHUNK = 4 << 20
MAX_TAG = 1 << 20
# Fast path, for tags as every spreadsheet program writes them (`<c r="B7"`, `<row r="7"`):
# the grid is the farthest reference. Only references past row 99,999 or column T are looked
# at one by one; the others fit in NEAR. A cell or row tag without a leading r="..." (calamine
# then counts positions along the rows) sends the part to the exact walk.
_ODD_CELL = re.compile(rb'c(?<=[<:]c)(?=[\s>/])(?! r=")')
_ODD_ROW = re.compile(rb'row(?<=[<:]row)(?=[\s>/])(?! r=")')
_FAR_REF = re.compile(rb'r="((?:[A-Za-z]{2}|[U-Zu-z])[A-Za-z]*)(\d+)"|r="([A-Za-z]*)(\d{6,})"')
NEAR = (99_999, 20)
_DOCTYPE = re.compile(rb"(?i)<!doctype")
_TAG = re.compile(rb"""<(/?)(?:[^\s<>/:!?]+:)?(c|row)(?=[\s>/])((?:[^>"']|"[^"]*"|'[^']*')*)>""")
_ATTR = re.compile(rb"""([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REF = re.compile(rb"([A-Za-z]*)(\d*)")


class HostilePart(ValueError):
    """A part no spreadsheet program writes, refused before any parser sees it."""

    def __init__(self, part: str, reason: str) -> None:
        super().__init__(f"{part}: {reason}")
        self.part = part
        self.reason = reason  # a Chinese phrase for the user's sentence


@dataclass(frozen=True, slots=True)
class Extent:
    """How far a sheet's cells reach: the grid calamine will allocate is rows x cols."""

    rows: int
    cols: int
    formulas: bool = False  # the sheet holds formula cells

    @property
    def cells(self) -> int:
        return self.rows * self.cols


def is_sheet_part(name: str) -> bool:
    return name.lower().startswith(SHEET_DIRS)


def check_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Extent | None:
    """Refuse a DTD (entity bombs) at the head of an XML part; for a sheet part, a bound on its
    extent (generous: confirm with ``exact_extent`` before refusing), else None.

    Reading stops at the size the zip declares, and a CRC mismatch raises BadZipFile, so a
    part whose headers lie about its size cannot inflate past what was already judged.
    """
    sheet = is_sheet_part(info.filename)
    rows, cols = NEAR
    formulas = False
    with zf.open(info) as fh:
        pieces = _pieces(fh, info.filename)
        head = next(pieces, b"")
        _check_head(info.filename, head)
        if not sheet:
            return None
        for data in chain([head], pieces):
            if _ODD_CELL.search(data) or _ODD_ROW.search(data):
                break
            formulas = formulas or _holds_formulas(data)
            for m in _FAR_REF.finditer(data):
                letters, digits = (m[1], m[2]) if m[1] is not None else (m[3], m[4])
                rows, cols = max(rows, int(digits)), max(cols, _col_index(letters) + 1)
        else:
            return Extent(rows, cols, formulas)
    extent = exact_extent(zf, info)
    return Extent(extent.rows, extent.cols, True)  # unusual part: let the formula scan look


def _pieces(fh, part: str) -> Iterator[bytes]:
    """The part in pieces that never split a tag."""
    tail = b""
    while chunk := fh.read(CHUNK):
        data = tail + chunk
        cut = data.rfind(b"<")
        if cut >= 0 and data.find(b">", cut) < 0:
            data, tail = data[:cut], data[cut:]
            if len(tail) > MAX_TAG:
                raise HostilePart(part, "含有异常巨大的标签")
        else:
            tail = b""
        yield data
    if tail:
        yield tail


def _check_head(part: str, data: bytes) -> None:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\0" in data[:4]:
        raise HostilePart(part, "不是 UTF-8 编码")
    if _DOCTYPE.search(data):
        raise HostilePart(part, "含有 DTD 实体定义（Excel 不会写入这种内容，文件可能被人为改动过）")


def exact_extent(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Extent:
    """Walk the cell and row tags as calamine does; refuse what the walk cannot trust."""
    row = col = 0
    last_row = last_col = -1
    with zf.open(info) as fh:
        for i, data in enumerate(_pieces(fh, info.filename)):
            if i == 0:
                data = (
                    data[data.find(b"?>") + 2 :] if data.lstrip(b"\xef\xbb\xbf").startswith(b"<?") else data
                )
            if b"<!" in data or b"<?" in data:  # comments, CDATA, PIs could hide tags from the walk
                raise HostilePart(info.filename, "含有注释或 CDATA 等 Excel 不会写入的结构")
            for m in _TAG.finditer(data):
                closing, name, attrs = m[1], m[2], m[3]
                if closing:
                    if name == b"row":
                        row, col = row + 1, 0
                    continue
                ref = _reference(attrs)
                empty = attrs.endswith(b"/")  # calamine expands <x/> into start and end
                if name == b"row":
                    if ref and ref[2]:
                        row = int(ref[2]) - 1
                    if empty:
                        row, col = row + 1, 0
                    continue
                r, c = (int(ref[2] or 1) - 1, _col_index(ref[1])) if ref and ref[1] else (row, col)
                col = c + 1
                if not empty:
                    last_row, last_col = max(last_row, r), max(last_col, c)
    return Extent(last_row + 1, last_col + 1)


def _reference(attrs: bytes) -> re.Match[bytes] | None:
    """The ``r`` attribute as (letters, digits); calamine takes the raw value, unescaped."""
    value = None
    for m in _ATTR.finditer(attrs):
        if m[1] == b"r":
            value = m[2] if m[2] is not None else m[3]
    return _REF.fullmatch(value) if value is not None else None


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n - 1
