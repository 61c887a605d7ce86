"""``init --from``: which files are read and which refused, decided by their bytes — a .docx named
.txt, text named .doc, real .doc / .pdf / .wps made by LibreOffice, a workbook, a web page, a .docx
with an opening password, an entity bomb, a zip bomb. The feedback comes from outside."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from test_feedback import FORM_A, ROWS_A, TEXT, TEXT_ROWS, convert, ledgerkit, rows_of, write_docx

from ledgerkit.errors import LedgerkitError
from ledgerkit.feedback.read import read_feedback
from ledgerkit.workflow.init import LEDGER_NAME


def test_content_decides_not_the_name(tmp_path):
    """A .docx saved with a .txt name is read as a Word document; text named .doc as text."""
    docx_as_txt = write_docx(tmp_path / "x.txt", FORM_A)
    assert rows_of(docx_as_txt) == ROWS_A
    text_as_doc = tmp_path / "y.doc"
    text_as_doc.write_bytes(TEXT.encode("gbk"))
    assert rows_of(text_as_doc) == TEXT_ROWS


@pytest.fixture(scope="module")
def refused(tmp_path_factory) -> dict[str, Path]:
    """Real .doc and .pdf files (LibreOffice saves them), a .wps (an OLE file), an xlsx, a web page."""
    tmp = tmp_path_factory.mktemp("refused")
    src = write_docx(tmp / "反馈意见.docx", FORM_A)
    doc = convert(tmp, src, "doc")
    wps = tmp / "反馈意见.wps"
    wps.write_bytes(doc.read_bytes())
    book = tmp / "反馈意见.xlsx"
    openpyxl.Workbook().save(book)
    page = tmp / "反馈意见.txt"
    page.write_text("<html><body>一、政治建设方面</body></html>", encoding="utf-8")
    return {"doc": doc, "pdf": convert(tmp, src, "pdf"), "wps": wps, "xlsx": book, "html": page}


@pytest.mark.parametrize("kind", ["doc", "pdf", "wps", "xlsx", "html"])
def test_other_formats_are_refused_with_one_sentence(refused, kind, tmp_path):
    proc = ledgerkit("init", str(tmp_path / "d"), "--from", str(refused[kind]))
    assert proc.returncode == 2, proc.stderr
    message = proc.stderr.strip()
    assert "\n" not in message and "Traceback" not in message
    assert refused[kind].name in message and "另存为" in message and ".docx" in message and ".txt" in message
    assert not (tmp_path / "d").exists()  # nothing written


def test_a_doc_renamed_docx_is_refused_by_its_bytes(refused, tmp_path):
    fake = tmp_path / "反馈意见.docx"
    fake.write_bytes(refused["doc"].read_bytes())
    with pytest.raises(LedgerkitError, match="旧版 Word"):
        read_feedback(fake)


def _with_document_xml(src: Path, dst: Path, xml: bytes) -> Path:
    """A copy of a .docx whose word/document.xml is ``xml``."""
    import zipfile

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, xml if info.filename == "word/document.xml" else zin.read(info))
    return dst


BOMB = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE w:document [
 <!ENTITY a "1.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY x SYSTEM "file:///etc/passwd">
]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:r><w:t>&f;</w:t></w:r></w:p><w:p><w:r><w:t>&x;</w:t></w:r></w:p>
<w:p><w:r><w:t>1.会议记录不全</w:t></w:r></w:p></w:body></w:document>""".encode()


def test_entity_bomb_and_external_entity_are_never_expanded(tmp_path):
    """The feedback comes from outside: a billion-laughs DTD and an external entity in
    word/document.xml are read as nothing, quickly, and /etc/passwd is never read in."""
    import time

    path = _with_document_xml(write_docx(tmp_path / "a.docx", FORM_A), tmp_path / "bomb.docx", BOMB)
    start = time.monotonic()
    try:
        doc = read_feedback(path)
    except LedgerkitError as exc:  # refused with a sentence is as good
        assert "bomb.docx" in exc.message
    else:
        text = "".join(p.text for p in doc.paragraphs)
        assert len(text) < 100 and "root:" not in text
        assert rows_of(path) == [("", "", "会议记录不全", "")]
    assert time.monotonic() - start < 10


def test_a_zip_bomb_is_refused(tmp_path, monkeypatch):
    from ledgerkit.feedback import read as read_module

    monkeypatch.setattr(read_module, "MAX_UNPACKED", 1000)  # the real limit is 256 MB
    with pytest.raises(LedgerkitError, match="解压后过大"):
        read_feedback(write_docx(tmp_path / "a.docx", FORM_A))


def test_a_docx_with_an_opening_password_says_so(tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    src = write_docx(tmp_path / "a.docx", FORM_A)
    locked = tmp_path / "加密.docx"
    with open(src, "rb") as f, open(locked, "wb") as out:
        OOXMLFile(f).encrypt("1234", out)
    with pytest.raises(LedgerkitError, match="设置了打开密码"):
        read_feedback(locked)


def test_no_items_found_is_a_sentence(tmp_path):
    path = tmp_path / "n.txt"
    path.write_text("这是一份会议通知。\n请准时参加。", encoding="utf-8")
    proc = ledgerkit("init", str(tmp_path / "d"), "--from", str(path))
    assert proc.returncode == 2 and "没有找到反馈的问题" in proc.stderr
    assert not (tmp_path / "d" / LEDGER_NAME).exists()
