"""`finrag eval qa`: the harness end to end, its report files, and the regression gate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from finrag.cli import app
from support import require_shared

BASELINES = Path(__file__).parent / "baselines"
runner = CliRunner()


def _run(args: list[str], out: Path, store: Path) -> tuple[int, dict]:
    result = runner.invoke(
        app,
        [
            "eval",
            "qa",
            *args,
            "--json",
            "--no-progress",
            "--out",
            str(out),
            "--store",
            f"sqlite:///{store}",
        ],
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    return result.exit_code, (json.loads(lines[-1]) if lines else {"output": result.output})


@pytest.mark.data
def test_finqa_sample_meets_the_committed_baseline(tmp_path: Path) -> None:
    """The CI regression gate: 20 FinQA train records with the offline planner, full pipeline."""
    data = require_shared("finqa", "train_sample100.json")
    baseline = BASELINES / "finqa_train20_offline.json"
    code, report = _run(
        [
            "--dataset",
            "finqa",
            str(data),
            "--limit",
            "20",
            "--planner",
            "offline",
            "--baseline",
            str(baseline),
        ],
        tmp_path / "out",
        tmp_path / "eval.db",
    )
    assert code == 0, report
    metrics = report["metrics"]
    assert metrics["questions"] == 20
    for kind in ("json", "md", "png"):
        assert Path(report["report_files"][kind]).stat().st_size > 0
    assert {"execution_accuracy", "program_accuracy", "latency_p95_ms", "retrieval_recall"} <= set(
        metrics
    )


@pytest.mark.data
def test_gate_fails_when_a_metric_drops(tmp_path: Path) -> None:
    data = require_shared("finqa", "train_sample100.json")
    impossible = tmp_path / "baseline.json"
    impossible.write_text(json.dumps({"metrics": {"execution_accuracy": 1.0}}))
    code, _ = _run(
        [
            "--dataset",
            "finqa",
            str(data),
            "--limit",
            "5",
            "--planner",
            "offline",
            "--baseline",
            str(impossible),
        ],
        tmp_path / "out",
        tmp_path / "eval.db",
    )
    assert code == 1


@pytest.mark.data
def test_tatqa_arithmetic_sample_reports_exact_match(tmp_path: Path) -> None:
    data = require_shared("tatqa", "tatqa_dataset_dev.json")
    code, report = _run(
        ["--dataset", "tatqa", str(data), "--limit", "15", "--planner", "offline"],
        tmp_path / "out",
        tmp_path / "e.db",
    )
    assert code == 0, report
    assert report["metrics"]["questions"] == 15
    assert 0.0 <= report["metrics"]["exact_match"] <= 1.0


@pytest.mark.slow
@pytest.mark.data
@pytest.mark.parametrize(
    ("dataset", "path"),
    [("finqa", ("finqa", "dev_sample200.json")), ("tatqa", ("tatqa", "tatqa_dataset_dev.json"))],
)
def test_full_evaluation_runs(dataset: str, path: tuple[str, str], tmp_path: Path) -> None:
    """The full evaluations quoted in the docs (slow; CI runs the samples above)."""
    code, report = _run(
        ["--dataset", dataset, str(require_shared(*path)), "--planner", "offline"],
        tmp_path / "out",
        tmp_path / "e.db",
    )
    assert code == 0, report


def test_each_evaluation_has_a_store_of_its_own() -> None:
    """BM25 statistics span a store file: an evaluation sharing one with another read
    different evidence depending on which had run first, so each has its own."""
    from finrag.evaluation.qa_cli import qa_store_name

    dev, train = Path("finqa/dev_sample200.json"), Path("finqa/train_sample100.json")
    names = {
        qa_store_name("finqa", [dev], None, False),
        qa_store_name("finqa", [train], None, False),
        qa_store_name("finqa", [train], 20, False),
        qa_store_name("tatqa", [Path("tatqa/tatqa_dataset_dev.json")], None, False),
        qa_store_name("tatqa", [Path("tatqa/tatqa_dataset_dev.json")], None, True),
        qa_store_name("financebench", [Path("financebench/questions_sample.jsonl")], None, False),
    }
    assert len(names) == 6
    # the same evaluation finds its store again, wherever the file is
    assert qa_store_name("finqa", [Path("/elsewhere/dev_sample200.json")], None, False) == (
        qa_store_name("finqa", [dev], None, False)
    )
