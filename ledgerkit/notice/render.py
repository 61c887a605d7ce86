"""How the notice looks in Word: styles, page, page numbers, and the XML python-docx lacks.

The look lives in ``templates/notice.docx`` (styles GwTitle, GwSubtitle, GwBody, GwH1, GwH2, the
A4 page with 22 lines of 28 characters, odd/even page-number footers), so an office can change fonts
or margins in Word. ``build_template`` makes that file; ``render`` opens it, empties the body and
writes a :class:`ledgerkit.notice.model.Notice` into it. It knows nothing of ledgers or wording.
Values follow GB/T 9704-2012 《党政机关公文格式》.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

from ..errors import LedgerkitError, os_reason
from ..support.atomic import atomic_path
from .model import Notice, Span, text_width

if TYPE_CHECKING:
    from docx.document import Document as DocumentObject

# Fonts by level (w:eastAsia names as Windows offices have them installed).
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
H1_FONT = "黑体"
H2_FONT = "楷体_GB2312"
PAGE_FONT = "宋体"

TITLE_PT = 22  # 二号
BODY_PT = 16  # 三号
PAGE_PT = 14  # 四号
LINE_PT = 28.95  # exact; 22 lines fill the 225 mm text block (w:line="579")
TITLE_LINE_PT = 35

# 22 lines × 28 characters. A line grid (22 lines of 28.95 pt) and characters condensed by 0.25 pt:
# 16 − 0.25 = 15.75 pt a character, 28 × 15.75 = 441 pt within the 442.2 pt line. A character grid
# (linesAndChars, charSpace −849: 15.79 pt cells) gives 28 in Word and WPS, but LibreOffice puts a
# 16 pt character that is wider than its cell into two cells: 14 characters a line, twice the pages.
# Condensing gives 28 in all three, and Word with or without the grid never gets to 29.
GRID_TYPE = "lines"
GRID_LINE_PITCH = "579"
GRID_CHAR_SPACE = "0"
CONDENSE_TWIPS = -5  # w:spacing in twentieths of a point: −0.25 pt between characters

PAGE_MM = (210, 297)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
FOOTER_MM = 25  # puts the "— N —" line about 7 mm below the text block

STYLE_TITLE = "GwTitle"
STYLE_SUBTITLE = "GwSubtitle"
STYLE_BODY = "GwBody"
STYLE_H1 = "GwH1"
STYLE_H2 = "GwH2"

# Notice paragraph kind -> style. Level 3 (1.) and 4 (（1）) lines are body text in 仿宋.
KIND_STYLES = {"h1": STYLE_H1, "aspect": STYLE_H2}
KEEP_WITH_NEXT = {"problem", "issue"}  # a heading line never ends a page alone

_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


# --- XML helpers: one job each ---------------------------------------------------------------


def set_cjk_font(rPr: Any, east_asia: str, latin: str | None = None) -> None:
    """Name the font for Chinese text too (w:eastAsia); Font.name sets only ascii/hAnsi."""
    rFonts = rPr.get_or_add_rFonts()
    for attr in _THEME_ATTRS:  # a theme attribute would win over the names we write
        rFonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rFonts.set(qn(attr), latin or east_asia)
    rFonts.set(qn("w:eastAsia"), east_asia)
    rFonts.set(qn("w:hint"), "eastAsia")  # “” — … take the Chinese font


def set_east_asian_lang(rPr: Any, lang: str = "zh-CN") -> None:
    """Mark text as Chinese so Word applies Chinese line breaking and punctuation rules."""
    el = rPr.find(qn("w:lang"))
    if el is None:
        el = OxmlElement("w:lang")
        rPr.insert_element_before(el, "w:eastAsianLayout", "w:specVanish", "w:oMath")
    el.set(qn("w:val"), "en-US")
    el.set(qn("w:eastAsia"), lang)


def set_first_line_chars(pPr: Any, chars: int = 2, body_pt: int = BODY_PT) -> None:
    """Indent the first line by whole grid characters (w:firstLineChars), twips as a fallback."""
    ind = pPr.get_or_add_ind()
    ind.set(qn("w:firstLineChars"), str(chars * 100))
    ind.set(qn("w:firstLine"), str(chars * body_pt * 20))


def set_snap_to_grid(pPr: Any, on: bool) -> None:
    """A 22 pt title is wider than one grid cell; off stops Word spreading it over two cells."""
    el = pPr.find(qn("w:snapToGrid"))
    if el is None:
        el = OxmlElement("w:snapToGrid")
        pPr.insert_element_before(
            el,
            *("w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap"),
            *("w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl"),
            *("w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"),
        )
    el.set(qn("w:val"), "1" if on else "0")


def set_char_spacing(rPr: Any, twentieths: int) -> None:
    """Expand or condense the space between characters (w:spacing, twentieths of a point)."""
    el = rPr.find(qn("w:spacing"))
    if el is None:
        el = OxmlElement("w:spacing")
        rPr.insert_element_before(
            el,
            *("w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect"),
            *("w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang"),
            *("w:eastAsianLayout", "w:specVanish", "w:oMath"),
        )
    el.set(qn("w:val"), str(twentieths))


def set_doc_grid(sectPr: Any, grid_type: str, line_pitch: str, char_space: str) -> None:
    grid = sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sectPr.insert_element_before(grid, "w:printerSettings", "w:sectPrChange")
    grid.set(qn("w:type"), grid_type)
    grid.set(qn("w:linePitch"), line_pitch)
    grid.set(qn("w:charSpace"), char_space)


def add_page_field(paragraph: Paragraph) -> list[Any]:
    """Append a PAGE field as complex-field runs; returns the runs. Word fills in the number."""

    def run_with(*children: Any) -> Any:
        run = paragraph.add_run()
        for child in children:
            run._r.append(child)
        return run

    def fld(kind: str) -> Any:
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        return el

    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    runs = [run_with(fld("begin")), run_with(instr), run_with(fld("separate"))]
    runs.append(paragraph.add_run("1"))  # cached value, shown until Word updates the field
    runs.append(run_with(fld("end")))
    return runs


def has_page_field(element: Any) -> bool:
    instr = "".join(element.xpath(".//w:instrText/text()")) + " ".join(
        element.xpath(".//w:fldSimple/@w:instr")
    )
    return "PAGE" in instr


# --- the template ------------------------------------------------------------------------------


def build_template() -> DocumentObject:
    """A blank document carrying the notice's page setup, styles and footers."""
    doc = Document()
    _clear_body(doc)
    _setup_defaults(doc)
    _setup_normal(doc)
    ensure_styles(doc)
    _setup_page(doc)
    ensure_page_numbers(doc)
    props = doc.core_properties
    props.author = ""
    props.last_modified_by = ""
    props.title = "巡察整改情况通报模板"
    props.comments = "ledgerkit 通报草稿模板：可在 Word 中修改样式（GwTitle、GwBody 等）、页边距和页码。"
    return doc


def write_template(path: Path) -> None:
    build_template().save(str(path))


def _setup_defaults(doc: DocumentObject) -> None:
    """The default template's docDefaults carry theme fonts, en-US and 10 pt spacing after."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is None:
        return
    rPr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if rPr is not None:
        set_cjk_font(rPr, BODY_FONT)
        set_east_asian_lang(rPr)
    spacing = defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}/{qn('w:spacing')}")
    if spacing is not None:
        for attr in ("w:after", "w:line", "w:lineRule"):
            spacing.attrib.pop(qn(attr), None)


def _setup_normal(doc: DocumentObject) -> None:
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    rPr = normal.element.get_or_add_rPr()
    set_cjk_font(rPr, BODY_FONT)
    set_east_asian_lang(rPr)
    set_char_spacing(rPr, CONDENSE_TWIPS)
    pf = normal.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(LINE_PT)
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)


def _style(doc: DocumentObject, name: str, base: str) -> tuple[Any, bool]:
    """The paragraph style ``name``, created on ``base`` if the template lacks it."""
    styles = doc.styles
    if name in [s.name for s in styles]:
        return styles[name], False
    style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles[base]
    style.quick_style = True
    return style, True


def ensure_styles(doc: DocumentObject) -> None:
    """Add the Gw* styles a template lacks; styles already there are the office's and kept."""
    style, new = _style(doc, STYLE_BODY, "Normal")
    if new:
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        # The indent lives here, not in Normal: title, footer, 署名 and date inherit none.
        set_first_line_chars(style.element.get_or_add_pPr())
    for name, font in ((STYLE_H1, H1_FONT), (STYLE_H2, H2_FONT)):
        style, new = _style(doc, name, STYLE_BODY)
        if new:
            style.font.size = Pt(BODY_PT)
            set_cjk_font(style.element.get_or_add_rPr(), font)
            style.paragraph_format.keep_with_next = True
    style, new = _style(doc, STYLE_TITLE, "Normal")
    if new:
        style.font.size = Pt(TITLE_PT)
        set_cjk_font(style.element.get_or_add_rPr(), TITLE_FONT)
        set_char_spacing(style.element.get_or_add_rPr(), 0)  # the title is off the grid, at full width
        pf = style.paragraph_format
        pf.alignment = WD_ALIGN_PARAGRAPH.CENTER
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(TITLE_LINE_PT)
        set_snap_to_grid(style.element.get_or_add_pPr(), False)
    style, new = _style(doc, STYLE_SUBTITLE, "Normal")
    if new:  # （社会公开稿）: 三号楷体, centred
        style.font.size = Pt(BODY_PT)
        set_cjk_font(style.element.get_or_add_rPr(), H2_FONT)
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _setup_page(doc: DocumentObject) -> None:
    s = doc.sections[0]
    s.page_width, s.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    s.top_margin, s.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    s.left_margin, s.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    s.footer_distance = Mm(FOOTER_MM)
    s.different_first_page_header_footer = False  # page 1 shows its number too
    set_doc_grid(s._sectPr, GRID_TYPE, GRID_LINE_PITCH, GRID_CHAR_SPACE)


OLD_GRID = ("linesAndChars", "579", "-849")  # what ledgerkit wrote before the condensed line


def upgrade_grid(doc: DocumentObject) -> None:
    """An office's copy of the old shipped template gets the grid LibreOffice lays out at 28 too.

    Only the exact old values are changed: a grid the office set itself is the office's.
    """
    s = doc.sections[0]
    grid = s._sectPr.find(qn("w:docGrid"))
    if grid is None:
        return
    values = tuple(grid.get(qn(a)) for a in ("w:type", "w:linePitch", "w:charSpace"))
    if values == OLD_GRID:
        set_doc_grid(s._sectPr, GRID_TYPE, GRID_LINE_PITCH, GRID_CHAR_SPACE)
        set_char_spacing(doc.styles["Normal"].element.get_or_add_rPr(), CONDENSE_TWIPS)


def ensure_page_numbers(doc: DocumentObject) -> None:
    """ "— N —" footers: odd pages right, even pages left, each one character in (§7.5)."""
    doc.settings.odd_and_even_pages_header_footer = True
    s = doc.sections[0]
    for footer, align in (
        (s.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (s.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        footer.is_linked_to_previous = False
        if has_page_field(footer._element):
            continue  # the office's own footer stays
        p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        for child in list(p._p):  # a paragraph left over from an edited footer
            if child.tag != qn("w:pPr"):
                p._p.remove(child)
        pf = p.paragraph_format
        pf.alignment = align
        pf.first_line_indent = Pt(0)
        # One 14 pt line, not the body's 28.95 pt: the dashes then sit about 7 mm below the text block.
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
        set_snap_to_grid(p._p.get_or_add_pPr(), False)
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            pf.right_indent = Pt(PAGE_PT)
        else:
            pf.left_indent = Pt(PAGE_PT)
        runs = [p.add_run("— "), *add_page_field(p), p.add_run(" —")]
        for run in runs:
            run.font.size = Pt(PAGE_PT)
            set_cjk_font(run._r.get_or_add_rPr(), PAGE_FONT)


def _clear_body(doc: DocumentObject) -> None:
    """Remove the template's content, keeping the final section properties."""
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


# --- writing a notice ------------------------------------------------------------------------


def open_template(template: Path | None) -> DocumentObject:
    if template is not None and template.is_file():
        doc = _open_docx(template)
        _clear_body(doc)
        ensure_styles(doc)  # an edited template missing a style still renders
        ensure_page_numbers(doc)
        upgrade_grid(doc)
        return doc
    return build_template()


def _open_docx(template: Path) -> DocumentObject:
    """An office's own template is input too: a broken or hostile one ends in a sentence."""
    import zipfile

    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    from ..errors import LedgerkitError

    try:
        return Document(str(template))
    except (XMLSyntaxError, zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError):
        raise LedgerkitError(
            f"通报模板“{template.name}”（{template.parent}）无法读取（文件损坏或含有不允许的内容）。"
            "请删除它以使用自带模板，或在 Word 中重新保存。"
        ) from None


class _Appender:
    """Appends body paragraphs in constant time.

    ``Document.add_paragraph`` searches the body for ``w:sectPr`` and looks the style up by
    name on every call: quadratic, a minute for a notice of a few thousand issues.
    """

    def __init__(self, doc: DocumentObject) -> None:
        self.doc = doc
        self.body = doc.element.body
        self.sect_pr = self.body.find(qn("w:sectPr"))
        self.style_ids: dict[str, str] = {}

    def add_paragraph(self, text: str = "", style: str | None = None) -> Paragraph:
        p = OxmlElement("w:p")
        if style is not None:
            if style not in self.style_ids:
                self.style_ids[style] = self.doc.styles[style].style_id
            p.get_or_add_pPr().style = self.style_ids[style]
        if self.sect_pr is not None:
            self.sect_pr.addprevious(p)
        else:
            self.body.append(p)
        paragraph = Paragraph(p, self.doc._body)
        if text:
            paragraph.add_run(text)
        return paragraph


def save_word(target: Path, what: str, write: Callable[[Path], None]) -> Path:
    """Write a Word file atomically with ``write(tmp_path)``; one sentence naming ``what`` when
    it cannot be saved (open in Word, a full disk, no permission)."""
    try:
        with atomic_path(target) as tmp:
            write(tmp)
    except PermissionError:
        raise LedgerkitError(
            f"无法保存{what}“{target.name}”：文件可能正在 Word 中打开，请关闭后重试。"
        ) from None
    except OSError as exc:
        raise LedgerkitError(f"无法保存{what}“{target}”：{os_reason(exc)}。") from None
    return target


def render(notice: Notice, template: Path | None, target: Path) -> None:
    """Write ``notice`` into a copy of the template and save it as ``target``."""
    doc = _Appender(open_template(template))
    _add_title(doc, notice)
    for para in notice.body:
        p = doc.add_paragraph(style=KIND_STYLES.get(para.kind, STYLE_BODY))
        if para.kind in KEEP_WITH_NEXT:
            p.paragraph_format.keep_with_next = True
        _add_spans(p, para.spans, breakable_words=True)
    _add_signature(doc, notice)
    props = doc.doc.core_properties
    props.title = "".join(s.text for line in notice.title for s in line)
    props.comments = "ledgerkit 生成的草稿，请核对后使用。"
    doc.doc.save(str(target))


def _add_title(doc: _Appender, notice: Notice) -> None:
    p = doc.add_paragraph(style=STYLE_TITLE)
    for i, line in enumerate(notice.title):
        if i:
            p.add_run().add_break()  # one paragraph, broken into 梯形 lines at word units
        _add_spans(p, line)
    if notice.subtitle:
        doc.add_paragraph(notice.subtitle, style=STYLE_SUBTITLE)
    doc.add_paragraph()  # one empty line before the body


def _add_signature(doc: _Appender, notice: Notice) -> None:
    """署名 and 成文日期 by GB/T 9704 §7.3.5.

    Unsealed (default, §7.3.5.2): one empty line, the 署名 右空二字, the date on the next line
    starting two characters right of the 署名's first character; a date longer than that is set
    右空二字 and the 署名 moves left to keep the two characters. Sealed (§7.3.5.1): two empty
    lines for the seal, the date 右空四字, the 署名 centred over the date, never closer than two
    characters to the margin. A long 署名 comes in lines already broken at word units.
    """
    sig_w = max((text_width("".join(s.text for s in line)) for line in notice.signature), default=0)
    date_w = text_width(notice.date)
    for _ in range(2 if notice.sealed else 1):
        doc.add_paragraph()
    if notice.sealed:
        date_indent = 4.0
        sig_indent = max(4 + (date_w - sig_w) / 2, 2)
    else:
        sig_indent, date_indent = 2.0, sig_w - date_w
        if date_indent < 2:
            date_indent, sig_indent = 2.0, 4 + date_w - sig_w
    sig = doc.add_paragraph()
    _place_right(sig, sig_indent)
    for i, line in enumerate(notice.signature):
        if i:
            sig.add_run().add_break()
        _add_spans(sig, line)
    date = doc.add_paragraph(notice.date)
    _place_right(date, date_indent)


def _place_right(p: Paragraph, chars: float) -> None:
    pf = p.paragraph_format
    pf.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    pf.right_indent = Pt(BODY_PT * chars)


# A run of Latin letters, digits and URL punctuation too long to sit inside one line's space;
# Word breaks such a "word" nowhere and lets it run past the margin.
_LONG_WORD = re.compile(r"[\x21-\x7e]{24,}")
_BREAK_AFTER = re.compile(r"(?<=[@./_\-])(?=.)")


def breakable(text: str) -> str:
    """Long e-mail addresses and links get break opportunities (U+200B) after @ . / _ -."""
    return _LONG_WORD.sub(lambda m: _BREAK_AFTER.sub("\u200b", m.group()), text)


def _add_spans(p: Paragraph, spans: Sequence[Span], breakable_words: bool = False) -> None:
    for span in spans:
        run = p.add_run(breakable(span.text) if breakable_words else span.text)
        if span.bold:
            run.bold = True
        if span.placeholder:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
