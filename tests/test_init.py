"""``ledgerkit init``: blank template, commented config, inbox; nothing overwritten."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from ledgerkit.cli.commands.init import init_command
from ledgerkit.config import CONFIG_NAME, SCHEMA, TEMPLATES_DIR, check_config
from ledgerkit.errors import LedgerkitError
from ledgerkit.model import STATUSES
from ledgerkit.workbook import INSTRUCTIONS_SHEET, LEDGER_SHEET, LISTS_SHEET, STANDARD_HEADERS
from ledgerkit.workflow import init as init_module
from ledgerkit.workflow.init import INBOX_NAME, TEMPLATE_NAME

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ASKED_KEYS = {
    "unit": {"name", "issuer"},
    "inspection": {"committee", "group", "kind", "start", "end", "feedback"},
    "contact": {"phone", "email", "address", "postcode"},
    "notice": {"public", "self_assessment", "next_steps", "label"},
    "mail": {"host", "port", "security", "user", "from", "password_env"},
}


def test_init_writes_the_three_things(tmp_path, capsys):
    folder = tmp_path / "新文件夹"
    assert init_command(folder) == 0
    assert (folder / TEMPLATE_NAME).is_file()
    assert (folder / CONFIG_NAME).read_bytes() == (TEMPLATES_DIR / CONFIG_NAME).read_bytes()
    assert (folder / TEMPLATE_NAME).read_bytes() == (TEMPLATES_DIR / TEMPLATE_NAME).read_bytes()
    assert (folder / INBOX_NAME).is_dir()
    out = capsys.readouterr().out
    assert "新写入：台账模板.xlsx、ledgerkit.toml、inbox/" in out
    assert "未覆盖" not in out
    assert not [p for p in folder.iterdir() if p.name.startswith(".~")]


def test_init_never_overwrites(tmp_path, capsys):
    (tmp_path / CONFIG_NAME).write_text('[unit]\nname = "本单位"\n', encoding="utf-8")
    assert init_command(tmp_path) == 0
    assert (tmp_path / CONFIG_NAME).read_text(encoding="utf-8") == '[unit]\nname = "本单位"\n'
    out = capsys.readouterr().out
    assert "新写入：台账模板.xlsx、inbox/" in out and "已存在，未覆盖：ledgerkit.toml" in out
    (tmp_path / TEMPLATE_NAME).write_bytes(b"filled in by the office")
    assert init_command(tmp_path) == 0
    assert (tmp_path / TEMPLATE_NAME).read_bytes() == b"filled in by the office"
    assert "已存在，未覆盖：台账模板.xlsx、ledgerkit.toml、inbox/" in capsys.readouterr().out


def test_inbox_that_is_a_file_is_a_sentence(tmp_path):
    (tmp_path / INBOX_NAME).write_text("")
    with pytest.raises(LedgerkitError, match="不是文件夹"):
        init_command(tmp_path)


def test_folder_that_is_a_file_is_a_sentence(tmp_path):
    (tmp_path / "x").write_text("")
    with pytest.raises(LedgerkitError, match="不是文件夹"):
        init_command(tmp_path / "x")


def test_template_built_when_templates_folder_is_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(init_module, "TEMPLATES_DIR", tmp_path / "nowhere")
    with pytest.raises(LedgerkitError, match="找不到配置文件模板"):
        init_command(tmp_path / "a")
    assert openpyxl.load_workbook(tmp_path / "a" / TEMPLATE_NAME).sheetnames[0] == LEDGER_SHEET


def test_cli_init(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "ledgerkit", "init", str(tmp_path / "d")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "d" / TEMPLATE_NAME).is_file()


# ---- ledgerkit.toml ------------------------------------------------------------------------


def test_config_example_passes_as_shipped():
    text = (TEMPLATES_DIR / CONFIG_NAME).read_text(encoding="utf-8")
    assert check_config(tomllib.loads(text)) is not None


def test_config_example_keys_are_right_when_uncommented():
    """Every commented example, once enabled, has a known key and the right type."""
    text = (TEMPLATES_DIR / CONFIG_NAME).read_text(encoding="utf-8")
    enabled = re.sub(r"(?m)^# (\w+ = )", r"\1", text)
    data = tomllib.loads(enabled)
    checked = check_config(data)
    # the example documents every key the configuration accepts, and nothing else
    assert {s: set(keys) for s, keys in checked.items()} == {s: set(keys) for s, keys in SCHEMA.items()}
    assert all(set(keys) <= set(checked[s]) for s, keys in ASKED_KEYS.items())
    assert isinstance(checked["inspection"]["start"], date)
    assert checked["mail"]["security"] in ("ssl", "starttls", "none")
    assert "password =" not in text.replace("password_env", "")


# ---- the blank template --------------------------------------------------------------------


def test_template_structure():
    wb = openpyxl.load_workbook(TEMPLATES_DIR / TEMPLATE_NAME)
    assert wb.sheetnames == [LEDGER_SHEET, INSTRUCTIONS_SHEET, LISTS_SHEET]
    assert wb[LISTS_SHEET].sheet_state == "hidden"
    assert [wb[LISTS_SHEET].cell(r, 1).value for r in range(1, 6)] == list(STATUSES)
    ws = wb[LEDGER_SHEET]
    assert [c.value for c in ws[3]] == list(STANDARD_HEADERS.values())
    assert ws.freeze_panes == "A4"
    kinds = {}
    for dv in ws.data_validations.dataValidation:
        col = str(dv.sqref).split(":")[0].rstrip("0123456789")
        kinds[ws.cell(3, openpyxl.utils.column_index_from_string(col)).value] = (dv.type, dv.formula1)
    assert kinds["完成情况"] == ("list", f"'{LISTS_SHEET}'!$A$1:$A$5")
    assert kinds["整改类型"] == ("list", f"'{LISTS_SHEET}'!$B$1:$B$3")
    assert kinds["整改时限"][0] == "date" and kinds["完成时间"][0] == "date"
    notes = [c.value for c in wb[INSTRUCTIONS_SHEET]["A"] if c.value]
    assert notes[0] == "填报说明" and any("立行立改" in n for n in notes)


def _parts(path: Path) -> list[tuple[str, bytes]]:
    """Every part of an .xlsx in order (the template carries a fixed creation time)."""
    with zipfile.ZipFile(path) as zf:
        return [(n, zf.read(n)) for n in zf.namelist()]


def test_template_is_what_the_script_makes(tmp_path):
    from ledgerkit.workbook import write_blank_template

    fresh = write_blank_template(tmp_path / "t.xlsx")
    assert _parts(fresh) == _parts(TEMPLATES_DIR / TEMPLATE_NAME), (
        "templates/台账模板.xlsx is stale: run python scripts/make_ledger_template.py"
    )


def test_filled_template_reads_without_errors(tmp_path):
    pipeline = pytest.importorskip("ledgerkit.pipeline")
    init_command(tmp_path)
    path = tmp_path / TEMPLATE_NAME
    wb = openpyxl.load_workbook(path)
    ws = wb[LEDGER_SHEET]
    ws["A1"] = "测试局巡察反馈问题整改台账"
    ws["A2"] = "填报单位：测试局　　填报时间：2025年3月1日"
    rows = [
        (
            "1",
            "学习贯彻党的创新理论有差距",
            "理论学习不深入",
            "学习流于形式",
            "",
            "制定学习计划",
            "张三",
            "办公室",
            "李四",
            datetime(2025, 1, 31),
            "限期整改",
            "已制定",
            "已完成",
            datetime(2025, 1, 20),
        ),
        (
            "2",
            "学习贯彻党的创新理论有差距",
            "理论学习不深入",
            "学习流于形式",
            "",
            "每月集中学习",
            "张三",
            "办公室",
            "王五",
            "长期坚持",
            "长期坚持",
            "每月开展",
            "长期坚持",
            None,
        ),
        (
            "3",
            "全面从严治党存在薄弱环节",
            "监督不到位",
            "谈话提醒不及时",
            "",
            "建立谈话制度",
            "赵六",
            "纪检组",
            "钱七",
            "立行立改",
            "立行立改",
            "正在起草",
            "正在推进",
            None,
        ),
    ]
    for r, values in enumerate(rows, start=4):
        for c, v in enumerate(values, start=1):
            if v not in ("", None):
                ws.cell(r, c, v)
    wb.save(path)
    result = pipeline.run(path, date(2025, 3, 1))
    assert [f.code for f in result.errors] == []
    assert [m.measure for m in result.ledger.measures] == ["制定学习计划", "每月集中学习", "建立谈话制度"]
    assert [m.status for m in result.ledger.measures] == ["已完成", "长期坚持", "正在推进"]
    assert result.ledger.measures[0].deadline_date == date(2025, 1, 31)
    assert result.ledger.measures[2].deadline_word == "立行立改"
    assert (result.ledger.unit, result.ledger.title) == ("测试局", "测试局巡察反馈问题整改台账")
    assert result.summary.issues == 2 and result.summary.measures == 3


def test_blank_template_is_a_sentence_not_a_crash(tmp_path):
    """Run on the template before filling it in: the reader says so in Chinese (exit 2)."""
    pipeline = pytest.importorskip("ledgerkit.pipeline")
    init_command(tmp_path)
    with pytest.raises(LedgerkitError) as raised:
        pipeline.run(tmp_path / TEMPLATE_NAME, date(2025, 3, 1))
    assert "台账模板.xlsx" in raised.value.message and "整改措施" in raised.value.message
