"""Warm retrieval latency on the six FinanceBench filings (embedded default: SQLite + MiniLM).

Prints p50/p95 per query for the 29 FinanceBench questions, each scoped to its filing and
unscoped, after a warm-up pass; the query-vector cache is cleared before every timed query so
embedding the question with MiniLM (one thread) is included. The built corpus is cached under
``~/.cache/finrag/retrieval`` keyed by the PDFs' bytes, the embedder and the chunking code.

    OMP_NUM_THREADS=1 .venv/bin/python bench/retrieval_latency.py [--passes 5] [--no-rerank]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

from finrag.embeddings import get_embedder
from finrag.evaluation import retrieval as ev
from finrag.retrieval.hybrid import HybridRetriever
from finrag.retrieval.indexing import cached_embedder
from finrag.retrieval.rerank import Reranker
from finrag.store.registry import open_store

DATA = Path(
    os.environ.get(
        "FINRAG_SHARED_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )
)


def _stderr_progress(label: str, done: int, total: int) -> None:
    if done == total:
        print(f"  {label}: {done}/{total}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--no-rerank", action="store_true")
    parser.add_argument("--embedder", default="minilm")
    args = parser.parse_args()
    directory = DATA / "financebench"
    if not directory.exists():
        sys.exit(f"FinanceBench data not found at {directory}; set FINRAG_SHARED_DATA")
    embedder = get_embedder(args.embedder)
    key = ev.corpus_key(sorted((directory / "pdfs").glob("*.pdf")), embedder)
    with open_store(f"sqlite:///{ev.cache_dir() / f'financebench-{key}.db'}") as store:
        doc_ids = ev.index_financebench(
            directory, store, cached_embedder(embedder, store), progress=_stderr_progress
        )
        reranker = None if args.no_rerank else Reranker.load()
        retriever = HybridRetriever(store, embedder, reranker)
        questions = ev.financebench_questions(directory)
        scoped = [(q.question, [doc_ids[q.doc_name]]) for q in questions]
        unscoped = [(q.question, None) for q in questions]
        chunks = sum(i.chunks for i in store.list_documents(ev.FINANCEBENCH_TENANT))
        result = {
            "corpus_chunks": chunks,
            "reranker": reranker.version if reranker else None,
            "scoped": ev.time_queries(
                retriever, ev.FINANCEBENCH_TENANT, scoped, passes=args.passes
            ),
            "unscoped": ev.time_queries(
                retriever, ev.FINANCEBENCH_TENANT, unscoped, passes=args.passes
            ),
        }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
