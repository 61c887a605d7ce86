"""The bits of an .xlsx that calamine does not expose, read straight from its XML parts.

Only formula cells are needed: calamine returns a formula's cached value, and an empty
string when the file was saved without one (some export tools do that). Every parse goes
through defusedxml, so entity bombs in a hostile file are refused.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path

from defusedxml import ElementTree as SafeET

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL = re.compile(r"([A-Z]+)(\d+)")


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part path inside the zip."""
    wb = SafeET.fromstring(zf.read("xl/workbook.xml"))
    rels = SafeET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{PKG_REL}Relationship")}
    parts = {}
    for sheet in wb.iter(f"{NS}sheet"):
        target = targets.get(sheet.get(f"{REL_NS}id"), "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
        parts[sheet.get("name", "")] = path
    return parts


def formula_cells_without_value(path: Path) -> dict[str, list[tuple[int, int]]]:
    """Sheet name -> 0-based (row, col) of formula cells that carry no cached value."""
    found: dict[str, list[tuple[int, int]]] = {}
    with zipfile.ZipFile(path) as zf:
        for name, part in sheet_parts(zf).items():
            if part not in zf.namelist() or not _has_formulas(zf, part):
                continue
            cells = _scan(zf, part)
            if cells:
                found[name] = cells
    return found


def _has_formulas(zf: zipfile.ZipFile, part: str) -> bool:
    with zf.open(part) as fh:
        tail = b""
        while chunk := fh.read(1 << 20):
            if b"<f>" in tail + chunk or b"<f " in tail + chunk:
                return True
            tail = chunk[-3:]
    return False


def _scan(zf: zipfile.ZipFile, part: str) -> list[tuple[int, int]]:
    cells = []
    with zf.open(part) as fh:
        for _event, el in SafeET.iterparse(fh, events=("end",)):
            if el.tag != f"{NS}c":
                continue
            f = el.find(f"{NS}f")
            if f is not None:
                v = el.find(f"{NS}v")
                is_ = el.find(f"{NS}is")
                if (v is None or not (v.text or "")) and is_ is None:
                    cells.append(_rc(el.get("r", "")))
            el.clear()
    return [c for c in cells if c[0] >= 0]


def _rc(ref: str) -> tuple[int, int]:
    m = _CELL.fullmatch(ref)
    if not m:
        return (-1, -1)
    col = 0
    for ch in m[1]:
        col = col * 26 + ord(ch) - 64
    return (int(m[2]) - 1, col - 1)
