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
    # the offline planner gives confidences: the report reads every cut-off above its own
    cutoffs = report["coverage"]["cutoffs"]
    assert [row["answered"] for row in cutoffs] == sorted(
        (row["answered"] for row in cutoffs), reverse=True
    )
    assert "## By confidence cut-off" in Path(report["report_files"]["md"]).read_text()


def _result(
    i: int,
    confidence: float | None,
    correct: bool,
    answered: bool = True,
    planner: str = "offline",
    check: str = "",
):
    from finrag.evaluation.report import ExampleResult

    return ExampleResult(
        id=f"q{i}",
        question="?",
        gold=1.0,
        predicted=1.0 if answered else None,
        display="",
        correct=correct,
        answered=answered,
        program_correct=None,
        program=None,
        gold_program=None,
        abstain_reason=None if answered else "no",
        retrieval_hit=None,
        latency_ms=1.0,
        confidence=confidence,
        planner=planner,
        cross_check=check,
    )


def test_coverage_reads_each_cutoff_from_one_run() -> None:
    """Precision and accuracy at each confidence cut-off, and the confidence AUC."""
    from finrag.evaluation.report import coverage

    results = [
        _result(0, 0.95, True),
        _result(1, 0.85, True),
        _result(2, 0.55, False),
        _result(3, 0.45, True),
        _result(4, 0.15, False),
        _result(5, 0.05, False, answered=False),  # abstained: nothing to score
    ]
    cover = coverage(results)
    assert cover is not None
    rows = {row["min_confidence"]: row for row in cover["cutoffs"]}
    assert rows[0.5]["answered"] == 3 and rows[0.5]["precision"] == pytest.approx(2 / 3)
    assert rows[0.5]["accuracy"] == pytest.approx(2 / 6)
    assert rows[0.9]["answered"] == 1 and rows[0.9]["precision"] == 1.0
    # right answers 0.95, 0.85, 0.45 against wrong 0.55, 0.15: 5 of 6 pairs ordered right
    assert cover["auc"] == pytest.approx(5 / 6)
    assert coverage([_result(0, None, True)]) is None  # a planner without confidences


@pytest.mark.data
def test_chains_and_cross_checks_are_reported_by_planner_and_outcome(tmp_path: Path) -> None:
    """Who answered in a chain, and the precision of checked answers by outcome."""
    from finrag.evaluation.report import by_planner, cross_checks, write_report

    llm = "openai:gpt-4o"
    results = [
        _result(0, 0.9, True),
        _result(1, 0.85, False),
        _result(2, None, True, planner=llm, check="agree"),
        _result(3, None, True, planner=llm, check="agree"),
        _result(4, None, False, planner=llm, check="disagree"),
        _result(5, None, True, planner=llm, check="no reading"),
        _result(6, None, False, answered=False, planner=llm),
    ]
    assert by_planner(results[:2]) is None  # one planner: nothing to split
    assert by_planner(results) == {
        llm: {"n": 5, "answered": 4, "precision": 0.75},
        "offline": {"n": 2, "answered": 2, "precision": 0.5},
    }
    assert cross_checks(results[:2]) is None
    checks = cross_checks(results)
    assert checks is not None
    assert checks["agree"] == {"answered": 2, "share": 0.5, "precision": 1.0}
    assert checks["disagree"] == {"answered": 1, "share": 0.25, "precision": 0.0}
    assert checks["no reading"]["answered"] == 1
    report = {
        "dataset": "finqa",
        "planner": f"offline:0.8|check:{llm}",
        "date": "d",
        "git_rev": "r",
        "scoring_version": "s",
        "files": ["f"],
        "metrics": {"questions": 7},
        "by_planner": by_planner(results),
        "cross_check": checks,
    }
    paths = write_report(tmp_path, "chain", report, results)
    text = Path(paths["md"]).read_text()
    assert "## By answering planner" in text and "| `openai:gpt-4o` | 5 | 4 | 0.750 |" in text
    assert "## Cross-check (answered questions)" in text and "| agree | 2 | 0.500 | 1.000 |" in text


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


@pytest.mark.data
@pytest.mark.integration
def test_an_llm_planner_is_evaluated_end_to_end(tmp_path: Path) -> None:
    """`finrag eval qa --planner openai-compatible:...`, the command a user with a key runs,
    against the local OpenAI-compatible server answering each question with its gold program;
    the same behind the offline fast path and with the cross-check."""
    from finrag.dsl.jsonform import to_json
    from finrag.dsl.parser import parse_program
    from finrag.testing.openai_server import OpenAIServer

    data = require_shared("finqa", "train_sample100.json")
    records = json.loads(data.read_text())[:4]
    small = tmp_path / "finqa4.json"
    small.write_text(json.dumps(records))
    env = {"FINRAG_EMBEDDER": "hash", "FINRAG_LLM__MAX_ATTEMPTS": "1"}
    with OpenAIServer() as server:
        llm = f"openai-compatible:gpt-4o@{server.url}"
        for planner in (llm, f"offline:0.99|check:{llm}"):
            for record in records:
                server.reply(to_json(parse_program(record["qa"]["program"])), usage=(800, 40))
            result = runner.invoke(
                app,
                [
                    "eval", "qa", "--dataset", "finqa", str(small), "--planner", planner,
                    "--json", "--no-progress", "--out", str(tmp_path / "out"),
                    "--store", f"sqlite:///{tmp_path / 'eval.db'}",
                ],
                env=env,
            )  # fmt: skip
            assert result.exit_code == 0, result.output
            report = json.loads(result.stdout.splitlines()[-1])
            metrics = report["metrics"]
            assert report["planner"] == planner and metrics["questions"] == 4
            assert metrics["answered"] == 4 and metrics["execution_accuracy"] == 1.0, report
            assert metrics["prompt_tokens"] == 4 * 800 and metrics["cost_usd"] > 0
        assert len(server.chat_requests) == 8
    # the chain: every question went to the LLM (0.99 is above the offline planner's reach)
    # and each answer carries the offline planner's reading
    assert "by_planner" not in report  # one planner answered everything
    checks = report["cross_check"]
    assert sum(row["answered"] for row in checks.values()) == 4
