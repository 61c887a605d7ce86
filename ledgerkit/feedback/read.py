"""A feedback file → its paragraphs and tables, in document order.

What the file is, is decided by its bytes, not its name: a .docx is a zip holding
word/document.xml; a text file decodes strictly as UTF-8 (with or without BOM), UTF-16 with a BOM,
or GB18030 (GBK's superset). Anything else (.doc and .wps are OLE files, .pdf, a workbook, a web
page saved as .doc) is refused with one sentence: save it as .docx or .txt. The file is only read.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import LedgerkitError
from ..text import TRIM

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc, .wps, .xls, encrypted .docx
_SAVE_AS = "请用 Word 或 WPS 打开，“另存为” .docx（Word 文档）或 .txt（纯文本）后再运行。"
# Paragraph styles that give an outline level: "Heading 2", "标题 2", "heading2".
_HEADING = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str  # trimmed; line breaks inside the paragraph kept as "\n"
    style: str = ""  # the Word style name ("Heading 1", "标题 2", "Normal"); "" in a text file
    # Word's automatic numbering, when it numbers the paragraph (not bullets): "level 1" from the
    # paragraph's own w:numPr/w:ilvl, "style List Number 2" from its style's; "" otherwise.
    numbering: str = ""

    @property
    def heading_level(self) -> int | None:
        m = _HEADING.match(self.style.strip())
        return int(m[1]) if m else None


@dataclass(frozen=True, slots=True)
class Table:
    rows: tuple[tuple[str, ...], ...]  # merged cells resolved: every grid cell holds its merge's text
    across: tuple[bool, ...] = ()  # per row: one cell merged across the whole row (a section row)


Block = Paragraph | Table


@dataclass(frozen=True, slots=True)
class FeedbackDocument:
    name: str  # the file's name, for messages
    form: str  # "docx" | "txt"
    blocks: tuple[Block, ...]

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]


def read_feedback(path: Path) -> FeedbackDocument:
    """Read the feedback once, by what its bytes are; the file is never written or locked."""
    path = Path(path)
    data = _bytes_of(path)
    kind = sniff(data)
    if kind == "docx":
        return FeedbackDocument(path.name, "docx", tuple(_docx_blocks(path, data)))
    if kind == "text":
        text = decode_text(data)
        if text is not None and not _looks_like_markup(text):
            lines = (line.strip(TRIM) for line in text.splitlines())
            return FeedbackDocument(path.name, "txt", tuple(Paragraph(line) for line in lines if line))
    if kind == "ole" and _encrypted(data):
        raise LedgerkitError(
            f"“{path.name}”设置了打开密码，无法读取。请在 Word 或 WPS 中取消密码（文件→信息→保护文档），"
            "另存为 .docx 后再运行。"
        )
    raise LedgerkitError(
        f"“{path.name}”{_what_it_is(kind, data)}，ledgerkit 只能读取 .docx 和 .txt。{_SAVE_AS}"
    )


def _bytes_of(path: Path) -> bytes:
    if path.is_dir():
        raise LedgerkitError(
            f"“{path}”是文件夹，不是反馈意见文件。请在 --from 后写反馈意见的 .docx 或 .txt 文件。"
        )
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise LedgerkitError(f"找不到反馈意见文件“{path}”。请检查文件名和路径。") from None
    except OSError as exc:
        raise LedgerkitError(f"无法读取反馈意见文件“{path}”：{exc.strerror or exc}。请检查权限。") from None
    if not data.strip():
        raise LedgerkitError(f"反馈意见文件“{path.name}”是空的。请确认选择了正确的文件。")
    return data


def sniff(data: bytes) -> str:
    """docx | ole | pdf | rtf | zip | text | binary, from the bytes alone."""
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                return "docx" if "word/document.xml" in zf.namelist() else "zip"
        except zipfile.BadZipFile:
            return "zip"
    if data.startswith(OLE_MAGIC):
        return "ole"
    if data.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if data.startswith(b"{\\rtf"):
        return "rtf"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" not in data[:4096]:
        return "text"
    return "binary"


def _encrypted(data: bytes) -> bool:
    """An OLE container holding an encrypted Office package (a .docx with an opening password)."""
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            return ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage")
    except Exception:  # olefile raises many kinds on a broken container: then it is just not one
        return False


def decode_text(data: bytes) -> str | None:
    """UTF-8 (BOM or not) strictly, then UTF-16 by its BOM, then GB18030; None when none fits."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _looks_like_markup(text: str) -> bool:
    """A web page or Word XML saved with a .doc/.txt name: its text is tags, not the feedback."""
    head = text.lstrip("\ufeff \t\r\n")[:200].lower()
    return head.startswith(("<!doctype", "<html", "<?xml", "mime-version:"))


def _what_it_is(kind: str, data: bytes) -> str:
    return {
        "ole": "是旧版 Word（.doc）或 WPS（.wps）格式的文件",
        "pdf": "是 PDF 文件",
        "rtf": "是 RTF 格式的文件",
        "zip": "不是 Word 文档（可能是 Excel 工作簿或压缩包）",
        "text": "不是能识别的文本（既不是 UTF-8 也不是 GBK 编码，或是网页文件）",
    }.get(kind, "不是 Word 文档或文本文件")


# A feedback is tens of pages: a package unpacking to more than this is a zip bomb, not a document.
MAX_UNPACKED = 256 * 1024 * 1024


def _docx_blocks(path: Path, data: bytes) -> list[Block]:
    """Paragraphs and tables in document order. python-docx parses with lxml and
    resolve_entities=False: a DTD's entities are never expanded, external ones never fetched."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        if sum(info.file_size for info in zf.infolist()) > MAX_UNPACKED:
            raise LedgerkitError(f"“{path.name}”解压后过大，不像是一份反馈意见。{_SAVE_AS}")
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, SyntaxError) as exc:
        raise LedgerkitError(
            f"“{path.name}”已损坏，无法作为 Word 文档打开（{type(exc).__name__}）。{_SAVE_AS}"
        ) from None
    formats = _number_formats(document)
    styles = _Styles(document)
    blocks: list[Block] = []
    for item in document.iter_inner_content():
        if hasattr(item, "rows"):
            blocks.append(_table(item))
            continue
        text = item.text.strip(TRIM)
        if text:
            style = styles.of(item)
            blocks.append(
                Paragraph(text, (style.name or "") if style else "", _numbering(item, style, formats))
            )
    return blocks


class _Styles:
    """Paragraph styles by id, looked up once: python-docx's ``paragraph.style`` searches the
    styles part on every call (1.5 ms each, most of reading a 130-issue feedback)."""

    def __init__(self, document: object) -> None:
        from docx.enum.style import WD_STYLE_TYPE

        all_styles = document.styles  # type: ignore[attr-defined]
        self.by_id = {s.style_id: s for s in all_styles if s.type == WD_STYLE_TYPE.PARAGRAPH}
        self.default = all_styles.default(WD_STYLE_TYPE.PARAGRAPH)

    def of(self, paragraph: object) -> object | None:
        style_id = paragraph._p.style  # type: ignore[attr-defined]  # w:pStyle/@w:val, None for the default
        return self.by_id.get(style_id, self.default) if style_id else self.default


def _number_formats(document: object) -> dict[tuple[str, int], str]:
    """(numId, level) → its number format ("decimal", "chineseCounting", "bullet"…)."""
    from docx.oxml.ns import qn

    try:
        numbering = document.part.numbering_part.element  # type: ignore[attr-defined]
    except (KeyError, NotImplementedError, AttributeError):  # no numbering part
        return {}
    abstract: dict[str, dict[int, str]] = {}
    for a in numbering.findall(qn("w:abstractNum")):
        levels = {}
        for lvl in a.findall(qn("w:lvl")):
            fmt = lvl.find(qn("w:numFmt"))
            levels[int(lvl.get(qn("w:ilvl"), "0"))] = fmt.get(qn("w:val"), "") if fmt is not None else ""
        abstract[a.get(qn("w:abstractNumId"), "")] = levels
    out = {}
    for num in numbering.findall(qn("w:num")):
        ref = num.find(qn("w:abstractNumId"))
        levels = abstract.get(ref.get(qn("w:val"), "") if ref is not None else "", {})
        for level, fmt in levels.items():
            out[(num.get(qn("w:numId"), ""), level)] = fmt
    return out


def _numbering(paragraph: object, style: object | None, formats: dict[tuple[str, int], str]) -> str:
    """The paragraph's automatic numbering level as a key; "" for none, bullets, or numbering off."""
    ppr = paragraph._p.pPr  # type: ignore[attr-defined]
    own = ppr.numPr if ppr is not None else None
    where = "level"
    if own is None:  # numbering given by the style (List Number, a numbered heading style)
        style_ppr = style.element.pPr if style is not None else None
        own = style_ppr.numPr if style_ppr is not None else None
        where = f"style {style.name}" if style is not None else ""
    if own is None or own.numId is None or own.numId.val == 0:
        return ""
    level = int(own.ilvl.val) if own.ilvl is not None else 0
    if formats.get((str(own.numId.val), level)) in ("bullet", "none"):
        return ""
    return f"{where} {level}" if where == "level" else where


def _table(table: object) -> Table:
    """Each row as the grid shows it: a merged cell's text in every grid cell it covers."""
    rows, across = [], []
    for row in table.rows:  # type: ignore[attr-defined]
        before = [""] * (getattr(row, "grid_cols_before", 0) or 0)
        cells = row.cells
        rows.append(tuple(before + [cell.text.strip(TRIM) for cell in cells]))
        # python-docx gives a horizontally merged cell once per grid column it covers
        across.append(len(cells) > 1 and all(c._tc is cells[0]._tc for c in cells))
    return Table(tuple(rows), tuple(across))
