"""Named, ordered, append-only schema migrations for the SQLite store.

Each migration is a function registered with :func:`migration`; :func:`migrate` runs, in
definition order, those whose name is not yet in the ``_migrations`` table, each in its own
transaction together with the row recording it. Never edit or reorder a released migration:
append a new one. (The pattern is the one simonw/llm uses for its logs database.)
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

__all__ = ["MIGRATIONS", "applied_migrations", "migrate", "migration"]

Migration = Callable[[sqlite3.Connection], None]

#: Migrations in the order they run.
MIGRATIONS: list[tuple[str, Migration]] = []


def migration(fn: Migration) -> Migration:
    """Register ``fn`` as the next migration, named after the function."""
    if any(name == fn.__name__ for name, _ in MIGRATIONS):
        raise RuntimeError(f"duplicate migration name {fn.__name__!r}")
    MIGRATIONS.append((fn.__name__, fn))
    return fn


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    """Names of the migrations already applied, in the order they ran."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    rows = conn.execute("SELECT name FROM _migrations ORDER BY rowid").fetchall()
    return [str(row[0]) for row in rows]


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply pending migrations; return the names applied now (empty when up to date).

    ``conn`` must be in autocommit mode (``isolation_level=None``); each migration runs inside
    ``BEGIN IMMEDIATE`` so two processes opening a new file do not both apply it.
    """
    applied_now: list[str] = []
    for name, fn in MIGRATIONS:
        conn.execute("BEGIN IMMEDIATE")
        try:
            if name in applied_migrations(conn):
                conn.execute("COMMIT")
                continue
            fn(conn)
            conn.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                (name, datetime.now(UTC).isoformat()),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied_now.append(name)
    return applied_now


@migration
def m001_initial(conn: sqlite3.Connection) -> None:
    """Tenants, documents (JSON body), chunks (JSON body, float32 vector BLOB), FTS5 index."""
    conn.execute(
        """
        CREATE TABLE tenants (
            id TEXT PRIMARY KEY,
            generation INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL
        )
        """
    )
    conn.execute(
        """
        CREATE TABLE documents (
            tenant TEXT NOT NULL REFERENCES tenants(id),
            id TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            source TEXT NOT NULL,
            format TEXT NOT NULL,
            title TEXT NOT NULL,
            pages INTEGER NOT NULL,
            tables INTEGER NOT NULL,
            chunks INTEGER NOT NULL,
            embedder TEXT NOT NULL,
            dim INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            body TEXT NOT NULL,
            PRIMARY KEY (tenant, id)
        )
        """
    )
    conn.execute("CREATE INDEX documents_tenant_sha ON documents (tenant, sha256)")
    conn.execute(
        """
        CREATE TABLE chunks (
            pk INTEGER PRIMARY KEY,
            tenant TEXT NOT NULL,
            doc_id TEXT NOT NULL,
            id TEXT NOT NULL,
            ordinal INTEGER NOT NULL,
            text TEXT NOT NULL,
            body TEXT NOT NULL,
            dim INTEGER NOT NULL,
            vector BLOB NOT NULL,
            UNIQUE (tenant, id),
            FOREIGN KEY (tenant, doc_id) REFERENCES documents (tenant, id) ON DELETE CASCADE
        )
        """
    )
    conn.execute("CREATE INDEX chunks_tenant_doc ON chunks (tenant, doc_id, ordinal)")
    # External-content FTS5 index over chunk text, kept in sync by triggers. porter stems
    # English words; unicode61 with remove_diacritics 2 folds accents; digits are token
    # characters, so years and amounts ("2019", "5829") are searchable terms.
    conn.execute(
        """
        CREATE VIRTUAL TABLE chunks_fts USING fts5(
            text,
            content='chunks',
            content_rowid='pk',
            tokenize='porter unicode61 remove_diacritics 2'
        )
        """
    )
    conn.execute(
        """
        CREATE TRIGGER chunks_fts_insert AFTER INSERT ON chunks BEGIN
            INSERT INTO chunks_fts (rowid, text) VALUES (new.pk, new.text);
        END
        """
    )
    conn.execute(
        """
        CREATE TRIGGER chunks_fts_delete AFTER DELETE ON chunks BEGIN
            INSERT INTO chunks_fts (chunks_fts, rowid, text) VALUES ('delete', old.pk, old.text);
        END
        """
    )


@migration
def m002_embedding_cache(conn: sqlite3.Connection) -> None:
    """Embedding cache for embedded mode: float32 vectors by (model, text key)."""
    conn.execute(
        """
        CREATE TABLE embedding_cache (
            model TEXT NOT NULL,
            key TEXT NOT NULL,
            dim INTEGER NOT NULL,
            vector BLOB NOT NULL,
            PRIMARY KEY (model, key)
        ) WITHOUT ROWID
        """
    )


def scope_tokens(tenant: str, doc_id: str) -> str:
    """FTS5 tokens that let a MATCH expression restrict BM25 to a tenant and its documents.

    Hashed so any tenant name or document id becomes one alphanumeric token the unicode61
    tokenizer keeps whole.
    """
    return f"{scope_token('t', tenant)} {scope_token('d', doc_id)}"


def scope_token(prefix: str, value: str) -> str:
    """One scope token: ``prefix`` + 20 hex digits of sha256(value)."""
    import hashlib

    return "s" + prefix + hashlib.sha256(value.encode("utf-8")).hexdigest()[:20]


@migration
def m003_fts_scope(conn: sqlite3.Connection) -> None:
    """Index a tenant/document scope column in FTS5 so keyword search only ranks rows in scope.

    Without it, ``bm25()`` scores every row matching a common term ("revenue", a year) across
    all tenants before the tenant and document filters apply: ~90 ms over 30k chunks.
    """
    conn.execute("ALTER TABLE chunks ADD COLUMN scope TEXT NOT NULL DEFAULT ''")
    pairs = conn.execute("SELECT DISTINCT tenant, doc_id FROM chunks").fetchall()
    conn.executemany(
        "UPDATE chunks SET scope = ? WHERE tenant = ? AND doc_id = ?",
        [(scope_tokens(t, d), t, d) for t, d in pairs],
    )
    conn.execute("DROP TRIGGER chunks_fts_insert")
    conn.execute("DROP TRIGGER chunks_fts_delete")
    conn.execute("DROP TABLE chunks_fts")
    conn.execute(
        """
        CREATE VIRTUAL TABLE chunks_fts USING fts5(
            text,
            scope,
            content='chunks',
            content_rowid='pk',
            tokenize='porter unicode61 remove_diacritics 2'
        )
        """
    )
    conn.execute("INSERT INTO chunks_fts (chunks_fts) VALUES ('rebuild')")
    conn.execute(
        """
        CREATE TRIGGER chunks_fts_insert AFTER INSERT ON chunks BEGIN
            INSERT INTO chunks_fts (rowid, text, scope) VALUES (new.pk, new.text, new.scope);
        END
        """
    )
    conn.execute(
        """
        CREATE TRIGGER chunks_fts_delete AFTER DELETE ON chunks BEGIN
            INSERT INTO chunks_fts (chunks_fts, rowid, text, scope)
            VALUES ('delete', old.pk, old.text, old.scope);
        END
        """
    )
