"""Acceptance on the shared reference data: gold FinQA programs and TAT-QA derivations."""

from __future__ import annotations

from pathlib import Path

import pytest

from finrag.dsl.check import check_paths
from support import require_shared

pytestmark = pytest.mark.data


def test_gold_programs_and_derivations_reproduce() -> None:
    finqa = require_shared("finqa")
    tatqa = require_shared("tatqa", "tatqa_dataset_dev.json")
    report = check_paths([*sorted(Path(finqa).glob("*.json")), tatqa])
    assert report.total("finqa") >= 300
    assert report.reproduced("finqa") >= 0.99 * report.total("finqa")
    assert report.total("tatqa") >= 718
    assert report.reproduced("tatqa") >= 0.95 * report.total("tatqa")
