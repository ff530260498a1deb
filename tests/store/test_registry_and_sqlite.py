"""open_store by URL, and what is specific to the SQLite backend."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import numpy as np
import pytest

from finrag.errors import ConfigError
from finrag.store import known_schemes, open_store
from finrag.store.sqlite import SQLiteStore
from finrag.store.sqlite_migrations import MIGRATIONS, applied_migrations
from finrag.testing.memory_store import MemoryStore
from store.store_data import acme, globex, make_document, make_vectors


def test_open_store_by_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(open_store("memory://"), MemoryStore)
    with open_store(f"sqlite:///{tmp_path}/a.db") as store:
        assert isinstance(store, SQLiteStore) and store.path == tmp_path / "a.db"
    with open_store(str(tmp_path / "b.db")) as store:
        assert isinstance(store, SQLiteStore) and store.path == tmp_path / "b.db"
    monkeypatch.chdir(tmp_path)
    with open_store("sqlite:///relative.db") as store:
        assert isinstance(store, SQLiteStore) and store.path == Path("relative.db")
    assert (tmp_path / "relative.db").exists()


def test_unknown_scheme_lists_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"known schemes: .*memory://.*sqlite://"):
        open_store("mongodb://localhost/x")
    with pytest.raises(ConfigError):
        open_store("")
    with pytest.raises(ConfigError):
        open_store("sqlite:///:memory:")
    assert {"memory", "postgres", "postgresql", "sqlite"} <= set(known_schemes())


def test_capability_flags() -> None:
    assert SQLiteStore.supports_hybrid_sql is False and SQLiteStore.persistent is True
    assert MemoryStore.persistent is False


def test_migrations_are_recorded_once(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    SQLiteStore(path).close()
    SQLiteStore(path).close()
    with sqlite3.connect(path) as conn:
        names = [row[0] for row in conn.execute("SELECT name FROM _migrations ORDER BY rowid")]
        journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
    assert (
        names
        == [name for name, _ in MIGRATIONS]
        == [
            "m001_initial",
            "m002_embedding_cache",
            "m003_fts_scope",
        ]
    )
    assert journal == "wal"


def test_data_survives_reopening(tmp_path: Path) -> None:
    document, chunks, vectors = acme()
    with SQLiteStore(tmp_path / "p.db") as store:
        store.add_document("t", document, chunks, vectors, "e")
        store.put_many("m", {"k": vectors[0]})
    with SQLiteStore(tmp_path / "p.db") as store:
        assert store.get_document("t", document.id) == document
        assert store.vector_search("t", vectors[1])[0].chunk.id == chunks[1].id
        assert np.array_equal(store.get_many("m", ["k"])["k"], vectors[0])


def test_vector_cache_follows_writes_from_another_connection(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    reader, writer = SQLiteStore(path), SQLiteStore(path)
    document, chunks, vectors = acme()
    writer.add_document("t", document, chunks, vectors, "e")
    assert len(reader.vector_search("t", vectors[0], limit=50)) == 6  # now cached
    other, other_chunks, other_vectors = globex()
    writer.add_document("t", other, other_chunks, other_vectors, "e")
    hits = reader.vector_search("t", other_vectors[1], limit=50)
    assert len(hits) == 10 and hits[0].chunk.id == other_chunks[1].id
    writer.delete_document("t", document.id)
    assert len(reader.vector_search("t", vectors[0], limit=50)) == 4
    reader.close()
    writer.close()


def test_threads_share_one_store(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "threads.db")
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            document, chunks = make_document(f"company{n}", [f"revenue of company{n} rose"])
            vectors = make_vectors(f"company{n}", len(chunks))
            store.add_document("t", document, chunks, vectors, "e")
            assert store.vector_search("t", vectors[0])[0].chunk.id == chunks[0].id
            assert store.keyword_search("t", f"company{n}")
        except BaseException as exc:  # collected and re-raised in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(store.list_documents("t")) == 8
    store.close()


def test_tenant_filter_is_in_sql(tmp_path: Path) -> None:
    """Another tenant's chunks with the same ids never leak through the FTS join."""
    store = SQLiteStore(tmp_path / "iso.db")
    document, chunks, vectors = acme()
    store.add_document("a", document, chunks, vectors, "e")
    store.add_document("b", document, chunks, vectors, "e")
    store.delete_document("a", document.id)
    assert store.keyword_search("a", "revenue") == []
    assert len(store.keyword_search("b", "revenue", limit=50)) == 3
    store.close()


def test_fts_scope_migration_backfills_existing_rows(tmp_path: Path) -> None:
    """A store written before m003 keeps keyword search working, scoped, after upgrading."""
    path = tmp_path / "old.db"
    document, chunks, vectors = acme()
    conn = sqlite3.connect(path, isolation_level=None)
    applied_migrations(conn)
    for name, fn in MIGRATIONS[:2]:
        fn(conn)
        conn.execute("INSERT INTO _migrations (name, applied_at) VALUES (?, 'then')", (name,))
    conn.execute("INSERT INTO tenants (id, created_at) VALUES ('t', 'then')")
    conn.execute(
        "INSERT INTO documents VALUES ('t', ?, ?, 's', 'pdf', '', 1, 1, ?, 'e', ?, 'then', ?)",
        (document.id, document.sha256, len(chunks), vectors.shape[1], document.model_dump_json()),
    )
    conn.executemany(
        "INSERT INTO chunks (tenant, doc_id, id, ordinal, text, body, dim, vector)"
        " VALUES ('t', ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                document.id,
                c.id,
                c.ordinal,
                c.text,
                c.model_dump_json(),
                vectors.shape[1],
                vectors[i].astype("float32").tobytes(),
            )
            for i, c in enumerate(chunks)
        ],
    )
    conn.close()
    with SQLiteStore(path) as store:
        word = "revenue"
        hits = store.keyword_search("t", word, doc_ids=[document.id])
        assert hits and any(h.chunk.id == chunks[0].id for h in hits)
        assert store.keyword_search("other", word) == []
