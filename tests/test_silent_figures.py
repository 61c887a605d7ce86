"""Issue 21: four ways a real ledger gave a wrong public figure without a word, one test per rule
of docs/reading-rules.md ("Never silently wrong"), each on a real workbook written here."""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta
from pathlib import Path

from build import HEADER, measure_row, write_xlsx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledgerkit.pipeline import run
from ledgerkit.reading.cell_values import shift_formula, shown_number, volatile_cells
from ledgerkit.text import STATUS_WORDS

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import issue21_classes as classes

AS_OF = date(2025, 3, 3)
STATUS, PROGRESS = 10, 9  # columns of build.HEADER, 0-based


def codes(result, severity: str | None = None) -> list[tuple[str, str]]:
    return [(f.code, f.cell) for f in result.findings if severity in (None, f.severity)]


def without_status_column(rows: list[list[object]]) -> list[list[object]]:
    return [[v for c, v in enumerate(row) if c != STATUS] for row in rows]


# ---- 1. the status written inside the progress text ----------------------------------------


def test_status_stated_in_the_progress_text_is_the_status(tmp_path):
    rows = [measure_row(i, "方面甲", "问题甲", f"问题{i}", f"措施{i}", done="") for i in range(1, 6)]
    progress = [
        "整改状态：已完成。已召开专题会议。",
        "整改状态:阶段性完成\n制度正在修订",
        "已召开专题会议。\n完成情况：已完成",  # at the start of a later line
        "状态：正在推进，预计6月完成",
        "召开会议研究整改状态：已完成",  # not at the start of a line: no status stated
    ]
    for row, text in zip(rows, progress, strict=True):
        row[PROGRESS] = text
    result = run(write_xlsx(tmp_path / "t.xlsx", without_status_column([HEADER, *rows])), AS_OF)
    assert [m.status for m in result.ledger.measures] == [
        "已完成",
        "阶段性完成",
        "已完成",
        "正在推进",
        "未开始",
    ]
    assert (result.summary.measures, result.summary.measures_done) == (5, 2)
    assert codes(result, "error") == []
    notes = codes(result, "warning")
    assert ("status-in-text", "A1") in notes and (
        "column-missing",
        "A1",
    ) not in notes  # no "no 完成情况 column"
    assert result.ledger.source(result.ledger.measures[0], "status").cell == "J2"


def test_the_notice_says_the_progress_without_the_status_label(tmp_path):
    from ledgerkit.notice import build_notice
    from ledgerkit.text import without_status

    assert without_status("整改状态：已完成。借助AI法务预审。") == "借助AI法务预审。"
    assert without_status("已召开会议。\n完成情况：已完成") == "已召开会议。\n"
    assert without_status("召开会议研究整改状态：已完成") == "召开会议研究整改状态：已完成"
    rows = [measure_row(1, "方面甲", "问题甲", "问题1", "措施1", done="")]
    rows[0][PROGRESS] = "整改状态：已完成。已召开专题会议。"
    result = run(write_xlsx(tmp_path / "t.xlsx", without_status_column([HEADER, *rows])), AS_OF)
    notice = build_notice(result.ledger, result.summary, result.config, len(result.errors))
    said = "".join(s.text for s in notice.all_spans())
    assert "已召开专题会议" in said and "整改状态" not in said


def test_status_in_the_text_disagreeing_with_the_column_is_an_error(tmp_path):
    rows = [
        measure_row(i, "方面甲", "问题甲", f"问题{i}", f"措施{i}", status="正在推进", done="") for i in (1, 2)
    ]
    rows.append(measure_row(3, "方面甲", "问题甲", "问题3", "措施3", status="", done=""))
    rows[0][PROGRESS] = "整改状态：已完成。"  # disagrees with 正在推进
    rows[1][PROGRESS] = "整改状态：整改中。"  # the same status in other words
    rows[2][PROGRESS] = "整改状态：已完成。"  # the column left blank: the text says it
    result = run(write_xlsx(tmp_path / "t.xlsx", [HEADER, *rows]), AS_OF)
    assert codes(result, "error") == [("status-text-disagrees", "K2")]
    assert "J2" in result.errors[0].message and "已完成" in result.errors[0].message
    assert [m.status for m in result.ledger.measures] == ["正在推进", "正在推进", "已完成"]


def test_an_unknown_status_in_the_text_is_an_error_at_the_progress_cell(tmp_path):
    rows = [measure_row(1, "方面甲", "问题甲", "问题1", "措施1", done="")]
    rows[0][PROGRESS] = "整改状态：差不多了。"
    result = run(write_xlsx(tmp_path / "t.xlsx", without_status_column([HEADER, *rows])), AS_OF)
    assert codes(result, "error") == [("status-unknown", "J2")]
    assert result.summary.measures_done == 0


_WORDS = sorted({w for w in STATUS_WORDS if w})
_TEXT = st.text(alphabet="召开会议制定方案已经完成整改推进中。，\n", max_size=20)


@st.composite
def ledgers(draw):
    n = draw(st.integers(1, 8))
    rows = []
    for i in range(1, n + 1):
        status = draw(st.sampled_from(["", *_WORDS]))
        deadline = AS_OF + timedelta(days=draw(st.integers(-90, 90)))
        done = draw(
            st.one_of(
                st.just(""), st.integers(1, 200).map(lambda d: datetime(2025, 3, 3) - timedelta(days=d))
            )
        )
        row = measure_row(i, "方面甲", f"问题{i % 3}", f"问题{i}", f"措施{i}", status=status, deadline=datetime.combine(deadline, datetime.min.time()), done=done)  # fmt: skip
        row[PROGRESS] = draw(_TEXT)
        rows.append(row)
    where = draw(st.lists(st.sampled_from(["first", "later"]), min_size=n, max_size=n))
    label = draw(
        st.lists(
            st.sampled_from(["整改状态：", "完成情况：", "状态:", "整改状态 ："]), min_size=n, max_size=n
        )
    )
    return rows, where, label


def _moved(rows, where, label) -> list[list[object]]:
    """The same ledger with each status written into its progress cell, no status column."""
    out = []
    for row, at, lab in zip(rows, where, label, strict=True):
        row = list(row)
        if row[STATUS]:
            said = f"{lab}{row[STATUS]}"
            row[PROGRESS] = f"{said}。{row[PROGRESS]}" if at == "first" else f"{row[PROGRESS]}\n{said}"
        out.append(row)
    return without_status_column(out)


def _figures(result) -> tuple:
    s = result.summary
    overdue = [(d.row, d.days_overdue) for d in s.overdue]
    return s.measures, s.measures_done, s.issues_done, s.completion_rate, s.status_counts, overdue


@given(ledgers())
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_ledger_with_its_status_moved_into_the_text_reads_the_same(tmp_path, ledger):
    rows, where, label = ledger
    with_column = run(write_xlsx(tmp_path / "a.xlsx", [HEADER, *rows]), AS_OF)
    moved = run(write_xlsx(tmp_path / "b.xlsx", [HEADER[:STATUS] + HEADER[STATUS + 1 :], *_moved(rows, where, label)]), AS_OF)  # fmt: skip
    assert _figures(moved) == _figures(with_column)
    assert [m.status for m in moved.ledger.measures] == [m.status for m in with_column.ledger.measures]
    assert moved.errors == []


# ---- 2. a formula that depends on the day in a date cell ----------------------------------


def test_deadline_formulas_built_on_today_are_errors(tmp_path):
    result = run(classes.volatile(tmp_path), AS_OF)
    assert codes(result, "error") == [
        ("date-volatile", "I2"),
        ("date-volatile", "I3"),
        ("date-volatile", "I4"),
    ]
    assert "=TODAY()+30" in result.errors[0].message
    assert [m.deadline_date for m in result.ledger.measures] == [None, None, None, date(2025, 2, 28)]
    assert len(result.summary.overdue) == 1  # only the typed date; the old results counted 4


def test_a_completion_date_of_now_leaves_the_status_unknown(tmp_path):
    import xlsxwriter

    path = tmp_path / "t.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("整改台账")
    ws.write_row(0, 0, HEADER)
    for r in (1, 2):
        ws.write_row(r, 0, measure_row(r, "方面甲", "问题甲", f"问题{r}", f"措施{r}", status="", done=""))
    ws.write_formula(1, 11, "=NOW()", None, 45600)  # would say 已完成 on 2024-11-04
    ws.write_formula(2, 11, "=DATE(2025,1,6)", None, 45663)  # a fixed date: read as before
    wb.close()
    result = run(path, AS_OF)
    assert codes(result, "error") == [("date-volatile", "L2")]
    assert [m.status for m in result.ledger.measures] == [None, "已完成"]


def test_a_shared_formula_built_on_today_is_an_error_in_each_of_its_cells(tmp_path):
    """Excel saves a formula filled down as one shared formula: its other cells carry only its id."""
    import re
    import zipfile

    import xlsxwriter

    path = tmp_path / "t.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("整改台账")
    ws.write_row(0, 0, HEADER)
    for r in (1, 2, 3):
        ws.write_row(
            r, 0, measure_row(r, "方面甲", "问题甲", f"问题{r}", f"措施{r}", status="正在推进", done="")
        )
        ws.write_formula(r, 8, "=TODAY()+30", None, 45707)
    wb.close()
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    xml = xml.replace("<f>TODAY()+30</f>", '<f t="shared" ref="I2:I4" si="0">TODAY()+30</f>', 1)
    xml = re.sub(r"<f>TODAY\(\)\+30</f>", '<f t="shared" si="0"/>', xml)
    assert xml.count('<f t="shared" si="0"/>') == 2  # I3 and I4 name the shared formula only
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    result = run(path, AS_OF)
    assert codes(result, "error") == [
        ("date-volatile", "I2"),
        ("date-volatile", "I3"),
        ("date-volatile", "I4"),
    ]
    assert result.summary.overdue == []


def test_which_formulas_depend_on_the_day():
    formulas = {
        (1, 8): "TODAY()+30",
        (2, 8): "I2+10",  # built on I2
        (3, 8): "MAX(I2:I3)",  # a range holding one
        (4, 8): 'DATEVALUE("TODAY()")',  # only a string
        (5, 8): "Sheet2!I2+1",  # another sheet's I2
        (6, 8): "DATE(2025,6,30)",
        (7, 8): "now ( )",
    }
    assert set(volatile_cells(formulas)) == {(1, 8), (2, 8), (3, 8), (7, 8)}
    # a shared formula's cells: the master's references moved, $-fixed parts kept
    assert shift_formula("I2+$J$2+K$1", 2, 1) == "J4+$J$2+L$1"


# ---- 3. a date typed as a decimal number --------------------------------------------------


def test_year_month_numbers_read_as_the_month_the_cell_shows(tmp_path):
    result = run(classes.year_month(tmp_path), AS_OF)
    got = [m.deadline_date for m in result.ledger.measures]
    assert got == [date(2025, 10, 31), date(2025, 12, 31), date(2025, 6, 30), None]
    assert codes(result, "error") == [("date-year-month-ambiguous", "I5")]
    assert "10月" in result.errors[0].message
    assert result.summary.overdue == []  # 2025.10 was read as January and counted overdue


def test_the_text_a_number_shows():
    assert [shown_number(2025.1, code) for code in ("General", "0.00", "0.0", "#,##0.00", "yyyy-mm")] == [
        "2025.1",
        "2025.10",
        "2025.1",
        "2,025.10",
        None,
    ]


# ---- 4. a pasted duplicate row with its 序号 left empty -----------------------------------


def test_a_row_pasted_again_without_its_number_is_the_duplicate_error(tmp_path):
    result = run(classes.pasted_without_seq(tmp_path), AS_OF)
    assert codes(result, "error") == [("row-duplicate", "B6")]
    assert "第4行" in result.errors[0].message and "序号" in result.errors[0].message
    assert result.summary.measures == 5  # counted as written; the error says why not sure


def test_two_rows_numbered_apart_are_two_measures(tmp_path):
    rows = [HEADER, *[measure_row(i, "方面甲", "问题甲", "问题一", "每月开展一次学习") for i in (1, 2)]]
    result = run(write_xlsx(tmp_path / "t.xlsx", rows), AS_OF)
    assert codes(result, "error") == []


# ---- the class ledgers of the report ------------------------------------------------------


def test_the_status_in_text_sample_reads_to_its_truth(tmp_path):
    import json

    from conftest import SAMPLES

    sample = SAMPLES / "000" / "flat.xlsx"
    truth = json.loads(sample.with_name("flat.truth.json").read_text(encoding="utf-8"))
    result = run(classes.status_in_text(tmp_path, sample), AS_OF)
    s = result.summary
    assert (s.measures, s.measures_done, len(s.overdue)) == (
        truth["measures"],
        truth["measures_done"],
        truth["overdue"],
    )
    assert result.errors == []
