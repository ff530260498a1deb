"""``finrag eval ...`` commands; this module holds ``finrag eval retrieval``.

Registered in :mod:`finrag.cli` with ``app.add_typer(eval_app, name="eval")``. Heavy imports
happen inside the commands so ``finrag --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from finrag.embeddings.base import Embedder
    from finrag.retrieval.hybrid import HybridRetriever
    from finrag.store.base import Store

__all__ = ["eval_app", "retrieval"]

eval_app = typer.Typer(
    help="Evaluate retrieval and question answering on reference data.", no_args_is_help=True
)


@eval_app.callback()
def _group() -> None:
    """Evaluate retrieval and question answering on reference data."""


_ROOT = Path(__file__).resolve().parents[3]
_DATA = _ROOT.parent / "shared" / "data"
_DEFAULT_FINQA = _DATA / "finqa" / "dev_sample200.json"
_DEFAULT_FINANCEBENCH = _DATA / "financebench"


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar on stderr, one task per label; a no-op when disabled."""
    if not enabled:
        yield lambda _label, _done, _total: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    tasks: dict[str, Any] = {}
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=False,
    ) as bar:

        def update(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=total)
            bar.update(tasks[label], completed=done, total=total)

        yield update


def _retriever(
    store: Store, embedder_name: str, reranker_path: Path | None, rerank: bool
) -> HybridRetriever:
    from finrag.embeddings import get_embedder
    from finrag.retrieval.hybrid import HybridRetriever
    from finrag.retrieval.rerank import Reranker

    reranker = Reranker.load(reranker_path) if rerank else None
    return HybridRetriever(store, get_embedder(embedder_name), reranker)


def _open(url: str | None, name: str) -> Store:
    from finrag.evaluation.retrieval import cache_dir
    from finrag.store.registry import open_store

    return open_store(url or f"sqlite:///{cache_dir() / name}")


def _financebench(
    directory: Path, args: dict[str, Any], update: Callable[[str, int, int], None]
) -> dict[str, Any]:
    from finrag.evaluation import retrieval as ev
    from finrag.retrieval.indexing import cached_embedder

    questions = ev.financebench_questions(directory)[: args["limit"] or None]
    pdfs = sorted((directory / "pdfs").glob("*.pdf"))
    probe = _retriever_embedder(args["embedder"])
    key = ev.corpus_key(pdfs, probe)
    with _open(args["store"], f"financebench-{key}.db") as store:
        retriever: HybridRetriever = _retriever(
            store, args["embedder"], args["reranker"], args["rerank"]
        )
        doc_ids = ev.index_financebench(
            directory,
            store,
            cached_embedder(retriever.embedder, ev.embedding_cache()),
            progress=update,
        )
        scoped = ev.evaluate_financebench(questions, doc_ids, retriever, progress=update)
        unscoped = ev.evaluate_financebench(
            questions, doc_ids, retriever, scoped=False, progress=update
        )
        queries = [(q.question, [doc_ids[q.doc_name]]) for q in questions]
        timing = ev.time_queries(retriever, ev.FINANCEBENCH_TENANT, queries)
        chunks = sum(info.chunks for info in store.list_documents(ev.FINANCEBENCH_TENANT))
    return {"scoped": scoped, "unscoped": unscoped, "timing": timing, "chunks": chunks}


def _retriever_embedder(name: str) -> Embedder:
    from finrag.embeddings import get_embedder

    return get_embedder(name)


def _headline(report: dict[str, Any]) -> dict[str, Any]:
    finqa = report.get("finqa") or {}
    bench = report.get("financebench") or {}
    scoped, unscoped = bench.get("scoped") or {}, bench.get("unscoped") or {}
    timing = bench.get("timing") or {}
    return {
        "finqa_recall_at_1": finqa.get("recall_at_1"),
        "finqa_recall_at_3": finqa.get("recall_at_3"),
        "finqa_recall_at_5": finqa.get("recall_at_5"),
        "finqa_all_gold_at_3": finqa.get("all_at_3"),
        "finqa_questions": finqa.get("questions"),
        "financebench_page_recall_at_5": scoped.get("page_recall_at_5"),
        "financebench_page_recall_at_10": scoped.get("page_recall_at_10"),
        "financebench_unscoped_page_recall_at_5": unscoped.get("page_recall_at_5"),
        "financebench_unscoped_page_recall_at_10": unscoped.get("page_recall_at_10"),
        "financebench_questions": scoped.get("questions"),
        "p50_ms": timing.get("p50_ms"),
        "p95_ms": timing.get("p95_ms"),
        "cached_query_p95_ms": timing.get("cached_p95_ms"),
    }


@eval_app.command("retrieval")
def retrieval(
    finqa: list[Path] = typer.Option(
        None, "--finqa", help="FinQA-schema files (default: ../shared/data dev_sample200.json)."
    ),
    financebench: Path | None = typer.Option(
        None, "--financebench", help="FinanceBench folder (questions_sample.jsonl + pdfs/)."
    ),
    store: str | None = typer.Option(
        None, "--store", help="Store URL (default: cached SQLite files under ~/.cache/finrag)."
    ),
    embedder: str = typer.Option("minilm", "--embedder", help="Embedder name."),
    reranker: Path | None = typer.Option(None, "--reranker", help="Reranker artifact JSON."),
    rerank: bool = typer.Option(True, "--rerank/--no-rerank", help="Use the learned reranker."),
    limit: int | None = typer.Option(None, "--limit", help="Evaluate only the first N questions."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    out_dir: Path = typer.Option(Path("outputs/retrieval"), "--out", help="Report folder."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Progress bars."),
) -> None:
    """FinQA evidence recall@1/3/5, FinanceBench page recall@5/10 and warm latency."""
    from finrag.evaluation import retrieval as ev

    finqa_files, bench_dir = list(finqa or []), financebench
    if not finqa_files and bench_dir is None:  # neither given: both defaults, when present
        finqa_files = [_DEFAULT_FINQA] if _DEFAULT_FINQA.exists() else []
        bench_dir = _DEFAULT_FINANCEBENCH if _DEFAULT_FINANCEBENCH.exists() else None
    if not finqa_files and bench_dir is None:
        raise typer.BadParameter("give --finqa FILE and/or --financebench DIR (no data found)")
    args: dict[str, Any] = {
        "embedder": embedder,
        "reranker": reranker,
        "rerank": rerank,
        "store": store,
        "limit": limit,
    }
    report: dict[str, Any] = {"embedder": embedder, "reranker": None, "limit": limit}
    with _progress(progress) as update:
        if finqa_files:
            name = "finqa-" + "-".join(p.stem for p in finqa_files)
            with _open(store, f"{name}-{ev.parser_fingerprint()}.db") as finqa_store:
                retriever = _retriever(finqa_store, embedder, reranker, rerank)
                report["reranker"] = retriever.reranker.version if retriever.reranker else None
                report["finqa"] = ev.evaluate_finqa(
                    finqa_files, finqa_store, retriever, limit=limit, progress=update
                )
                report["finqa"]["files"] = [str(p) for p in finqa_files]
        if bench_dir is not None:
            report["financebench"] = _financebench(bench_dir, args, update)
    report["headline"] = _headline(report)
    dataset = "+".join(
        [*(f"finqa-{p.stem}" for p in finqa_files), *(["financebench"] if bench_dir else [])]
    )
    if not rerank:
        dataset += "_no-rerank"
    path = ev.write_retrieval_report(report, dataset, out_dir)
    if as_json:
        typer.echo(json.dumps({**report["headline"], "report": str(path)}))
        return
    for key, value in report["headline"].items():
        shown = f"{value:.4f}" if isinstance(value, float) else value
        typer.echo(f"{key:42s} {shown}")
    typer.echo(f"report: {path}", err=sys.stderr.isatty())
