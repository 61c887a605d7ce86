"""``ledgerkit init FOLDER --from FEEDBACK``: the office's first ledger from the inspection group's
feedback. Real .docx files written with python-docx in each form (numbered paragraphs in each
order, with and without heading styles, Word's own numbering, a 问题清单 table with merged cells),
real text files in UTF-8, GBK and UTF-16, the opening's facts, the command, the ledger read back
and rendered by LibreOffice. Files refused: test_feedback_files.py; the Hypothesis round trip:
test_feedback_roundtrip.py. The helpers here are theirs too."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import docx
import openpyxl
import pytest

from ledgerkit.config import CONFIG_NAME, check_config
from ledgerkit.errors import LedgerkitError
from ledgerkit.feedback.facts import find_facts
from ledgerkit.feedback.parse import parse_feedback
from ledgerkit.feedback.read import read_feedback
from ledgerkit.pipeline import run
from ledgerkit.workbook import LEDGER_SHEET, STANDARD_HEADERS
from ledgerkit.workflow.init import LEDGER_NAME, init_from_feedback, live_config

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

AS_OF = date(2024, 12, 31)
OPENING = (
    "根据市委统一部署，市委第三巡察组于2024年7月30日至9月14日对中共开封市机关事务中心党组进行了常规巡察。"
    "现将巡察发现的问题反馈如下："
)

Para = tuple[str, str]  # (text, style)


def write_docx(path: Path, paragraphs: list[Para | list[list[str]]], merges=()) -> Path:
    """A .docx of paragraphs (text, style) and tables (rows of cells); ``merges``: for the (only)
    table, (first row, col, last row, last col) cells merged as Word merges them."""
    d = docx.Document()
    for block in paragraphs:
        if isinstance(block, tuple):
            d.add_paragraph(block[0], style=block[1] or None)
            continue
        table = d.add_table(rows=len(block), cols=len(block[0]))
        for r, row in enumerate(block):
            for c, text in enumerate(row):
                table.cell(r, c).text = text
        for r0, c0, r1, c1 in merges:
            keep = table.cell(r0, c0).text
            merged = table.cell(r0, c0).merge(table.cell(r1, c1))
            merged.text = keep  # Word keeps the first cell's text; python-docx joins them
    d.save(str(path))
    return path


def rows_of(path: Path) -> list[tuple[str, str, str, str]]:
    return list(parse_feedback(read_feedback(path)).rows())


def ledgerkit(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ledgerkit", *args], capture_output=True, text=True, timeout=180, cwd=cwd
    )


def read_back(folder: Path) -> dict:
    """The ledger's figures as ``summary --json`` gives them, and its issues in order."""
    result = run(folder / LEDGER_NAME, AS_OF, None)
    items = [(it.aspect, it.problem, it.title) for it in result.summary.items]
    return {
        **result.summary.as_dict(),
        "items": items,
        "findings": [(f.code, f.cell) for f in result.findings],
    }


def _soffice() -> str:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: cannot make .doc and .pdf files")
    return soffice


def convert(tmp_path: Path, src: Path, fmt: str) -> Path:
    subprocess.run(
        [_soffice(), "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
         "--convert-to", fmt, "--outdir", str(tmp_path / fmt), str(src)],
        check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    return tmp_path / fmt / f"{src.stem}.{fmt}"


# ---- the forms feedback comes in -------------------------------------------------------------

FORM_A: list[Para] = [
    ("中共开封市委第三巡察组关于巡察开封市机关事务中心党组的反馈意见", "Title"),
    (OPENING, ""),
    ("一、学习贯彻习近平新时代中国特色社会主义思想方面", "Heading 1"),
    ("（一）理论学习不够深入", "Heading 2"),
    ("1. 理论学习中心组学习流于形式。", ""),
    ("2024年中心组仅集中学习2次，未开展研讨。", ""),
    ("2. 青年理论学习小组活动不经常。具体表现：全年只开展1次活动。", ""),
    ("（二）意识形态工作责任制落实不到位", "Heading 2"),
    ("具体表现：未按要求每半年专题研究意识形态工作。", ""),
    ("二、落实全面从严治党方面", "Heading 1"),
    ("（一）监督执纪偏松偏软", "Heading 2"),
    ("1. 谈话提醒不经常。", ""),
    ("①对苗头性问题谈话提醒2次；②未建立谈话台账。", ""),
    ("联系人：王某某，电话：0371-1234567", ""),
    ("中共开封市委第三巡察组", ""),
    ("2024年9月30日", ""),
]
ROWS_A = [
    ("学习贯彻习近平新时代中国特色社会主义思想方面", "理论学习不够深入", "理论学习中心组学习流于形式。",
     "2024年中心组仅集中学习2次，未开展研讨。"),
    ("学习贯彻习近平新时代中国特色社会主义思想方面", "理论学习不够深入", "青年理论学习小组活动不经常。",
     "全年只开展1次活动。"),
    ("学习贯彻习近平新时代中国特色社会主义思想方面", "意识形态工作责任制落实不到位",
     "意识形态工作责任制落实不到位", "未按要求每半年专题研究意识形态工作。"),
    ("落实全面从严治党方面", "监督执纪偏松偏软", "谈话提醒不经常。", "①对苗头性问题谈话提醒2次；②未建立谈话台账。"),
]  # fmt: skip


def test_numbered_paragraphs_with_heading_styles(tmp_path):
    assert rows_of(write_docx(tmp_path / "a.docx", FORM_A)) == ROWS_A


def test_the_same_without_heading_styles(tmp_path):
    plain = [(text, "") for text, _style in FORM_A]
    assert rows_of(write_docx(tmp_path / "a.docx", plain)) == ROWS_A


def test_headings_without_typed_numbers(tmp_path):
    """Word's own numbering on heading styles: the levels come from the styles."""
    paragraphs = [
        (OPENING, ""),
        ("政治建设方面", "Heading 1"),
        ("理论学习不够深入", "Heading 2"),
        ("学习流于形式", "Heading 3"),
        ("全年仅学习2次。", ""),
        ("研讨不深入", "Heading 3"),
        ("作风建设方面", "Heading 1"),
        ("形式主义问题仍然存在", "Heading 2"),
        ("文山会海问题突出。", ""),
    ]
    assert rows_of(write_docx(tmp_path / "h.docx", paragraphs)) == [
        ("政治建设方面", "理论学习不够深入", "学习流于形式", "全年仅学习2次。"),
        ("政治建设方面", "理论学习不够深入", "研讨不深入", ""),
        ("作风建设方面", "形式主义问题仍然存在", "形式主义问题仍然存在", "文山会海问题突出。"),
    ]


def _numbered(paragraph, num_id: int, level: int) -> None:
    """Word's automatic numbering on the paragraph itself (w:numPr), as Word writes it."""
    num = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num.get_or_add_ilvl().val = level
    num.get_or_add_numId().val = num_id


def test_word_automatic_numbering_gives_the_levels(tmp_path):
    """Numbers Word draws itself are not in the text: list styles and w:numPr levels give the
    levels; a bulleted paragraph is a point of a description."""
    d = docx.Document()
    d.add_paragraph(OPENING)
    d.add_paragraph("政治建设方面", style="List Number")
    d.add_paragraph("理论学习不够深入", style="List Number 2")
    d.add_paragraph("中心组学习少", style="List Number 3")
    d.add_paragraph("全年仅学习2次", style="List Bullet")
    d.add_paragraph("研讨不深入", style="List Number 3")
    d.save(str(tmp_path / "styles.docx"))
    assert rows_of(tmp_path / "styles.docx") == [
        ("政治建设方面", "理论学习不够深入", "中心组学习少", "全年仅学习2次"),
        ("政治建设方面", "理论学习不够深入", "研讨不深入", ""),
    ]
    d = docx.Document()
    number = d.styles["List Number"].element.pPr.numPr.numId.val  # a decimal list of the template
    for text, level in [
        ("政治建设方面", 0),
        ("理论学习不够深入", 1),
        ("中心组学习少", 2),
        ("作风建设方面", 0),
    ]:
        _numbered(d.add_paragraph(text), number, level)
    d.save(str(tmp_path / "numpr.docx"))
    assert rows_of(tmp_path / "numpr.docx") == [
        ("政治建设方面", "理论学习不够深入", "中心组学习少", ""),
        ("作风建设方面", "作风建设方面", "作风建设方面", ""),
    ]


def test_half_width_order_and_a_part_above(tmp_path):
    """(一) / 1. / (1) under 一、 parts: the part without issues (意见建议) is left out."""
    paragraphs = [
        (OPENING, ""),
        ("一、总体评价", ""),
        ("巡察组认为，该单位总体工作有成效。", ""),
        ("二、巡察发现的主要问题", ""),
        ("(一)党的领导方面", ""),
        ("1.民主集中制执行不到位", ""),
        ("(1)“三重一大”事项未集体研究", ""),
        ("2024年3项大额支出未经党组会研究。", ""),
        ("(2)议事规则未及时修订", ""),
        ("2.政治生态有待改善", ""),
        ("(二)党的建设方面", ""),
        ("1.基层党组织建设薄弱", ""),
        ("(1)支部换届不及时", ""),
        ("三、意见建议", ""),
        ("(一)加强理论武装", ""),
        ("(二)严格执行制度", ""),
    ]
    assert rows_of(write_docx(tmp_path / "b.docx", paragraphs)) == [
        (
            "党的领导方面",
            "民主集中制执行不到位",
            "“三重一大”事项未集体研究",
            "2024年3项大额支出未经党组会研究。",
        ),
        ("党的领导方面", "民主集中制执行不到位", "议事规则未及时修订", ""),
        ("党的领导方面", "政治生态有待改善", "政治生态有待改善", ""),
        ("党的建设方面", "基层党组织建设薄弱", "支部换届不及时", ""),
    ]


def test_three_levels_half_width(tmp_path):
    paragraphs = [("(一)政治建设方面", ""), ("1.学习不深入", ""), ("(1)中心组学习少", ""), ("(2)研讨少", "")]
    doc = parse_feedback(read_feedback(write_docx(tmp_path / "c.docx", paragraphs)))
    assert doc.counts == (1, 1, 2)


def test_description_labels_in_their_usual_wordings(tmp_path):
    paragraphs = [
        ("一、政治建设方面", ""),
        ("（一）理论学习不深。主要表现在：", ""),
        ("1.中心组学习少。具体表现为：全年2次。", ""),
        ("2.研讨不深入", ""),
        ("问题描述：发言照稿念。", ""),
    ]
    assert rows_of(write_docx(tmp_path / "l.docx", paragraphs)) == [
        ("政治建设方面", "理论学习不深。", "中心组学习少。", "全年2次。"),
        ("政治建设方面", "理论学习不深。", "研讨不深入", "发言照稿念。"),
    ]


def test_flat_list_of_issues(tmp_path):
    """1、 alone: issues, each its own problem, no aspect."""
    paragraphs = [(OPENING, ""), ("1、会议纪要不规范", ""), ("记录不全。", ""), ("2、公务用车管理不严", "")]
    h = parse_feedback(read_feedback(write_docx(tmp_path / "f.docx", paragraphs)))
    assert list(h.rows()) == [("", "", "会议纪要不规范", "记录不全。"), ("", "", "公务用车管理不严", "")]
    assert h.counts == (0, 2, 2)


TABLE = [
    ["序号", "问题类别", "问题", "具体表现", "问题描述"],
    ["1", "政治建设方面", "理论学习不够深入", "中心组学习流于形式", "全年仅学习2次"],
    ["2", "", "", "青年理论学习小组活动少", ""],
    ["3", "", "意识形态责任制落实不到位", "", "未专题研究"],
    ["4", "作风建设方面", "形式主义仍然存在", "文山会海", "会议多"],
]


def test_problem_list_table_with_merged_cells(tmp_path):
    """问题类别 merged down three rows, 问题 down two: each row takes its merge's text."""
    path = write_docx(
        tmp_path / "t.docx",
        [("附件", ""), ("问题清单", ""), TABLE],
        merges=[(1, 1, 3, 1), (1, 2, 2, 2)],
    )
    assert rows_of(path) == [
        ("政治建设方面", "理论学习不够深入", "中心组学习流于形式", "全年仅学习2次"),
        ("政治建设方面", "理论学习不够深入", "青年理论学习小组活动少", ""),
        ("政治建设方面", "意识形态责任制落实不到位", "意识形态责任制落实不到位", "未专题研究"),
        ("作风建设方面", "形式主义仍然存在", "文山会海", "会议多"),
    ]


def test_table_with_section_rows_across(tmp_path):
    table = [
        ["序号", "问题", "具体表现"],
        ["一、政治建设方面", "一、政治建设方面", "一、政治建设方面"],
        ["1", "学习不够", "中心组学习少"],
        ["二、作风建设方面", "二、作风建设方面", "二、作风建设方面"],
        ["2", "会议过多", ""],
    ]
    path = write_docx(tmp_path / "s.docx", [table], merges=[(1, 0, 1, 2), (3, 0, 3, 2)])
    assert rows_of(path) == [
        ("政治建设方面", "学习不够", "中心组学习少", ""),
        ("作风建设方面", "会议过多", "会议过多", ""),
    ]


def test_a_list_continued_in_a_second_table_counts_as_the_reader_does(tmp_path):
    """The same aspect in two tables (the list continued after a page of text) is one aspect."""
    first = [["问题类别", "问题", "具体问题"], ["政治建设方面", "学习不够", "中心组学习少"]]
    second = [
        ["问题类别", "问题", "具体问题"],
        ["政治建设方面", "学习不够", "研讨少"],
        ["作风建设方面", "会多", "会多"],
    ]
    path = write_docx(tmp_path / "two.docx", [first, ("（续表）", ""), second])
    h = parse_feedback(read_feedback(path))
    assert h.counts == (2, 2, 3)
    init_from_feedback(tmp_path / "d", path)
    back = read_back(tmp_path / "d")
    assert (back["aspects"], back["problems"], back["issues"]) == h.counts


def test_two_equal_cells_are_a_row_a_merge_across_is_a_section(tmp_path):
    table = [
        ["问题", "具体问题"],
        ["会议过多", "会议过多"],
        ["一、作风建设方面", "一、作风建设方面"],
        ["学习少", "研讨少"],
    ]
    path = write_docx(tmp_path / "x.docx", [table], merges=[(2, 0, 2, 1)])
    assert rows_of(path) == [("", "会议过多", "会议过多", ""), ("作风建设方面", "学习少", "研讨少", "")]


TEXT = "\n".join(
    [
        OPENING,
        "一、政治建设方面",
        "（一）理论学习不够深入",
        "1.中心组学习流于形式。",
        "全年仅学习2次。",
        "2.青年理论学习小组活动少。",
        "（二）意识形态责任制落实不到位",
        "",
        "二、作风建设方面",
        "（一）形式主义仍然存在",
        "1.文山会海。具体表现：会议多，文件多。",
    ]
)
TEXT_ROWS = [
    ("政治建设方面", "理论学习不够深入", "中心组学习流于形式。", "全年仅学习2次。"),
    ("政治建设方面", "理论学习不够深入", "青年理论学习小组活动少。", ""),
    ("政治建设方面", "意识形态责任制落实不到位", "意识形态责任制落实不到位", ""),
    ("作风建设方面", "形式主义仍然存在", "文山会海。", "会议多，文件多。"),
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "utf-16"])
def test_text_files_in_each_encoding(tmp_path, encoding):
    path = tmp_path / "反馈意见.txt"
    path.write_bytes(TEXT.replace("\n", "\r\n").encode(encoding))
    assert rows_of(path) == TEXT_ROWS
    assert find_facts(read_feedback(path).paragraphs[0].text.split("\n")).group == "市委第三巡察组"


# ---- the opening's facts --------------------------------------------------------------------


def test_facts_of_the_opening_sentence():
    facts = find_facts(["关于巡察的反馈意见", OPENING])
    assert (facts.unit, facts.issuer, facts.committee, facts.group, facts.kind) == (
        "开封市机关事务中心",
        "中共开封市机关事务中心党组",
        "市委",
        "市委第三巡察组",
        "常规巡察",
    )
    assert (facts.start, facts.end) == (date(2024, 7, 30), date(2024, 9, 14))


def test_facts_not_said_are_not_guessed():
    facts = find_facts(["根据县委部署，县委第二巡察组于2023年12月1日至1月15日对县财政局进行了巡察。"])
    assert (facts.unit, facts.issuer, facts.kind, facts.committee) == ("县财政局", "", "", "县委")
    assert facts.end == date(2024, 1, 15)  # the end without a year is after the start
    assert find_facts(["一、政治建设方面"]).config() == {"unit": {}, "inspection": {}}
    wider = find_facts(
        ["市委第一巡察组于2024年4月1日至5月20日对中共市财政局党组及所属单位开展了为期50天的提级巡察。"]
    )
    assert (wider.unit, wider.issuer, wider.kind) == ("市财政局", "中共市财政局党组", "提级巡察")
    assert (wider.start, wider.end, wider.committee) == (date(2024, 4, 1), date(2024, 5, 20), "市委")


def test_live_config_enables_found_keys_only():
    template = Path(__file__).resolve().parent.parent / "templates" / CONFIG_NAME
    text = live_config(template.read_text(encoding="utf-8"), find_facts([OPENING]).config())
    data = check_config(tomllib.loads(text))
    assert data["unit"] == {"name": "开封市机关事务中心", "issuer": "中共开封市机关事务中心党组"}
    assert data["inspection"] == {
        "committee": "市委",
        "group": "市委第三巡察组",
        "kind": "常规巡察",
        "start": date(2024, 7, 30),
        "end": date(2024, 9, 14),
    }
    assert "# feedback = 2024-08-15" in text and "# round = " in text  # the rest stays commented
    assert 'name = "开封市机关事务中心"' in text and "# 单位名称" in text  # its comment kept


# ---- the command ----------------------------------------------------------------------------


def test_init_from_writes_the_ledger_config_and_inbox(tmp_path):
    feedback = write_docx(tmp_path / "反馈意见.docx", FORM_A)
    before = (feedback.read_bytes(), os.stat(feedback).st_mtime_ns)
    folder = tmp_path / "整改"
    proc = ledgerkit("init", str(folder), "--from", str(feedback))
    assert proc.returncode == 0, proc.stderr
    assert "找到 2 个方面、3 个问题、4 个具体问题" in proc.stdout
    assert "整改措施、责任领导、责任科室、责任人和整改时限" in proc.stdout
    assert (feedback.read_bytes(), os.stat(feedback).st_mtime_ns) == before  # the feedback untouched
    assert (folder / "inbox").is_dir() and not (folder / "台账模板.xlsx").exists()
    ws = openpyxl.load_workbook(folder / LEDGER_NAME)[LEDGER_SHEET]
    assert [c.value for c in ws[3]] == list(STANDARD_HEADERS.values())  # the template's header
    assert ws["A1"].value == "开封市机关事务中心巡察反馈问题整改台账"
    assert [[ws.cell(r, c).value for c in (2, 3, 4, 5)] for r in range(4, 8)] == [
        [a or None, p or None, i, d or None] for a, p, i, d in _covered(ROWS_A)
    ]
    assert {str(m) for m in ws.merged_cells.ranges} >= {"B4:B6", "C4:C5"}
    for r in range(4, 8):  # the measure and responsibility cells are the office's to fill
        assert all(ws.cell(r, c).value is None for c in range(6, 17))
    config = tomllib.loads((folder / CONFIG_NAME).read_text(encoding="utf-8"))
    assert config["unit"]["name"] == "开封市机关事务中心" and config["inspection"]["end"] == date(2024, 9, 14)


def _covered(rows):
    """Rows as a merged sheet holds them: a merge's value in its first cell only."""
    out, above = [], ("", "")
    for a, p, i, d in rows:
        out.append((a if a != above[0] else "", p if (a, p) != above else "", i, d))
        above = (a, p)
    return out


def test_the_new_ledger_reads_back_with_its_hierarchy(tmp_path):
    feedback = write_docx(tmp_path / "反馈意见.docx", FORM_A)
    init_from_feedback(tmp_path / "d", feedback)
    back = read_back(tmp_path / "d")
    assert (back["aspects"], back["problems"], back["issues"], back["measures"]) == (2, 3, 4, 0)
    assert back["items"] == [(a, p, i) for a, p, i, _d in ROWS_A]
    # what the office fills next is said once, not once per issue
    assert back["findings"] == [("measures-pending", "F4")]


def test_the_office_fills_it_in_and_the_figures_follow(tmp_path):
    """Measures typed into the new ledger's rows (merged 方面 / 问题 cells as written): the same
    hierarchy, the measures counted, nothing left to say about pending measures."""
    init_from_feedback(tmp_path / "d", write_docx(tmp_path / "反馈意见.docx", FORM_A))
    book = openpyxl.load_workbook(tmp_path / "d" / LEDGER_NAME)
    ws = book[LEDGER_SHEET]
    header = {c.value: c.column for c in ws[3]}
    for r, status in zip(range(4, 8), ["已完成", "正在推进", "已完成", "未开始"], strict=True):
        for name, value in {"整改措施": f"措施{r}", "责任领导": "张某", "责任科室": "办公室", "责任人": "李某",
                            "整改时限": date(2025, 3, 31), "完成情况": status}.items():  # fmt: skip
            ws.cell(r, header[name], value)
        if status == "已完成":
            ws.cell(r, header["完成时间"], date(2024, 12, 1))
    book.save(tmp_path / "d" / LEDGER_NAME)
    back = read_back(tmp_path / "d")
    assert (back["aspects"], back["problems"], back["issues"], back["measures"]) == (2, 3, 4, 4)
    assert (back["issues_done"], back["measures_done"]) == (2, 2)
    assert back["items"] == [(a, p, i) for a, p, i, _d in ROWS_A]
    assert not [code for code, _cell in back["findings"] if code in ("measures-pending", "issue-no-measure")]


def test_json_gives_the_same(tmp_path):
    feedback = write_docx(tmp_path / "反馈意见.docx", FORM_A)
    proc = ledgerkit("init", str(tmp_path / "d"), "--from", str(feedback), "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert (data["aspects"], data["problems"], data["issues"]) == (2, 3, 4)
    assert data["ledger"] == str(tmp_path / "d" / LEDGER_NAME)
    assert data["config"]["inspection"]["start"] == "2024-07-30"
    assert data["written"] == [LEDGER_NAME, CONFIG_NAME, "inbox/"] and data["next_steps"]
    summary = json.loads(ledgerkit("summary", data["ledger"], "--json", "--as-of", "2024-12-31").stdout)
    assert (summary["aspects"], summary["problems"], summary["issues"]) == (2, 3, 4)


def test_an_existing_ledger_is_never_overwritten(tmp_path):
    feedback = write_docx(tmp_path / "反馈意见.docx", FORM_A)
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / LEDGER_NAME).write_bytes(b"filled in by the office")
    proc = ledgerkit("init", str(folder), "--from", str(feedback))
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "已存在" in proc.stderr
    assert (folder / LEDGER_NAME).read_bytes() == b"filled in by the office"
    assert sorted(p.name for p in folder.iterdir()) == [LEDGER_NAME]  # nothing else written


def test_an_inbox_that_is_a_file_stops_before_anything_is_written(tmp_path):
    feedback = write_docx(tmp_path / "反馈意见.docx", FORM_A)
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "inbox").write_text("")
    with pytest.raises(LedgerkitError, match="不是文件夹"):
        init_from_feedback(tmp_path / "d", feedback)
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == ["inbox"]


def test_an_existing_config_is_kept(tmp_path):
    feedback = write_docx(tmp_path / "反馈意见.docx", FORM_A)
    (tmp_path / CONFIG_NAME).write_text('[unit]\nname = "本单位"\n', encoding="utf-8")
    result = init_from_feedback(tmp_path, feedback)
    assert (tmp_path / CONFIG_NAME).read_text(encoding="utf-8") == '[unit]\nname = "本单位"\n'
    assert result.kept == [CONFIG_NAME] and "未改动" in result.next_steps()[1]


def test_summary_says_once_what_to_fill(tmp_path):
    init_from_feedback(tmp_path / "d", write_docx(tmp_path / "反馈意见.docx", FORM_A))
    proc = ledgerkit("summary", str(tmp_path / "d" / LEDGER_NAME), "--as-of", "2024-12-31")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("都还没有填写整改措施") == 1 and "整改时限" in proc.stdout


def test_any_ledger_of_issues_without_measures_counts_its_hierarchy(tmp_path):
    """The general rule, on a ledger typed by hand: section rows set the aspect, the 问题 column is
    merged, no row has a measure yet. Before: aspects 0 and problems = issues."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "问题", "具体问题", "整改措施", "责任科室", "责任人", "整改时限", "完成情况"])
    ws.append(["一、政治建设方面"])
    ws.merge_cells("A2:H2")
    ws.append(["1", "理论学习不够深入", "中心组学习流于形式"])
    ws.append(["2", None, "研讨不深入"])
    ws.merge_cells("B3:B4")
    ws.append(["二、作风建设方面"])
    ws.merge_cells("A5:H5")
    ws.append(["3", "会议过多", "文山会海"])
    wb.save(tmp_path / LEDGER_NAME)
    back = read_back(tmp_path)
    assert (back["aspects"], back["problems"], back["issues"], back["measures"]) == (2, 2, 3, 0)
    assert back["findings"] == [("measures-pending", "D3")]


def test_libreoffice_renders_the_first_page(tmp_path):
    """The first page as LibreOffice prints it: title, header, every issue, each merged title once."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler) is not installed")
    feedback = write_docx(tmp_path / "反馈意见.docx", FORM_A)
    init_from_feedback(tmp_path / "d", feedback)
    pdf = convert(tmp_path, tmp_path / "d" / LEDGER_NAME, "pdf")
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    flat = "".join(text.split())
    assert "开封市机关事务中心巡察反馈问题整改台账" in flat and "整改措施" in flat
    for _aspect, _problem, issue, _description in ROWS_A:  # a cell's first line is contiguous text
        assert issue[:8] in flat
    assert flat.count("理论学习不够深入") == 1  # merged over its two issues, printed once
