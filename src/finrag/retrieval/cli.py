"""``finrag train reranker``: rebuild the committed reranker artifact from training data.

Registered in :mod:`finrag.cli` with ``app.add_typer(train_app, name="train")``.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

__all__ = ["train_app", "train_reranker_command"]

train_app = typer.Typer(
    help="Train the learned components (evidence reranker, offline planner).", no_args_is_help=True
)


@train_app.callback()
def _group() -> None:
    """Train the learned components (evidence reranker, offline planner)."""


_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"


@train_app.command("reranker")
def train_reranker_command(
    finqa: list[Path] = typer.Option(
        None, "--finqa", help="FinQA train files (default: ../shared/data train_sample100.json)."
    ),
    tatqa: list[Path] = typer.Option(
        None, "--tatqa", help="TAT-QA files (default: ../shared/data tatqa_dataset_dev.json)."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Artifact path (default: the committed finrag/retrieval/artifacts)."
    ),
    version: str = typer.Option("3.0.0", "--version", help="Version recorded in the artifact."),
    model: str = typer.Option(
        "auto", "--model", help="auto, lambdarank, gbdt or logistic (auto: best in CV)."
    ),
    embedder: str = typer.Option("minilm", "--embedder", help="Embedder for the candidates."),
    store: str | None = typer.Option(
        None, "--store", help="Store URL for the training corpus (default: a cached SQLite file)."
    ),
) -> None:
    """Ingest FinQA train + TAT-QA, featurise retrieval candidates, fit and write the model."""
    from finrag.embeddings import get_embedder
    from finrag.evaluation.cli import _progress
    from finrag.evaluation.retrieval import reranker_training_store_url
    from finrag.retrieval.rerank import default_artifact_path
    from finrag.retrieval.training import build_training_set, train_reranker
    from finrag.store.registry import open_store

    finqa_files = list(finqa or [_DATA / "finqa" / "train_sample100.json"])
    tatqa_files = list(tatqa or [_DATA / "tatqa" / "tatqa_dataset_dev.json"])
    for path in [*finqa_files, *tatqa_files]:
        if not path.exists():
            raise typer.BadParameter(f"training file {path} not found")
    emb = get_embedder(embedder)
    url = store or reranker_training_store_url(emb.name)
    with _progress(True) as update, open_store(url) as training_store:
        data = build_training_set(
            training_store, emb, finqa=finqa_files, tatqa=tatqa_files, progress=update
        )
    reranker = train_reranker(data, version=version, model=model)
    target = out or default_artifact_path()
    reranker.save(target)
    summary = {"artifact": str(target), "model": reranker.kind, **reranker.metadata}
    typer.echo(json.dumps(summary, indent=2))
