"""``finrag ingest`` end to end through typer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from finrag.documents.cli import ingest

pytestmark = pytest.mark.unit


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("ingest")(ingest)
    app.command("noop")(lambda: None)  # two commands keep "ingest" as a sub-command
    return app


def test_ingest_json_report_and_jsonl(tmp_path: Path, csv_file: Path, html_file: Path) -> None:
    bad = tmp_path / "empty.pdf"
    bad.write_bytes(b"")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(
        _app(), ["ingest", str(csv_file), str(html_file), str(bad), "--json", "--out", str(out)]
    )
    assert result.exit_code == 2, result.output
    report = json.loads(result.stdout)
    assert report["totals"]["files"] == 3 and report["totals"]["failed"] == 1
    assert report["errors"][0]["type"] == "EmptyDocumentError"
    assert report["totals"]["pages_per_second"] >= 0
    kinds = [json.loads(line)["type"] for line in out.read_text().splitlines()]
    assert kinds.count("document") == 2 and kinds.count("chunk") == report["totals"]["chunks"]


def test_ingest_table_output(csv_file: Path) -> None:
    result = CliRunner().invoke(_app(), ["ingest", str(csv_file)])
    assert result.exit_code == 0, result.output
    assert "table." in result.stdout and "1 tables" in result.stdout and "pages/s" in result.stdout


def test_registered_in_main_cli() -> None:
    from finrag.cli import app

    names = {c.name for c in app.registered_commands}
    assert "ingest" in names
