"""Store fixtures: one ``store`` fixture parametrised over every backend.

PostgreSQL is a real server (``finrag.testing.postgres_server``) started once per session;
when it cannot start, ``support.server_unavailable`` skips (or fails under CI=true).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from finrag.store.base import Store
from finrag.store.sqlite import SQLiteStore
from finrag.testing.memory_store import MemoryStore
from finrag.testing.postgres_server import PostgresServer, PostgresUnavailable
from support import running

BACKENDS = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.integration)]
_TABLES = "store_chunks, store_documents, store_tenants, store_embedding_cache"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a fresh database on a session-wide PostgreSQL 18 + pgvector server."""
    with running(PostgresServer(), "postgresql", PostgresUnavailable) as server:
        yield server.url


@pytest.fixture(scope="session")
def postgres_store(postgres_url: str) -> Iterator[Store]:
    """One PostgresStore per session (migrations run once); tables are emptied per test."""
    from finrag.store.postgres import PostgresStore

    store = PostgresStore(postgres_url)
    try:
        yield store
    finally:
        store.close()


def empty_postgres(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"TRUNCATE {_TABLES}")


def make_store(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    if kind == "memory":
        return MemoryStore()
    if kind == "sqlite":
        return SQLiteStore(tmp_path / f"{kind}-store.db")
    store: Store = request.getfixturevalue("postgres_store")
    empty_postgres(request.getfixturevalue("postgres_url"))
    return store


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store of each backend."""
    backend = make_store(request.param, request, tmp_path)
    try:
        yield backend
    finally:
        if request.param != "postgres":
            backend.close()
