"""Rows that are not what they look like (issue 15, classes 4, 5, 6, 8, 10).

Each test builds the ledger an office really sends, reads it as a careful person would, and
asserts the figures and the (code, cell) of the findings.
"""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest
from build import HEADER, append_row, insert_rows, measure_row, write_sheets, write_xlsx
from conftest import load_truth, sample_files
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_properties import AS_OF as GEN_AS_OF
from test_properties import ledger_st, merged_layout, rows_of

from ledgerkit.pipeline import run
from ledgerkit.workbook import OTHER_SHEET, write_workbook

AS_OF = date(2025, 3, 3)
# 序号 具体问题 整改措施 责任领导 责任科室 责任人 整改时限 整改进展 完成情况 完成时间: sections give the rest
SECTION_HEADER = HEADER[:1] + HEADER[3:]


def srow(seq, issue, measure, status="已完成", done="2025年3月1日"):
    return [seq, issue, measure, "王明", "办公室", "李华", "2025年3月31日", "进展", status, done]


def titles(result):
    return [(m.aspect, m.problem, m.issue, m.measure) for m in result.ledger.measures]


def figures(result):
    s = result.summary
    return (s.aspects, s.problems, s.issues, s.issues_done, s.measures, s.measures_done)


def codes(result, severity=None):
    return [(f.code, f.cell) for f in result.findings if severity is None or f.severity == severity]


def other(result):
    return [(o.row, o.kind, o.cells[0] if o.cells else "") for o in result.ledger.other_rows]


def sections_ledger(*lines: list[object]) -> tuple[list[list[object]], list[str]]:
    """Header, two aspects with a problem each, then ``lines`` (merged across when one text)."""
    rows = [
        SECTION_HEADER,
        ["一、方面甲"],
        ["（一）问题甲"],
        srow("1", "问题一", "措施一"),
        srow("2", "问题二", "措施二", "正在推进", ""),
        ["二、方面乙"],
        ["（一）问题乙"],
        srow("1", "问题三", "措施三"),
        *lines,
    ]
    merges = [f"A{i}:J{i}" for i, r in enumerate(rows, start=1) if len([v for v in r if v]) == 1]
    return rows, merges


# ---- 5. other tables -----------------------------------------------------------------------


def test_second_table_below_the_ledger_is_kept_not_counted(tmp_path):
    rows, merges = sections_ledger(
        [],
        ["附表：建章立制清单"],
        ["序号", "制度名称", "印发时间", "文号", "责任部门"],
        [1, "机关学习制度", "2025年1月", "机党〔2025〕1号", "机关党委"],
        [2, "公务用车管理办法", "2025年2月", "机事〔2025〕3号", "办公室"],
    )
    result = run(write_xlsx(tmp_path / "t.xlsx", rows, merges), AS_OF)
    assert figures(result) == (2, 2, 3, 2, 3, 2)
    assert other(result) == [(10, "table", "附表：建章立制清单"), (11, "table", "序号"), (12, "table", "1"),
                             (13, "table", "2")]  # fmt: skip
    assert result.ledger.other_rows[2].cells[:3] == ["1", "机关学习制度", "2025年1月"]
    assert ("other-table", "A11") in codes(result, "warning")
    assert result.errors == []


def test_second_table_of_two_columns_under_a_plain_title(tmp_path):
    rows = [
        HEADER,
        measure_row(1, "方面甲", "问题甲", "问题一", "措施一"),
        [],
        ["建章立制清单"],
        ["序号", "制度名称"],
        [1, "机关学习制度"],
        [2, "公务用车管理办法"],
        ["单位（盖章）：", "", "", "", "", "", "", "", "填报时间：2025年3月1日"],
    ]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF)
    assert figures(result) == (1, 1, 1, 1, 1, 1)
    assert [(o.row, o.kind) for o in result.ledger.other_rows] == [(4, "table"), (5, "table"), (6, "table"),
                                                                   (7, "table"), (8, "table")]  # fmt: skip
    assert result.errors == []


def test_repeated_header_and_summary_rows_are_not_measures(tmp_path):
    rows = [
        HEADER,
        measure_row(1, "方面甲", "问题甲", "问题一", "措施一"),
        measure_row(2, "方面甲", "问题甲", "问题二", "措施二", "正在推进", done=""),
        HEADER,  # printed page 2 repeats the header
        measure_row(3, "方面乙", "问题乙", "问题三", "措施三"),
        ["汇总", "", "", "", "3条", "", "", "", "", "", "已完成2条"],
    ]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF)
    assert [m.aspect for m in result.ledger.measures] == ["方面甲", "方面甲", "方面乙"]
    assert figures(result) == (2, 2, 3, 2, 3, 2)
    assert other(result) == [(4, "header", "序号"), (6, "total", "汇总")]
    assert result.errors == []


@pytest.mark.parametrize("numbered", [True, False])
def test_page_title_over_a_repeated_header_is_no_section(tmp_path, numbered):
    one, two = ("一、方面甲", "二、方面乙") if numbered else ("方面甲", "方面乙")
    rows = [
        SECTION_HEADER,
        [one],
        srow("1", "问题一", "措施一"),
        ["XX单位巡察整改台账（续表）"],
        SECTION_HEADER,
        srow("2", "问题二", "措施二"),
        [two],
        srow("3", "问题三", "措施三"),
    ]
    merges = ["A2:J2", "A4:J4", "A7:J7"]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows, merges), AS_OF)
    assert [m.aspect for m in result.ledger.measures] == ["方面甲", "方面甲", "方面乙"]
    assert [(o.row, o.kind) for o in result.ledger.other_rows] == [(4, "note"), (5, "header")]
    assert result.errors == []


def test_section_row_printed_just_above_a_repeated_header_stays_a_section(tmp_path):
    rows = [SECTION_HEADER, ["一、方面甲"], srow("1", "问题一", "措施一"), ["二、方面乙"], SECTION_HEADER,
            srow("2", "问题二", "措施二")]  # fmt: skip
    result = run(write_xlsx(tmp_path / "t.xlsx", rows, ["A2:J2", "A4:J4"]), AS_OF)
    assert [m.aspect for m in result.ledger.measures] == ["方面甲", "方面乙"]


def test_header_of_two_rows_repeated_inside_the_table(tmp_path):
    top = ["序号", "具体问题", "整改措施", "责任分工", "", "", "整改时限", "整改情况", "", ""]
    sub = ["", "", "", "责任领导", "责任科室", "责任人", "", "整改进展", "完成情况", "完成时间"]
    rows = [top, sub, srow("1", "问题一", "措施一"), top, sub, srow("2", "问题二", "措施二")]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows, ["D1:F1", "H1:J1", "D4:F4", "H4:J4"]), AS_OF)
    assert [m.measure for m in result.ledger.measures] == ["措施一", "措施二"]
    assert [o.kind for o in result.ledger.other_rows] == ["header", "header"]


def test_instruction_sheet_with_an_example_row_is_not_counted(tmp_path):
    path = write_sheets(
        tmp_path / "t.xlsx",
        {
            "填报说明": [HEADER, measure_row("示例", "方面", "问题", "示例问题", "示例措施")],
            "整改台账": [HEADER, measure_row(1, "方面甲", "问题甲", "问题一", "措施一")],
        },
    )
    result = run(path, AS_OF)
    assert [s.name for s in result.ledger.sheets] == ["整改台账"]
    assert figures(result) == (1, 1, 1, 1, 1, 1)
    assert codes(result) == [("instructions-sheet", "")]
    assert [(o.sheet, o.row, o.kind) for o in result.ledger.other_rows] == [
        ("填报说明", 1, "sheet"),
        ("填报说明", 2, "sheet"),
    ]


def test_example_row_inside_the_ledger_is_not_counted(tmp_path):
    rows = [
        HEADER,
        measure_row("示例", "方面", "问题", "示例问题", "示例措施"),
        measure_row(1, "方面甲", "问题甲", "问题一", "措施一"),
    ]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF)
    assert figures(result) == (1, 1, 1, 1, 1, 1)
    assert other(result) == [(2, "example", "示例")]


def test_cleaned_workbook_keeps_the_other_rows_and_reads_back(tmp_path):
    rows, merges = sections_ledger(
        ["填报人：张三", "", "审核人：李四", "", "联系电话：12345678"],
        [],
        ["附表：建章立制清单"],
        ["序号", "制度名称", "印发时间", "文号"],
        [1, "机关学习制度", "2025年1月", "机党〔2025〕1号"],
    )
    first = run(write_xlsx(tmp_path / "t.xlsx", rows, merges), AS_OF)
    out = write_workbook(first.ledger, first.summary, first.findings, tmp_path / "o" / "t（清洗）.xlsx")
    ws = openpyxl.load_workbook(out)[OTHER_SHEET]
    grid = [[v for v in row if v is not None] for row in ws.iter_rows(values_only=True)]
    assert ["整改台账", 9, "说明、签字等", "填报人：张三", "审核人：李四", "联系电话：12345678"] in grid
    assert ["整改台账", 13, "另一张表", "1", "机关学习制度", "2025年1月", "机党〔2025〕1号"] in grid
    second = run(out, AS_OF)
    assert figures(second) == figures(first)
    assert [(o.sheet, o.row, o.kind, o.cells) for o in second.ledger.other_rows] == [
        (o.sheet, o.row, o.kind, o.cells) for o in first.ledger.other_rows
    ]


# ---- 4. lines that are not sections --------------------------------------------------------


def test_sign_off_and_attachment_lines_are_not_sections(tmp_path):
    rows, merges = sections_ledger(
        ["单位主要负责人（签字）：          （盖章）"],
        ["附件：整改佐证材料目录"],
    )
    rows.insert(1, ["（以下为市委第三巡察组反馈问题）"])
    merges = [f"A{i}:J{i}" for i, r in enumerate(rows, start=1) if len([v for v in r if v]) == 1]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows, merges), AS_OF)
    assert titles(result) == [
        ("方面甲", "问题甲", "问题一", "措施一"),
        ("方面甲", "问题甲", "问题二", "措施二"),
        ("方面乙", "问题乙", "问题三", "措施三"),
    ]
    assert figures(result) == (2, 2, 3, 2, 3, 2)
    assert [(o.row, o.kind) for o in result.ledger.other_rows] == [(2, "note"), (10, "note"), (11, "note")]
    assert result.errors == []


def test_sign_off_over_three_cells_is_not_a_measure(tmp_path):
    rows = [
        HEADER,
        measure_row(1, "方面甲", "问题甲", "问题一", "措施一"),
        ["填报人：张三", "", "", "", "审核人：李四", "", "", "", "联系电话：0371-12345678"],
        ["单位负责人（签字）：", "", "", "", "", "", "", "", "日期："],
    ]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF)
    assert figures(result) == (1, 1, 1, 1, 1, 1)
    assert [(o.row, o.kind) for o in result.ledger.other_rows] == [(3, "note"), (4, "note")]
    assert result.errors == []


def test_a_numbered_section_mentioning_signatures_is_still_a_section(tmp_path):
    rows, merges = sections_ledger(["（二）财务报销签字审批不规范"], srow("1", "问题四", "措施四"))
    result = run(write_xlsx(tmp_path / "t.xlsx", rows, merges), AS_OF)
    assert titles(result)[-1] == ("方面乙", "财务报销签字审批不规范", "问题四", "措施四")
    assert result.errors == []


def test_a_numbered_remark_alone_in_a_row_is_no_heading(tmp_path):
    rows = [
        [*HEADER, "备注"],
        measure_row(1, "方面甲", "问题甲", "问题一", "措施一"),
        ["", "", "", "", "", "", "", "", "", "", "", "", "1.已上报"],
        measure_row(2, "方面甲", "问题甲", "问题二", "措施二"),
    ]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF)
    assert [m.problem for m in result.ledger.measures] == ["问题甲", "问题甲"]
    assert [(o.row, o.kind) for o in result.ledger.other_rows] == [(3, "note")]


@pytest.mark.parametrize("line", ["其他方面", "（以下为2023年巡察反馈问题）"])
def test_unnumbered_line_heading_rows_among_numbered_sections_is_an_error(tmp_path, line):
    rows, merges = sections_ledger([line], srow("1", "问题四", "措施四"))
    result = run(write_xlsx(tmp_path / "t.xlsx", rows, merges), AS_OF)
    assert codes(result, "error") == [("section-unnumbered", "A9")]
    assert result.ledger.measures[-1].aspect == "方面乙"  # kept as read, the error says why
    assert (9, "note") in [(o.row, o.kind) for o in result.ledger.other_rows]


# ---- 6. hand-typed hierarchy ---------------------------------------------------------------


def test_ditto_marks_mean_the_value_above(tmp_path):
    rows = [
        HEADER,
        measure_row(1, "方面甲", "问题甲", "问题一", "措施一"),
        measure_row(2, "同上", "〃", "同上", "措施二"),
        measure_row(3, "同前", '"', "问题二", "措施三"),
    ]
    rows[2][6] = "同上"  # 责任科室
    result = run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF)
    assert titles(result) == [
        ("方面甲", "问题甲", "问题一", "措施一"),
        ("方面甲", "问题甲", "问题一", "措施二"),
        ("方面甲", "问题甲", "问题二", "措施三"),
    ]
    assert result.ledger.measures[1].department == "办公室"
    assert result.ledger.source(result.ledger.measures[1], "department").cell == "G2"
    assert figures(result) == (1, 1, 2, 2, 3, 3)
    assert result.errors == []


def test_ditto_mark_merged_over_rows_holds_for_each(tmp_path):
    rows = [
        HEADER,
        measure_row(1, "方面甲", "问题甲", "问题一", "措施一"),
        measure_row(2, "方面甲", "问题甲", "问题一", "措施二"),
        measure_row(3, "方面甲", "问题甲", "问题一", "措施三"),
    ]
    rows[2][6], rows[3][6] = "同上", ""  # 责任科室 G3:G4 merged, saying 同上
    result = run(write_xlsx(tmp_path / "t.xlsx", rows, ["G3:G4"]), AS_OF)
    assert [m.department for m in result.ledger.measures] == ["办公室", "办公室", "办公室"]
    assert result.errors == []


def test_ditto_mark_with_nothing_above_is_an_error(tmp_path):
    rows = [HEADER, measure_row(1, "同上", "问题甲", "问题一", "措施一")]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF)
    assert ("ditto-nothing-above", "B2") in codes(result, "error")


def test_issue_retyped_with_a_full_stop_or_straight_quotes_is_one_issue(tmp_path):
    rows = [
        HEADER,
        measure_row(1, "方面甲", "问题甲", "落实“第一议题”制度不到位", "措施一"),
        measure_row(2, "方面甲", "问题甲", '落实"第一议题"制度不到位。', "措施二", "正在推进", done=""),
        measure_row(3, "方面甲", "问题甲", "问题二", "措施三"),
    ]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF)
    assert figures(result) == (1, 1, 2, 1, 3, 2)
    assert result.ledger.measures[1].issue == "落实“第一议题”制度不到位"


def test_problem_rows_typed_with_arabic_numbers_are_sections(tmp_path):
    rows = [
        SECTION_HEADER,
        ["一、方面甲"],
        ["1.问题甲"],
        srow("（1）", "问题一", "措施一"),
        srow("（2）", "问题二", "措施二"),
        ["2.问题乙"],
        srow("（1）", "问题三", "措施三", "正在推进", ""),
    ]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows, ["A2:J2"]), AS_OF)
    assert titles(result) == [
        ("方面甲", "问题甲", "问题一", "措施一"),
        ("方面甲", "问题甲", "问题二", "措施二"),
        ("方面甲", "问题乙", "问题三", "措施三"),
    ]
    assert figures(result) == (1, 2, 3, 2, 3, 2)


def test_problem_rows_typed_alone_in_the_issue_column_are_sections(tmp_path):
    rows = [
        SECTION_HEADER,
        ["一、方面甲"],
        ["", "1.问题甲"],
        srow("（1）", "问题一", "措施一"),
        srow("（2）", "问题二", "措施二"),
        ["", "2.问题乙"],
        srow("（1）", "问题三", "措施三", "正在推进", ""),
        ["", "问题四"],  # an issue listed alone, unnumbered like its column: an issue, as before
        ["", "", "措施四", "王明", "办公室", "李华", "2025年3月31日", "进展", "已完成", "2025年3月1日"],
    ]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows, ["A2:J2"]), AS_OF)
    assert titles(result) == [
        ("方面甲", "问题甲", "问题一", "措施一"),
        ("方面甲", "问题甲", "问题二", "措施二"),
        ("方面甲", "问题乙", "问题三", "措施三"),
        ("方面甲", "问题乙", "问题四", "措施四"),
    ]
    assert figures(result) == (1, 2, 4, 3, 4, 3)
    assert result.errors == []


def test_section_styles_beyond_the_free_levels_are_an_error(tmp_path):
    rows = [SECTION_HEADER, ["一、方面甲"], ["（一）问题甲"], ["1.再下一层"], srow("1", "问题一", "措施一")]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows, ["A2:J2", "A3:J3", "A4:J4"]), AS_OF)
    assert ("section-level-unknown", "A4") in codes(result, "error")


def test_status_merged_over_the_rows_of_one_issue_counts_for_each(tmp_path):
    rows = [
        HEADER,
        measure_row(1, "方面甲", "问题甲", "问题一", "措施一"),
        measure_row(2, "", "", "", "措施二", status="", done=""),
        measure_row(3, "", "", "", "措施三", status="", done=""),
        measure_row(4, "方面甲", "问题甲", "问题二", "措施四", status="正在推进", done=""),
    ]
    merges = ["B2:B4", "C2:C4", "D2:D4", "K2:K4", "L2:L4"]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows, merges), AS_OF)
    assert [m.status for m in result.ledger.measures] == ["已完成", "已完成", "已完成", "正在推进"]
    assert figures(result) == (1, 1, 2, 1, 4, 3)
    assert result.errors == []


def test_exact_duplicate_row_is_an_error_naming_both_rows(tmp_path):
    rows = [
        HEADER,
        measure_row(1, "方面甲", "问题甲", "问题一", "措施一"),
        measure_row(2, "方面甲", "问题甲", "问题一", "措施二"),
        measure_row(2, "方面甲", "问题甲", "问题一", "措施二"),
    ]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF)
    assert codes(result, "error") == [("row-duplicate", "A4")]
    assert "第3行" in result.errors[0].message
    assert result.summary.measures == 3  # counted as written; the error (and the banner) warn


# ---- 8. cells ------------------------------------------------------------------------------


def test_lead_in_and_list_in_a_one_row_per_measure_ledger_is_one_measure(tmp_path):
    cell = "制定学习贯彻实施方案，明确：\n1.每月集中学习一次；\n2.每季度开展一次专题研讨。"
    rows = [
        HEADER,
        measure_row(1, "方面甲", "问题甲", "问题一", cell),
        measure_row(2, "方面甲", "问题甲", "问题二", "措施二"),
        measure_row(3, "方面甲", "问题甲", "问题二", "措施三"),
    ]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF)
    assert [m.measure for m in result.ledger.measures] == [cell, "措施二", "措施三"]
    assert figures(result) == (1, 1, 2, 2, 3, 3)


@pytest.mark.parametrize(
    ("cell", "per_measure", "measures"),
    [
        ("针对该问题，一是组织学习；二是建立制度", False, ["组织学习", "建立制度"]),
        ("针对该问题，一是组织学习；二是建立制度", True, ["针对该问题，一是组织学习；二是建立制度"]),
        (
            "制定实施方案，明确：\n1.每月学习\n2.每季研讨",
            False,
            ["制定实施方案，明确：\n1.每月学习\n2.每季研讨"],
        ),
        ("①组织学习；②建立制度", True, ["组织学习", "建立制度"]),
    ],
)
def test_which_lists_are_measures(tmp_path, cell, per_measure, measures):
    """One row per issue: a list is its measures unless a lead-in (…：) makes it one measure's
    content. One row per measure: any text before the list makes the cell that row's measure."""
    rows = [HEADER, measure_row(1, "方面甲", "问题甲", "问题一", cell)]
    rows += [measure_row(2, "方面甲", "问题甲", "问题二", "措施二")]
    if per_measure:
        rows += [measure_row(3, "方面甲", "问题甲", "问题二", "措施三")]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF)
    assert [m.measure for m in result.ledger.measures if m.issue == "问题一"] == measures


def test_a_list_announced_by_a_label_still_splits(tmp_path):
    cell = "采取以下措施：①组织学习；②建立制度"
    rows = [HEADER, measure_row(1, "方面甲", "问题甲", "问题一", cell)]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF)
    assert [m.measure for m in result.ledger.measures] == ["组织学习", "建立制度"]


def test_unit_line_with_contacts_gives_the_unit_only(tmp_path):
    rows = [
        ["XX单位巡察反馈问题整改台账"],
        ["填报单位：XX市机关事务中心（盖章）", "", "联系人：张三", "", "电话：0371-12345678"],
        HEADER,
        measure_row(1, "方面甲", "问题甲", "问题一", "措施一"),
    ]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows, ["A1:L1"]), AS_OF)
    assert result.ledger.unit == "XX市机关事务中心"
    assert result.summary.unit == "XX市机关事务中心"


def test_attachment_number_above_the_title_is_not_the_title(tmp_path):
    rows = [
        ["附件2"],
        ["XX单位巡察反馈问题整改台账"],
        ["（2025年3月）"],
        HEADER,
        measure_row(1, "方面", "问题", "问题一", "措施一"),
    ]
    ledger = run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF).ledger
    assert ledger.title == "XX单位巡察反馈问题整改台账"
    assert [(o.row, o.kind, o.cells) for o in ledger.other_rows] == [
        (1, "note", ["附件2"]),
        (3, "note", ["（2025年3月）"]),
    ]


def test_unit_line_in_one_cell_with_contacts(tmp_path):
    rows = [
        ["填报单位：XX县财政局    联系人：张三    联系电话：12345678    填报时间：2025年3月1日"],
        HEADER,
        measure_row(1, "方面甲", "问题甲", "问题一", "措施一"),
    ]
    ledger = run(write_xlsx(tmp_path / "t.xlsx", rows, ["A1:L1"]), AS_OF).ledger
    assert (ledger.unit, ledger.reported_on) == ("XX县财政局", "2025年3月1日")


# ---- 10. section rows over an aspect column ------------------------------------------------


def test_problem_sections_above_an_aspect_column(tmp_path):
    header = [
        "序号",
        "方面",
        "具体问题",
        "整改措施",
        "责任科室",
        "责任人",
        "整改时限",
        "完成情况",
        "完成时间",
    ]

    def row(seq, aspect, issue, measure, status="已完成"):
        done = "2025年3月1日" if status == "已完成" else ""
        return [seq, aspect, issue, measure, "办公室", "李华", "2025年3月31日", status, done]

    rows = [
        header,
        ["（一）政治意识不够强"],
        row(1, "政治建设方面", "问题一", "措施一"),
        row(2, "", "问题二", "措施二"),
        ["（二）学习不深入"],
        row(3, "思想建设方面", "问题三", "措施三", "正在推进"),
        row(4, "", "问题三", "措施四"),
        ["（三）制度执行不严"],
        row(5, "思想建设方面", "问题四", "措施五"),
    ]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows, ["A2:I2", "A5:I5", "A8:I8"]), AS_OF)
    assert titles(result) == [
        ("政治建设方面", "政治意识不够强", "问题一", "措施一"),
        ("政治建设方面", "政治意识不够强", "问题二", "措施二"),
        ("思想建设方面", "学习不深入", "问题三", "措施三"),
        ("思想建设方面", "学习不深入", "问题三", "措施四"),
        ("思想建设方面", "制度执行不严", "问题四", "措施五"),
    ]
    assert figures(result) == (2, 3, 4, 3, 5, 4)
    assert result.errors == []
    out = write_workbook(result.ledger, result.summary, result.findings, tmp_path / "o" / "t（清洗）.xlsx")
    assert titles(run(out, AS_OF)) == titles(result)


def test_section_rows_repeating_the_aspect_column_are_not_problems(tmp_path):
    header = ["序号", "方面", "具体问题", "整改措施", "责任科室", "完成情况", "完成时间"]

    def row(seq, aspect, issue, measure):
        return [seq, aspect, issue, measure, "办公室", "已完成", "2025-03-01"]

    rows = [
        header,
        ["一、政治建设方面"],
        ["（一）政治意识不够强"],
        row(1, "政治建设方面", "问题一", "措施一"),
        ["（二）学习不深入"],
        row(2, "政治建设方面", "问题二", "措施二"),
        ["二、思想建设方面"],
        ["（一）制度执行不严"],
        row(3, "思想建设方面", "问题三", "措施三"),
    ]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows, ["A2:G2", "A3:G3", "A5:G5", "A7:G7", "A8:G8"]), AS_OF)
    assert [(m.aspect, m.problem) for m in result.ledger.measures] == [
        ("政治建设方面", "政治意识不够强"),
        ("政治建设方面", "学习不深入"),
        ("思想建设方面", "制度执行不严"),
    ]
    assert figures(result) == (2, 3, 3, 3, 3, 3)
    assert result.errors == []


def test_aspect_changing_inside_a_problem_section_is_an_error(tmp_path):
    header = ["序号", "方面", "具体问题", "整改措施", "责任科室", "完成情况", "完成时间"]
    rows = [
        header,
        ["（一）政治意识不够强"],
        [1, "政治建设方面", "问题一", "措施一", "办公室", "已完成", "2025-03-01"],
        [2, "思想建设方面", "问题二", "措施二", "办公室", "已完成", "2025-03-01"],
    ]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows, ["A2:G2"]), AS_OF)
    assert ("level-conflict", "B4") in codes(result, "error")


# ---- nothing lost, for any ledger ---------------------------------------------------------

TRAILERS = {
    "sign-off": [["填报人：张三", "", "", "审核人：李四", "", "", "联系电话：12345678"]],
    "summary": [["汇总", "", "", "", "共N条", "", "", "", "", "", "已完成M条"]],
    "note": [["注：本表每月25日前报送。"]],
    "table": [
        [],
        ["建章立制清单"],
        ["序号", "制度名称", "印发时间", "责任部门"],
        [1, "学习制度", "2025年1月", "办公室"],
    ],
}


def _ditto(rows):
    """Hierarchy cells equal to the row above typed as 同上 / 〃, as some offices do."""
    out = [list(r) for r in rows]
    for r in range(len(rows) - 1, 0, -1):
        for c in (1, 2, 3):
            if rows[r][c] == rows[r - 1][c]:
                out[r][c] = "同上" if r % 2 else "〃"
    return out


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    aspects=ledger_st,
    layout=st.sampled_from(["flat", "merged", "ditto"]),
    repeat_at=st.integers(0, 20),
    trailers=st.lists(st.sampled_from(sorted(TRAILERS)), max_size=4, unique=True),
)
def test_lines_that_are_not_measures_never_change_the_figures(tmp_path, aspects, layout, repeat_at, trailers):
    rows, (issues, issues_done, measures, done, _overdue) = rows_of(aspects)
    merges: list[str] = []
    if layout == "merged":
        rows, merges = merged_layout(rows)
    elif layout == "ditto":
        rows = _ditto(rows)
    body = [HEADER, *rows]
    if layout != "merged" and 1 < repeat_at < len(body):  # a printed page repeats the header
        body.insert(repeat_at, HEADER)
    for name in trailers:
        body += TRAILERS[name]
    result = run(write_xlsx(tmp_path / "gen.xlsx", body, merges), GEN_AS_OF)
    s = result.summary
    assert (s.issues, s.issues_done, s.measures, s.measures_done) == (issues, issues_done, measures, done)
    assert s.aspects == len(aspects)
    assert result.errors == []
    # every non-empty input row is a measure, an issue row or kept as another row
    kept = {m.row for m in result.ledger.measures} | {o.row for o in result.ledger.other_rows}
    assert {r for r, row in enumerate(body, start=1) if any(v not in ("", None) for v in row)} - kept == {1}


# ---- the samples, as offices change them ----------------------------------------------------


def _office_changes(ws, header_rows: tuple[int, ...]) -> int:
    """Add what offices add around a ledger; returns how many non-measure rows were added."""
    last = header_rows[-1]
    header = [[c.value for c in ws[r]] for r in header_rows]
    # a printed page repeats the header, between two rows no merge spans
    crossing = [(m.min_row, m.max_row) for m in ws.merged_cells.ranges]
    middle = next(
        r for r in range((last + ws.max_row) // 2, ws.max_row + 2)
        if not any(lo < r <= hi for lo, hi in crossing)
    )  # fmt: skip
    insert_rows(ws, middle, header)
    insert_rows(ws, last + 1, [["（以下为市委第三巡察组反馈问题）"]])
    ws.merge_cells(start_row=last + 1, start_column=1, end_row=last + 1, end_column=ws.max_column)
    append_row(ws, ["汇总", "", "", "", "108条", "", "", "", "", "已完成104条"])
    append_row(ws, ["单位主要负责人（签字）：                （盖章）"], merged=True)
    append_row(ws, ["填报人：张三", "", "", "", "审核人：李四", "", "", "", "联系电话：0371-23456789"])
    append_row(ws, ["附件：整改佐证材料目录"], merged=True)
    append_row(ws, [])
    append_row(ws, ["建章立制清单"], merged=True)
    append_row(ws, ["序号", "制度名称", "制定部门", "印发时间", "文号"])
    for i in range(1, 4):
        append_row(ws, [i, f"管理制度{i}", "办公室", "2025年1月", f"机事〔2025〕{i}号"])
    return len(header) + 1 + 4 + 2 + 3


XLSX_SAMPLES = [p for p in sample_files() if p.suffix == ".xlsx"]


@pytest.mark.parametrize("path", XLSX_SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_samples_as_offices_change_them_keep_their_figures(path, tmp_path):
    truth = load_truth(path)
    as_of = date.fromisoformat(truth["as_of"])
    before = run(path, as_of)
    wb = openpyxl.load_workbook(path)
    added = 0
    for info in before.ledger.sheets:
        added += _office_changes(wb[info.name], info.header_rows)
    changed = wb.save(tmp_path / path.name) or tmp_path / path.name
    result = run(changed, as_of, config_path=path.parent / "ledgerkit.toml")
    s = result.summary.as_dict()
    keys = ("aspects", "problems", "issues", "issues_done", "measures", "measures_done", "unit")
    assert {k: s[k] for k in keys} == {k: truth[k] for k in keys}
    assert result.errors == []
    assert len(result.ledger.other_rows) == len(before.ledger.other_rows) + added
