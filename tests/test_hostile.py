"""The bad-input corpus (tests/hostile.py) through the real command line.

Every case is a real file written into tmp_path and run as a user runs it: a subprocess, with
its address space capped at 2 GiB (so a bomb that got through would crash, not swap) and a
time limit. Whatever the case, stderr has no traceback and the input's bytes are unchanged.

- unreadable: exit 2 and one line on stderr naming the file and why;
- invalid: exit 1 with the finding's (code, cell);
- survivable: ``ledgerkit report`` succeeds and both outputs open (openpyxl, python-docx).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import hostile
import pytest
from hostile import AS_OF, FORMULA_TEXTS, LONG_TEXT

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
MEMORY_LIMIT = 2 << 30
TIME_LIMIT = 60
EXCEL_MAX_CHARS = 32_767


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run(*args: str | Path, home: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    """The CLI as a user runs it, capped at 2 GiB; HOME keeps an error log out of the real one."""
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "ledgerkit", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
        cwd=ROOT,
        env={**os.environ, "HOME": str(home)},
        preexec_fn=_limit_memory,
    )
    return proc, time.monotonic() - start


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_no_crash(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "内部错误" not in proc.stderr, proc.stderr  # cli.main's catch-all: exit 3
    assert "memory allocation" not in proc.stderr, proc.stderr  # a Rust abort
    assert proc.returncode in (0, 1, 2), (proc.returncode, proc.stderr)


# ---- unreadable: exit 2, one sentence ----------------------------------------------------------

UNREADABLE = {
    "empty_file": "空文件",
    "plain_text": "不是 Excel 工作簿",
    "truncated_xlsx": "已损坏",
    "zip_without_workbook": "没有 Excel 工作簿",
    "docx_as_xlsx": "Word 文档",
    "ods_as_xlsx": "OpenDocument",
    "xlsb_as_xlsx": "二进制工作簿",
    "bzip2_xlsx": "压缩方式",
    "encrypted_xlsx": "密码",
    "lock_file": "锁文件",
    "csv_as_xlsx": "不是 Excel 工作簿",
    "html_as_xls": "网页（HTML）",
    "xml_2003_as_xls": "Excel 2003",
    "empty_sheets": "都是空的",
    "no_header": "找不到台账的表头",
    "header_only": "没有任何整改措施",
    "entity_bomb_shared_strings": "DTD",
    "entity_bomb_sheet": "DTD",
    "entity_bomb_workbook": "DTD",
    "external_entity": "DTD",
    "far_cell": "范围过大",
    "far_cell_without_refs": "范围过大",
    "far_cell_xls": "范围过大",
    "commented_sheet": "注释",
    "utf16_sheet": "UTF-8",
    "giant_tag": "巨大的标签",
}
XFAIL: dict = {}


def assert_refused(proc, path: Path, phrase: str, before: str) -> None:
    assert_no_crash(proc)
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    message = proc.stderr.strip()
    assert "\n" not in message, message  # one sentence, not a log
    assert path.name in message and phrase in message, message
    assert re.search(r"[\u4e00-\u9fff]", message)
    assert proc.stdout == ""
    assert sha256(path) == before


@pytest.mark.parametrize(
    "case", [pytest.param(name, marks=XFAIL.get(name, ())) for name in UNREADABLE], ids=list(UNREADABLE)
)
def test_unreadable_is_one_sentence_exit_2(tmp_path, case):
    path = hostile.BUILDERS[case](tmp_path)
    before = sha256(path)
    out = tmp_path / "输出"
    proc, seconds = run("report", path, "-o", out, "--as-of", AS_OF, home=tmp_path)
    assert_refused(proc, path, UNREADABLE[case], before)
    assert not out.exists() or not any(out.iterdir()), "nothing is written for a file that cannot be read"
    assert seconds < 30


@pytest.fixture(scope="module")
def bombs(tmp_path_factory) -> dict[str, Path]:
    """Both zip bombs share one 2 GiB whitespace sheet (its CRC is computed once)."""
    folder = tmp_path_factory.mktemp("bombs")
    sheet = hostile.WhitespaceSheet(2 * hostile.GiB)
    return {
        "zip_bomb": hostile.zip_bomb(folder, sheet=sheet),
        "lying_zip_bomb": hostile.lying_zip_bomb(folder, sheet=sheet),
    }


@pytest.mark.parametrize(
    ("case", "phrase"), [("zip_bomb", "异常巨大"), ("lying_zip_bomb", "已损坏")], ids=["declared", "lying"]
)
def test_zip_bomb_refused_quickly_in_bounded_memory(bombs, tmp_path, case, phrase):
    path = bombs[case]
    assert path.stat().st_size < 5 * hostile.MiB
    before = sha256(path)
    proc, seconds = run("check", path, home=tmp_path)
    assert_refused(proc, path, phrase, before)
    assert seconds < 15  # judged from the headers, or after a few KB: never inflated


def test_zip_bombs_are_real(bombs, tmp_path):
    """The bombs are what they claim. The construction (one compressed megabyte repeated)
    is proved on a 5 MiB sheet read back whole with its CRC; the 2 GiB one declares 2 GiB
    and carries the deflate data for it; the lying one declares 4 KB for the same data."""
    small = hostile.zip_bomb(tmp_path, size=5 * hostile.MiB)
    with zipfile.ZipFile(small) as zf:
        data = zf.read("xl/worksheets/sheet1.xml")  # raises on a bad stream or CRC
    assert len(data) > 5 * 10**6 and data.endswith(b"</sheetData></worksheet>")
    for case, declared in (("zip_bomb", 2 * hostile.GiB), ("lying_zip_bomb", 4096)):
        with zipfile.ZipFile(bombs[case]) as zf:
            info = zf.getinfo("xl/worksheets/sheet1.xml")
            assert info.file_size - declared < hostile.MiB and info.compress_size > 2 * 1000 * 1024


# ---- invalid: exit 1 with the finding at the right cell ---------------------------------------

INVALID = {
    "impossible_date": ("deadline-invalid", "I4"),
    "unknown_status": ("status-unknown", "K3"),
    "missing_measure": ("measure-missing", "E4"),
    "done_after_as_of": ("done-after-as-of", "L3"),
}


@pytest.mark.parametrize("case", list(INVALID))
def test_invalid_is_exit_1_with_the_finding(tmp_path, case):
    path = hostile.BUILDERS[case](tmp_path)
    before = sha256(path)
    proc, _ = run("check", path, "--as-of", AS_OF, "--json", home=tmp_path)
    assert_no_crash(proc)
    assert proc.returncode == 1, proc.stderr
    errors = json.loads(proc.stdout)["errors"]
    code, cell = INVALID[case]
    assert [(e["code"], e["sheet"], e["cell"]) for e in errors] == [(code, "整改台账", cell)]
    report = report_opens(tmp_path, path, expect=1)
    assert report["findings"]["errors"] == 1
    assert sha256(path) == before


# ---- survivable: report succeeds and its outputs open --------------------------------------


def report_opens(tmp_path: Path, path: Path, expect: int = 0) -> dict:
    """Run ``report --json``, open both outputs, return the manifest."""
    from docx import Document
    from openpyxl import load_workbook

    proc, seconds = run("report", path, "-o", tmp_path / "输出", "--as-of", AS_OF, "--json", home=tmp_path)
    assert_no_crash(proc)
    assert proc.returncode == expect, proc.stderr
    data = json.loads(proc.stdout)
    workbook, notice = Path(data["outputs"]["workbook"]), Path(data["outputs"]["notice"])
    assert workbook.suffix == ".xlsx" and workbook.parent == tmp_path / "输出"
    load_workbook(workbook).close()
    Document(str(notice))
    assert seconds < 30
    return data


def cleaned_cells(data: dict) -> list:
    from openpyxl import load_workbook

    wb = load_workbook(data["outputs"]["workbook"])
    return [cell for row in wb["整改台账"].iter_rows() for cell in row if cell.value is not None]


def notice_text(data: dict) -> str:
    from docx import Document

    return "\n".join(p.text for p in Document(data["outputs"]["notice"]).paragraphs)


SURVIVABLE = [
    "control_chars",
    "formula_text",
    "long_cell",
    "xlsx_named_xls",
    "xls_named_xlsx",
    "odd_name",
    "xlsm_with_macros",
]


@pytest.fixture(params=SURVIVABLE)
def survived(request, tmp_path) -> tuple[str, Path, dict]:
    path = hostile.BUILDERS[request.param](tmp_path)
    before = sha256(path)
    data = report_opens(tmp_path, path)
    assert sha256(path) == before
    assert (data["summary"]["issues"], data["summary"]["measures"]) == (2, 3)  # read whole, whatever the name
    return request.param, path, data


def test_survivable_report_succeeds(survived):
    case, path, data = survived
    CHECKS[case](path, data)


def _control_chars(path: Path, data: dict) -> None:
    # Kept or dropped, never mangled: the visible text survives in order.
    from openpyxl.utils.escape import unescape

    texts = [unescape(c.value) for c in cleaned_cells(data) if isinstance(c.value, str) and "控制" in c.value]
    assert [re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", t) for t in texts] == ["整改措施含控制字符"]


def _formula_text(path: Path, data: dict) -> None:
    cells = {c.value: c for c in cleaned_cells(data)}
    for text in FORMULA_TEXTS.values():
        assert text in cells, text
        assert cells[text].data_type == "s", (text, cells[text].data_type)
    with zipfile.ZipFile(data["outputs"]["workbook"]) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in zf.read(name) and b"<f " not in zf.read(name), name


def _long_cell(path: Path, data: dict) -> None:
    written = [
        c.value for c in cleaned_cells(data) if isinstance(c.value, str) and c.value.startswith("完善制度")
    ]
    assert len(written) == 1
    assert len(written[0]) == EXCEL_MAX_CHARS and LONG_TEXT.startswith(written[0])  # Excel's limit
    assert LONG_TEXT in notice_text(data)  # Word has no such limit: the notice keeps it whole


def _same_ledger(path: Path, data: dict) -> None:
    from ledgerkit.reading.read import read_workbook

    suffix = path.suffix
    assert read_workbook(path).file_format == ("xls" if suffix == ".xlsx" else "xlsx")


def _odd_name(path: Path, data: dict) -> None:
    assert Path(data["outputs"]["workbook"]).name == f"{path.stem}（清洗）.xlsx"


def _xlsm(path: Path, data: dict) -> None:
    from ledgerkit.reading.read import read_workbook

    assert read_workbook(path).file_format == "xlsm"
    with zipfile.ZipFile(data["outputs"]["workbook"]) as zf:  # macros are not carried over
        assert not any("vba" in n.lower() for n in zf.namelist())
        assert b"macroEnabled" not in zf.read("[Content_Types].xml")


CHECKS = {
    "control_chars": _control_chars,
    "formula_text": _formula_text,
    "long_cell": _long_cell,
    "xlsx_named_xls": _same_ledger,
    "xls_named_xlsx": _same_ledger,
    "odd_name": _odd_name,
    "xlsm_with_macros": _xlsm,
}


def test_long_cell_truncation_is_a_finding(tmp_path):
    path = hostile.long_cell(tmp_path)
    proc, _ = run("check", path, "--as-of", AS_OF, "--json", home=tmp_path)
    assert_no_crash(proc)
    found = json.loads(proc.stdout)
    assert any(f["cell"] == "J3" for f in found["errors"] + found["warnings"]), found


# ---- the reader's guards, in process: the sheet-extent scan mirrors calamine ---------------

MIXED = (
    '<row r="3"><c r="B3" t="inlineStr"><is><t>a</t></is></c><c t="inlineStr"><is><t>b</t></is></c></row>'
    '<row><c t="n"><v>1</v></c><c s="1"/><c r="F9"/><c><v>2</v></c></row><row/><row/>'
    '<row r="12"><c t="inlineStr" r="D12"><is><t>d</t></is></c></row>'
)
PREFIXED = (
    '<x:row r="2"><x:c r="C2" t="inlineStr"><x:is><x:t>p</x:t></x:is></x:c></x:row>'
    '<x:row><x:c/><x:c t="n"><x:v>7</x:v></x:c></x:row>'
)


def _raw_sheet(folder: Path, body: str, prefixed: bool = False) -> Path:
    xml = hostile.sheet_xml(body)
    if prefixed:
        xml = xml.replace(b"<worksheet xmlns=", b"<x:worksheet xmlns:x=").replace(
            b"<sheetData>", b"<x:sheetData>"
        )
        xml = xml.replace(b"</sheetData></worksheet>", b"</x:sheetData></x:worksheet>")
    return hostile.write_raw_xlsx(folder / "sheet.xlsx", hostile._xlsx_parts(xml))


@pytest.mark.parametrize(
    "sheet",
    [
        pytest.param(
            lambda d: hostile.far_cell_without_refs(d, rows=500, cols=30), id="counted rows and cells"
        ),
        pytest.param(lambda d: _raw_sheet(d, MIXED), id="mixed references"),
        pytest.param(lambda d: _raw_sheet(d, PREFIXED, prefixed=True), id="prefixed tags"),
        pytest.param(lambda d: hostile.write_xlsx(d / "plain.xlsx", hostile.good_rows()), id="openpyxl"),
    ],
)
def test_extent_scan_agrees_with_calamine(tmp_path, sheet):
    from python_calamine import CalamineWorkbook

    from ledgerkit.reading.xlsx_parts import check_part, exact_extent

    path = sheet(tmp_path)
    end = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).end
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
        exact, bound = exact_extent(zf, info), check_part(zf, info)
    assert (exact.rows, exact.cols) == (end[0] + 1, end[1] + 1)
    assert bound.rows >= exact.rows and bound.cols >= exact.cols  # the fast bound never undercounts


def test_a_stray_value_in_the_last_row_still_reads(tmp_path):
    """Typing into row 1,048,576 by accident happens: 12 columns x 1M rows is within bounds."""
    from openpyxl import load_workbook

    from ledgerkit.reading.read import MAX_CELLS, sniff_format
    from ledgerkit.reading.xlsx_parts import exact_extent

    path = hostile.write_xlsx(tmp_path / "误输入.xlsx", hostile.good_rows())
    wb = load_workbook(path)
    wb.active["L1048576"] = "误"
    wb.save(path)
    assert sniff_format(path) == "xlsx"
    with zipfile.ZipFile(path) as zf:
        extent = exact_extent(zf, zf.getinfo("xl/worksheets/sheet1.xml"))
    assert (extent.rows, extent.cols) == (1_048_576, 12) and extent.cells <= MAX_CELLS


def test_parts_parsed_whole_are_size_capped(tmp_path, monkeypatch):
    """workbook.xml and its rels are parsed into a tree: past MAX_TREE they are refused, not parsed."""
    from ledgerkit.errors import UnreadableError
    from ledgerkit.reading import xlsx_parts
    from ledgerkit.reading.read import sniff_format

    path = hostile.write_xlsx(tmp_path / "台账.xlsx", hostile.good_rows())
    monkeypatch.setattr(xlsx_parts, "MAX_TREE", 100)
    with pytest.raises(UnreadableError, match=r"workbook\.xml.*异常巨大"):
        sniff_format(path)


# ---- XML: only defusedxml (or an entity-refusing parser) ever sees hostile XML ------------------


def test_defusedxml_refuses_entity_bombs_where_we_parse_xml(tmp_path):
    """Our own XML parses (xlsx_parts) go through defusedxml: the bombs never expand."""
    from defusedxml import DefusedXmlException

    from ledgerkit.reading import xlsx_parts

    with zipfile.ZipFile(hostile.entity_bomb_workbook(tmp_path)) as zf, pytest.raises(DefusedXmlException):
        xlsx_parts.sheet_parts(zf)
    for bomb in (hostile.entity_bomb_sheet, hostile.external_entity):
        with pytest.raises(DefusedXmlException), zipfile.ZipFile(bomb(tmp_path)) as zf:
            xlsx_parts.formula_cells_without_value(zf)


CALAMINE_PROBE = """
import json, sys
from python_calamine import CalamineWorkbook
out = {}
for path in sys.argv[1:]:
    try:
        wb = CalamineWorkbook.from_path(path)
        cells = [str(v) for n in wb.sheet_names for r in wb.get_sheet_by_name(n).to_python() for v in r]
        out[path] = {"ok": True, "longest": max(map(len, cells)), "passwd": any("root:" in c for c in cells)}
    except Exception as exc:
        out[path] = {"ok": False, "error": str(exc)}
print(json.dumps(out))
"""


def test_calamine_does_not_expand_entities(tmp_path):
    """calamine (quick-xml) has no DTD support: a bomb is an error or plain text, in bounded memory."""
    paths = [
        str(b(tmp_path))
        for b in (
            hostile.entity_bomb_shared_strings,
            hostile.entity_bomb_sheet,
            hostile.entity_bomb_workbook,
            hostile.external_entity,
        )
    ]
    proc = subprocess.run(
        [sys.executable, "-c", CALAMINE_PROBE, *paths],
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
        preexec_fn=_limit_memory,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert "entity" in result[paths[0]]["error"]  # the bomb is referenced from a cell: refused
    for path in paths[1:]:  # referenced nowhere calamine reads: ignored, never expanded
        assert result[path]["ok"] and result[path]["longest"] < 100 and not result[path]["passwd"]


def test_openpyxl_uses_defusedxml():
    """openpyxl (used by the tests, and by anyone opening our outputs) parses with defusedxml or
    lxml without entity resolution: loading a bomb fails fast instead of expanding."""
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


@pytest.mark.parametrize("bomb", ["entity_bomb_workbook", "entity_bomb_shared_strings", "external_entity"])
def test_openpyxl_load_of_a_bomb_fails(tmp_path, bomb):
    from openpyxl import load_workbook

    path = hostile.BUILDERS[bomb](tmp_path)
    start = time.monotonic()
    with pytest.raises(Exception, match=r"amplification|could not read|Entit"):
        load_workbook(path)
    assert time.monotonic() - start < 10


XML_PARSERS = re.compile(
    r"^\s*(?:from|import)\s+(?:xml\.(?:etree|dom|sax|parsers)|lxml|openpyxl|docx)\b.*$", re.MULTILINE
)


def test_only_defusedxml_parses_input_xml():
    """Static: no module of ledgerkit imports a raw XML parser. The exceptions are the
    ParseError class (an exception type, no parser) and python-docx in notice/render, which
    parses notice templates with lxml and resolve_entities=False (see the template tests)."""
    allowed = {
        ("reading/read.py", "from xml.etree.ElementTree import ParseError"),
        ("notice/render.py", "from lxml.etree import XMLSyntaxError"),  # an exception type, no parser
        (
            "workflow/batch.py",
            "import docx  # noqa: F401",
        ),  # preloaded before forking workers; parses nothing
        # combine's report table: enum and length types, no parser (the template is opened by notice/render)
        ("combine/report.py", "from docx.enum.table import WD_TABLE_ALIGNMENT"),
        ("combine/report.py", "from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING"),
        ("combine/report.py", "from docx.shared import Mm, Pt"),
        # the feedback (init --from): python-docx parses it with lxml and resolve_entities=False;
        # tests/test_feedback.py opens an entity bomb and an external entity with it
        ("feedback/read.py", "import docx"),
        ("feedback/read.py", "from docx.opc.exceptions import PackageNotFoundError"),
        ("feedback/read.py", "from docx.oxml.ns import qn"),
        ("feedback/read.py", "from docx.enum.style import WD_STYLE_TYPE"),  # an enum, no parser
    }
    found = set()
    for module in (ROOT / "ledgerkit").rglob("*.py"):
        name = module.relative_to(ROOT / "ledgerkit").as_posix()
        for m in XML_PARSERS.finditer(module.read_text(encoding="utf-8")):
            line = m.group(0).strip()
            if name == "notice/render.py" and line.startswith(("from docx", "import docx")):
                continue
            found.add((name, line))
    assert found <= allowed, found - allowed
    assert (
        "from defusedxml import ElementTree as SafeET"
        in (ROOT / "ledgerkit" / "reading" / "xlsx_parts.py").read_text()
    )


def test_defusedxml_is_a_dependency():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    assert any(d.startswith("defusedxml") for d in deps)


def test_olefile_is_a_dependency():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    assert any(d.startswith("olefile") for d in deps)


# ---- the office's own notice template is input too ---------------------------------------------


def _template_with(tmp_path: Path, doctype: str, text: str) -> Path:
    """A folder with ledgerkit.toml, a notice.docx carrying the DTD, and a ledger."""
    shipped = ROOT / "templates" / "notice.docx"
    with zipfile.ZipFile(shipped) as src, zipfile.ZipFile(tmp_path / "notice.docx", "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                head, _, rest = data.partition(b"?>")
                data = head + b"?>" + doctype.encode() + rest.replace(b"<w:body>", text.encode(), 1)
            dst.writestr(info, data)
    (tmp_path / "ledgerkit.toml").write_text("", encoding="utf-8")
    return hostile.write_xlsx(tmp_path / "台账.xlsx", hostile.good_rows())


def test_template_external_entity_is_not_resolved(tmp_path):
    xxe = '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    path = _template_with(tmp_path, xxe, "<w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p>")
    data = report_opens(tmp_path, path)
    assert "root:" not in notice_text(data)


def test_template_entity_bomb_is_one_sentence(tmp_path):
    bomb = hostile.LAUGHS.replace("lolz", "w:document")
    path = _template_with(tmp_path, bomb, "<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>")
    proc, seconds = run("report", path, "--as-of", AS_OF, home=tmp_path)
    assert seconds < 30
    assert_no_crash(proc)
    assert proc.returncode == 2 and "notice.docx" in proc.stderr
