"""Warm retrieval latency on the six FinanceBench filings (embedded default: SQLite + MiniLM).

With the question embedded by the fp32 MiniLM graph, by the int8 graph on one thread and by
the int8 graph on two threads (the default), each on a worker thread while the keyword search
runs (the default), and the default once more with the question embedded first on the calling
thread (``int8-2t-serial``, ``HybridRetriever(overlap=False)``), prints p50/p95 per
query for the 29 FinanceBench questions, scoped to their filing and unscoped, measured as
``finrag eval retrieval`` does (:func:`finrag.evaluation.retrieval.time_queries`: one warm-up pass, then the
query-vector cache cleared before every timed query, so embedding the question with MiniLM on
is included). The configurations take turns on every query and the whole measurement
is repeated; the figures are medians over the repeats, so a neighbour's burst on a shared
machine hits both alike. ``cpu_*`` is process CPU time per uncached query.
Then a per-stage breakdown (p50/p95 ms per call) for fp32 and int8.

The built corpus is cached under ``~/.cache/finrag/retrieval`` keyed by the PDFs' bytes, the
embedder and the chunking code.

    OMP_NUM_THREADS=1 .venv/bin/python bench/retrieval_latency.py [--passes 3] [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

from finrag.embeddings.minilm import MiniLMEmbedder
from finrag.evaluation import retrieval as ev
from finrag.evaluation.report import percentile
from finrag.retrieval.hybrid import HybridRetriever
from finrag.retrieval.indexing import cached_embedder
from finrag.retrieval.rerank import Reranker
from finrag.store.registry import open_store

DATA = Path(
    os.environ.get(
        "FINRAG_SHARED_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )
)

#: name -> (int8 question graph, question threads, embed while the keyword search runs);
#: "int8-2t" is the default configuration
CONFIGS = {
    "fp32": (False, 1, True),
    "int8": (True, 1, True),
    "int8-2t": (True, 2, True),
    "int8-2t-serial": (True, 2, False),
}


def _stderr_progress(label: str, done: int, total: int) -> None:
    if done == total:
        print(f"  {label}: {done}/{total}", file=sys.stderr)


def _stages(
    retriever: HybridRetriever,
    queries: Sequence[tuple[str, Sequence[str] | None]],
    passes: int,
) -> dict[str, dict[str, float]]:
    """p50/p95 ms of each stage of retrieval (instance attributes wrapped)."""
    times: dict[str, list[float]] = defaultdict(list)

    def wrap(owner: Any, attribute: str, label: str) -> None:
        inner: Callable[..., Any] = getattr(owner, attribute)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                times[label].append((time.perf_counter() - started) * 1000)

        setattr(owner, attribute, timed)

    wrap(retriever.query_vectors.embedder, "embed_query", "embed question (MiniLM)")
    wrap(retriever.store, "keyword_search", "keyword_search (FTS5 bm25)")
    wrap(retriever.store, "vector_search", "vector_search")
    wrap(retriever, "_with_cosines", "cosines (chunk + label vectors)")
    if retriever.reranker is not None:
        wrap(retriever.reranker, "score", "reranker.score")
    try:
        totals: list[float] = []
        for _ in range(passes):
            for question, scope in queries:
                retriever.query_vectors.clear()
                started = time.perf_counter()
                retriever.retrieve(ev.FINANCEBENCH_TENANT, question, doc_ids=scope, k=10)
                totals.append((time.perf_counter() - started) * 1000)
        times["total"] = totals
    finally:
        for owner in (
            retriever.query_vectors.embedder,
            retriever.store,
            retriever,
            retriever.reranker,
        ):
            if owner is not None:
                vars(owner).pop("embed_query", None)
                for name in ("keyword_search", "vector_search", "_with_cosines", "score"):
                    vars(owner).pop(name, None)
    return {
        label: {"p50_ms": round(percentile(v, 50), 2), "p95_ms": round(percentile(v, 95), 2)}
        for label, v in times.items()
    }


def _interleaved(
    retrievers: dict[str, HybridRetriever],
    queries: Sequence[tuple[str, Sequence[str] | None]],
    passes: int,
) -> dict[str, dict[str, float]]:
    """:func:`finrag.evaluation.retrieval.time_queries` for every retriever, interleaved.

    Same measurement (a warm-up pass, then the query-vector LRU cleared before each timed
    query, then the same query again with its vector cached), but the retrievers take turns
    on every query, in an order rotated per query, so load from other processes falls on all
    of them alike.
    """
    names = list(retrievers)
    for retriever in retrievers.values():
        for question, scope in queries:
            retriever.retrieve(ev.FINANCEBENCH_TENANT, question, doc_ids=scope, k=10)
    cold: dict[str, list[float]] = defaultdict(list)
    cached: dict[str, list[float]] = defaultdict(list)
    cpu: dict[str, list[float]] = defaultdict(list)
    turn = 0
    for _ in range(passes):
        for question, scope in queries:
            turn += 1
            for name in names[turn % len(names) :] + names[: turn % len(names)]:
                retriever = retrievers[name]
                retriever.query_vectors.clear()
                cpu_started = time.process_time()
                started = time.perf_counter()
                retriever.retrieve(ev.FINANCEBENCH_TENANT, question, doc_ids=scope, k=10)
                cold[name].append((time.perf_counter() - started) * 1000)
                cpu[name].append((time.process_time() - cpu_started) * 1000)
                started = time.perf_counter()
                retriever.retrieve(ev.FINANCEBENCH_TENANT, question, doc_ids=scope, k=10)
                cached[name].append((time.perf_counter() - started) * 1000)
    return {
        name: {
            "p50_ms": percentile(cold[name], 50),
            "p95_ms": percentile(cold[name], 95),
            "cached_p50_ms": percentile(cached[name], 50),
            "cached_p95_ms": percentile(cached[name], 95),
            "cpu_p50_ms": percentile(cpu[name], 50),
            "cpu_p95_ms": percentile(cpu[name], 95),
        }
        for name in names
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=3, help="timed passes per measurement")
    parser.add_argument("--repeats", type=int, default=5, help="measurements per configuration")
    parser.add_argument("--no-rerank", action="store_true")
    parser.add_argument("--configs", default=",".join(CONFIGS), help="comma-separated subset")
    args = parser.parse_args()
    directory = DATA / "financebench"
    if not directory.exists():
        sys.exit(f"FinanceBench data not found at {directory}; set FINRAG_SHARED_DATA")
    chosen = [name.strip() for name in args.configs.split(",") if name.strip()]
    embedders = {
        name: MiniLMEmbedder(query_int8=q8, query_threads=threads)
        for name, (q8, threads, _) in CONFIGS.items()
    }
    fp32 = embedders["fp32"]
    key = ev.corpus_key(sorted((directory / "pdfs").glob("*.pdf")), fp32)
    with open_store(f"sqlite:///{ev.cache_dir() / f'financebench-{key}.db'}") as store:
        doc_ids = ev.index_financebench(
            directory, store, cached_embedder(fp32, store), progress=_stderr_progress
        )
        reranker = None if args.no_rerank else Reranker.load()
        retrievers = {
            name: HybridRetriever(store, embedders[name], reranker, overlap=CONFIGS[name][2])
            for name in CONFIGS
            if name in chosen
        }
        questions = ev.financebench_questions(directory)
        scopes: dict[str, list[tuple[str, Sequence[str] | None]]] = {
            "scoped": [(q.question, [doc_ids[q.doc_name]]) for q in questions],
            "unscoped": [(q.question, None) for q in questions],
        }
        runs: dict[str, dict[str, list[dict[str, float]]]] = defaultdict(lambda: defaultdict(list))
        for repeat in range(args.repeats):
            for scope, queries in scopes.items():
                for name, timing in _interleaved(retrievers, queries, args.passes).items():
                    runs[name][scope].append(timing)
            print(f"  repeat {repeat + 1}/{args.repeats}", file=sys.stderr)
        latency = {
            name: {
                scope: {
                    key: round(statistics.median(t[key] for t in timings), 2)
                    for key in (
                        "p50_ms",
                        "p95_ms",
                        "cached_p50_ms",
                        "cached_p95_ms",
                        "cpu_p50_ms",
                        "cpu_p95_ms",
                    )
                }
                for scope, timings in by_scope.items()
            }
            for name, by_scope in runs.items()
        }
        stages = {
            name: _stages(retriever, scopes["scoped"], args.passes)
            for name, retriever in retrievers.items()
        }
        result = {
            "corpus_chunks": sum(i.chunks for i in store.list_documents(ev.FINANCEBENCH_TENANT)),
            "reranker": reranker.version if reranker else None,
            "queries_per_measurement": len(questions) * args.passes,
            "repeats": args.repeats,
            "load_average": os.getloadavg(),
            "latency_median_over_repeats": latency,
            "stages_scoped": stages,
        }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
