"""The pipeline: read → normalise → validate → summarise. Writers take its Result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .config import Config, load_config, which_unit
from .figures import Summary, summarise
from .model import Finding, Ledger
from .reading.normalise import normalise
from .reading.read import RawWorkbook, read_workbook
from .rules.marks import mark_findings
from .rules.validate import sort_findings, validate
from .support.speed import gc_paused, preload


@dataclass(slots=True)
class Result:
    path: Path
    as_of: date
    config: Config
    ledger: Ledger
    findings: list[Finding]
    summary: Summary

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity != "error"]

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0


def load(path: Path) -> tuple[Ledger, list[Finding]]:
    """Read and normalise one ledger file: plain data, the file closed again (read once)."""
    with gc_paused():
        return from_raw(read_workbook(path))


def from_raw(raw: RawWorkbook) -> tuple[Ledger, list[Finding]]:
    """Normalise what was read, and the row marks' findings: nothing here opens the file."""
    ledger, notes = normalise(raw)
    notes.extend(mark_findings(raw, ledger))
    return ledger, notes


def run(
    path: Path,
    as_of: date | None = None,
    config_path: Path | None = None,
    config: Config | None = None,
    *,
    sort: bool = True,
) -> Result:
    """The pipeline over one file. ``sort=False`` leaves the findings in the order the stages
    found them, for a caller that adds more (the notice's) and sorts all of them once."""
    path = Path(path)
    as_of = as_of or date.today()
    config = config if config is not None else load_config(path, config_path)
    preload("pandera.pandas")  # validation's, imported while the file is read
    ledger, notes = load(path)
    with gc_paused():
        findings = notes + validate(ledger, as_of)
        if sort:
            findings = sort_findings(ledger, findings)
        unit = which_unit(ledger.unit, config.get("unit", "name"), "config")
        summary = summarise(ledger, as_of, unit)
    return Result(path, as_of, config, ledger, findings, summary)
