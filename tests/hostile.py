"""A corpus of bad, hostile and odd ledger files, written at test time (no committed binaries).

Every builder takes a folder and returns the path of the one file it wrote there. The files are
real: Office-style zips, OLE containers, text exported under the wrong name, archives that
inflate to gigabytes. ``python tests/hostile.py DIR`` writes the whole corpus to DIR, for
looking at by hand.

Raw workbooks (bombs, illegal characters, over-long cells) are assembled part by part with
``_xlsx_parts`` and ``_write_zip``, because openpyxl and xlsxwriter refuse to write them.
"""

from __future__ import annotations

import struct
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from xml.sax.saxutils import escape

from build import HEADER, measure_row, write_sheets, write_xls, write_xlsx
from xlsxwriter.utility import xl_col_to_name

GiB = 1 << 30
MiB = 1 << 20
AS_OF = "2025-06-30"
PASSWORD = "ledger-2025"


def good_rows() -> list[list[object]]:
    """A small valid ledger: title row, header, three measures (the last two share an issue)."""
    return [
        ["XX局巡察反馈问题整改台账"],
        HEADER,
        measure_row(1, "一、政治建设方面", "（一）学习不深入", "理论学习流于形式", "制定年度学习计划"),
        measure_row(2, "一、政治建设方面", "（一）学习不深入", "调研不够", "每季度开展一次调研"),
        measure_row(
            3,
            "一、政治建设方面",
            "（一）学习不深入",
            "调研不够",
            "形成调研报告",
            "正在推进",
            "2025年9月30日",
            "",
        ),
    ]


def with_cell(rows: list[list[object]], ref: str, value: object) -> list[list[object]]:
    """A copy of the rows with one cell (A1 reference) replaced."""
    col = ord(ref[0]) - 65
    row = int(ref[1:]) - 1
    out = [list(r) for r in rows]
    out[row][col] = value
    return out


# ---- raw zip and xlsx parts --------------------------------------------------------------

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _content_types(macro: bool, shared_strings: bool) -> str:
    main = (
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
        if macro
        else ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")
    )
    extra = (
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        if shared_strings
        else ""
    )
    vba = '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>' if macro else ""
    return (
        f'{XML_DECL}<Types xmlns="{CT_NS}">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="application/xml"/>{vba}'
        f'<Override PartName="/xl/workbook.xml" ContentType="{main}"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        f"{extra}</Types>"
    )


def _xlsx_parts(
    sheet_xml: bytes, shared_strings: bytes | None = None, workbook_xml: bytes | None = None
) -> dict[str, bytes]:
    """The parts of a one-sheet workbook ("整改台账") around the given sheet XML."""
    sst_rel = (
        f'<Relationship Id="rId9" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
        if shared_strings is not None
        else ""
    )
    parts = {
        "[Content_Types].xml": _content_types(False, shared_strings is not None).encode(),
        "_rels/.rels": (
            f'{XML_DECL}<Relationships xmlns="{PKG_REL_NS}">'
            f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ).encode(),
        "xl/workbook.xml": workbook_xml
        or (
            f'{XML_DECL}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>'
            '<sheet name="整改台账" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            f'{XML_DECL}<Relationships xmlns="{PKG_REL_NS}">'
            f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f"{sst_rel}</Relationships>"
        ).encode(),
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = shared_strings
    return parts


def sheet_rows_xml(rows: list[list[object]], first_row: int = 1) -> str:
    """<row> elements with inline strings: the cells exactly as given, nothing escaped away."""
    out = []
    for i, row in enumerate(rows):
        r = first_row + i
        cells = "".join(
            f'<c r="{xl_col_to_name(c)}{r}" t="inlineStr"><is><t xml:space="preserve">{escape(str(v))}</t></is></c>'
            for c, v in enumerate(row)
            if v not in ("", None)
        )
        out.append(f'<row r="{r}">{cells}</row>')
    return "".join(out)


def sheet_xml(body: str, prolog: str = "") -> bytes:
    return (
        f'{XML_DECL}{prolog}<worksheet xmlns="{MAIN_NS}"><sheetData>{body}</sheetData></worksheet>'.encode()
    )


class _Entry:
    """One member of a hand-written zip: raw deflate data (chunks), its CRC and sizes."""

    def __init__(
        self,
        name: str,
        chunks: Callable[[], Iterable[bytes]],
        crc: int,
        size: int,
        declared: int | None = None,
    ) -> None:
        self.name = name.encode()
        self.chunks = chunks
        self.crc = crc
        self.size = size  # real inflated size
        self.declared = size if declared is None else declared  # what the headers claim
        self.compressed = 0
        self.offset = 0


def _deflated(name: str, data: bytes) -> _Entry:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    raw = c.compress(data) + c.flush()
    return _Entry(name, lambda: [raw], zlib.crc32(data), len(data))


def _write_zip(path: Path, entries: list[_Entry]) -> Path:
    """A plain (non-zip64) zip of deflated members, streamed: sizes must stay under 4 GiB."""
    with open(path, "wb") as fh:
        for e in entries:
            e.offset = fh.tell()
            fh.write(_local_header(e, 0))  # sizes patched below, once known
            e.compressed = 0
            for chunk in e.chunks():
                fh.write(chunk)
                e.compressed += len(chunk)
            end = fh.tell()
            fh.seek(e.offset)
            fh.write(_local_header(e, e.compressed))
            fh.seek(end)
        start = fh.tell()
        for e in entries:
            fh.write(_central_header(e))
        size = fh.tell() - start
        fh.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), size, start, 0))
    return path


def _central_header(e: _Entry) -> bytes:
    # signature, versions, flags, method 8 (deflate), time, date 0x21, CRC, sizes, name length,
    # extra / comment lengths, disk, attributes, offset of the local header
    fields = (0x02014B50, 20, 20, 0, 8, 0, 0x21, e.crc, e.compressed, e.declared, len(e.name))
    return struct.pack("<IHHHHHHIIIHHHHHII", *fields, 0, 0, 0, 0, 0, e.offset) + e.name


def _local_header(e: _Entry, compressed: int) -> bytes:
    return (
        struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, e.crc, compressed, e.declared, len(e.name), 0
        )
        + e.name
    )


def write_raw_xlsx(path: Path, parts: dict[str, bytes]) -> Path:
    return _write_zip(path, [_deflated(name, data) for name, data in parts.items()])


# ---- cases: not a workbook -----------------------------------------------------------------


def empty_file(folder: Path) -> Path:
    path = folder / "空文件.xlsx"
    path.write_bytes(b"")
    return path


def plain_text(folder: Path) -> Path:
    path = folder / "整改情况说明.xlsx"
    path.write_text("关于巡察整改情况的说明\n一、总体情况\n……\n", encoding="utf-8")
    return path


def truncated_xlsx(folder: Path) -> Path:
    """A real ledger cut in half, as an interrupted copy or download leaves it."""
    whole = write_xlsx(folder / "whole.xlsx", good_rows())
    data = whole.read_bytes()
    whole.unlink()
    path = folder / "下载中断.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


def _zip_of(path: Path, parts: dict[str, str], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
    return path


def zip_without_workbook(folder: Path) -> Path:
    return _zip_of(folder / "材料.xlsx", {"说明.txt": "佐证材料见附件。", "照片/1.txt": "（照片）"})


def docx_as_xlsx(folder: Path) -> Path:
    """A Word document under an .xlsx name (the notice sent instead of the ledger)."""
    return _zip_of(
        folder / "通报.xlsx", {"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"}
    )


def ods_as_xlsx(folder: Path) -> Path:
    """An OpenDocument spreadsheet (WPS / LibreOffice) under an .xlsx name."""
    parts = {
        "mimetype": "application/vnd.oasis.opendocument.spreadsheet",
        "content.xml": "<office:document-content/>",
    }
    return _zip_of(folder / "台账ods.xlsx", parts, zipfile.ZIP_STORED)


def xlsb_as_xlsx(folder: Path) -> Path:
    """Excel's binary workbook format, under an .xlsx name."""
    return _zip_of(
        folder / "二进制.xlsx", {"[Content_Types].xml": "<Types/>", "xl/workbook.bin": "\x83\x01\x00"}
    )


def bzip2_xlsx(folder: Path) -> Path:
    """A workbook zipped with bzip2, which Excel never uses (and whose ratio has no bound)."""
    real = write_xlsx(folder / "tmp.xlsx", good_rows())
    path = folder / "bzip2压缩.xlsx"
    with zipfile.ZipFile(real) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_BZIP2) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
    real.unlink()
    return path


def encrypted_xlsx(folder: Path) -> Path:
    """A real ledger with an opening password (Office's agile encryption, in an OLE container)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = write_xlsx(folder / "plain.xlsx", good_rows())
    path = folder / "加密台账.xlsx"
    with open(plain, "rb") as src, open(path, "wb") as out:
        OOXMLFile(src).encrypt(PASSWORD, out)
    plain.unlink()
    return path


def lock_file(folder: Path) -> Path:
    """What Excel leaves beside an open workbook: the user name, padded, then in UTF-16."""
    user = "zhangsan"
    data = bytes([len(user)]) + user.encode().ljust(53, b" ") + user.encode("utf-16-le").ljust(110, b"\0")
    path = folder / "~$整改台账.xlsx"
    path.write_bytes(data)
    return path


def csv_as_xlsx(folder: Path) -> Path:
    """CSV text in GBK, as Chinese-locale systems export it, under an .xlsx name."""
    lines = [",".join(HEADER)] + [",".join(str(v) for v in row) for row in good_rows()[2:]]
    path = folder / "导出数据.xlsx"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    return path


def html_as_xls(folder: Path) -> Path:
    """An HTML table saved as .xls: what many older web systems call "导出Excel"."""
    head = "".join(f"<th>{escape(h)}</th>" for h in HEADER)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>" for row in good_rows()[2:]
    )
    html = (
        '<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head>'
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>'
        f"<table border=1><tr>{head}</tr>{body}</table></body></html>"
    )
    path = folder / "系统导出.xls"
    path.write_text(html, encoding="utf-8")
    return path


def xml_2003_as_xls(folder: Path) -> Path:
    """Excel 2003 "XML Spreadsheet" saved as .xls: another old export format."""
    rows = "".join(
        "<Row>"
        + "".join(f'<Cell><Data ss:Type="String">{escape(str(v))}</Data></Cell>' for v in row)
        + "</Row>"
        for row in [HEADER, *good_rows()[2:]]
    )
    xml = (
        '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">'
        f'<Worksheet ss:Name="整改台账"><Table>{rows}</Table></Worksheet></Workbook>'
    )
    path = folder / "XML表格.xls"
    path.write_text(xml, encoding="utf-8")
    return path


# ---- cases: a workbook, but no ledger ------------------------------------------------------


def empty_sheets(folder: Path) -> Path:
    return write_sheets(folder / "空白工作簿.xlsx", {"Sheet1": [], "Sheet2": [], "Sheet3": []})


def no_header(folder: Path) -> Path:
    rows = [["姓名", "性别", "出生年月", "职务", "联系电话"], ["张三", "男", "1980.05", "科员", "12345678"]]
    return write_xlsx(folder / "人员名单.xlsx", rows, sheet="名单")


def header_only(folder: Path) -> Path:
    """The blank template as an office might send it back: title, header, nothing below."""
    return write_xlsx(folder / "空台账.xlsx", good_rows()[:2])


# ---- cases: bombs ------------------------------------------------------------------------


class WhitespaceSheet:
    """A sheet XML whose body is `size` bytes of spaces between the header row and a data row.

    The deflate stream is assembled from one compressed megabyte repeated (full-flush blocks are
    byte-aligned and self-contained), so writing a 2 GiB member costs a CRC pass, not a 2 GiB
    compression, and nothing big is ever held in memory.
    """

    def __init__(self, size: int) -> None:
        self.head = sheet_xml(sheet_rows_xml(good_rows()[:3])).split(b"</sheetData>")[0]
        self.tail = b"</sheetData></worksheet>"
        self.blocks = size // MiB
        self.size = len(self.head) + self.blocks * MiB + len(self.tail)
        self._crc: int | None = None

    def chunks(self) -> Iterator[bytes]:
        c = zlib.compressobj(1, zlib.DEFLATED, -15)
        yield c.compress(self.head) + c.flush(zlib.Z_FULL_FLUSH)
        block = self._block()
        for _ in range(self.blocks):
            yield block
        c = zlib.compressobj(1, zlib.DEFLATED, -15)
        yield c.compress(self.tail) + c.flush()

    @staticmethod
    def _block() -> bytes:
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        c.compress(b" " * MiB)
        c.flush(zlib.Z_FULL_FLUSH)  # the first block after a flush is the steady one
        return c.compress(b" " * MiB) + c.flush(zlib.Z_FULL_FLUSH)

    @property
    def crc(self) -> int:
        if self._crc is None:
            crc = zlib.crc32(self.head)
            spaces = b" " * MiB
            for _ in range(self.blocks):
                crc = zlib.crc32(spaces, crc)
            self._crc = zlib.crc32(self.tail, crc)
        return self._crc


def _bomb(path: Path, sheet: WhitespaceSheet, declared: int | None) -> Path:
    parts = _xlsx_parts(b"")
    del parts["xl/worksheets/sheet1.xml"]
    entries = [_deflated(n, d) for n, d in parts.items()]
    entries.append(_Entry("xl/worksheets/sheet1.xml", sheet.chunks, sheet.crc, sheet.size, declared))
    return _write_zip(path, entries)


def zip_bomb(folder: Path, size: int = 2 * GiB, sheet: WhitespaceSheet | None = None) -> Path:
    """An honest bomb: a sheet part that declares, and inflates to, `size` bytes (~3 MB file)."""
    return _bomb(folder / "压缩炸弹.xlsx", sheet or WhitespaceSheet(size), None)


def lying_zip_bomb(folder: Path, size: int = 2 * GiB, sheet: WhitespaceSheet | None = None) -> Path:
    """The same sheet, but its headers declare 4 KB: only inflating tells the truth."""
    return _bomb(folder / "谎报大小.xlsx", sheet or WhitespaceSheet(size), 4096)


LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol;" if i == 1 else f"&lol{i - 1};") * 10}">' for i in range(1, 10))
    + "]>"
)  # &lol9; expands to 10^9 "lol": 3 GB


def entity_bomb_shared_strings(folder: Path) -> Path:
    sst = (
        f'{XML_DECL}{LAUGHS}<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    ).encode()
    rows = sheet_rows_xml(good_rows()[:2]) + '<row r="3"><c r="E3" t="s"><v>0</v></c></row>'
    return write_raw_xlsx(folder / "实体炸弹-共享字符串.xlsx", _xlsx_parts(sheet_xml(rows), sst))


def entity_bomb_sheet(folder: Path) -> Path:
    """The bomb in the sheet, inside a formula calamine skips: it reaches our own XML scan."""
    rows = sheet_rows_xml(good_rows()[:3]) + '<row r="6"><c r="A6"><f>&lol9;</f></c></row>'
    return write_raw_xlsx(folder / "实体炸弹-工作表.xlsx", _xlsx_parts(sheet_xml(rows, LAUGHS)))


def entity_bomb_workbook(folder: Path) -> Path:
    wb = (
        f'{XML_DECL}{LAUGHS}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        '<fileVersion appName="&lol9;"/><sheets><sheet name="整改台账" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ).encode()
    parts = _xlsx_parts(sheet_xml(sheet_rows_xml(good_rows())), workbook_xml=wb)
    return write_raw_xlsx(folder / "实体炸弹-工作簿.xlsx", parts)


def external_entity(folder: Path) -> Path:
    """XXE: an entity that would read /etc/passwd into a cell."""
    prolog = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    rows = sheet_rows_xml(good_rows()[:2]) + '<row r="3"><c r="E3"><f>&xxe;</f></c></row>'
    return write_raw_xlsx(folder / "外部实体.xlsx", _xlsx_parts(sheet_xml(rows, prolog)))


def far_cell(folder: Path, ref: str = "XFD1048576") -> Path:
    """Two cells far apart: a 1 KB file whose dense grid would be 17 billion cells."""
    body = sheet_rows_xml(good_rows()) + f'<row r="{ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}">'
    body += f'<c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row>'
    return write_raw_xlsx(folder / "远端单元格.xlsx", _xlsx_parts(sheet_xml(body)))


def far_cell_without_refs(folder: Path, rows: int = 300_000, cols: int = 100) -> Path:
    """A far cell reached without any reference: calamine counts <row/> and <c/> one by one."""
    body = sheet_rows_xml(good_rows()) + "<row/>" * rows
    body += "<row>" + "<c/>" * cols + '<c t="inlineStr"><is><t>x</t></is></c></row>'
    return write_raw_xlsx(folder / "无引用远端单元格.xlsx", _xlsx_parts(sheet_xml(body)))


def commented_sheet(folder: Path) -> Path:
    """Cells without references (so positions must be counted) and a comment, which could
    hide tags from the count: refused rather than guessed."""
    body = sheet_rows_xml(good_rows()) + '<!-- 备注 --><row><c t="inlineStr"><is><t>x</t></is></c></row>'
    return write_raw_xlsx(folder / "带注释.xlsx", _xlsx_parts(sheet_xml(body)))


def utf16_sheet(folder: Path) -> Path:
    """A sheet part in UTF-16, which no spreadsheet program writes and byte scans cannot read."""
    xml = sheet_xml(sheet_rows_xml(good_rows())).decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    parts = _xlsx_parts(b"\xff\xfe" + xml.encode("utf-16-le"))
    return write_raw_xlsx(folder / "UTF16.xlsx", parts)


def giant_tag(folder: Path) -> Path:
    """One cell tag with a 5 MiB attribute: longer than any piece the scan holds in memory."""
    body = sheet_rows_xml(good_rows()) + f'<row r="6"><c r="A6" x="{"a" * (5 * MiB)}"><v>1</v></c></row>'
    return write_raw_xlsx(folder / "巨大标签.xlsx", _xlsx_parts(sheet_xml(body)))


def far_cell_xls(folder: Path) -> Path:
    """An .xls whose one cell record claims column 65535, row 65535: a 4-billion-cell grid."""
    path = write_xls(folder / "远端单元格.xls", [["一"], ["", "远端"]])
    data = bytearray(path.read_bytes())
    # LABELSST records: type 0x00FD, length 10, then row, column (u16 each)
    at = 0
    while (at := data.find(b"\xfd\x00\x0a\x00", at + 1)) >= 0:
        if struct.unpack_from("<HH", data, at + 4) == (1, 1):
            struct.pack_into("<HH", data, at + 4, 65535, 65535)
    path.write_bytes(bytes(data))
    return path


# ---- cases: odd content ----------------------------------------------------------------------

CONTROL = "整改\x01措施\x07含\x0b控制\x1f字符"
FORMULA_TEXTS = {
    "E3": "=1+1",
    "J3": '=HYPERLINK("http://example.com","点击")',
    "E4": "+SUM(A1:A9)",
    "J4": "-2+3",
    "E5": "@SUM(1,2)",
    "J5": "=cmd|' /C calc'!A0",
}
LONG_TEXT = ("完善制度" * 10_000)[:40_000]


def control_chars(folder: Path) -> Path:
    """Control characters in cells: illegal in XML, so written as Excel does, _x0001_ escapes."""
    rows = with_cell(good_rows(), "E3", CONTROL)
    body = sheet_rows_xml(rows)
    for ch in sorted(set(CONTROL) - set("整改措施含控制字符"), reverse=True):
        body = body.replace(ch, f"_x{ord(ch):04X}_")
    return write_raw_xlsx(folder / "控制字符.xlsx", _xlsx_parts(sheet_xml(body)))


def formula_text(folder: Path) -> Path:
    """Text cells that look like formulas (= + - @), stored as text: they must stay text."""
    rows = good_rows()
    for ref, text in FORMULA_TEXTS.items():
        rows = with_cell(rows, ref, text)
    return write_raw_xlsx(folder / "公式样文本.xlsx", _xlsx_parts(sheet_xml(sheet_rows_xml(rows))))


def long_cell(folder: Path) -> Path:
    """A 40,000-character 整改进展: more than Excel's 32,767 characters per cell."""
    rows = with_cell(good_rows(), "J3", LONG_TEXT)
    return write_raw_xlsx(folder / "超长单元格.xlsx", _xlsx_parts(sheet_xml(sheet_rows_xml(rows))))


def impossible_date(folder: Path) -> Path:
    return write_xlsx(folder / "错误日期.xlsx", with_cell(good_rows(), "I4", "2025年2月30日"))


def unknown_status(folder: Path) -> Path:
    return write_xlsx(folder / "未知状态.xlsx", with_cell(good_rows(), "K3", "差不多了"))


def missing_measure(folder: Path) -> Path:
    return write_xlsx(folder / "缺少措施.xlsx", with_cell(good_rows(), "E4", ""))


def done_after_as_of(folder: Path) -> Path:
    return write_xlsx(folder / "完成晚于截止.xlsx", with_cell(good_rows(), "L3", "2025年12月1日"))


def xlsx_named_xls(folder: Path) -> Path:
    real = write_xlsx(folder / "tmp.xlsx", good_rows())
    return real.rename(folder / "其实是xlsx.xls")


def xls_named_xlsx(folder: Path) -> Path:
    real = write_xls(folder / "tmp.xls", good_rows())
    return real.rename(folder / "其实是xls.xlsx")


def odd_name(folder: Path) -> Path:
    return write_xlsx(folder / "2025 整改台账【第一轮】（终稿） 😀✅.xlsx", good_rows())


def xlsm_with_macros(folder: Path) -> Path:
    """A macro-enabled workbook: macroEnabled content type and a vbaProject.bin part."""
    real = write_xlsx(folder / "tmp.xlsx", good_rows())
    path = folder / "带宏台账.xlsm"
    with zipfile.ZipFile(real) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                ).replace(
                    b"<Default ",
                    b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/><Default ',
                    1,
                )
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/relationships/'
                    b'vbaProject" Target="vbaProject.bin"/></Relationships>',
                )
            dst.writestr(info, data)
        dst.writestr(
            "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b'Attribute VB_Name = "Module1"' * 20
        )
    real.unlink()
    return path


BUILDERS: dict[str, Callable[[Path], Path]] = {
    f.__name__: f
    for f in (
        empty_file,
        plain_text,
        truncated_xlsx,
        zip_without_workbook,
        docx_as_xlsx,
        ods_as_xlsx,
        xlsb_as_xlsx,
        bzip2_xlsx,
        encrypted_xlsx,
        lock_file,
        csv_as_xlsx,
        html_as_xls,
        xml_2003_as_xls,
        empty_sheets,
        no_header,
        header_only,
        entity_bomb_shared_strings,
        entity_bomb_sheet,
        entity_bomb_workbook,
        external_entity,
        far_cell,
        far_cell_without_refs,
        far_cell_xls,
        commented_sheet,
        utf16_sheet,
        giant_tag,
        control_chars,
        formula_text,
        long_cell,
        impossible_date,
        unknown_status,
        missing_measure,
        done_after_as_of,
        xlsx_named_xls,
        xls_named_xlsx,
        odd_name,
        xlsm_with_macros,
    )
}  # fmt: skip  -- the zip bombs are built separately: they take a second or two each


def main(folder: str) -> None:
    out = Path(folder)
    for name, build in BUILDERS.items():
        sub = out / name
        sub.mkdir(parents=True, exist_ok=True)
        print(build(sub))
    for bomb in (zip_bomb, lying_zip_bomb):
        sub = out / bomb.__name__
        sub.mkdir(parents=True, exist_ok=True)
        print(bomb(sub))


if __name__ == "__main__":
    main(sys.argv[1])
