"""Shared fixtures: the sample ledgers in ../shared/samples and workbook builders."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = Path(os.environ.get("LEDGERKIT_SAMPLES", ROOT.parent / "shared" / "samples"))


def sample_files() -> list[Path]:
    return sorted(p for p in SAMPLES.glob("*/*.xls*") if truth_path(p).exists())


def truth_path(path: Path) -> Path:
    return path.with_name(path.name.rsplit(".", 1)[0] + ".truth.json")


def load_truth(path: Path) -> dict:
    return json.loads(truth_path(path).read_text(encoding="utf-8"))


SAMPLE_IDS = [f"{p.parent.name}/{p.name}" for p in sample_files()]


@pytest.fixture(params=sample_files(), ids=SAMPLE_IDS)
def sample(request) -> Path:
    return request.param
