"""``finrag eval qa``: the end-to-end evaluation harness and its regression gate."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import typer

__all__ = ["qa", "qa_store_name"]


def qa(
    files: list[Path] = typer.Argument(..., exists=True, dir_okay=False, help="Dataset files."),
    dataset: str = typer.Option(
        ..., "--dataset", "-d", help="finqa, tatqa, convfinqa or financebench."
    ),
    planner: str | None = typer.Option(
        None,
        "--planner",
        "-p",
        help="Planner name (default: offline): offline:<cut-off>, openai:<model>, "
        "'offline:0.8|openai:gpt-4o' (fast path), check:openai:gpt-4o (cross-check).",
    ),
    limit: int | None = typer.Option(
        None, "--limit", min=1, help="Evaluate only the first N questions."
    ),
    all_types: bool = typer.Option(
        False, "--all-types", help="TAT-QA: all answer types, not only arithmetic."
    ),
    store: str | None = typer.Option(
        None, "--store", help="Store URL (default: a cached SQLite file)."
    ),
    k: int | None = typer.Option(None, "--k", min=1, max=100, help="Evidence chunks per question."),
    baseline: Path | None = typer.Option(
        None, "--baseline", exists=True, help="Fail if worse than this report."
    ),
    margin: float = typer.Option(
        0.02, "--margin", help="Allowed absolute drop per metric for --baseline."
    ),
    out_dir: Path = typer.Option(Path("outputs/qa"), "--out", help="Report folder."),
    as_json: bool = typer.Option(
        False, "--json", help="Print the report (without examples) as JSON."
    ),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Progress bar on stderr."),
) -> None:
    """Run the whole pipeline on a dataset and report execution/program accuracy, EM, latency, cost."""
    from finrag.config import Settings
    from finrag.errors import FinRAGError
    from finrag.evaluation.cli import _progress
    from finrag.evaluation.qa import evaluate_qa
    from finrag.evaluation.report import compare_to_baseline, report_stem, write_report
    from finrag.evaluation.retrieval import embedding_cache, eval_store_url
    from finrag.runtime import build_runtime

    settings = Settings(
        store_url=store or eval_store_url(qa_store_name(dataset, files, limit, all_types))
    )
    if k is not None:
        settings.retrieval.k = k
    try:
        runtime = build_runtime(settings, cache=embedding_cache())
        with _progress(progress) as update:
            report, results = evaluate_qa(
                runtime,
                dataset,
                files,
                planner=planner,
                limit=limit,
                arithmetic_only=not all_types,
                progress=update,
            )
    except FinRAGError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    report["command"] = "finrag eval qa " + " ".join(sys.argv[3:]) if len(sys.argv) > 3 else ""
    paths = write_report(
        out_dir,
        report_stem(dataset, report["planner"], _label(files, limit, all_types)),
        report,
        results,
    )
    report["report_files"] = {kind: str(path) for kind, path in paths.items()}
    if as_json:
        typer.echo(json.dumps(report, default=str))
    else:
        for key, value in report["metrics"].items():
            typer.echo(
                f"{key:24s} {value:.4f}" if isinstance(value, float) else f"{key:24s} {value}"
            )
        typer.echo(f"report: {paths['md']}")
    if baseline is not None:
        failures = compare_to_baseline(report["metrics"], json.loads(baseline.read_text()), margin)
        for failure in failures:
            typer.echo(f"REGRESSION: {failure}", err=True)
        if failures:
            raise typer.Exit(1)


def _label(files: list[Path], limit: int | None, all_types: bool = False) -> str:
    """The report's name part for the data: file stems, ``-all-types``, ``-n<limit>``."""
    stem = "-".join(p.stem for p in files) + ("-all-types" if all_types else "")
    return f"{stem}-n{limit}" if limit else stem


def qa_store_name(dataset: str, files: Sequence[Path], limit: int | None, all_types: bool) -> str:
    """The cached store of one evaluation: its dataset, files, limit and question types.

    FTS5's BM25 statistics span the whole store file, so one store shared by every evaluation
    made each one's figures depend on which had run before: FinanceBench's "Does AMEX have an
    improving operating margin profile?" flipped from "no" to "yes" once FinQA dev and TAT-QA
    had been indexed beside the filings. (The planner is not part of the key: ``offline`` and
    ``offline:0.75`` read the same documents.)"""
    key = json.dumps([dataset, sorted(Path(f).name for f in files), limit, all_types])
    return "qa-eval-" + hashlib.sha256(key.encode()).hexdigest()[:10]
