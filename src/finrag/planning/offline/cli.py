"""``finrag train offline``: rebuild the offline planner's model from the shared data."""

from __future__ import annotations

from pathlib import Path

import typer

__all__ = ["offline"]

_DEFAULT_DATA = Path("../shared/data")


def offline(
    data_dir: Path = typer.Option(
        _DEFAULT_DATA, "--data-dir", help="Folder holding finqa/ and tatqa/."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Where to write the artifacts (default: the package's artifacts/)."
    ),
    folds: int = typer.Option(5, "--folds", min=2, help="Cross-validation folds."),
    evidence_k: int = typer.Option(
        8,
        "--evidence-k",
        min=0,
        help="Train on the runtime retriever's top-k chunks per question, as production sees "
        "them (0: every chunk of the record, no store or embedder needed).",
    ),
    cv_repeats: int = typer.Option(
        0,
        "--cv-repeats",
        min=0,
        help="Also cross-validate over N other fold assignments and report mean and sd "
        "(about 40 s each); compare changes on these, one assignment is noisy.",
    ),
) -> None:
    """Train the offline planner on FinQA train + TAT-QA dev and save its artifacts."""
    from rich.console import Console

    from .model import ARTIFACT_DIR
    from .train import train

    console = Console()
    with console.status("training the offline planner (a few minutes)..."):
        model = train(
            data_dir,
            out or ARTIFACT_DIR,
            k=folds,
            log=console.print,
            evidence_k=evidence_k or None,
            repeats=cv_repeats,
        )
    console.print(f"offline model {model.version}, abstention threshold {model.threshold:.3f}")
