"""Embedding and ingestion throughput on the PepsiCo FY2022 10-K (503 pages).

Prints: MiniLM embedding throughput in chunks/s (one thread, no cache), and end-to-end
ingestion throughput (parse + chunk + embed + store into a fresh SQLite file, embedding cache
empty) in pages/s and chunks/s.

    OMP_NUM_THREADS=1 .venv/bin/python bench/ingest_embed_throughput.py [--sample 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

from finrag.documents.chunking import chunk_document
from finrag.documents.registry import parse_path
from finrag.embeddings import get_embedder
from finrag.retrieval.indexing import embed_chunks, index_paths
from finrag.store.registry import open_store

DATA = Path(
    os.environ.get(
        "FINRAG_SHARED_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )
)
PDF = DATA / "financebench" / "pdfs" / "PEPSICO_2022_10K.pdf"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=2000, help="chunks for the embed-only run")
    parser.add_argument("--embedder", default="minilm")
    args = parser.parse_args()
    if not PDF.exists():
        sys.exit(f"{PDF} not found; set FINRAG_SHARED_DATA")
    embedder = get_embedder(args.embedder)
    embedder.embed(["warm-up"])
    chunks = [c for d in parse_path(PDF) for c in chunk_document(d)]
    sample = chunks[: args.sample]
    started = time.perf_counter()
    embed_chunks(embedder, sample)
    embed_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp, open_store(f"sqlite:///{tmp}/bench.db") as store:
        started = time.perf_counter()
        report, results = index_paths(store, "bench", [PDF], embedder)
        seconds = time.perf_counter() - started
    pages, stored = sum(r.pages for r in results), sum(r.chunks for r in results)
    print(
        json.dumps(
            {
                "embedder": embedder.name,
                "embed_chunks": len(sample),
                "embed_chunks_per_s": round(len(sample) / embed_seconds, 1),
                "ingest_pages": pages,
                "ingest_chunks": stored,
                "ingest_seconds": round(seconds, 1),
                "ingest_pages_per_s": round(pages / seconds, 2),
                "ingest_chunks_per_s": round(stored / seconds, 1),
                "parse_failed": len(report.failed),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
