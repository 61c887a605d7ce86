"""The cleaned workbook: structure read back with openpyxl, round trips through the reader."""

from __future__ import annotations

import errno
import re
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from conftest import load_truth, sample_files

from ledgerkit import workbook
from ledgerkit.errors import LedgerkitError
from ledgerkit.figures import summarise
from ledgerkit.model import STATUSES, Finding, Ledger, Measure, SheetInfo
from ledgerkit.support import atomic
from ledgerkit.text import fold
from ledgerkit.workbook import (
    DATE_FORMAT,
    FINDINGS_SHEET,
    LEDGER_SHEET,
    LISTS_SHEET,
    STANDARD_HEADERS,
    SUMMARY_SHEET,
    workbook_filename,
    write_workbook,
)

AS_OF = date(2025, 3, 1)
SHEET = "Sheet1"


def measure(row: int, aspect: str, problem: str, issue: str, text: str, status: str | None, **kw) -> Measure:
    m = Measure(sheet=SHEET, row=row, aspect=aspect, problem=problem, issue=issue, measure=text, **kw)
    m.aspect_key, m.problem_key, m.issue_key = fold(aspect), fold(problem), fold(issue)
    m.status = status
    m.status_text = kw.get("status_text", status or "")
    m.leader, m.department, m.owner = "张三", "办公室", "李四"
    m.extras.setdefault("备注2", "")
    return m


def small_ledger(source: Path) -> Ledger:
    """2 aspects, 3 problems, 5 issues with 1–3 measures; dates, words, an extra column, "=1+1"."""
    a1, a2 = "学习贯彻党的创新理论有差距", "全面从严治党存在薄弱环节"
    ms = [
        measure(
            4,
            a1,
            "理论学习不深入",
            "学习流于形式",
            "制定学习计划",
            "已完成",
            seq="1",
            deadline="2025年1月31日",
            deadline_date=date(2025, 1, 31),
            done_on=date(2025, 1, 20),
            done_on_text="2025年1月20日",
        ),
        measure(
            5,
            a1,
            "理论学习不深入",
            "学习流于形式",
            "=1+1",
            "正在推进",
            seq="2",
            deadline="2025.2.15",
            deadline_date=date(2025, 2, 15),
            extras={"备注2": "按月通报"},
        ),
        measure(
            6,
            a1,
            "理论学习不深入",
            "研讨不充分",
            "每季度开展研讨",
            "长期坚持",
            seq="3",
            deadline="长期坚持",
            deadline_word="长期坚持",
        ),
        measure(
            7,
            a1,
            "落实决策部署有偏差",
            "调研不够",
            "开展专题调研",
            "阶段性完成",
            seq="4",
            deadline="立行立改",
            deadline_word="立行立改",
            progress="+已调研3次",
        ),
        measure(
            8,
            a1,
            "落实决策部署有偏差",
            "调研不够",
            "形成调研报告",
            "未开始",
            seq="5",
            deadline="视情况而定",
            progress="-",
        ),
        measure(
            9,
            a1,
            "落实决策部署有偏差",
            "调研不够",
            "@转化成果",
            None,
            seq="6",
            status_text="待定",
            deadline="2025年3月10日",
            deadline_date=date(2025, 3, 10),
        ),
        measure(
            10,
            a2,
            "监督不到位",
            "谈话提醒不及时",
            "建立谈话制度",
            "已完成",
            seq="7",
            deadline="2025年1月1日",
            deadline_date=date(2025, 1, 1),
            done_on=date(2024, 12, 30),
            done_on_text="2024年12月30日",
        ),
        measure(
            11,
            a2,
            "监督不到位",
            "廉政风险排查不全",
            "全面排查风险点",
            "正在推进",
            seq="8",
            deadline="2025年2月28日",
            deadline_date=date(2025, 2, 28),
            kind="限期整改",
        ),
        measure(
            12,
            a2,
            "监督不到位",
            "廉政风险排查不全",
            "建立风险台账",
            "已完成",
            seq="9",
            deadline="2025年2月1日",
            deadline_date=date(2025, 2, 1),
            done_on=date(2025, 1, 25),
            done_on_text="2025年1月25日",
            evidence="风险台账.pdf",
        ),
    ]
    columns = dict(zip(STANDARD_HEADERS, "ABCDEFGHIJKLMNOP", strict=True))
    info = SheetInfo(
        name=SHEET,
        header_rows=(3,),
        columns=columns,
        headers={**{v: STANDARD_HEADERS[k] for k, v in columns.items()}, "Q": "备注2"},
        extra_columns=["Q"],
    )
    return Ledger(
        source_file=str(source),
        file_format="xlsx",
        sheets=[info],
        title="测试单位巡察反馈问题整改台账",
        unit="测试单位",
        reported_on="2025年3月1日",
        reported_date=date(2025, 3, 1),
        has_aspects=True,
        has_problems=True,
        extra_headers=["备注2"],
        measures=ms,
    )


FINDINGS = [
    Finding(
        "deadline-invalid",
        "error",
        SHEET,
        8,
        10,
        "deadline",
        "视情况而定",
        "「Sheet1」J8：整改时限“视情况而定”不是日期。",
        "请写成 2025/6/30。",
    ),
    Finding(
        "status-unknown",
        "warning",
        SHEET,
        9,
        13,
        "status",
        "待定",
        "「Sheet1」M9：完成情况“待定”无法识别。",
        "请从下拉列表选择。",
    ),
    Finding("aspect-check", "warning", SHEET, 5, 2, "aspect", "", "「Sheet1」B5：方面提醒。", ""),
    Finding("header-note", "warning", SHEET, 3, 1, "", "", "「Sheet1」A3：表头提醒。", ""),
]


@pytest.fixture
def written(tmp_path: Path) -> tuple[Ledger, Path]:
    source = tmp_path / "台账.xlsx"
    source.write_bytes(b"input")
    ledger = small_ledger(source)
    out = write_workbook(
        ledger, summarise(ledger, AS_OF), FINDINGS, tmp_path / "输出" / workbook_filename(source)
    )
    return ledger, out


def ledger_ws(path: Path):
    return openpyxl.load_workbook(path)[LEDGER_SHEET]


# ---- structure -----------------------------------------------------------------------------


def test_filename_and_folder(written, tmp_path):
    _ledger, out = written
    assert out == tmp_path / "输出" / "台账（清洗）.xlsx"
    assert out.is_file()
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temp file left behind


def test_sheet_order_and_hidden_lists(written):
    wb = openpyxl.load_workbook(written[1])
    assert wb.sheetnames == [LEDGER_SHEET, SUMMARY_SHEET, FINDINGS_SHEET, LISTS_SHEET]
    assert wb[LISTS_SHEET].sheet_state == "hidden"
    assert [wb[LISTS_SHEET].cell(r, 1).value for r in range(1, 6)] == list(STATUSES)
    assert [wb[LISTS_SHEET].cell(r, 2).value for r in range(1, 4)] == list(workbook.KINDS)


def test_title_and_headers(written):
    ws = ledger_ws(written[1])
    assert ws["A1"].value == "测试单位巡察反馈问题整改台账"
    assert ws["A2"].value == "填报单位：测试单位　　填报时间：2025年3月1日"
    headers = [c.value for c in ws[3]]
    assert headers == [*STANDARD_HEADERS.values(), "备注2"]
    assert "A1:Q1" in {str(r) for r in ws.merged_cells.ranges}


def test_levels_missing_are_left_out(tmp_path):
    ledger = small_ledger(tmp_path / "x.xlsx")
    ledger.has_aspects = ledger.has_problems = False
    for m in ledger.measures:
        m.aspect = m.problem = m.aspect_key = m.problem_key = ""
    out = write_workbook(ledger, summarise(ledger, AS_OF), [], tmp_path / "o.xlsx")
    headers = [c.value for c in ledger_ws(out)[3]]
    assert "方面" not in headers and "问题" not in headers
    assert headers[:3] == ["序号", "具体问题", "问题描述"]


def test_rows_values_and_merges(written):
    ws = ledger_ws(written[1])
    assert [ws.cell(r, 6).value for r in range(4, 13)] == [
        "制定学习计划",
        "=1+1",
        "每季度开展研讨",
        "开展专题调研",
        "形成调研报告",
        "@转化成果",
        "建立谈话制度",
        "全面排查风险点",
        "建立风险台账",
    ]
    merges = {str(r) for r in ws.merged_cells.ranges}
    # aspect B, problem C, issue D: consecutive rows of one item merged, as offices do
    assert {"B4:B9", "B10:B12", "C4:C6", "C7:C9", "C10:C12", "D4:D5", "D7:D9", "D11:D12"} <= merges
    assert "D6:D6" not in merges and not any(m.startswith("F") for m in merges)
    assert ws["B4"].value == "学习贯彻党的创新理论有差距" and ws["B5"].value is None
    assert ws["Q5"].value == "按月通报"


def test_statuses_canonical_or_as_written(written):
    ws = ledger_ws(written[1])
    assert [ws.cell(r, 13).value for r in range(4, 13)] == [
        "已完成",
        "正在推进",
        "长期坚持",
        "阶段性完成",
        "未开始",
        "待定",
        "已完成",
        "正在推进",
        "已完成",
    ]


def test_dates_are_dates_and_words_text(written):
    ws = ledger_ws(written[1])
    j4, n4 = ws["J4"], ws["N4"]
    assert isinstance(j4.value, datetime) and j4.value.date() == date(2025, 1, 31)
    assert j4.number_format == DATE_FORMAT == 'yyyy"年"m"月"d"日"'
    assert n4.value.date() == date(2025, 1, 20) and n4.number_format == DATE_FORMAT
    assert ws["J5"].value.date() == date(2025, 2, 15)  # "2025.2.15" written as the date it means
    assert (ws["J6"].value, ws["J7"].value, ws["J8"].value) == ("长期坚持", "立行立改", "视情况而定")
    assert ws["N5"].value is None


def test_formula_like_text_stays_text(written):
    ws = ledger_ws(written[1])
    for ref, text in (("F5", "=1+1"), ("L7", "+已调研3次"), ("L8", "-"), ("F9", "@转化成果")):
        assert ws[ref].value == text and ws[ref].data_type == "s", ref
    with zipfile.ZipFile(written[1]) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        assert not any(b"<f>" in zf.read(n) for n in sheets)


def test_dropdowns_and_date_checks(written):
    ws = ledger_ws(written[1])
    by_col = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            by_col[rng.coord.split(":")[0].rstrip("0123456789")] = dv
    assert by_col["M"].type == "list" and by_col["M"].formula1 == f"'{LISTS_SHEET}'!$A$1:$A$5"
    assert by_col["K"].type == "list" and by_col["K"].formula1 == f"'{LISTS_SHEET}'!$B$1:$B$3"
    assert by_col["J"].type == "date" and by_col["N"].type == "date"
    assert "M4:M" in str(by_col["M"].sqref)


def test_colours_at_the_as_of_date(written):
    ws = ledger_ws(written[1])
    rules = [(str(cf.sqref), r) for cf in ws.conditional_formatting for r in cf.rules]
    formulas = [" ".join(r.formula) for _ref, r in rules]
    assert not any("TODAY" in f or "NOW" in f for f in formulas)  # the 汇总's day, not the viewer's
    assert any("<DATE(2025,3,1)" in f and "已完成" in f for f in formulas)  # overdue
    assert any("DATE(2025,3,1)+14" in f for f in formulas)  # due soon
    assert any('"已完成"' in f for ref, r in rules if ref.startswith("M4:M") for f in r.formula)  # done
    fills = {r.dxf.fill.bgColor.rgb[-6:] for _ref, r in rules}
    assert {"FFC7CE", "FFEB9C", "C6EFCE"} <= fills


def test_frozen_filter_print(written):
    ws = ledger_ws(written[1])
    assert ws.freeze_panes == "A4"
    assert ws.auto_filter.ref == "A3:Q12"
    ps = ws.page_setup
    assert ps.orientation == "landscape" and int(ps.paperSize) in (8, 9)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ps.fitToWidth in (1, None) and ps.fitToHeight == 0
    assert ws.print_title_rows == "$3:$3"
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text


def test_findings_sheet_links_and_comments(written):
    wb = openpyxl.load_workbook(written[1])
    ws = wb[FINDINGS_SHEET]
    assert [c.value for c in ws[2]] == list(workbook.FINDINGS_HEADERS)
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert [r[1] for r in rows] == ["错误", "提醒", "提醒", "提醒"]
    assert rows[0][2:8] == (
        "deadline-invalid",
        "「Sheet1」J8",  # formats.position, as the message and the console write it
        "整改时限",
        "视情况而定",
        FINDINGS[0].message,
        FINDINGS[0].hint,
    )
    links = [ws.cell(r, 9).hyperlink for r in range(3, 7)]
    assert links[0].location == f"'{LEDGER_SHEET}'!J8"  # input row 8 is output row 8 here
    assert ws.cell(3, 9).value == f"「{LEDGER_SHEET}」J8"  # the link's text: the same notation
    assert links[1].location == f"'{LEDGER_SHEET}'!M9"
    assert links[2].location == f"'{LEDGER_SHEET}'!B4"  # a covered merged cell: the visible one
    assert links[3] is None  # the header is no measure row
    led = wb[LEDGER_SHEET]
    assert "不是日期" in led["J8"].comment.text and "2025/6/30" in led["J8"].comment.text
    assert "无法识别" in led["M9"].comment.text
    assert led["J8"].fill.fgColor.rgb[-6:] == "FFFF00" and led["J7"].fill.fgColor.rgb[-6:] != "FFFF00"
    assert led["A3"].comment is None


def test_findings_map_through_input_rows(tmp_path):
    """Input row → output row goes through the measure: a title-less input shifts rows."""
    ledger = small_ledger(tmp_path / "x.xlsx")
    for m in ledger.measures:
        m.row += 10
    f = Finding("x", "error", SHEET, 15, 6, "measure", "", "消息", "")
    out = write_workbook(ledger, summarise(ledger, AS_OF), [f], tmp_path / "o.xlsx")
    wb = openpyxl.load_workbook(out)
    assert wb[FINDINGS_SHEET]["I3"].hyperlink.location == f"'{LEDGER_SHEET}'!F5"
    note = wb[LEDGER_SHEET]["F5"].comment
    assert (note.text, note.author) == ("【错误】消息", "ledgerkit")


def test_summary_sheet(written):
    ledger, out = written
    ws = openpyxl.load_workbook(out)[SUMMARY_SHEET]
    texts = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert "台账：测试单位巡察反馈问题整改台账" in texts
    assert "填报单位：测试单位　　填报时间：2025年3月1日" in texts
    assert any(str(t).startswith("统计截止日期：2025年3月1日") for t in texts)
    s = summarise(ledger, AS_OF)
    pairs = {row[1]: row[2] for row in ws.iter_rows(values_only=True) if row[1] and row[2] is not None}
    assert pairs["具体问题（个）"] == s.issues == 5
    assert pairs["已完成整改的具体问题（个）"] == s.issues_done == 1
    assert pairs["整改措施（项）"] == 9 and pairs["已完成的整改措施（项）"] == 3
    assert pairs["整改完成率（按具体问题）"] == pytest.approx(0.2)
    for title in ("二、按方面统计", "四、按责任科室统计", "五、按责任领导统计"):
        assert title in texts
    assert any(str(t).startswith("七、逾期未完成的整改措施（2项）") for t in texts)
    assert any(str(t).startswith("八、14天内到期的整改措施（1项）") for t in texts)
    # never mistaken for a ledger: no row names 整改措施, 具体问题 and 完成情况 together
    for row in ws.iter_rows(values_only=True):
        words = {str(v) for v in row if v}
        assert not {"整改措施", "具体问题", "完成情况"} <= words
    with zipfile.ZipFile(out) as zf:
        charts = [n for n in zf.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 2
        kinds = {n: zf.read(n) for n in charts}
        assert any(b"<c:barChart>" in x and b'<c:barDir val="bar"/>' in x for x in kinds.values())
        assert any(b'<c:barDir val="col"/>' in x for x in kinds.values())


def _summary_rows(path: Path) -> list[tuple[object, ...]]:
    ws = openpyxl.load_workbook(path)[SUMMARY_SHEET]
    return [tuple(v for v in row if v is not None) for row in ws.iter_rows(values_only=True)]


def test_summary_sheet_lists_the_rules_made_and_revised(tmp_path):
    from build import HEADER, measure_row, write_xlsx

    from ledgerkit.pipeline import run

    rows = [HEADER, *(measure_row(i, "方面甲", "问题甲", f"问题{i}", f"措施{i}") for i in range(1, 4))]
    rows[1][9] = "已制定《公务接待管理办法》并印发执行。"
    rows[3][9] = "修订《财务报销制度》，学习了《条例》。"  # 学习了《》 is no rule
    result = run(write_xlsx(tmp_path / "台账.xlsx", rows), AS_OF)
    out = write_workbook(result.ledger, result.summary, result.findings, tmp_path / "o.xlsx")
    got = _summary_rows(out)
    at = got.index(("六、制度建设",))
    assert got[at + 1] == ("制定制度1项、修订制度1项（据整改进展中《》所列制度名称统计，请核对）。",)
    assert got[at + 2] == ("序号", "制度名称", "原台账位置", "制定/修订")
    assert got[at + 3 : at + 5] == [
        (1, "《公务接待管理办法》", "「整改台账」J2", "制定"),
        (2, "《财务报销制度》", "「整改台账」J4", "修订"),
    ]
    assert got[at + 6][0].startswith("七、逾期未完成")
    again = run(out, AS_OF)  # the sheet is never read as a ledger: the same figures come back
    assert (again.summary.measures, again.summary.rules.made, again.summary.rules.revised) == (3, 1, 1)


def test_summary_sheet_without_rules_says_none(tmp_path):
    from build import HEADER, measure_row, write_xlsx

    from ledgerkit.pipeline import run

    rows = [HEADER, *(measure_row(i, "方面甲", "问题甲", f"问题{i}", f"措施{i}") for i in range(1, 3))]
    result = run(write_xlsx(tmp_path / "台账.xlsx", rows), AS_OF)
    got = _summary_rows(write_workbook(result.ledger, result.summary, result.findings, tmp_path / "o.xlsx"))
    at = got.index(("六、制度建设",))
    assert got[at + 1][0].startswith("无（") and got[at + 3][0].startswith("七、")
    assert ("序号", "制度名称", "原台账位置", "制定/修订") not in got


def test_never_overwrites_the_input(tmp_path):
    source = tmp_path / "台账.xlsx"
    source.write_bytes(b"original")
    ledger = small_ledger(source)
    with pytest.raises(LedgerkitError, match="不能覆盖原台账"):
        write_workbook(ledger, summarise(ledger, AS_OF), [], source)
    with pytest.raises(LedgerkitError):  # the same file by another spelling
        write_workbook(ledger, summarise(ledger, AS_OF), [], tmp_path / "." / "台账.xlsx")
    assert source.read_bytes() == b"original"


def test_issue_without_measure_keeps_its_place(tmp_path):
    ledger = small_ledger(tmp_path / "x.xlsx")
    bare = measure(11, "全面从严治党存在薄弱环节", "监督不到位", "问责偏软", "", None)
    bare.status = "未开始"  # what the reader gives a row with only hierarchy cells
    bare.status_text = ""
    bare.leader = bare.department = bare.owner = ""
    ledger.issue_only_rows = [bare]
    for m in ledger.measures[7:]:
        m.row += 1
    summary = summarise(ledger, AS_OF)
    out = write_workbook(ledger, summary, [], tmp_path / "o.xlsx")
    ws = ledger_ws(out)
    assert ws["F10"].value == "建立谈话制度"
    assert ws["D11"].value == "问责偏软" and ws["M11"].value is None  # no status: not a measure row
    assert ws["F12"].value == "全面排查风险点"
    again = pipeline.run(out, AS_OF)
    assert [m.issue for m in again.ledger.issue_only_rows] == ["问责偏软"]
    assert again.summary.issues == summary.issues == 6


def test_big_ledgers_stream_without_merges(tmp_path, monkeypatch):
    monkeypatch.setattr(workbook, "CONSTANT_MEMORY_ROWS", 3)
    ledger = small_ledger(tmp_path / "x.xlsx")
    out = write_workbook(ledger, summarise(ledger, AS_OF), FINDINGS, tmp_path / "o.xlsx")
    ws = ledger_ws(out)
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:Q1", "A2:Q2"}
    assert [ws.cell(r, 2).value for r in range(4, 7)] == ["学习贯彻党的创新理论有差距"] * 3
    assert ws["J4"].number_format == DATE_FORMAT and ws["F5"].value == "=1+1"
    assert ws["J8"].comment is not None
    assert openpyxl.load_workbook(out)[FINDINGS_SHEET]["I3"].hyperlink.location == f"'{LEDGER_SHEET}'!J8"
    assert ws["F5"].data_type == "s" and ws["L7"].value == "+已调研3次"
    with zipfile.ZipFile(out) as zf:
        assert not any(b"<f>" in zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/"))
    # what the library takes only in order in this mode is all there
    colours = {str(cf.sqref) for cf in ws.conditional_formatting}
    assert colours == {"A4:Q512", "M4:M512"}
    assert {str(dv.sqref) for dv in ws.data_validations.dataValidation} >= {"M4:M512", "J4:J512"}
    assert ws.print_title_rows == "$3:$3" and ws.freeze_panes == "A4"


@pytest.mark.parametrize("streamed", [False, True], ids=["merged", "streamed"])
def test_rows_once_each_in_order_with_heights(tmp_path, monkeypatch, streamed):
    """Excel refuses a sheet whose rows repeat or go back; every measure row has its height."""
    if streamed:
        monkeypatch.setattr(workbook, "CONSTANT_MEMORY_ROWS", 3)
    ledger = small_ledger(tmp_path / "x.xlsx")
    ledger.measures[-1].progress = "已完成排查" * 40  # the last row, several lines high
    out = write_workbook(ledger, summarise(ledger, AS_OF), FINDINGS, tmp_path / "o.xlsx")
    with zipfile.ZipFile(out) as zf:
        for name in (n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")):
            rows = [int(r) for r in re.findall(rb'<row r="(\d+)"', zf.read(name))]
            assert rows == sorted(set(rows)), name
    ws = ledger_ws(out)
    heights = [ws.row_dimensions[r].height for r in range(4, 13)]
    assert all(h and h >= 16.5 for h in heights[:-1]) and heights[-1] > 100


@pytest.mark.parametrize("streamed", [False, True], ids=["merged", "streamed"])
def test_texts_over_excel_limit_are_cut(tmp_path, monkeypatch, streamed):
    """The library refuses a cell over 32,767 characters: cut, wherever the text lands."""
    if streamed:
        monkeypatch.setattr(workbook, "CONSTANT_MEMORY_ROWS", 3)
    ledger = small_ledger(tmp_path / "x.xlsx")
    long = "很长的内容" * 9000  # 45,000 characters
    first, last = ledger.measures[0], ledger.measures[-1]
    first.aspect = first.measure = last.progress = long  # aspect B4 alone: a merged cell's top
    last.extras["备注2"] = long
    last.deadline, last.deadline_date = long, None  # a word in a date column
    finding = Finding("x", "error", SHEET, 4, 6, "measure", long, "消息" + long, "建议" + long)
    out = write_workbook(ledger, summarise(ledger, AS_OF), [finding], tmp_path / "o.xlsx")
    wb = openpyxl.load_workbook(out)
    ws = wb[LEDGER_SHEET]
    for ref in ("B4", "F4", "L12", "Q12", "J12"):
        assert ws[ref].value == long[: workbook.EXCEL_CELL_LIMIT], ref
    assert len(ws["F4"].comment.text) <= workbook.EXCEL_CELL_LIMIT
    assert [len(c.value) for c in wb[FINDINGS_SHEET][3][5:8]] == [workbook.EXCEL_CELL_LIMIT] * 3


def test_unwritable_output_is_a_sentence(tmp_path):
    ledger = small_ledger(tmp_path / "x.xlsx")
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(LedgerkitError, match="无法"):
        write_workbook(ledger, summarise(ledger, AS_OF), [], blocker / "o.xlsx")


@pytest.mark.parametrize(
    ("error", "sentence"),
    [
        (PermissionError(errno.EACCES, "Permission denied"), "文件可能正在 Excel 或 WPS 中打开"),
        (OSError(errno.ENOSPC, "No space left on device"), "磁盘空间不足"),
        (OSError(errno.EIO, "Input/output error"), "读写磁盘出错。请检查输出文件夹"),
    ],
)
def test_library_write_errors_are_sentences(tmp_path, monkeypatch, error, sentence):
    """What xlsxwriter meets writing the file (it wraps the OSError) is a sentence; no
    temporary file is left."""
    from xlsxwriter.exceptions import FileCreateError
    from xlsxwriter.workbook import Workbook

    def failing_close(self):
        raise FileCreateError(error)

    monkeypatch.setattr(Workbook, "close", failing_close)
    ledger = small_ledger(tmp_path / "x.xlsx")
    with pytest.raises(LedgerkitError, match=sentence) as raised:
        write_workbook(ledger, summarise(ledger, AS_OF), [], tmp_path / "out" / "o.xlsx")
    assert ".~ledgerkit-" not in raised.value.message
    assert list((tmp_path / "out").iterdir()) == []


def test_file_open_in_excel_is_a_sentence(tmp_path, monkeypatch):
    """On Windows a file open in Excel cannot be replaced: the final rename is refused."""

    def refused(src, dst):
        raise PermissionError(errno.EACCES, "Permission denied", str(dst))

    monkeypatch.setattr(atomic.os, "replace", refused)
    ledger = small_ledger(tmp_path / "x.xlsx")
    with pytest.raises(LedgerkitError, match="文件可能正在 Excel 或 WPS 中打开"):
        write_workbook(ledger, summarise(ledger, AS_OF), [], tmp_path / "out" / "o.xlsx")
    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.parametrize("streamed", [False, True], ids=["merged", "streamed"])
def test_streaming_uses_a_temporary_folder_python_can_write(tmp_path, monkeypatch, streamed):
    """A TMPDIR that does not exist: Python's choice of temporary folder falls back."""
    import tempfile

    monkeypatch.setattr(workbook, "CONSTANT_MEMORY_ROWS", 0 if streamed else 10**9)
    monkeypatch.setattr(workbook, "IN_MEMORY_ROWS", -1)  # parts through temporary files too
    monkeypatch.setenv("TMPDIR", str(tmp_path / "missing"))
    monkeypatch.setattr(tempfile, "tempdir", None)  # chosen again, from the environment
    ledger = small_ledger(tmp_path / "x.xlsx")
    out = write_workbook(ledger, summarise(ledger, AS_OF), [], tmp_path / "o.xlsx")
    assert ledger_ws(out)["F4"].value == "制定学习计划"


def test_unusable_temporary_folder_is_a_sentence(tmp_path, monkeypatch):
    """When the temporary folder the rows stream to is gone the user reads a sentence naming it."""
    import tempfile

    monkeypatch.setattr(workbook, "CONSTANT_MEMORY_ROWS", 0)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))  # taken as it is
    ledger = small_ledger(tmp_path / "x.xlsx")
    with pytest.raises(LedgerkitError, match=r"临时文件夹“.*missing”写入失败"):
        write_workbook(ledger, summarise(ledger, AS_OF), [], tmp_path / "out" / "o.xlsx")
    assert list((tmp_path / "out").iterdir()) == []


# ---- LibreOffice ---------------------------------------------------------------------------


def test_libreoffice_prints_it(written, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: cannot check the PDF rendering")
    out_dir = tmp_path / "pdf"
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            str(written[1]),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = out_dir / (written[1].stem + ".pdf")
    assert pdf.is_file()
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert int(re.search(r"Pages:\s+(\d+)", info)[1]) >= 3  # ledger, 汇总, 校验结果
    else:
        assert pdf.read_bytes().count(b"/Type /Page") >= 3
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")],
            check=True,
            timeout=60,
        )
        assert list(tmp_path.glob("p-*.png"))


# ---- round trips through the reader --------------------------------------------------------

pipeline = pytest.importorskip("ledgerkit.pipeline")


def _without_places(summary: dict) -> dict:
    """summary.as_dict() minus what must differ: the file, and due items' input sheet/row."""
    out = {k: v for k, v in summary.items() if k != "file"}
    for key in ("overdue", "due_soon"):
        out[key] = [{k: v for k, v in d.items() if k not in ("sheet", "row")} for d in out[key]]
    return out


def _ledger_grid(path: Path) -> tuple[list[tuple], set[str]]:
    ws = ledger_ws(path)
    return [tuple(r) for r in ws.iter_rows(values_only=True)], {str(r) for r in ws.merged_cells.ranges}


def test_small_ledger_round_trip(written, tmp_path):
    ledger, out = written
    again = pipeline.run(out, AS_OF)
    assert [s.name for s in again.ledger.sheets] == [LEDGER_SHEET]  # 汇总 / 校验结果 are no ledgers
    assert [m.canonical() for m in again.ledger.measures] == [m.canonical() for m in ledger.measures]
    assert (again.ledger.title, again.ledger.unit, again.ledger.reported_on) == (
        ledger.title,
        ledger.unit,
        ledger.reported_on,
    )
    assert _without_places(again.summary.as_dict()) == _without_places(summarise(ledger, AS_OF).as_dict())


@pytest.mark.parametrize("streamed", [False, True], ids=["merged", "streamed"])
@pytest.mark.parametrize("path", sample_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_samples_round_trip(path: Path, tmp_path: Path, monkeypatch, streamed: bool):
    if streamed:  # rows repeat their aspect / problem / issue instead of merging: read the same
        monkeypatch.setattr(workbook, "CONSTANT_MEMORY_ROWS", 0)
    as_of = date.fromisoformat(load_truth(path)["as_of"])
    first = pipeline.run(path, as_of)
    out = write_workbook(
        first.ledger, first.summary, first.findings, tmp_path / "a" / workbook_filename(path)
    )
    second = pipeline.run(out, as_of)
    assert [m.canonical() for m in second.ledger.measures] == [m.canonical() for m in first.ledger.measures]
    assert _without_places(second.summary.as_dict()) == _without_places(first.summary.as_dict())
    assert [(f.code, f.severity) for f in second.errors] == []
    again = write_workbook(second.ledger, second.summary, second.findings, tmp_path / "b" / out.name)
    assert _ledger_grid(again) == _ledger_grid(out)


_NOT_DATA = re.compile(
    r"^(合计|总计|小计|共计|注|说明|填报说明|填表说明|备注|填报人|审核人|制表人|联系人|联系电话)"
)


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_samples_keep_every_value(path: Path, tmp_path: Path):
    """Every non-empty input data cell is in the cleaned 整改台账, as the reader understood it."""
    from python_calamine import CalamineWorkbook

    from ledgerkit.text import canonical_status, clean, parse_date, split_numbered, strip_numbering

    result = pipeline.run(path, date.fromisoformat(load_truth(path)["as_of"]))
    out = write_workbook(result.ledger, result.summary, result.findings, tmp_path / workbook_filename(path))
    texts, dates = set(), set()
    for row in ledger_ws(out).iter_rows(values_only=True):
        for v in row:
            if isinstance(v, datetime):
                dates.add(v.date())
            elif v is not None:
                texts.add(clean(v))

    def kept(v: object) -> bool:
        t = clean(v)
        try:
            parsed = parse_date(v, deadline=True)
        except RecursionError:  # parse_date(1) / parse_date("12") recurse: a reader bug, reported
            parsed = None
        return (
            t in texts
            or strip_numbering(t) in texts
            or canonical_status(t) in texts
            or (parsed is not None and parsed.value is not None and parsed.value in dates)
            or (len(split_numbered(t)) > 1 and all(p in texts for p in split_numbered(t)))
        )

    book = CalamineWorkbook.from_path(str(path))
    missing = []
    for info in result.ledger.sheets:
        rows = book.get_sheet_by_name(info.name).to_python(skip_empty_area=False)
        for r, row in enumerate(rows[info.header_rows[-1] :], start=info.header_rows[-1] + 1):
            filled = [clean(v) for v in row if clean(v)]
            if (
                not filled
                or (len(filled) <= 2 and _NOT_DATA.match(filled[0]))
                or filled[0].startswith("合计")
            ):
                continue  # blank rows, 合计 rows and footnotes are not data
            missing += [(info.name, r, v) for v in row if clean(v) and not kept(v)]
    assert missing == []


def test_garbage_collector_restored(tmp_path):
    import gc

    ledger = small_ledger(tmp_path / "x.xlsx")
    assert gc.isenabled()
    write_workbook(ledger, summarise(ledger, AS_OF), [], tmp_path / "o.xlsx")
    assert gc.isenabled()
    with pytest.raises(LedgerkitError):
        write_workbook(ledger, summarise(ledger, AS_OF), [], tmp_path / "o.xlsx" / "under-a-file.xlsx")
    assert gc.isenabled()
    gc.disable()
    try:  # a caller's choice is kept too
        write_workbook(ledger, summarise(ledger, AS_OF), [], tmp_path / "o2.xlsx")
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize("streamed", [False, True], ids=["merged", "streamed"])
def test_fast_cells_write_the_library_own_xml(tmp_path, monkeypatch, streamed):
    """workbook/fast_cells.py writes the ledger sheet's cells as xlsxwriter itself would, byte for
    byte: texts needing escapes (& < > quotes, spaces at either end, control characters, a literal
    _x000D_, a rich-looking "<r>…</r>"), an emoji, numbers, dates, blanks, merged cells, notes."""
    import xlsxwriter

    from ledgerkit.workbook import fast_cells, ledger_sheet

    probe = xlsxwriter.Workbook(str(tmp_path / "probe.xlsx"), {"constant_memory": True})
    ws = probe.add_worksheet()
    # this xlsxwriter takes the fast paths
    assert fast_cells.install_fast_cells(ws) and fast_cells.StreamedRows.open(ws, 3)
    probe.close()
    if streamed:
        monkeypatch.setattr(workbook, "CONSTANT_MEMORY_ROWS", 3)
    ledger = small_ledger(tmp_path / "x.xlsx")
    tricky = [" 前有空格", "后有空格 ", "换行\n结尾\n", "A&B<C>D\"E'", "控制\x01字符\r", "字面_x000D_转义",
              "<r>像富文本</r>", "表情😀", "\u3000全角空格", "非字符\ufffe"]  # fmt: skip
    for m, text in zip(ledger.measures, tricky, strict=False):
        m.measure, m.progress, m.extras["备注2"] = text, text[::-1], text
    parts = {}
    for fast in (False, True):
        if not fast:
            monkeypatch.setattr(ledger_sheet, "install_fast_cells", lambda ws: False)
            monkeypatch.setattr(fast_cells.StreamedRows, "open", classmethod(lambda cls, ws, n: None))
        else:
            monkeypatch.undo()
            if streamed:
                monkeypatch.setattr(workbook, "CONSTANT_MEMORY_ROWS", 3)
        out = write_workbook(ledger, summarise(ledger, AS_OF), FINDINGS, tmp_path / f"{fast}.xlsx")
        with zipfile.ZipFile(out) as zf:
            parts[fast] = {n: zf.read(n) for n in zf.namelist() if n != "docProps/core.xml"}
    assert parts[True] == parts[False]
    sheet = parts[True]["xl/worksheets/sheet1.xml"]
    assert (b"inlineStr" in sheet) == streamed and b"_x0001_" in (
        sheet if streamed else parts[True]["xl/sharedStrings.xml"]
    )
