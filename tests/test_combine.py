"""``combine FOLDER``: the sample ledgers in per-unit folders, read back as one view.

The folder: each sample in its unit's folder with that unit's ledgerkit.toml; 开封 and 垣曲 each sent
two versions (the sections_* layouts name the same unit in their titles); one broken file; and the
noise an office folder has (lock files, hidden files, earlier outputs). Figures are checked against
the samples' truth files and against ``summary --json`` of each counted file.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path

import pytest
from build import HEADER, measure_row, write_xlsx
from conftest import SAMPLES, load_truth
from hypothesis import given, settings
from hypothesis import strategies as st

from ledgerkit import formats
from ledgerkit.cli.commands.combine import combine_command
from ledgerkit.combine import (
    REPORT_NAME,
    WORKBOOK_NAME,
    FileRead,
    combine,
    combine_folder,
    find_ledgers,
    unit_from_title,
)
from ledgerkit.config import Config
from ledgerkit.errors import LedgerkitError
from ledgerkit.figures import summarise
from ledgerkit.model import Ledger
from ledgerkit.pipeline import Result, run

AS_OF = date(2025, 3, 3)
KAIFENG, YUANQU = "开封市机关事务中心", "垣曲县委机关事务服务中心"
FIGURES = ("aspects", "problems", "issues", "issues_done", "measures", "measures_done", "completion_rate")
UNIT_KEYS = [
    "unit", "file", "as_of", "aspects", "problems", "issues", "issues_done", "measures",
    "measures_done", "completion_rate", "overdue", "due_soon", "errors", "warnings",
    "issues_staged", "issues_not_done", "rules_made", "rules_revised", "rules_checked",  # added, issue 22
]  # fmt: skip
OLD, NEW = datetime(2024, 1, 1).timestamp(), datetime(2025, 1, 1).timestamp()


def _toml(folder: Path, sample_folder: str, name: str | None = None) -> None:
    text = (SAMPLES / sample_folder / "ledgerkit.toml").read_text(encoding="utf-8")
    if name is not None:
        text = re.sub(r'(?m)^name = ".*"$', f'name = "{name}"', text, count=1)
    (folder / "ledgerkit.toml").write_text(text, encoding="utf-8")


def _put(folder: Path, rel: str, sample: str, mtime: float | None = None) -> Path:
    target = folder / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SAMPLES / sample, target)
    if mtime is not None:
        os.utime(target, (mtime, mtime))
    return target


def make_folder(root: Path, sections_newer: bool = False) -> Path:
    """Seven samples in five units, two of them with two versions, one broken file, and noise."""
    folder = root / "巡察整改材料"
    first, second = (OLD, NEW) if sections_newer else (NEW, OLD)
    _put(folder, f"{KAIFENG}/merged_midway.xlsx", "000/merged_midway.xlsx", first)
    _put(folder, f"{KAIFENG}/上次报送/sections_midway.xlsx", "000/sections_midway.xlsx", second)
    _toml(folder / KAIFENG, "000")
    _put(folder, f"{YUANQU}/legacy_midway.xls", "001/legacy_midway.xls", first)
    _put(folder, f"{YUANQU}/sections_column.xlsx", "001/sections_column.xlsx", second)
    _toml(folder / YUANQU, "001")
    for unit, sample in (
        ("单位甲", "000/flat.xlsx"),
        ("单位乙", "000/dirty.xlsx"),
        ("单位丙", "001/multisheet.xlsx"),
    ):
        _put(folder, f"{unit}/{Path(sample).name}", sample)
        _toml(folder / unit, sample[:3], name=unit)
    (folder / "单位丁").mkdir()
    (folder / "单位丁" / "整改台账.xlsx").write_bytes(b"this is not a workbook")
    # The noise: none of it is a ledger to count.
    (folder / "单位甲" / "~$flat.xlsx").write_bytes(b"\x0block")
    (folder / "单位甲" / ".flat.xlsx").write_bytes(b"x")
    _put(folder, "单位甲/输出/flat（清洗）.xlsx", "000/flat.xlsx")
    _put(folder, ".git/objects/flat.xlsx", "000/flat.xlsx")
    _put(folder, f"输出/{WORKBOOK_NAME}", "000/flat.xlsx")  # an earlier run's output
    _put(folder, "单位乙/变化对照.xlsx", "000/flat.xlsx")  # compare's output
    (folder / "说明.txt").write_text("各单位台账", encoding="utf-8")
    return folder


COUNTED = {  # unit -> (file inside the folder, sample)
    KAIFENG: (f"{KAIFENG}/merged_midway.xlsx", "000/merged_midway.xlsx"),
    YUANQU: (f"{YUANQU}/legacy_midway.xls", "001/legacy_midway.xls"),
    "单位甲": ("单位甲/flat.xlsx", "000/flat.xlsx"),
    "单位乙": ("单位乙/dirty.xlsx", "000/dirty.xlsx"),
    "单位丙": ("单位丙/multisheet.xlsx", "001/multisheet.xlsx"),
}


@pytest.fixture(scope="module")
def combined_run(tmp_path_factory):
    """The folder combined once, as the command does it: (folder, JSON, exit code)."""
    folder = make_folder(tmp_path_factory.mktemp("combine"))
    combined, outputs = combine_folder(folder, None, AS_OF)
    return folder, combined.as_dict(outputs), combined.exit_code


def _rel(folder: Path, path: str) -> str:
    return Path(path).relative_to(folder).as_posix()


# ---- finding ledgers and units ---------------------------------------------------------------------


def test_finds_ledgers_in_subfolders_and_skips_noise(tmp_path):
    folder = make_folder(tmp_path)
    found = [p.relative_to(folder).as_posix() for p in find_ledgers(folder, folder / "输出")]
    assert found == [
        "单位丁/整改台账.xlsx",
        "单位丙/multisheet.xlsx",
        "单位乙/dirty.xlsx",
        "单位甲/flat.xlsx",
        f"{YUANQU}/legacy_midway.xls",
        f"{YUANQU}/sections_column.xlsx",
        f"{KAIFENG}/merged_midway.xlsx",
        f"{KAIFENG}/上次报送/sections_midway.xlsx",
    ]


@pytest.mark.parametrize(
    ("title", "unit"),
    [
        ("开封市机关事务中心市委巡察反馈问题整改台账", KAIFENG),
        ("垣曲县委机关事务服务中心落实县委巡察反馈意见整改台账", YUANQU),
        ("某某区教育局关于区委第二轮巡察反馈意见整改落实情况台账", "某某区教育局"),
        ("某某镇 巡察整改台账", "某某镇"),
        ("某某局整改工作台账", "某某局"),
        ("巡察反馈问题整改台账", ""),
        ("2024年度巡察反馈问题整改台账", ""),
        ("（样表）巡察整改台账", ""),
        ("", ""),
    ],
)
def test_unit_from_title(title, unit):
    assert unit_from_title(title) == unit


def test_units_json_contract_and_exit_code(combined_run):
    folder, data, code = combined_run
    assert code == 1  # every unit read without errors, but one file could not be read
    assert list(data) == ["units", "total", "superseded", "unreadable", "outputs"]
    assert all(list(u) == UNIT_KEYS for u in data["units"])
    assert list(data["total"]) == UNIT_KEYS[3:]
    assert {u["unit"]: _rel(folder, u["file"]) for u in data["units"]} == {
        k: v[0] for k, v in COUNTED.items()
    }
    assert data["outputs"] == {
        "workbook": str(folder / "输出" / WORKBOOK_NAME),
        "report": str(folder / "输出" / REPORT_NAME),
    }


def test_each_unit_figures_equal_truth_and_summary_json(combined_run, capsys):
    from ledgerkit.cli.commands.summary import summary_command

    _, data, _ = combined_run
    for u in data["units"]:
        truth = load_truth(SAMPLES / COUNTED[u["unit"]][1])
        assert {k: u[k] for k in FIGURES} == {k: truth[k] for k in FIGURES}, u["unit"]
        summary_command(Path(u["file"]), AS_OF, True, None)  # what `summary --json` prints
        s = json.loads(capsys.readouterr().out)
        assert {k: u[k] for k in FIGURES} == {k: s[k] for k in FIGURES}, u["unit"]
        assert (u["overdue"], u["due_soon"], u["as_of"]) == (
            len(s["overdue"]),
            len(s["due_soon"]),
            s["as_of"],
        )
        result = run(Path(u["file"]), AS_OF)  # the same pipeline `check` runs
        assert (
            (u["errors"], u["warnings"]) == (len(result.errors), len(result.warnings)) == (0, u["warnings"])
        )


def test_summary_json_cli_equals_the_unit(combined_run):
    from test_cli import ledgerkit

    _, data, _ = combined_run
    unit = next(u for u in data["units"] if u["unit"] == KAIFENG)
    proc = ledgerkit("summary", unit["file"], "--as-of", AS_OF.isoformat(), "--json")
    s = json.loads(proc.stdout)
    assert {k: unit[k] for k in FIGURES} == {k: s[k] for k in FIGURES}
    assert (unit["overdue"], unit["due_soon"]) == (len(s["overdue"]), len(s["due_soon"]))


def test_totals_add_up_and_rate_is_recomputed(combined_run):
    _, data, _ = combined_run
    units, total = data["units"], data["total"]
    for key in UNIT_KEYS[3:]:
        if key not in ("completion_rate", "rules_checked"):
            assert total[key] == sum(u[key] for u in units), key
    assert total["completion_rate"] == formats.rate(total["issues_done"], total["issues"])
    mean = sum(Fraction(u["issues_done"], u["issues"]) for u in units) / len(units)
    assert total["completion_rate"] != formats.rate(mean.numerator, mean.denominator)  # never averaged


def test_sorted_by_completion_lowest_first(combined_run):
    _, data, _ = combined_run
    rates = [Fraction(u["issues_done"], u["issues"]) for u in data["units"]]
    assert rates == sorted(rates) and rates[0] < rates[-1]


def test_superseded_and_unreadable_are_listed(combined_run):
    folder, data, _ = combined_run
    assert [(_rel(folder, s["file"]), s["unit"], _rel(folder, s["by"])) for s in data["superseded"]] == [
        (f"{YUANQU}/sections_column.xlsx", YUANQU, f"{YUANQU}/legacy_midway.xls"),
        (f"{KAIFENG}/上次报送/sections_midway.xlsx", KAIFENG, f"{KAIFENG}/merged_midway.xlsx"),
    ]
    [bad] = data["unreadable"]
    assert _rel(folder, bad["file"]) == "单位丁/整改台账.xlsx"
    assert "整改台账.xlsx" in bad["message"] and "Traceback" not in bad["message"]


def test_newer_version_by_mtime_counts_with_its_own_truth(tmp_path):
    """sections_* made the newer files: they count now, with their own figures (no 填报时间 on them)."""
    folder = make_folder(tmp_path, sections_newer=True)
    combined, _ = combine_folder(folder, tmp_path / "out", AS_OF)
    files = {u.unit: u.file.relative_to(folder).as_posix() for u in combined.units}
    assert files[KAIFENG] == f"{KAIFENG}/上次报送/sections_midway.xlsx"
    assert files[YUANQU] == f"{YUANQU}/sections_column.xlsx"
    for u in combined.units:
        if u.unit in (KAIFENG, YUANQU):
            truth = load_truth(SAMPLES / ("000" if u.unit == KAIFENG else "001") / u.file.name)
            assert {k: u.as_dict()[k] for k in FIGURES} == {k: truth[k] for k in FIGURES}


def _dated_ledger(path: Path, unit: str, reported: str, done: bool) -> Path:
    status = "已完成" if done else "正在推进"
    return write_xlsx(
        path,
        [
            [f"{unit}巡察反馈问题整改台账"],
            [f"填报单位：{unit}", None, None, None, None, None, None, None, f"填报时间：{reported}"],
            HEADER,
            measure_row(1, "方面一", "问题一", "具体问题一", "措施一"),
            measure_row(2, "方面一", "问题一", "具体问题二", "措施二", status, "2025年1月31日", ""),
        ],
    )


def test_newest_by_reported_date_over_mtime(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    newer = _dated_ledger(folder / "b 二月.xlsx", "某某单位", "2025年2月5日", done=True)
    older = _dated_ledger(folder / "a 一月.xlsx", "某某单位", "2025年1月5日", done=False)
    os.utime(newer, (OLD, OLD))  # the file was copied earlier, but its 填报时间 is later
    combined, _ = combine_folder(folder, None, AS_OF)
    [unit] = combined.units
    assert (unit.unit, unit.file, unit.reported) == ("某某单位", newer, date(2025, 2, 5))
    assert [(s.file, s.by) for s in combined.superseded] == [(older, newer)]
    assert combined.exit_code == 0


def test_units_known_by_file_name_never_merge(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    rows = [HEADER, measure_row(1, "方面一", "问题一", "具体问题一", "措施一")]
    for sub in ("甲", "乙"):
        (folder / sub).mkdir(parents=True)
        write_xlsx(folder / sub / "整改台账.xlsx", rows)
    (tmp_path / "ledgerkit.toml").write_text('[unit]\nname = "当前文件夹的单位"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # a toml in the current folder names no ledger's unit here
    combined, _ = combine_folder(folder, None, AS_OF)
    assert [u.unit for u in combined.units] == ["整改台账", "整改台账"]
    assert {u.file.parent.name for u in combined.units} == {"甲", "乙"}
    assert combined.superseded == []


def test_exit_codes(tmp_path, capsys):
    clean = tmp_path / "clean"
    _put(clean, "甲/flat.xlsx", "000/flat.xlsx")
    _toml(clean / "甲", "000", name="甲")
    _put(clean, "乙/legacy_midway.xls", "001/legacy_midway.xls")
    assert combine_command(clean, tmp_path / "o1", AS_OF, False) == 0
    assert "汇总：2 个单位计入，0 个旧版本未计入，0 个文件无法读取。" in capsys.readouterr().out

    write_xlsx(clean / "丙.xlsx", [HEADER, measure_row(1, "方面", "问题", "问题一", "措施一", "已完了")])
    assert combine_command(clean, tmp_path / "o2", AS_OF, True) == 1
    data = json.loads(capsys.readouterr().out)
    assert [u["errors"] > 0 for u in data["units"] if u["unit"] == "丙"] == [True]

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "坏.xlsx").write_bytes(b"not a workbook")
    (broken / "空.xls").write_bytes(b"")
    assert combine_command(broken, None, AS_OF, True) == 2
    data = json.loads(capsys.readouterr().out)
    assert data["outputs"] == {"workbook": None, "report": None} and len(data["unreadable"]) == 2
    assert not (broken / "输出").exists()

    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(LedgerkitError, match="没有台账文件") as caught:
        combine_command(empty, None, AS_OF, False)
    assert caught.value.exit_code == 2


def test_reading_leaves_inputs_unchanged(tmp_path):
    folder = make_folder(tmp_path)
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in find_ledgers(folder)}
    combine_folder(folder, None, AS_OF)
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in before} == before


# ---- the rule of versions, for all inputs ---------------------------------------------------------


def _read(i: int, unit: str, reported: date | None, mtime: float) -> FileRead:
    path = Path(f"/in/{i}.xlsx")
    ledger = Ledger(str(path), "xlsx", [], unit=unit, reported_date=reported)
    result = Result(path, AS_OF, Config(), ledger, [], summarise(ledger, AS_OF))
    return FileRead(path, mtime, result)


versions = st.lists(
    st.tuples(
        st.sampled_from(["甲单位", "乙单位", " 甲单位 ", ""]),
        st.one_of(st.none(), st.dates(date(2024, 1, 1), date(2025, 12, 31))),
        st.floats(0, 1e9, allow_nan=False),
        st.booleans(),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(versions)
def test_every_file_is_counted_superseded_or_unreadable_once(files):
    reads = [
        _read(i, unit, reported, mtime) if ok else FileRead(Path(f"/in/{i}.xlsx"), mtime, error="坏")
        for i, (unit, reported, mtime, ok) in enumerate(files)
    ]
    c = combine(reads, Path("/in"), AS_OF)
    seen = [u.file for u in c.units] + [s.file for s in c.superseded] + [u.file for u in c.unreadable]
    assert sorted(seen) == sorted(r.path for r in reads)
    named = [u.unit for u in c.units if u.unit in ("甲单位", "乙单位")]
    assert len(named) == len(set(named))  # one counted version per named unit (spaces folded)
    for s in c.superseded:
        by = next(r for r in reads if r.path == s.by)
        old = next(r for r in reads if r.path == s.file)
        group = [r for r in reads if r.result and r.result.ledger.unit.strip() == s.unit]
        if all(r.result.ledger.reported_date for r in group):
            assert (old.result.ledger.reported_date, old.mtime) <= (by.result.ledger.reported_date, by.mtime)
        else:
            assert old.mtime <= by.mtime
    assert c.exit_code == (2 if not c.units else 1 if c.unreadable else 0)


# ---- the outputs ------------------------------------------------------------------------------------


def test_workbook_sheets_and_figures(combined_run):
    from openpyxl import load_workbook

    _, data, _ = combined_run
    path = Path(data["outputs"]["workbook"])
    wb = load_workbook(path)
    assert wb.sheetnames == ["汇总", "逾期清单", "临期清单", "全部措施", "未能读取"]
    ws = wb["汇总"]
    header = [c.value for c in ws[3]]
    assert header[:19] == [
        "序号", "单位", "填报时间", "方面数", "问题数", "具体问题数", "已完成数", "阶段性完成数", "未完成数",
        "完成率", "措施数", "已完成措施数", "逾期数", "临期数", "新建制度数", "完善制度数", "制度数来源",
        "错误", "提醒",
    ]  # fmt: skip
    units = data["units"]
    rows = [[c.value for c in ws[4 + i]] for i in range(len(units) + 1)]
    keys = ("aspects", "problems", "issues", "issues_done", "issues_staged", "issues_not_done")
    after = ("measures", "measures_done", "overdue", "due_soon", "rules_made", "rules_revised")
    for row, u in zip(rows, units, strict=False):
        assert row[1] == u["unit"]
        assert row[3:9] == [u[k] for k in keys]
        assert row[9] == formats.percent_value(u["issues_done"], u["issues"])
        assert row[10:16] == [u[k] for k in after]
        assert row[16] == ("单位已核对" if u["rules_checked"] else "台账统计，请核对")
        assert row[17:19] == [u["errors"], u["warnings"]]
    total = rows[-1]
    t = data["total"]
    assert total[1] == "合计" and total[3:9] == [t[k] for k in keys] and total[10:16] == [t[k] for k in after]
    assert total[9] == formats.percent_value(t["issues_done"], t["issues"])
    assert ws.cell(4, 10).number_format == "0.0%"
    stated = formats.stages_sentence(t["issues"], t["issues_done"], t["issues_staged"], t["issues_not_done"])
    assert any(str(c.value).startswith(stated) for c in ws["A"])
    merged = next(r for r in rows if r[1] == KAIFENG)
    assert merged[2] == datetime(2024, 12, 23)  # 填报时间 as a date
    assert "同一单位的较早版本，未计入（2 个）" in [c.value for c in ws["A"]]

    overdue = wb["逾期清单"]
    listed = [r for r in overdue.iter_rows(min_row=4, values_only=True) if r[0] is not None]
    assert len(listed) == t["overdue"]
    assert [c.value for c in overdue[3]][:7] == [
        "序号",
        "单位",
        "责任领导",
        "责任科室",
        "责任人",
        "整改时限",
        "逾期天数",
    ]
    first = listed[0]
    assert first[1] == units[0]["unit"] and first[2] and first[3] and isinstance(first[5], datetime)
    assert first[6] == (AS_OF - first[5].date()).days > 0
    assert overdue.auto_filter.ref

    everything = wb["全部措施"]
    measures = [r for r in everything.iter_rows(min_row=4, values_only=True) if r[0] is not None]
    assert len(measures) == t["measures"]
    assert {r[0] for r in measures} == {u["unit"] for u in units}
    assert everything.auto_filter.ref.startswith("A3:")
    assert everything.cell(3, 1).value == "单位" and everything.cell(3, 7).value == "整改措施"

    unreadable = wb["未能读取"]
    assert (
        unreadable.cell(4, 2).value == "单位丁/整改台账.xlsx"
        and "不是 Excel 工作簿" in unreadable.cell(4, 3).value
    )

    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        xml = z.read(charts[0]).decode("utf-8")
    assert f"汇总!$B$4:$B${3 + len(units)}<" in xml and f"汇总!$J$4:$J${3 + len(units)}<" in xml


def test_report_docx_in_the_notice_format(combined_run):
    from docx import Document
    from docx.oxml.ns import qn

    _, data, _ = combined_run
    doc = Document(data["outputs"]["report"])
    paras = [p for p in doc.paragraphs if p.text]
    assert paras[0].text == "巡察整改进展情况汇总" and paras[0].style.name == "GwTitle"
    t = data["total"]
    sentence = formats.figures_sentence(
        AS_OF, t["issues"], t["issues_done"], t["measures"], t["measures_done"]
    )
    body = next(p for p in paras if p.text.startswith("本次汇总"))
    assert body.style.name == "GwBody"
    assert f"本次汇总{len(data['units'])}个单位的整改台账。{sentence[:-1]}；" in body.text
    assert f"逾期未完成的整改措施{t['overdue']}条" in body.text and "另有1个文件未能读取" in body.text
    headings = [p.text for p in paras if p.style.name == "GwH1"]
    assert headings == ["一、各单位整改进展", "二、逾期未完成的整改措施", "三、未计入汇总的台账"]
    stages = next(p for p in paras if p.text.startswith("巡察反馈的"))
    assert stages.text.startswith(
        formats.stages_sentence(t["issues"], t["issues_done"], t["issues_staged"], t["issues_not_done"])
        + "；"
        + formats.rules_sentence(t["rules_made"], t["rules_revised"])
    )
    [table] = doc.tables
    assert len(table.rows) == 1 + len(data["units"]) + 1
    assert [c.text for c in table.rows[0].cells][2:] == [
        "具体问题", "完成整改", "阶段性完成", "未完成", "完成率", "逾期措施", "新建制度", "完善制度"
    ]  # fmt: skip

    def cells(f: dict) -> list[str]:
        return [
            str(f["issues"]), str(f["issues_done"]), str(f["issues_staged"]), str(f["issues_not_done"]),
            formats.percent(f["issues_done"], f["issues"]), str(f["overdue"]), str(f["rules_made"]),
            str(f["rules_revised"]),
        ]  # fmt: skip

    for row, u in zip(table.rows[1:], data["units"], strict=False):
        assert [c.text for c in row.cells][1:] == [u["unit"], *cells(u)]
    assert [c.text for c in table.rows[-1].cells][1:] == ["合计", *cells(t)]
    fonts = {
        r._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))
        for c in table.rows[1].cells
        for r in c.paragraphs[0].runs
    }
    assert fonts == {"仿宋_GB2312"}
    units_behind = [u["unit"] for u in data["units"] if u["overdue"]]
    h2 = [p.text for p in paras if p.style.name == "GwH2"]
    assert [re.sub(r"^（.+?）|（\d+项）$", "", h) for h in h2] == units_behind
    kaifeng = next(u for u in data["units"] if u["unit"] == KAIFENG)
    assert f"（{_cn_index(h2, KAIFENG)}）{KAIFENG}（{kaifeng['overdue']}项）" in h2
    assert any("已逾期" in p.text and p.text.startswith("1. ") for p in paras)


def _cn_index(headings: list[str], unit: str) -> str:
    return next(re.match(r"（(.+?)）", h)[1] for h in headings if unit in h)


def test_libreoffice_renders_both(combined_run, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: cannot check the PDF rendering")
    _, data, _ = combined_run
    out = tmp_path / "pdf"
    for key in ("workbook", "report"):
        src = Path(data["outputs"][key])
        work = tmp_path / key  # the two share a stem: one folder each
        work.mkdir()
        subprocess.run(
            [soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
             "--convert-to", "pdf", "--outdir", str(out / key), str(src)],
            check=True, capture_output=True, timeout=240,
        )  # fmt: skip
        pdf = out / key / (src.stem + ".pdf")
        assert pdf.is_file()
        if shutil.which("pdfinfo"):
            info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
            pages = int(re.search(r"Pages:\s+(\d+)", info)[1])
        else:
            pages = pdf.read_bytes().count(b"/Type /Page") - pdf.read_bytes().count(b"/Type /Pages")
        assert pages >= (5 if key == "workbook" else 2)  # five sheets; title, table and lists
        if shutil.which("pdftoppm"):
            subprocess.run(
                ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(work / "p")],
                check=True, timeout=60,
            )  # fmt: skip
            assert list(work.glob("p-*.png"))


# ---- the command line -------------------------------------------------------------------------------


def test_cli_combine_json_and_plain(tmp_path):
    from test_cli import ledgerkit

    folder = make_folder(tmp_path)
    out = tmp_path / "汇总输出"
    proc = ledgerkit("combine", str(folder), "-o", str(out), "--as-of", AS_OF.isoformat(), "--json")
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert data["outputs"] == {"workbook": str(out / WORKBOOK_NAME), "report": str(out / REPORT_NAME)}
    assert {u["unit"] for u in data["units"]} == set(COUNTED)
    assert len(data["superseded"]) == 2 and len(data["unreadable"]) == 1
    assert (out / WORKBOOK_NAME).is_file() and (out / REPORT_NAME).is_file()

    proc = ledgerkit("combine", str(folder), "--as-of", AS_OF.isoformat())
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "汇总：5 个单位计入，2 个旧版本未计入，1 个文件无法读取。"
    assert lines[1].startswith("截至2025年3月3日，具体问题")
    assert "× 单位丁/整改台账.xlsx：" in proc.stdout
    assert f"汇总表：{folder / '输出' / WORKBOOK_NAME}" in lines


def test_cli_combine_usage_errors_are_sentences(tmp_path):
    from test_cli import ledgerkit

    proc = ledgerkit("combine", str(tmp_path / "没有这个文件夹"))
    assert proc.returncode == 2 and "找不到文件夹" in proc.stderr and "Traceback" not in proc.stderr
    proc = ledgerkit("combine", str(tmp_path), "--as-of", "2025-13-01")
    assert proc.returncode == 2 and "--as-of" in proc.stderr
    assert "combine" in ledgerkit("--help").stdout


# ---- writing edge cases -------------------------------------------------------------------------------


def _formula_folder(tmp_path: Path) -> Path:
    """A ledger whose texts start with "=": written as text (xlsxwriter's write_string)."""
    import xlsxwriter

    folder = tmp_path / "in"
    folder.mkdir()
    wb = xlsxwriter.Workbook(str(folder / "公式.xlsx"))
    ws = wb.add_worksheet("整改台账")
    row = measure_row(1, "方面一", "问题一", "=1+1", '=HYPERLINK("http://x")', "正在推进", "2025年2月1日", "")
    for r, values in enumerate([HEADER, row]):
        for c, value in enumerate(values):
            ws.write_string(r, c, str(value))
    wb.close()
    return folder


@pytest.mark.parametrize("stream", [False, True], ids=["held", "streamed"])
def test_text_like_a_formula_stays_text_held_or_streamed(tmp_path, monkeypatch, stream):
    from openpyxl import load_workbook

    from ledgerkit.combine import workbook as combine_workbook

    if stream:  # the constant_memory path of a folder above STREAM_MEASURES measures
        monkeypatch.setattr(combine_workbook, "STREAM_MEASURES", 0)
    combined, outputs = combine_folder(_formula_folder(tmp_path), None, AS_OF)
    wb = load_workbook(outputs["workbook"])
    everything = wb["全部措施"]
    header = [c.value for c in everything[3]]
    row = dict(zip(header, [c.value for c in everything[4]], strict=True))
    assert row["具体问题"] == "=1+1" and row["整改措施"] == '=HYPERLINK("http://x")'
    assert everything.cell(4, header.index("整改措施") + 1).data_type == "s"
    assert wb["逾期清单"].cell(4, 8).value == '=HYPERLINK("http://x")'
    assert wb["汇总"].cell(4, 2).value == "公式" and combined.units[0].unit == "公式"


def test_an_output_that_cannot_be_written_is_one_sentence(tmp_path):
    folder = _formula_folder(tmp_path)
    out = tmp_path / "out"
    (out / REPORT_NAME).mkdir(parents=True)  # a folder where the report should go
    with pytest.raises(LedgerkitError, match="无法保存汇总报告"):
        combine_folder(folder, out, AS_OF)
    assert not [p for p in out.iterdir() if p.name.startswith(".~ledgerkit-")]  # no temporaries left


@pytest.mark.parametrize(
    ("error", "sentence"),
    [
        (PermissionError(errno.EACCES, "Permission denied"), "文件可能正在 Excel 或 WPS 中打开"),
        (OSError(errno.ENOSPC, "No space left on device"), "磁盘空间不足"),
    ],
)
def test_workbook_write_errors_are_the_cleaned_workbooks_sentences(tmp_path, monkeypatch, error, sentence):
    """What xlsxwriter meets at close (wrapped in FileCreateError) is said as for the cleaned
    workbook: a full disk is not "open in Excel"; no temporary file is left."""
    from xlsxwriter.exceptions import FileCreateError
    from xlsxwriter.workbook import Workbook

    def failing_close(self):
        raise FileCreateError(error)

    folder = _formula_folder(tmp_path)
    monkeypatch.setattr(Workbook, "close", failing_close)
    with pytest.raises(LedgerkitError, match=sentence):
        combine_folder(folder, tmp_path / "out", AS_OF)
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".~ledgerkit-")]
