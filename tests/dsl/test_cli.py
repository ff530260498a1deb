"""``finrag dsl ...`` and ``finrag demo`` through the real Typer app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from finrag.cli import app

pytestmark = pytest.mark.unit

runner = CliRunner()

FINQA = [
    {
        "id": "X/2019/page_1.pdf-1",
        "table": [["", "2019", "2018"], ["net revenue", "$ 5829", "$ 5735"]],
        "qa": {"program": "subtract(5829, 5735), divide(#0, 5735)", "exe_ans": 0.01639},
    },
    {
        "id": "X/2019/page_1.pdf-2",
        "table": [["", "2019", "2018"], ["net revenue", "$ 5829", "$ 5735"]],
        "qa": {"program": "table_average(net revenue, none)", "exe_ans": 5782.0},
    },
    {"id": "X/2019/page_1.pdf-3", "table": [], "qa": {"program": "divide(1, 0)", "exe_ans": 1}},
]
TATQA = [
    {
        "table": {"uid": "t", "table": []},
        "paragraphs": [],
        "questions": [
            {
                "uid": "q1",
                "answer_type": "arithmetic",
                "derivation": "(44.1-40.3)/40.3",
                "answer": 9.43,
                "scale": "percent",
            },
            {"uid": "q2", "answer_type": "span", "derivation": "", "answer": ["x"], "scale": ""},
            {
                "uid": "q3",
                "answer_type": "arithmetic",
                "derivation": "2-1",
                "answer": 5,
                "scale": "",
            },
        ],
    }
]


def _write(tmp_path: Path, name: str, data: object) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_check_json_counts_both_datasets(tmp_path: Path) -> None:
    files = [_write(tmp_path, "finqa.json", FINQA), _write(tmp_path, "tatqa.json", TATQA)]
    result = runner.invoke(app, ["dsl", "check", *files, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["finqa_total"], report["finqa_reproduced"]) == (3, 2)
    assert (report["tatqa_total"], report["tatqa_reproduced"]) == (2, 1)
    reasons = {f["id"]: f["reason"] for f in report["failures"]}
    assert "division by zero" in reasons["X/2019/page_1.pdf-3"]
    assert "gives 1" in reasons["q3"]


def test_check_table_output(tmp_path: Path) -> None:
    result = runner.invoke(app, ["dsl", "check", _write(tmp_path, "f.json", FINQA)])
    assert result.exit_code == 0
    assert "finqa: 2/3 reproduced" in result.stdout and "Failures" in result.stdout


def test_check_rejects_unknown_files(tmp_path: Path) -> None:
    result = runner.invoke(app, ["dsl", "check", _write(tmp_path, "x.json", {"a": 1})])
    assert result.exit_code == 2
    missing = runner.invoke(app, ["dsl", "check", str(tmp_path / "missing.json")])
    assert missing.exit_code == 2


def test_run_and_schema() -> None:
    result = runner.invoke(app, ["dsl", "run", "subtract(5829, 5735), divide(#0, 5735)"])
    assert result.exit_code == 0 and "(5,829 - 5,735) / 5,735 = 0.0164" in result.stdout
    as_json = runner.invoke(app, ["dsl", "run", '{"steps": [{"op": "add", "args": [1, 2]}]}'])
    assert as_json.exit_code == 0 and "1 + 2 = 3" in as_json.stdout
    bad = runner.invoke(app, ["dsl", "run", "divide(1, 0)"])
    assert bad.exit_code == 1
    schema = runner.invoke(app, ["dsl", "schema"])
    assert json.loads(schema.stdout)["title"] == "FinRAG DSL v2 program"


def test_demo_shows_value_display_calculation_and_rescaling() -> None:
    result = runner.invoke(app, ["dsl", "demo"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "(5,829 - 5,735) / 5,735 = 1.6%" in out
    assert "display:     67.9%" in out
    assert "millions -> thousands" in out
