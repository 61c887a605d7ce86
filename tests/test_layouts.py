"""One test per layout feature, each on a small real workbook written here."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from build import HEADER, measure_row, write_sheets, write_xls, write_xlsx

from ledgerkit.errors import UnreadableError
from ledgerkit.pipeline import run

AS_OF = date(2025, 3, 3)


def titles(result):
    return [(m.aspect, m.problem, m.issue, m.measure) for m in result.ledger.measures]


def test_title_and_subtitle_rows_are_metadata(tmp_path):
    rows = [
        ["XX单位巡察反馈问题整改台账"],
        ["填报单位：XX单位（盖章）", "", "", "", "", "", "填报时间：2025年3月31日"],
        HEADER,
        measure_row(1, "方面甲", "问题甲", "问题一", "措施一"),
    ]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows, merges=["A1:L1"]), AS_OF)
    ledger = result.ledger
    assert (ledger.title, ledger.unit, ledger.reported_on) == (
        "XX单位巡察反馈问题整改台账",
        "XX单位",
        "2025年3月31日",
    )
    assert ledger.reported_date == date(2025, 3, 31)
    assert ledger.sheets[0].header_rows == (3,)
    assert result.summary.measures == 1


def test_header_written_with_spaces_full_width_and_line_breaks(tmp_path):
    header = [
        "序 号",
        "方\u3000面",
        "问题",
        "具体\n问题",
        "整改措施 ",
        "责任领导",
        "责任科室",
        "责任人",
        "整改\n时限",
        "整改进展",
        "完成情况",
        "完成时间",
    ]
    rows = [header, measure_row(1, "方面甲", "问题甲", "问题一", "措施一")]
    ledger = run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF).ledger
    assert set(ledger.sheets[0].columns) >= {"seq", "aspect", "issue", "measure", "deadline", "status"}


def test_two_row_header_with_group_cells(tmp_path):
    rows = [
        ["序号", "具体问题", "整改措施", "责任分工", "", "", "整改时限", "整改情况", "", ""],
        ["", "", "", "责任领导", "责任科室", "责任人", "", "整改进展", "完成情况", "完成时间"],
        [
            "1",
            "问题一",
            "措施一",
            "王明",
            "办公室",
            "李华",
            "2025年3月31日",
            "已推进",
            "已完成",
            "2025年3月1日",
        ],
    ]
    merges = ["A1:A2", "B1:B2", "C1:C2", "D1:F1", "G1:G2", "H1:J1"]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows, merges), AS_OF)
    info = result.ledger.sheets[0]
    assert info.header_rows == (1, 2)
    assert info.columns == {
        "seq": "A", "issue": "B", "measure": "C", "leader": "D", "department": "E", "owner": "F",
        "deadline": "G", "progress": "H", "status": "I", "done_on": "J",
    }  # fmt: skip
    m = result.ledger.measures[0]
    assert (m.department, m.status, m.done_on) == ("办公室", "已完成", date(2025, 3, 1))


def test_vertically_merged_hierarchy_holds_for_every_row(tmp_path):
    rows = [
        HEADER,
        measure_row("1.1", "方面甲", "问题甲", "问题一", "措施一"),
        measure_row("1.2", "", "", "", "措施二", status="正在推进", done=""),
        measure_row("2.1", "", "", "问题二", "措施三"),
        measure_row("3.1", "方面乙", "问题乙", "问题三", "措施四"),
    ]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows, merges=["B2:B4", "C2:C4", "D2:D3"]), AS_OF)
    assert titles(result) == [
        ("方面甲", "问题甲", "问题一", "措施一"),
        ("方面甲", "问题甲", "问题一", "措施二"),
        ("方面甲", "问题甲", "问题二", "措施三"),
        ("方面乙", "问题乙", "问题三", "措施四"),
    ]
    m = result.ledger.measures[1]
    assert result.ledger.source(m, "issue").cell == "D2"  # the merge's top-left cell
    s = result.summary
    assert (s.aspects, s.problems, s.issues, s.issues_done, s.measures, s.measures_done) == (2, 2, 3, 2, 4, 3)


def test_section_rows_set_aspect_and_problem(tmp_path):
    header = [
        "序号",
        "具体问题",
        "整改措施",
        "责任领导",
        "责任科室",
        "责任人",
        "整改时限",
        "整改进展",
        "完成情况",
        "完成时间",
    ]

    def row(seq, issue, measure):
        return [
            seq,
            issue,
            measure,
            "王明",
            "办公室",
            "李华",
            "2025年3月31日",
            "进展",
            "已完成",
            "2025年3月1日",
        ]

    rows = [
        header,
        ["一、方面甲"],
        ["（一）问题甲"],
        row("（1）", "问题一", "措施一"),
        row("", "", "措施二"),
        ["（二）问题乙"],
        row("（1）", "问题二", "措施三"),
        ["二、方面乙"],
        ["（一）问题丙"],
        row("（1）", "问题三", "措施四"),
    ]
    merges = ["A2:J2", "A3:J3", "A6:J6", "A8:J8", "A9:J9"]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows, merges), AS_OF)
    assert titles(result) == [
        ("方面甲", "问题甲", "问题一", "措施一"),
        ("方面甲", "问题甲", "问题一", "措施二"),
        ("方面甲", "问题乙", "问题二", "措施三"),
        ("方面乙", "问题丙", "问题三", "措施四"),
    ]
    assert result.ledger.source(result.ledger.measures[2], "problem").cell == "A6"
    assert (result.summary.aspects, result.summary.problems, result.summary.issues) == (2, 3, 3)


def test_section_rows_without_merge_are_recognised_by_numbering(tmp_path):
    rows = [
        HEADER[:1] + HEADER[3:],
        ["一、方面甲"],
        ["1", "问题一", "措施一", "王明", "办公室", "李华", "立行立改", "进展", "已完成", "2025-03-01"],
    ]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF)
    assert titles(result) == [("方面甲", "", "问题一", "措施一")]
    assert result.summary.problems == 1  # no problem level: each issue is its own problem


def test_seq_forms_numbers_as_text_and_formula_cached_values(tmp_path):
    import xlsxwriter

    path = tmp_path / "t.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("整改台账")
    ws.write_row(0, 0, HEADER)
    for r, seq in enumerate(["1", "1.1", "（1）", "①"], start=1):
        ws.write_row(r, 0, measure_row(seq, "方面", "问题", f"问题{r}", f"措施{r}"))
    ws.write_formula(4, 0, "=3+1", None, 4)  # cached value 4
    ws.write_formula(3, 5, '="王"&"明"', None, "")  # a formula saved without its value
    wb.close()
    result = run(path, AS_OF)
    assert [m.seq for m in result.ledger.measures] == ["1", "1.1", "（1）", "4"]
    assert [(f.code, f.cell) for f in result.warnings if f.code == "formula-no-value"] == [
        ("formula-no-value", "F4")
    ]


def test_blank_rows_totals_and_footnotes_are_not_data(tmp_path):
    rows = [
        HEADER,
        measure_row(1, "方面", "问题", "问题一", "措施一"),
        [],
        measure_row(2, "方面", "问题", "问题二", "措施二"),
        ["合计", "", "", "", "共2条措施", "", "", "", "", "", "已完成2条"],
        ["填表说明：完成情况填写已完成、阶段性完成、正在推进。"],
        ["注：本表每月25日前报送。"],
    ]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF)
    assert [m.measure for m in result.ledger.measures] == ["措施一", "措施二"]
    assert result.errors == []


def test_instruction_and_empty_sheets_are_skipped_and_sheet_name_gives_aspect(tmp_path):
    header = [
        "序号",
        "具体问题",
        "整改措施",
        "责任领导",
        "责任科室",
        "责任人",
        "整改时限",
        "完成情况",
        "完成时间",
    ]

    def body(i):
        return [i, f"问题{i}", f"措施{i}", "王明", "办公室", "李华", "2025-03-31", "已完成", "2025-03-01"]

    path = write_sheets(
        tmp_path / "t.xlsx",
        {
            "填报说明": [["填报说明"], ["1. 每条整改措施单独填写一行。"]],
            "方面甲": [header, body(1), body(2)],
            "方面乙": [header, body(3)],
            "Sheet3": [],
        },
    )
    result = run(path, AS_OF)
    assert [s.name for s in result.ledger.sheets] == ["方面甲", "方面乙"]
    assert [m.aspect for m in result.ledger.measures] == ["方面甲", "方面甲", "方面乙"]
    assert [g.title for g in result.summary.by_aspect] == ["方面甲", "方面乙"]


def test_dirty_cells(tmp_path):
    rows = [
        HEADER,
        [
            "1",
            " 方面甲\u3000",
            "问题甲",
            "问题一 ",
            "\u3000措施一",
            " 王明",
            "办公室  ",
            "李华",
            "2025.3.31",
            "第一行_x000D_\n第二行",
            "已 完成",
            "20250301",
        ],
        [
            "2",
            "方面甲",
            "问题甲\u3000",
            "问题一",
            "措施二",
            "王明",
            "办公室",
            "李华",
            45747.0,
            "进展",
            "\u3000已完成 ",
            "2025/03/01",
        ],
    ]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF)
    m1, m2 = result.ledger.measures
    assert (m1.aspect, m1.issue, m1.measure, m1.department) == ("方面甲", "问题一", "措施一", "办公室")
    assert m1.progress == "第一行\n第二行"
    assert m1.status_text == "已 完成" and m1.status == m2.status == "已完成"
    assert m1.deadline_date == m2.deadline_date == date(2025, 3, 31)
    assert m1.issue_id == m2.issue_id
    assert (result.summary.issues, result.summary.issues_done) == (1, 1)


def test_excel_dates_and_deadline_words(tmp_path):
    rows = [
        HEADER,
        measure_row(1, "方面", "问题", "问题一", "措施一", "正在推进", datetime(2025, 2, 1), ""),
        measure_row(2, "方面", "问题", "问题一", "措施二", "正在推进", "立行立改", ""),
        measure_row(3, "方面", "问题", "问题一", "措施三", "长期坚持", "长期坚持", ""),
        measure_row(4, "方面", "问题", "问题一", "措施四", "正在推进", "2025年3月10日前", ""),
    ]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF)
    ms = result.ledger.measures
    assert [(m.deadline_date, m.deadline_word) for m in ms] == [
        (date(2025, 2, 1), ""),
        (None, "立行立改"),
        (None, "长期坚持"),
        (date(2025, 3, 10), ""),
    ]
    assert [(d.row, d.days_overdue) for d in result.summary.overdue] == [(2, 30)]
    assert [d.row for d in result.summary.due_soon] == [5]


@pytest.mark.parametrize(
    "cell",
    [
        "①组织学习；②建立制度；③开展检查",
        "一是组织学习；二是建立制度；三是开展检查。",
        "1.组织学习\n2.建立制度\n3.开展检查",
    ],
)
def test_one_row_per_issue_with_numbered_measures(tmp_path, cell):
    progress = "①已学习；②已建立；③已检查"
    rows = [
        HEADER,
        [
            1,
            "方面",
            "问题",
            "问题一",
            cell,
            "王明",
            "办公室",
            "李华",
            "2025-03-31",
            progress,
            "已完成",
            "2025-03-01",
        ],
        [
            2,
            "方面",
            "问题",
            "问题二",
            "单独一条措施",
            "王明",
            "办公室",
            "李华",
            "2025-03-31",
            "进展",
            "正在推进",
            "",
        ],
    ]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF)
    ms = result.ledger.measures
    assert [m.measure.rstrip("。") for m in ms[:3]] == ["组织学习", "建立制度", "开展检查"]
    assert [m.progress for m in ms[:3]] == ["已学习", "已建立", "已检查"]
    assert all(m.owner == "李华" and m.status == "已完成" for m in ms[:3])
    assert (result.summary.issues, result.summary.measures, result.summary.measures_done) == (2, 4, 3)


def test_numbered_text_in_a_multi_row_issue_is_one_measure(tmp_path):
    rows = [
        HEADER,
        measure_row(1, "方面", "问题", "问题一", "一是组织学习；二是建立制度"),
        measure_row(2, "方面", "问题", "问题一", "开展检查"),
    ]
    assert run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF).summary.measures == 2


def test_same_issue_title_under_two_problems_is_two_issues(tmp_path):
    rows = [
        HEADER,
        measure_row(1, "方面", "问题甲", "制度不健全", "措施一"),
        measure_row(2, "方面", "问题乙", "制度不健全", "措施二"),
    ]
    assert run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF).summary.issues == 2


def test_unrecognised_columns_are_kept_with_their_headers(tmp_path):
    rows = [
        [*HEADER, "备注", "备注2", "督办人"],
        [*measure_row(1, "方面", "问题", "问题一", "措施一"), "同上期", "已核对", "赵六"],
    ]
    ledger = run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF).ledger
    assert ledger.extra_headers == ["备注2", "督办人"]
    m = ledger.measures[0]
    assert (m.remarks, m.extras) == ("同上期", {"备注2": "已核对", "督办人": "赵六"})


def test_xls_with_merges(tmp_path):
    rows = [
        ["XX单位巡察反馈问题整改台账"],
        HEADER,
        measure_row("1", "方面甲", "问题甲", "问题一", "措施一"),
        measure_row("2", "", "", "", "措施二", "阶段性完成", "2025年2月1日", ""),
        measure_row("3", "", "问题乙", "问题二", "措施三"),
    ]
    merges = [(0, 0, 0, 11), (2, 4, 1, 1), (2, 3, 2, 2), (2, 3, 3, 3)]
    result = run(write_xls(tmp_path / "t.xls", rows, merges), AS_OF)
    assert result.ledger.file_format == "xls"
    assert titles(result)[1] == ("方面甲", "问题甲", "问题一", "措施二")
    s = result.summary
    assert (s.issues, s.issues_done, s.measures, s.measures_done, len(s.overdue)) == (2, 1, 3, 2, 1)


def test_format_is_told_by_content_not_extension(tmp_path):
    rows = [HEADER, measure_row(1, "方面", "问题", "问题一", "措施一")]
    xlsx_named_xls = write_xlsx(tmp_path / "a.xls", rows)
    xls_named_xlsx = write_xls(tmp_path / "b.xlsx", rows)
    assert run(xlsx_named_xls, AS_OF).ledger.file_format == "xlsx"
    assert run(xls_named_xlsx, AS_OF).ledger.file_format == "xls"


def test_no_ledger_header_names_the_headers_seen(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [["姓名", "电话", "地址"], ["张三", "123", "某地"]])
    with pytest.raises(UnreadableError) as err:
        run(path, AS_OF)
    assert "“姓名”" in err.value.message and "t.xlsx" in err.value.message


def test_problem_column_without_issue_column_lists_the_issues(tmp_path):
    header = ["序号", "存在问题", "整改措施", "责任科室", "责任人", "整改时限", "完成情况"]
    rows = [
        header,
        [1, "问题一", "措施一", "办公室", "李华", "立行立改", "已完成"],
        [2, "问题二", "措施二", "办公室", "李华", "立行立改", "正在推进"],
    ]
    s = run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF).summary
    assert (s.problems, s.issues, s.issues_done) == (2, 2, 1)


def test_heading_in_the_aspect_column_sets_the_aspect_not_the_problem(tmp_path):
    rows = [HEADER, ["", "一、方面甲"], measure_row(1, "", "问题甲", "问题一", "措施一")]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF)
    assert titles(result) == [("方面甲", "问题甲", "问题一", "措施一")]
    assert result.errors == []


def test_three_levels_of_section_rows_when_no_hierarchy_columns(tmp_path):
    header = ["序号", "整改措施", "责任科室", "责任人", "整改时限", "完成情况"]
    rows = [
        header,
        ["一、方面甲"],
        ["（一）问题甲"],
        ["1.问题一"],
        ["", "措施一", "办公室", "李华", "立行立改", "已完成"],
    ]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows, merges=["A2:F2", "A3:F3", "A4:F4"]), AS_OF)
    assert titles(result) == [("方面甲", "问题甲", "问题一", "措施一")]


def test_issue_listed_without_measure_keeps_its_place_and_counts(tmp_path):
    rows = [
        HEADER,
        measure_row(1, "方面", "问题", "问题一", "措施一"),
        [2, "方面", "问题", "问题二", "", "", "", "", "", "", "", ""],
        measure_row(3, "方面", "问题", "问题三", "措施三"),
    ]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF)
    s = result.summary
    assert [it.title for it in s.items] == ["问题一", "问题二", "问题三"]
    assert (s.issues, s.issues_done, s.measures) == (3, 2, 2)
    assert [(g.issues, g.issues_done) for g in s.by_aspect] == [(3, 2)]
