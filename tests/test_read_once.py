"""The input is read once (issue 20): every later stage works from what the reading stage handed
forward, so a file replaced or deleted after it was read changes nothing, and nothing but
``read.read_bytes`` opens it."""

from __future__ import annotations

import builtins
import io
from datetime import date
from pathlib import Path

from build import HEADER, measure_row

from ledgerkit.pipeline import from_raw, run
from ledgerkit.reading.read import read_workbook
from ledgerkit.rules.validate import sort_findings, validate

AS_OF = date(2025, 3, 3)


def _ledger(path: Path) -> Path:
    """A ledger exercising every part reader: a formula saved without a result, a saved error, a
    hidden column, a struck-through row and a green row with empty statuses."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("整改台账")
    ws.write_row(0, 0, HEADER)
    rows = [
        measure_row(i, "方面甲", "问题甲", f"问题{i}", f"措施{i}", status="", done="") for i in range(1, 6)
    ]
    struck, green = wb.add_format({"font_strikeout": True}), wb.add_format({"bg_color": "#92D050"})
    for r, row in enumerate(rows, start=1):
        ws.write_row(r, 0, row, struck if r == 2 else green if r == 3 else None)
    ws.write_formula(4, 8, "=A1", None, "")  # a deadline saved with no result
    ws.write_formula(5, 5, "=#REF!", None, "#REF!")  # leader: a saved error value
    ws.write(0, 13, "旧完成情况")
    ws.write(1, 13, "已完成")
    ws.set_column(13, 13, None, None, {"hidden": True})
    wb.close()
    return path


def _figures(result_findings, summary) -> tuple:
    return [(f.code, f.sheet, f.cell, f.message) for f in result_findings], summary


def test_a_file_replaced_after_reading_changes_nothing(tmp_path):
    path = _ledger(tmp_path / "台账.xlsx")
    expected = run(path, AS_OF)
    assert {f.code for f in expected.findings} >= {"status-empty-but-marked", "formula-unreadable"}

    raw = read_workbook(path)
    path.write_bytes(b"not a workbook any more")  # replaced mid-read: the rest must not look
    ledger, notes = from_raw(raw)
    found = sort_findings(ledger, notes + validate(ledger, AS_OF))
    assert [(f.code, f.cell) for f in found] == [(f.code, f.cell) for f in expected.findings]
    assert ledger == expected.ledger
    assert raw.sheets[0].hidden_cols == frozenset({13})
    assert raw.sheets[0].marks == {2: "strike", 3: "green"}  # 0-based rows 3 and 4

    path.unlink()  # and gone altogether
    assert from_raw(raw) == (ledger, notes)


def test_the_file_is_opened_once(tmp_path, monkeypatch):
    path = _ledger(tmp_path / "台账.xlsx")
    opened: list[str] = []
    real_open = builtins.open

    def counting_open(file, *args, **kwargs):
        if str(file) == str(path):
            opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", counting_open)
    monkeypatch.setattr(io, "open", counting_open)  # zipfile and pathlib open through io.open
    result = run(path, AS_OF)
    assert result.ledger.measures and opened == [str(path)]
