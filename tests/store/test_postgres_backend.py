"""What is specific to the PostgreSQL backend, and fusion agreeing across all backends."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import psycopg
import pytest
from psycopg import sql

from finrag.store.base import Store
from finrag.store.postgres import VECTOR_SQL, PostgresStore
from finrag.store.sqlite import SQLiteStore
from finrag.testing.memory_store import MemoryStore
from store.store_data import make_document, make_vectors

pytestmark = pytest.mark.integration


def test_migrations_recorded_and_idempotent(postgres_store: Store, postgres_url: str) -> None:
    assert PostgresStore.supports_hybrid_sql is True
    PostgresStore(postgres_url).close()  # a second open finds the schema at head
    with psycopg.connect(postgres_url) as conn:
        versions = conn.execute("SELECT version_num FROM store_alembic_version").fetchall()
        columns = conn.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_name = 'store_chunks' AND is_generated = 'ALWAYS'"
        ).fetchall()
    assert versions == [("0001_initial",)]
    assert columns == [("tsv",)]


def test_indexes_exist_and_vector_query_can_use_hnsw(
    postgres_store: Store, postgres_url: str
) -> None:
    document, chunks = make_document("indexed", [f"line {i}" for i in range(3000)])
    postgres_store.add_document("t", document, chunks, make_vectors("i", len(chunks)), "e")
    with psycopg.connect(postgres_url) as conn:
        names = {row[0] for row in conn.execute("SELECT indexname FROM pg_indexes")}
        assert {"store_chunks_tsv", "store_chunks_hnsw_384", "store_chunks_hnsw_8"} <= names
        conn.execute("ANALYZE store_chunks")
        statement = sql.SQL("EXPLAIN " + VECTOR_SQL).format(dim=sql.SQL("8"))
        params = {"vec": "[1,0,0,0,0,0,0,0]", "tenant": "t", "doc_ids": None, "limit": 5}
        plan = "\n".join(row[0] for row in conn.execute(statement, params))
    assert "store_chunks_hnsw_8" in plan, plan
    postgres_store.delete_document("t", document.id)


def test_fused_order_is_the_same_on_every_backend(
    postgres_store: Store, postgres_url: str, tmp_path: Path
) -> None:
    """Same data, same query: memory and SQLite fuse in Python, PostgreSQL in SQL."""
    from store.conftest import empty_postgres

    empty_postgres(postgres_url)
    # Equal-length texts whose only difference is how often "revenue" occurs, so BM25 and
    # ts_rank agree on the keyword ranking.
    texts = [
        "revenue revenue revenue alpha",
        "revenue revenue beta gamma",
        "revenue delta epsilon zeta",
        "cash flow from operations",
        "shares repurchased this quarter",
        "dividends paid to holders",
    ]
    document, chunks = make_document("fusion", texts)
    vectors = make_vectors("fusion", len(chunks))
    query_vector = make_vectors("fusion-query", 1)[0]
    results = {}
    backends: list[Store] = [MemoryStore(), SQLiteStore(tmp_path / "f.db"), postgres_store]
    for backend in backends:
        backend.add_document("t", document, chunks, vectors, "e")
        keyword = [h.chunk.id for h in backend.keyword_search("t", "revenue")]
        assert keyword == [chunks[0].id, chunks[1].id, chunks[2].id]
        fused = backend.hybrid_search("t", "revenue", query_vector, limit=10)
        results[backend.name] = [(h.chunk.id, h.keyword_rank, h.vector_rank) for h in fused]
        scores = np.array([h.score for h in fused])
        assert np.all(np.diff(scores) <= 0)
    assert results["memory"] == results["sqlite"] == results["postgres"]
    for backend in backends[:2]:
        backend.close()
