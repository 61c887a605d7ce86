"""The reading rules of docs/reading-rules.md, one test per rule, each on a real workbook built here.

Cells, columns and sheets: formulas, the header words offices use, merges over empty space,
deadline wording, versions kept side by side, columns with no header, marks on rows.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from build import HEADER, measure_row, write_sheets, write_xlsx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledgerkit.pipeline import run

AS_OF = date(2025, 3, 3)
STATUS, DEADLINE, DONE_ON = "K", "I", "L"  # columns of build.HEADER


def codes(result, severity: str | None = None) -> list[tuple[str, str]]:
    return [(f.code, f.cell) for f in result.findings if severity in (None, f.severity)]


def rows_of(n: int, **kw) -> list[list[object]]:
    return [measure_row(i, "方面甲", "问题甲", f"问题{i}", f"措施{i}", **kw) for i in range(1, n + 1)]


# ---- formulas ------------------------------------------------------------------------------


def _formula_ledger(path, cells: dict[tuple[int, int], tuple[str, object]]):
    """Rows of build.HEADER with some cells replaced by formulas: (row, col) -> (formula, saved)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("整改台账")
    ws.write_row(0, 0, HEADER)
    for r, row in enumerate(rows_of(4), start=1):
        ws.write_row(r, 0, row)
    for (r, c), (formula, saved) in cells.items():
        ws.write_formula(r, c, formula, None, saved)
    wb.close()
    return path


def test_formula_saved_results_are_used(tmp_path):
    path = _formula_ledger(
        tmp_path / "t.xlsx", {(1, 10): ('="已"&"完成"', "已完成"), (2, 8): ("=DATE(2025,6,30)", 45838)}
    )
    result = run(path, AS_OF)
    assert result.errors == []
    assert [m.status for m in result.ledger.measures][:2] == ["已完成", "已完成"]
    assert result.ledger.measures[1].deadline_date == date(2025, 6, 30)


def test_formula_errors_and_unsaved_results_in_figure_columns_are_errors(tmp_path):
    path = _formula_ledger(
        tmp_path / "t.xlsx",
        {
            (1, 10): ("=VLOOKUP(A2,Z:Z,1,0)", "#N/A"),  # status #N/A beside a completion date
            (2, 8): ('=DATEVALUE("x")', "#VALUE!"),  # deadline
            (3, 11): ("=A1", ""),  # completion date saved with no result
            (4, 9): ("=A1", ""),  # progress: not a figure column
            (4, 5): ("=#REF!", "#REF!"),  # leader: not a figure column
        },
    )
    result = run(path, AS_OF)
    assert codes(result, "error") == [
        ("formula-unreadable", "K2"),
        ("formula-unreadable", "I3"),
        ("formula-unreadable", "L4"),
    ]
    assert {c for c in codes(result, "warning") if c[0].startswith("formula")} == {
        ("formula-no-value", "J5"),
        ("formula-error-value", "F5"),
    }
    unreadable = [f for f in result.findings if f.code == "formula-unreadable"]
    assert "#N/A" in unreadable[0].message and "WPS" in unreadable[0].hint
    # the #N/A status is not counted as done (it was: the date beside it made it 已完成)
    statuses = [m.status for m in result.ledger.measures]
    assert statuses == [None, "已完成", "已完成", "已完成"]
    assert result.summary.measures_done == 3
    assert result.exit_code == 1


# ---- header words offices use ------------------------------------------------------------


def _with_headers(status: str, deadline: str) -> list[str]:
    return [{"完成情况": status, "整改时限": deadline}.get(h, h) for h in HEADER]


def test_status_column_named_zhenggai_jindu(tmp_path):
    rows = [_with_headers("整改进度", "整改时限"), *rows_of(2)]
    rows[2][10] = "推进中"
    result = run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF)
    assert result.ledger.sheets[0].columns["status"] == STATUS
    assert [m.status for m in result.ledger.measures] == ["已完成", "正在推进"]
    assert result.summary.measures_done == 1


def test_status_column_shifou_xiaohao_yes_no(tmp_path):
    rows = [_with_headers("是否销号", "整改时限"), *rows_of(3)]
    rows[1][10], rows[2][10], rows[3][10] = "是", "否", ""
    rows[2][11] = rows[3][11] = ""
    result = run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF)
    assert [m.status for m in result.ledger.measures] == ["已完成", "正在推进", "未开始"]
    assert result.summary.measures_done == 1
    assert result.errors == []


def test_planned_completion_time_is_the_deadline_not_the_completion_date(tmp_path):
    for word in ("计划完成时间", "应完成时间"):
        rows = [_with_headers("完成情况", word), *rows_of(2)]
        rows[2][10], rows[2][11] = "正在推进", ""
        rows[2][8] = "2025年1月31日"
        result = run(write_xlsx(tmp_path / f"{word}.xlsx", rows), AS_OF)
        info = result.ledger.sheets[0]
        assert (info.columns["deadline"], info.columns["done_on"]) == (DEADLINE, DONE_ON)
        assert result.ledger.measures[1].deadline_date == date(2025, 1, 31)
        assert [d.row for d in result.summary.overdue] == [3]


# ---- merges over empty space -------------------------------------------------------------


def _with_merges(path, refs: list[str]):
    """Add merges to the first sheet by editing its XML: openpyxl and xlsxwriter would create
    every covered cell of a merge to row 1,048,576 (minutes), Excel only records the range."""
    import zipfile

    part = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    cells = "".join(f'<mergeCell ref="{ref}"/>' for ref in refs)
    parts[part] = parts[part].replace(
        b"</sheetData>", f'</sheetData><mergeCells count="{len(refs)}">{cells}</mergeCells>'.encode(), 1
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def test_merges_to_the_last_row_and_column_are_bounded_by_the_data(tmp_path):
    rows = [HEADER, *rows_of(3)]
    rows[2][3] = ""  # D3 is inside the merge D2:D3: the same issue
    path = write_xlsx(tmp_path / "t.xlsx", rows)
    _with_merges(path, ["D2:D3", "A5:XFD5", "A6:L1048576", "M1:XFD1048576"])
    result = run(path, AS_OF)
    assert [(m.row, m.issue) for m in result.ledger.measures] == [(2, "问题1"), (3, "问题1"), (4, "问题3")]
    assert (result.summary.issues, result.summary.measures) == (2, 3)
    assert result.errors == []


def test_bounded_merges_keep_what_covers_data():
    from ledgerkit.reading.read import Merge, bounded_merges

    ranges = [((0, 0), (0, 16383)), ((3, 1), (1048575, 2)), ((9, 0), (1048575, 11)), ((0, 20), (3, 30))]
    assert bounded_merges(ranges, 5, 12) == [Merge(0, 0, 0, 11), Merge(3, 1, 4, 2)]


# ---- deadlines -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "original"),
    [
        ("2025年第一季度", date(2025, 3, 31), ""),
        ("2025年一季度", date(2025, 3, 31), ""),
        ("2025年第三季度末", date(2025, 9, 30), ""),
        ("2025年Q4", date(2025, 12, 31), ""),
        ("2025年上半年", date(2025, 6, 30), ""),
        ("2025年下半年", date(2025, 12, 31), ""),
        ("2024年10月-2025年6月", date(2025, 6, 30), ""),
        ("2024年10月至2025年6月底", date(2025, 6, 30), ""),
        ("2025年3月-6月", date(2025, 6, 30), ""),
        ("2025.1—2025.6", date(2025, 6, 30), ""),
        ("原定2024年12月底，已申请延期至2025年6月底", date(2025, 6, 30), "2024年12月底"),
        ("2024年12月底（经批准延期到2025年3月）", date(2025, 3, 31), "2024年12月底"),
        ("2024.12", date(2024, 12, 31), ""),
        ("2025.6", date(2025, 6, 30), ""),
        ("2025.2月底前", date(2025, 2, 28), ""),
        # single dates with dashes are not ranges
        ("2025-03-01", date(2025, 3, 1), ""),
        ("2025-3", date(2025, 3, 31), ""),
    ],
)
def test_deadline_wording(text, expected, original):
    from ledgerkit.text import parse_date

    parsed = parse_date(text, deadline=True)
    assert (parsed.value, parsed.original) == (expected, original)


@pytest.mark.parametrize("raw", ["1912.7", "2025.13", "3.5", datetime(1912, 7, 2), datetime(2125, 1, 1)])
def test_dates_out_of_range_are_invalid_in_any_form(raw):
    from ledgerkit.text import parse_date

    assert parse_date(raw, deadline=True).valid is False
    assert parse_date(raw).valid is False


def test_deadline_classes_in_a_ledger(tmp_path):
    deadlines = [
        "2024年第四季度",  # overdue on AS_OF
        "2025年上半年",
        "2024年10月-2025年2月",  # the end: overdue
        "原定2024年12月底，已申请延期至2025年6月底",  # the new date: not overdue, a warning
        "2025.2",  # a month: its last day, overdue
        datetime(1912, 7, 2),  # a date cell with a typo (4566 for 45666): an error, not 41,153 days
    ]
    rows = [HEADER, *rows_of(len(deadlines), status="正在推进", done="")]
    for row, deadline in zip(rows[1:], deadlines, strict=True):
        row[8] = deadline
    result = run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF)
    got = [m.deadline_date for m in result.ledger.measures]
    assert got == [
        date(2024, 12, 31),
        date(2025, 6, 30),
        date(2025, 2, 28),
        date(2025, 6, 30),
        date(2025, 2, 28),
        None,
    ]
    assert [d.row for d in result.summary.overdue] == [2, 4, 6]
    assert codes(result, "error") == [("deadline-invalid", "I7")]
    assert "1912年7月2日" in result.errors[0].message
    extended = [f for f in result.findings if f.code == "deadline-extended"]
    assert [(f.cell, f.severity) for f in extended] == [("I5", "warning")]
    assert "2024年12月底" in extended[0].message and "2025年6月30日" in extended[0].message


# ---- versions kept side by side ----------------------------------------------------------


def _version(done: int, n: int = 4) -> list[list[object]]:
    """The same ledger of n measures, the first ``done`` of them done."""
    rows = [HEADER, *rows_of(n, status="正在推进", done="")]
    for row in rows[1 : done + 1]:
        row[10], row[11] = "已完成", "2025年2月1日"
    return rows


def _notes(result, *prefixes: str) -> list[tuple[str, str, str, str]]:
    return [(f.code, f.severity, f.sheet, f.cell) for f in result.findings if f.code.startswith(prefixes)]


def test_hidden_old_copy_of_the_ledger_is_not_counted(tmp_path):
    path = write_sheets(
        tmp_path / "t.xlsx",
        {"整改台账": _version(1), "整改台账 (2)": _version(3)},
        hidden_sheets=["整改台账"],
    )
    result = run(path, AS_OF)
    assert (result.summary.measures, result.summary.measures_done) == (4, 3)
    assert [s.name for s in result.ledger.sheets] == ["整改台账 (2)"]
    assert _notes(result, "sheet") == [("sheet-superseded", "warning", "整改台账", "A1")]
    assert result.exit_code == 0


def test_hidden_copy_on_the_right_still_loses_to_the_visible(tmp_path):
    path = write_sheets(tmp_path / "t.xlsx", {"新": _version(3), "旧": _version(1)}, hidden_sheets=["旧"])
    result = run(path, AS_OF)
    assert (result.summary.measures, result.summary.measures_done) == (4, 3)
    assert _notes(result, "sheet") == [("sheet-superseded", "warning", "旧", "A1")]


def test_monthly_sheets_latest_month_counts_wherever_it_stands(tmp_path):
    path = write_sheets(
        tmp_path / "t.xlsx", {"12月": _version(3), "2025年1月": _version(4), "11月": _version(1)}
    )
    result = run(path, AS_OF)
    # a year on one name: 2025年1月 is after 12月 and 11月 (taken as the year before)
    assert [s.name for s in result.ledger.sheets] == ["2025年1月"]
    assert (result.summary.measures, result.summary.measures_done) == (4, 4)
    assert sorted((f.code, f.sheet) for f in result.findings if f.code.startswith("sheet")) == [
        ("sheet-superseded", "11月"),
        ("sheet-superseded", "12月"),
    ]
    path = write_sheets(tmp_path / "u.xlsx", {"12月": _version(3), "11月": _version(1)})
    result = run(path, AS_OF)
    assert (result.summary.measures, result.summary.measures_done) == (4, 3)
    assert _notes(result, "sheet") == [("sheet-superseded", "warning", "11月", "A1")]


def test_month_names_a_year_apart_are_ambiguous(tmp_path):
    path = write_sheets(tmp_path / "t.xlsx", {"12月": _version(1), "1月": _version(3)})
    result = run(path, AS_OF)
    assert ("sheet-versions-ambiguous", "error") in [(f.code, f.severity) for f in result.findings]
    assert result.summary.measures == 4  # one version counted, never both
    assert result.exit_code == 1


def test_parts_of_one_ledger_on_several_sheets_still_combine(tmp_path):
    def part(k: int) -> list[list[object]]:
        rows = [[h for h in HEADER if h != "方面"]]
        for i in range(1, 4):
            row = measure_row(i, "", f"问题{k}", f"具体问题{k}-{i}", f"第{k}部分措施{i}")
            rows.append(row[:1] + row[2:])
        return rows

    path = write_sheets(tmp_path / "t.xlsx", {"学习方面": part(1), "财务方面": part(2), "作风方面": part(3)})
    result = run(path, AS_OF)
    assert result.summary.measures == 9 and result.summary.aspects == 3
    assert _notes(result, "sheet") == []


def test_rows_of_an_old_version_survive_into_the_cleaned_workbook(tmp_path):
    from openpyxl import load_workbook

    from ledgerkit.model import OTHER_HEADERS, OTHER_SHEET
    from ledgerkit.text import clean

    old = [["巡察整改台账（11月）"], *_version(1)]  # a title row, and cells of every type
    old[2] += ["旧备注", None, 7]  # extra cells right of the table, one column left blank
    old[3][11] = datetime(2025, 1, 15)
    old.append(["填报人：张三", None, "联系电话：1234"])
    path = write_sheets(tmp_path / "t.xlsx", {"12月": _version(3), "11月": old}, hidden_sheets=["11月"])
    first = run(path, AS_OF)
    assert (first.summary.measures, first.summary.measures_done) == (4, 3)  # the old one not counted
    out = _write_cleaned(first, tmp_path / "out.xlsx")

    ws = load_workbook(out, read_only=True)[OTHER_SHEET]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert tuple(rows[0][: len(OTHER_HEADERS)]) == OTHER_HEADERS
    kept = {int(r[1]): r[len(OTHER_HEADERS) :] for r in rows[1:] if r[0] == "11月" and r[2] == "旧版本"}
    source = load_workbook(path, read_only=True)["11月"]
    cells = 0
    for r, row in enumerate(source.iter_rows(values_only=True), start=1):
        for c, value in enumerate(row):
            if clean(value):
                cells += 1
                assert r in kept and c < len(kept[r]), (r, c, value)
                expected = value.date().isoformat() if isinstance(value, datetime) else clean(value)
                assert clean(kept[r][c]) == expected, (r, c, value, kept[r][c])
    assert cells > 50 and len(kept) == len(old)

    second = run(out, AS_OF)  # the cleaned workbook reads back with the same figures and rows
    assert (second.summary.measures, second.summary.measures_done) == (4, 3)
    assert [m.canonical() for m in second.ledger.measures] == [m.canonical() for m in first.ledger.measures]
    assert second.ledger.other_rows == first.ledger.other_rows
    assert second.errors == []


def _two_status_columns(first: str, second: str) -> list[list[object]]:
    """build.HEADER with two status columns: K ``first`` (old values), L ``second`` (new)."""
    header = [*HEADER[:10], first, second, HEADER[11]]
    rows = [header]
    for i, row in enumerate(rows_of(4, status="正在推进", done=""), start=1):
        new = "已完成" if i <= 3 else "正在推进"
        old = "已完成" if i <= 1 else "正在推进"
        rows.append([*row[:10], old, new, "2025年2月1日" if i <= 3 else ""])
    return rows


def test_two_status_columns_the_latest_month_counts(tmp_path):
    rows = _two_status_columns("完成情况（11月）", "完成情况（12月）")
    result = run(write_sheets(tmp_path / "t.xlsx", {"整改台账": rows}, hidden_cols=["K"]), AS_OF)
    assert result.ledger.sheets[0].columns["status"] == "L"
    assert result.summary.measures_done == 3
    assert _notes(result, "column") == [("column-superseded", "warning", "整改台账", "K1")]
    assert [m.extras["完成情况（11月）"] for m in result.ledger.measures] == ["已完成", *["正在推进"] * 3]


def test_two_status_columns_newest_on_the_left(tmp_path):
    rows = _two_status_columns("完成情况（12月）", "完成情况（11月）")
    for row in rows[1:]:
        row[10], row[11] = row[11], row[10]
    result = run(write_sheets(tmp_path / "t.xlsx", {"整改台账": rows}), AS_OF)
    assert result.ledger.sheets[0].columns["status"] == "K"
    assert result.summary.measures_done == 3
    assert _notes(result, "column") == [("column-superseded", "warning", "整改台账", "L1")]


def test_hidden_status_column_without_months_loses_to_the_visible(tmp_path):
    rows = _two_status_columns("完成情况", "完成情况")
    result = run(write_sheets(tmp_path / "t.xlsx", {"整改台账": rows}, hidden_cols=["K"]), AS_OF)
    assert result.ledger.sheets[0].columns["status"] == "L"
    assert result.summary.measures_done == 3


def test_two_plain_status_columns_are_an_error(tmp_path):
    rows = _two_status_columns("完成情况", "整改状态")
    result = run(write_sheets(tmp_path / "t.xlsx", {"整改台账": rows}), AS_OF)
    assert _notes(result, "column") == [("column-versions-ambiguous", "error", "整改台账", "K1")]
    assert result.exit_code == 1


# ---- every input column survives into the cleaned workbook -------------------------------

EXTRA_NAMES = ["说明", "附件", "", "核查意见", "说明"]
EXTRA_VALUE = st.one_of(st.just(""), st.text(alphabet="甲乙丙丁说明ab12 ", min_size=1, max_size=6))


def _cleaned_columns(path) -> dict[str, list[str]]:
    """Header -> values of the 整改台账 sheet of a cleaned workbook, read with openpyxl."""
    from openpyxl import load_workbook

    from ledgerkit.workbook import LEDGER_SHEET

    ws = load_workbook(path, read_only=True)[LEDGER_SHEET]
    rows = [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
    top = next(i for i, row in enumerate(rows) if "整改措施" in row)
    header = rows[top]
    return {h: [row[c] if c < len(row) else "" for row in rows[top + 1 :]] for c, h in enumerate(header) if h}


def _write_cleaned(result, out):
    from ledgerkit.workbook import write_workbook

    return write_workbook(result.ledger, result.summary, result.findings, out)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    columns=st.lists(
        st.tuples(st.sampled_from(EXTRA_NAMES), st.lists(EXTRA_VALUE, min_size=3, max_size=3)),
        min_size=1,
        max_size=5,
    )
)
def test_every_input_column_survives_into_the_cleaned_workbook(tmp_path, columns):
    from ledgerkit.model import col_letter
    from ledgerkit.reading.columns import match_header
    from ledgerkit.reading.header import unnamed_column

    assert all(match_header(name) is None for name in EXTRA_NAMES)
    rows = [HEADER + [name for name, _ in columns], *rows_of(3)]
    for r, row in enumerate(rows[1:]):
        row.extend(values[r] for _, values in columns)
    path = write_xlsx(tmp_path / "in.xlsx", rows)
    result = run(path, AS_OF)
    got = _cleaned_columns(_write_cleaned(result, tmp_path / "out.xlsx"))
    seen: dict[str, int] = {}
    for k, (name, values) in enumerate(columns):
        c = len(HEADER) + k
        if not name:
            if not any(v.strip() for v in values):
                continue  # an empty column with no header holds nothing to keep
            expected = unnamed_column(c)
        else:
            seen[name] = seen.get(name, 0) + 1
            expected = name if seen[name] == 1 else f"{name}（{seen[name]}）"
        assert expected in got, (expected, col_letter(c), list(got))
        assert [v.strip() for v in got[expected][:3]] == [v.strip() for v in values]


def test_unnamed_and_duplicate_columns_are_named(tmp_path):
    rows = [[*HEADER, "说明", "说明", ""], *rows_of(2)]
    rows[1] += ["甲", "乙", "丙"]
    rows[2] += ["", "丁", ""]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF)
    assert result.ledger.extra_headers == ["说明", "说明（2）", "未命名列（第O列）"]
    assert [m.extras for m in result.ledger.measures] == [
        {"说明": "甲", "说明（2）": "乙", "未命名列（第O列）": "丙"},
        {"说明": "", "说明（2）": "丁", "未命名列（第O列）": ""},
    ]
    got = _cleaned_columns(_write_cleaned(result, tmp_path / "out.xlsx"))
    assert got["说明（2）"][:2] == ["乙", "丁"] and got["未命名列（第O列）"][:2] == ["丙", ""]


# ---- marks people use ----------------------------------------------------------------------


def test_struck_through_or_green_rows_with_an_empty_status_are_errors(tmp_path):
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    rows = [HEADER, *rows_of(6, status="", done="")]
    rows[5][10] = "已完成"
    wb = Workbook()
    ws = wb.active
    ws.title = "整改台账"
    for row in rows:
        ws.append(row)
    green = PatternFill("solid", fgColor="FF92D050")
    for c in range(1, 13):
        ws.cell(3, c).font = Font(strike=True)  # row 3: struck through
        ws.cell(4, c).fill = green  # row 4: filled green
        ws.cell(5, c).fill = PatternFill("solid", fgColor="FFFFFF00")  # yellow: no meaning here
        ws.cell(6, c).fill = green  # row 6: green, and the status says 已完成
    ws.cell(7, 14).font = Font(strike=True)  # row 7: strike style on an empty cell, nothing struck
    path = tmp_path / "t.xlsx"
    wb.save(path)
    result = run(path, AS_OF)
    assert codes(result, "error") == [("status-empty-but-marked", "K3"), ("status-empty-but-marked", "K4")]
    assert "删除线" in result.errors[0].message and "绿色" in result.errors[1].message
    assert result.summary.status_counts["未开始"] == 5  # counted as before; the error says so


def test_marks_are_not_looked_for_in_xls(tmp_path):
    from build import write_xls

    rows = [HEADER, *rows_of(2, status="", done="")]
    result = run(write_xls(tmp_path / "t.xls", rows), AS_OF)
    assert result.errors == [] and result.summary.status_counts["未开始"] == 2


def test_status_group_over_month_columns(tmp_path):
    """完成情况 merged over 11月 and 12月 (a column added a month): the 12月 column counts."""
    header = [*HEADER[:10], "完成情况", "", HEADER[11]]
    months = ["", "", "", "", "", "", "", "", "", "", "11月", "12月", ""]
    rows = [header, months, *_two_status_columns("", "")[1:]]
    merges = [f"{c}1:{c}2" for c in "ABCDEFGHIJM"] + ["K1:L1"]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows, merges=merges), AS_OF)
    info = result.ledger.sheets[0]
    assert (info.header_rows, info.columns["status"]) == ((1, 2), "L")
    assert (result.summary.measures, result.summary.measures_done) == (4, 3)
    assert _notes(result, "column") == [("column-superseded", "warning", "整改台账", "K1")]
    assert result.ledger.extra_headers == ["完成情况（11月）"]


# ---- the cleaned workbook reads back as it was counted -------------------------------------


def test_cleaned_workbook_of_each_class_reads_back_without_errors(tmp_path):
    from ledgerkit import workbook
    from ledgerkit.reading.versions import OWN_SHEETS

    assert {workbook.LEDGER_SHEET, workbook.SUMMARY_SHEET, workbook.FINDINGS_SHEET} == OWN_SHEETS
    status_cols = _two_status_columns("完成情况（11月）", "完成情况（12月）")
    extra_cols = [[*HEADER, "说明", "说明", ""], *rows_of(2)]
    extra_cols[1] += ["甲", "乙", "丙"]
    extra_cols[2] += ["", "丁", ""]
    ledgers = {
        "status_columns.xlsx": write_sheets(
            tmp_path / "a.xlsx", {"整改台账": status_cols}, hidden_cols=["K"]
        ),
        "versions.xlsx": write_sheets(tmp_path / "b.xlsx", {"12月": _version(3), "11月": _version(1)}),
        "extra_columns.xlsx": write_xlsx(tmp_path / "c.xlsx", extra_cols),
    }
    for name, path in ledgers.items():
        first = run(path, AS_OF)
        out = _write_cleaned(first, tmp_path / "out" / name)
        second = run(out, AS_OF)
        assert [m.canonical() for m in second.ledger.measures] == [
            m.canonical() for m in first.ledger.measures
        ]
        assert (second.summary.measures, second.summary.measures_done) == (
            first.summary.measures,
            first.summary.measures_done,
        )
        assert second.errors == [], name
