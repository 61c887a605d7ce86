"""``report FOLDER``: every ledger, in input order, past bad files, worst exit code."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from build import HEADER, measure_row, write_xlsx
from conftest import SAMPLES
from test_cli import ledgerkit


def make_folder(tmp_path):
    folder = tmp_path / "台账"
    folder.mkdir()
    shutil.copy(SAMPLES / "000" / "flat.xlsx", folder / "b 平铺.xlsx")
    shutil.copy(SAMPLES / "001" / "legacy_midway.xls", folder / "a（旧版）.xls")
    write_xlsx(folder / "c 有错.xlsx", [HEADER, measure_row(1, "方面", "问题", "问题一", "措施一", "已完了")])
    (folder / "d 坏文件.xlsx").write_bytes(b"not a workbook")
    (folder / "~$b 平铺.xlsx").write_bytes(b"\x0block")
    (folder / ".hidden.xlsx").write_bytes(b"x")
    (folder / "旧输出（清洗）.xlsx").write_bytes(b"x")
    (folder / "说明.txt").write_text("x")
    (folder / "台账.csv").write_text("方面,问题\n", encoding="utf-8")
    (folder / "子文件夹").mkdir()
    return folder


def test_folder_report_json_in_input_order_worst_exit(tmp_path):
    folder = make_folder(tmp_path)
    proc = ledgerkit(
        "report", str(folder), "-o", str(tmp_path / "out"), "--as-of", "2025-03-03", "--json", "--no-notice"
    )
    assert proc.returncode == 2, proc.stderr
    files = json.loads(proc.stdout)["files"]
    assert [f["file"].rsplit("/", 1)[1] for f in files] == [
        "a（旧版）.xls",
        "b 平铺.xlsx",
        "c 有错.xlsx",
        "d 坏文件.xlsx",
    ]
    assert files[1]["summary"]["measures"] == 108 and files[1]["findings"]["errors"] == 0
    assert files[2]["findings"]["errors"] == 1
    assert files[3]["outputs"] is None and "不是 Excel 工作簿" in files[3]["error"]
    skipped = {Path(s["file"]).name: s["reason"] for s in json.loads(proc.stdout)["skipped"]}
    assert sorted(skipped) == ["台账.csv", "旧输出（清洗）.xlsx", "说明.txt"]
    for f in files[:3]:
        workbook = f["outputs"]["workbook"]
        assert workbook.startswith(str(tmp_path / "out")) and (tmp_path / "out").exists()
        assert f["outputs"]["notice"] is None


def test_folder_report_plain_lines_and_table(tmp_path):
    folder = make_folder(tmp_path)
    (folder / "d 坏文件.xlsx").unlink()
    proc = ledgerkit("report", str(folder), "--as-of", "2025-03-03", "--no-notice")
    assert proc.returncode == 1, proc.stderr
    lines = [line for line in proc.stdout.splitlines() if line[:1] in "√!×"]
    assert [line.split("：")[0] for line in lines] == ["√ a（旧版）.xls", "√ b 平铺.xlsx", "! c 有错.xlsx"]
    assert proc.stdout.splitlines()[-1] == "汇总：3 个台账，通过 2 个，有错误 1 个，无法处理 0 个。"
    # What was left out is said, first, one line a file; lock files, hidden files, folders are not.
    skipped = [line for line in proc.stdout.splitlines() if line.startswith("跳过 ")]
    assert skipped == [
        "跳过 台账.csv：CSV 文件不能作为台账读取，请用 Excel 或 WPS 打开后另存为 .xlsx，再运行一次。",
        "跳过 旧输出（清洗）.xlsx：这是 ledgerkit 写出的清洗台账，不再作为台账处理。",
        "跳过 说明.txt：不是台账文件（只处理 .xlsx .xlsm .xls）。",
    ]
    assert proc.stdout.splitlines()[:3] == skipped
    assert "Traceback" not in proc.stderr
    outputs = sorted(p.relative_to(folder / "输出").as_posix() for p in (folder / "输出").rglob("*.xlsx"))
    assert outputs == [
        "a（旧版）/a（旧版）（清洗）.xlsx",
        "b 平铺/b 平铺（清洗）.xlsx",
        "c 有错/c 有错（清洗）.xlsx",
    ]


def test_each_ledger_gets_its_own_notice(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("flat.xlsx", "dirty.xlsx"):
        shutil.copy(SAMPLES / "000" / name, folder / name)
    shutil.copy(SAMPLES / "000" / "ledgerkit.toml", folder / "ledgerkit.toml")
    proc = ledgerkit("report", str(folder), "-o", str(tmp_path / "out"), "--as-of", "2025-03-03", "--json")
    assert proc.returncode == 0, proc.stderr
    notices = [f["outputs"]["notice"] for f in json.loads(proc.stdout)["files"]]
    assert len(set(notices)) == 2 and all("开封市机关事务中心" in n for n in notices)


def test_folder_of_only_csv_names_what_it_skipped(tmp_path):
    folder = tmp_path / "台账"
    folder.mkdir()
    (folder / "台账.csv").write_text("方面,问题\n", encoding="utf-8")
    proc = ledgerkit("report", str(folder))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "中没有台账文件" in proc.stderr and "台账.csv：CSV 文件不能作为台账读取" in proc.stderr
