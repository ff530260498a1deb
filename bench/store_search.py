"""Search latency of the stores over N random chunks (median over Q queries, milliseconds).

Usage::

    .venv/bin/python bench/store_search.py                 # sqlite, 30,000 chunks, dim 384
    .venv/bin/python bench/store_search.py --postgres      # also a throwaway PostgreSQL

Chunks are synthetic sentences of 12 words drawn Zipf-like from a 5,024-word vocabulary plus a
year and an amount, with random vectors (seeded), added as 30 documents of 1,000 chunks; queries
are random vectors and three-word questions with a year. The first
vector search (which loads the SQLite matrix cache) is reported separately as "cold".
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from finrag.documents.model import Chunk, ChunkKind, Document
from finrag.store.base import Store
from finrag.store.sqlite import SQLiteStore

FINANCE_WORDS = [
    "revenue",
    "income",
    "margin",
    "cash",
    "flow",
    "shares",
    "dividend",
    "debt",
    "interest",
    "tax",
    "segment",
    "services",
    "products",
    "europe",
    "asia",
    "growth",
    "decline",
    "operating",
    "net",
    "total",
    "assets",
    "liabilities",
    "equity",
]
# A Zipf-like vocabulary so term selectivity resembles real text, not 24 words in every chunk.
WORDS = FINANCE_WORDS + [f"term{i}" for i in range(5000)]
_WEIGHTS = 1.0 / np.arange(1, len(WORDS) + 1)
PROBS = _WEIGHTS / _WEIGHTS.sum()


def populate(store: Store, n_chunks: int, dim: int, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    per_doc = 1000
    for d in range(max(1, n_chunks // per_doc)):
        sha = hashlib.sha256(f"bench-{d}".encode()).hexdigest()
        doc = Document(id=f"d{sha[:16]}", source=f"bench-{d}.pdf", format="pdf", sha256=sha)
        chunks = []
        sampled = rng.choice(WORDS, size=(per_doc, 12), p=PROBS)
        for i in range(per_doc):
            words = " ".join(sampled[i])
            year = int(rng.integers(2015, 2024))
            text = f"the {words} of {year} is $ {int(rng.integers(100, 99999))} ;"
            chunks.append(
                Chunk(id=f"{doc.id}:p1:s{i}", doc_id=doc.id, kind=ChunkKind.TEXT, text=text,
                      page=1, ordinal=i)
            )  # fmt: skip
        vectors = rng.normal(size=(per_doc, dim)).astype(np.float32)
        store.add_document("bench", doc, chunks, vectors, "random")


def median_ms(fn: Callable[[int], object], repeats: int) -> float:
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def bench(store: Store, dim: int, repeats: int) -> dict[str, float]:
    rng = np.random.default_rng(11)
    queries = rng.normal(size=(repeats + 1, dim)).astype(np.float32)
    questions = [" ".join(rng.choice(WORDS, size=3, p=PROBS)) + " 2019" for _ in range(repeats)]
    start = time.perf_counter()
    store.vector_search("bench", queries[-1], limit=10)
    cold = (time.perf_counter() - start) * 1000
    return {
        "vector (cold)": cold,
        "vector": median_ms(lambda i: store.vector_search("bench", queries[i], limit=10), repeats),
        "keyword": median_ms(lambda i: store.keyword_search("bench", questions[i]), repeats),
        "hybrid": median_ms(
            lambda i: store.hybrid_search("bench", questions[i], queries[i], limit=10), repeats
        ),
    }


def report(name: str, n: int, dim: int, results: dict[str, float], load_s: float) -> None:
    print(f"{name}: {n} chunks, dim {dim}, generated and added in {load_s:.1f} s")
    for what, value in results.items():
        print(f"  {what:<14} median {value:8.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=30_000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--postgres", action="store_true", help="also bench PostgreSQL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, SQLiteStore(Path(tmp) / "bench.db") as store:
        start = time.perf_counter()
        populate(store, args.chunks, args.dim)
        load_s = time.perf_counter() - start
        report("sqlite", args.chunks, args.dim, bench(store, args.dim, args.repeats), load_s)
    if args.postgres:
        from finrag.store.postgres import PostgresStore
        from finrag.testing.postgres_server import PostgresServer

        with PostgresServer() as server, PostgresStore(server.url) as store:
            start = time.perf_counter()
            populate(store, args.chunks, args.dim)
            load_s = time.perf_counter() - start
            report("postgres", args.chunks, args.dim, bench(store, args.dim, args.repeats), load_s)


if __name__ == "__main__":
    main()
