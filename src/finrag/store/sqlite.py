"""The embedded default store: one SQLite file with FTS5 for BM25 and vectors as BLOBs.

* Schema: :mod:`finrag.store.sqlite_migrations` (named, append-only migrations).
* Keyword search: an external-content FTS5 table over each chunk's search text (its section
  heading and text, :attr:`~finrag.documents.model.Chunk.search_text`) ranked with ``bm25()``;
  the question becomes a quoted OR query (:func:`finrag.store.query.fts5_query`), so user text
  is never FTS syntax.
* Vector search: exact cosine with numpy over a per-(tenant, dim) in-memory matrix loaded from the
  float32 BLOBs. Every write bumps the tenant's ``generation`` in the same transaction; a search
  compares it with the cached matrix's generation, so the cache is invalidated by writes from
  this or any other process.
* Hybrid search: the base class fuses both lists in Python with
  :func:`finrag.retrieval.fusion.rrf`.
* Concurrency: WAL journal, one connection per thread, ``BEGIN IMMEDIATE`` for writes.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from finrag.documents.model import Chunk, Document
from finrag.embeddings.base import Vectors
from finrag.errors import ConfigError, EmbeddingError, NotFoundError, StoreError
from finrag.store.base import (
    DocumentInfo,
    ScoredChunk,
    Store,
    check_limit,
    check_tenant,
    prepare_query,
    prepare_vectors,
)
from finrag.store.query import fts5_query
from finrag.store.sqlite_migrations import migrate, scope_token, scope_tokens

__all__ = ["SQLiteStore"]

_PARSED_LIMIT = 200_000
_TIE_MARGIN = 16
_INFO_COLUMNS = "id, tenant, source, format, title, pages, tables, chunks, created_at, sha256"


@dataclass(frozen=True)
class _Matrix:
    """Unit vectors of one tenant and dimension, with the ids needed to map rows back."""

    generation: int
    pks: npt.NDArray[np.int64]
    ids: list[str]
    doc_rows: dict[str, npt.NDArray[np.int64]]
    vectors: npt.NDArray[np.float32]
    # (start, stop) of documents whose rows are contiguous (always, unless pks interleave):
    # a scoped search multiplies a view instead of copying the rows out first.
    doc_spans: dict[str, tuple[int, int]]


class SQLiteStore(Store):
    """A :class:`~finrag.store.base.Store` in one SQLite file (see the module docstring)."""

    name: ClassVar[str] = "sqlite"
    supports_hybrid_sql: ClassVar[bool] = False
    persistent: ClassVar[bool] = True
    multi_process: ClassVar[bool] = True

    def __init__(self, path: str | Path) -> None:
        if str(path) in {"", ":memory:"}:
            raise ConfigError(
                f"sqlite path {str(path)!r} is not a file; use 'memory://' for an in-memory store"
            )
        self.path = Path(path).expanduser()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._matrices: dict[tuple[str, int], _Matrix] = {}
        # Parsed chunks by (tenant, id), valid for one tenant generation: parsing a chunk's JSON
        # costs ~85 us, and a hybrid query touches ~100 of them.
        self._parsed: dict[str, tuple[int, dict[str, Chunk]]] = {}
        # Per tenant and generation: doc_id -> (first pk, last pk, chunk count).
        self._spans: dict[str, tuple[int, dict[str, tuple[int, int, int]]]] = {}
        self._closed = False
        try:
            conn = self._conn()
            conn.execute("PRAGMA journal_mode=WAL")
            migrate(conn)
        except sqlite3.Error as exc:
            self.close()
            raise StoreError(f"cannot open sqlite store at {self.path}: {exc}") from exc

    def __repr__(self) -> str:
        return f"SQLiteStore({str(self.path)!r})"

    # -- connections ------------------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreError(f"sqlite store at {self.path} is closed")
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path, isolation_level=None, timeout=30.0, check_same_thread=False
            )
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; rolled back on any exception."""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        """Close every thread's connection and drop the vector cache."""
        with self._lock:
            connections, self._connections = self._connections, []
            self._matrices.clear()
            self._parsed.clear()
            self._spans.clear()
            self._closed = True
        for conn in connections:
            conn.close()

    # -- writes -----------------------------------------------------------------------------

    def add_document(
        self,
        tenant: str,
        document: Document,
        chunks: Sequence[Chunk],
        vectors: npt.ArrayLike,
        embedder_name: str,
    ) -> bool:
        """Store the document, chunks and vectors in one transaction; False if already held."""
        check_tenant(tenant)
        matrix = prepare_vectors(document, chunks, vectors)
        now = datetime.now(UTC).isoformat()
        scope = scope_tokens(tenant, document.id)
        try:
            with self._write() as conn:
                existing = conn.execute(
                    "SELECT 1 FROM documents WHERE tenant = ? AND (id = ? OR sha256 = ?)",
                    (tenant, document.id, document.sha256),
                ).fetchone()
                if existing is not None:
                    return False
                conn.execute(
                    "INSERT INTO tenants (id, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    (tenant, now),
                )
                conn.execute(
                    "INSERT INTO documents (tenant, id, sha256, source, format, title, pages,"
                    " tables, chunks, embedder, dim, created_at, body)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        tenant,
                        document.id,
                        document.sha256,
                        document.source,
                        document.format,
                        document.title,
                        len(document.pages),
                        len(document.tables),
                        len(chunks),
                        embedder_name,
                        int(matrix.shape[1]),
                        now,
                        document.model_dump_json(),
                    ),
                )
                conn.executemany(
                    "INSERT INTO chunks (tenant, doc_id, id, ordinal, text, body, dim, vector,"
                    " scope) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        (
                            tenant,
                            document.id,
                            chunk.id,
                            chunk.ordinal,
                            chunk.search_text,
                            chunk.model_dump_json(),
                            int(matrix.shape[1]),
                            matrix[i].tobytes(),
                            scope,
                        )
                        for i, chunk in enumerate(chunks)
                    ),
                )
                self._bump(conn, tenant)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot add document {document.id!r}: {exc}") from exc
        return True

    def delete_document(self, tenant: str, doc_id: str) -> None:
        """Remove the document and (by cascade) its chunks, vectors and FTS rows."""
        check_tenant(tenant)
        try:
            with self._write() as conn:
                cursor = conn.execute(
                    "DELETE FROM documents WHERE tenant = ? AND id = ?", (tenant, doc_id)
                )
                if cursor.rowcount == 0:
                    raise NotFoundError(f"document {doc_id!r} not found for tenant {tenant!r}")
                self._bump(conn, tenant)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot delete document {doc_id!r}: {exc}") from exc

    def _bump(self, conn: sqlite3.Connection, tenant: str) -> None:
        conn.execute("UPDATE tenants SET generation = generation + 1 WHERE id = ?", (tenant,))
        with self._lock:
            for key in [key for key in self._matrices if key[0] == tenant]:
                del self._matrices[key]

    # -- reads ------------------------------------------------------------------------------

    def _query(self, sql: str, params: Sequence[Any]) -> list[Any]:
        try:
            return self._conn().execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"sqlite query failed on {self.path}: {exc}") from exc

    def list_tenants(self) -> list[str]:
        """All tenants, sorted."""
        return [str(row[0]) for row in self._query("SELECT id FROM tenants ORDER BY id", ())]

    def get_document(self, tenant: str, doc_id: str) -> Document:
        """The stored Document of this tenant."""
        check_tenant(tenant)
        rows = self._query(
            "SELECT body FROM documents WHERE tenant = ? AND id = ?", (tenant, doc_id)
        )
        if not rows:
            raise NotFoundError(f"document {doc_id!r} not found for tenant {tenant!r}")
        return Document.model_validate_json(rows[0][0])

    def get_document_info(self, tenant: str, doc_id: str) -> DocumentInfo:
        """Listing information of one document of this tenant."""
        check_tenant(tenant)
        rows = self._query(
            f"SELECT {_INFO_COLUMNS} FROM documents WHERE tenant = ? AND id = ?",
            (tenant, doc_id),
        )
        if not rows:
            raise NotFoundError(f"document {doc_id!r} not found for tenant {tenant!r}")
        return _info(rows[0])

    def list_documents(self, tenant: str) -> list[DocumentInfo]:
        """The tenant's documents, oldest first."""
        check_tenant(tenant)
        rows = self._query(
            f"SELECT {_INFO_COLUMNS} FROM documents WHERE tenant = ? ORDER BY created_at, id",
            (tenant,),
        )
        return [_info(row) for row in rows]

    def get_chunks(self, tenant: str, doc_id: str) -> list[Chunk]:
        """The document's chunks in ordinal order."""
        self.get_document_info(tenant, doc_id)
        rows = self._query(
            "SELECT body FROM chunks WHERE tenant = ? AND doc_id = ? ORDER BY ordinal, id",
            (tenant, doc_id),
        )
        return [Chunk.model_validate_json(row[0]) for row in rows]

    def document_metadata(
        self, tenant: str, doc_ids: Collection[str] | None = None
    ) -> dict[str, dict[str, str]]:
        """``Document.metadata`` by id, read with ``json_extract`` (no document is parsed)."""
        check_tenant(tenant)
        sql = "SELECT id, json_extract(body, '$.metadata') FROM documents WHERE tenant = ?"
        params: list[Any] = [tenant]
        if doc_ids is not None:
            if not doc_ids:
                return {}
            sql += " AND id IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(sorted(set(doc_ids))))
        rows = self._query(sql + " ORDER BY id", params)
        return {str(i): json.loads(m) if m else {} for i, m in rows}

    def get_chunks_by_id(self, tenant: str, chunk_ids: Collection[str]) -> list[Chunk]:
        """The tenant's chunks among ``chunk_ids``, ordered by id; unknown ids are skipped."""
        check_tenant(tenant)
        if not chunk_ids:
            return []
        rows = self._query(
            "SELECT c.id, c.body FROM json_each(?) AS wanted CROSS JOIN chunks AS c"
            " ON c.tenant = ? AND c.id = wanted.value ORDER BY c.id",
            (json.dumps(sorted(set(chunk_ids))), tenant),
        )
        cache = self._chunk_cache(tenant)
        return [self._parse(tenant, cid, body, cache) for cid, body in rows]

    # -- search -----------------------------------------------------------------------------

    def keyword_search(
        self,
        tenant: str,
        query: str,
        *,
        limit: int = 10,
        doc_ids: Collection[str] | None = None,
    ) -> list[ScoredChunk]:
        """FTS5 BM25 over chunk text; score is ``-bm25()`` (higher is better)."""
        check_tenant(tenant)
        check_limit(limit)
        terms = fts5_query(query)
        if terms is None or (doc_ids is not None and not doc_ids):
            return []
        generation = self._generation(tenant)
        span = self._pk_span(tenant, generation, doc_ids)
        if span is not None:
            # The searched rows are one contiguous pk range holding only them: restrict FTS5
            # by rowid instead of the scope tokens. Scores are bit-identical (a scope phrase
            # has weight 0 and adds exactly 0.0 to bm25), but FTS5 no longer walks the scope
            # tokens' doclists (every row of the tenant) to compute their unused IDF:
            # about half of the statement's time on a scoped FinanceBench query.
            match = f"text : ({terms})"
            where, params = "chunks_fts MATCH ? AND rowid BETWEEN ? AND ?", [match, *span]
        else:
            match = f'scope : "{scope_token("t", tenant)}" AND text : ({terms})'
            if doc_ids is not None:
                docs = " OR ".join(f'"{scope_token("d", d)}"' for d in sorted(set(doc_ids)))
                match = f"scope : ({docs}) AND {match}"
            where, params = "chunks_fts MATCH ?", [match]
        # bm25() is lower-is-better and weighs only the text column; ties fall back to chunk id
        # so ranks are deterministic. The tenant column check backs up the scope token.
        # Rank inside FTS5 first and join only the best rows; a margin past ``limit`` keeps ties
        # at the cut-off so the final order can break them by chunk id.
        rows = self._query(
            "SELECT c.id, c.body, f.score FROM ("
            " SELECT rowid, -bm25(chunks_fts, 1.0, 0.0) AS score FROM chunks_fts"
            f" WHERE {where} ORDER BY score DESC LIMIT ?"
            ") AS f JOIN chunks AS c ON c.pk = f.rowid WHERE c.tenant = ?"
            " ORDER BY f.score DESC, c.id LIMIT ?",
            (*params, limit + _TIE_MARGIN, tenant, limit),
        )
        cache = self._chunk_cache(tenant, generation)
        return [
            ScoredChunk(self._parse(tenant, cid, body, cache), float(score), keyword_rank=rank)
            for rank, (cid, body, score) in enumerate(rows, start=1)
        ]

    def _pk_span(
        self, tenant: str, generation: int | None, doc_ids: Collection[str] | None
    ) -> tuple[int, int] | None:
        """``(first, last)`` pk when the searched chunks are exactly the rows of one pk range.

        The searched chunks are the tenant's (``doc_ids`` None) or those of ``doc_ids``. A
        document's chunks are inserted in one transaction, so its pks are contiguous unless
        another write interleaved; None (use the scope tokens) whenever the range would hold
        any other row.
        """
        if generation is None:
            return None
        with self._lock:
            cached = self._spans.get(tenant)
        if cached is None or cached[0] != generation:
            rows = self._query(
                "SELECT doc_id, min(pk), max(pk), count(*) FROM chunks WHERE tenant = ?"
                " GROUP BY doc_id",
                (tenant,),
            )
            spans = {str(d): (int(lo), int(hi), int(n)) for d, lo, hi, n in rows}
            cached = (generation, spans)
            with self._lock:
                self._spans[tenant] = cached
        spans = cached[1]
        wanted = spans.keys() if doc_ids is None else set(doc_ids) & spans.keys()
        if not wanted:
            return None
        first = min(spans[d][0] for d in wanted)
        last = max(spans[d][1] for d in wanted)
        # pks are unique, so n rows in [first, last] with n == last - first + 1 fill the range.
        if sum(spans[d][2] for d in wanted) != last - first + 1:
            return None
        return first, last

    def _generation(self, tenant: str) -> int | None:
        rows = self._query("SELECT generation FROM tenants WHERE id = ?", (tenant,))
        return int(rows[0][0]) if rows else None

    def _chunk_cache(self, tenant: str, generation: int | None = None) -> dict[str, Chunk]:
        """This tenant's parsed-chunk cache, emptied when the tenant's generation moved."""
        current = self._generation(tenant) if generation is None else generation
        with self._lock:
            entry = self._parsed.get(tenant)
            if entry is None or entry[0] != current or len(entry[1]) > _PARSED_LIMIT:
                entry = (current or 0, {})
                self._parsed[tenant] = entry
        return entry[1]

    def _parse(
        self, tenant: str, chunk_id: str, body: str, cache: dict[str, Chunk] | None = None
    ) -> Chunk:
        parsed = self._chunk_cache(tenant) if cache is None else cache
        chunk = parsed.get(chunk_id)
        if chunk is None:
            chunk = parsed[chunk_id] = Chunk.model_validate_json(body)
        return chunk

    def vector_search(
        self,
        tenant: str,
        vector: npt.ArrayLike,
        *,
        limit: int = 10,
        doc_ids: Collection[str] | None = None,
    ) -> list[ScoredChunk]:
        """Exact cosine over the tenant's vectors of the query's dimension."""
        check_tenant(tenant)
        check_limit(limit)
        query = prepare_query(vector)
        generation = self._generation(tenant)
        matrix = self._matrix(tenant, int(query.shape[0]), generation)
        if matrix is None or (doc_ids is not None and not doc_ids):
            return []
        if doc_ids is None:
            rows = None
            scores = matrix.vectors @ query
        else:
            # Score only the selected documents' rows: a scoped query over one filing out of
            # many multiplies a few thousand rows instead of the whole matrix, through a view
            # of the matrix when the document's rows are contiguous (no copy).
            picked: list[npt.NDArray[np.int64]] = []
            parts: list[npt.NDArray[np.float32]] = []
            for d in sorted(set(doc_ids)):
                span = matrix.doc_spans.get(d)
                if span is not None:
                    picked.append(np.arange(span[0], span[1], dtype=np.int64))
                    parts.append(matrix.vectors[span[0] : span[1]] @ query)
                elif d in matrix.doc_rows:
                    picked.append(matrix.doc_rows[d])
                    parts.append(matrix.vectors[matrix.doc_rows[d]] @ query)
            if not picked:
                return []
            rows = picked[0] if len(picked) == 1 else np.concatenate(picked)
            scores = parts[0] if len(parts) == 1 else np.concatenate(parts)
        k = min(limit, len(scores))
        top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        index = rows if rows is not None else np.arange(len(matrix.ids))
        ordered = sorted(
            ((int(index[i]), float(scores[i])) for i in top.tolist()),
            key=lambda item: (-item[1], matrix.ids[item[0]]),
        )
        chunks = self._chunks_by_row(tenant, matrix, [row for row, _ in ordered], generation)
        return [
            ScoredChunk(chunks[row], score, vector_rank=rank)
            for rank, (row, score) in enumerate(ordered, start=1)
        ]

    def _chunks_by_row(
        self, tenant: str, matrix: _Matrix, rows: list[int], generation: int | None
    ) -> dict[int, Chunk]:
        """Chunks of matrix rows, from the parsed cache, reading only the misses."""
        cache = self._chunk_cache(tenant, generation)
        out = {row: cache[matrix.ids[row]] for row in rows if matrix.ids[row] in cache}
        missing = [row for row in rows if row not in out]
        if missing:
            bodies = self._bodies(tenant, [int(matrix.pks[row]) for row in missing])
            for row in missing:
                chunk = bodies[int(matrix.pks[row])]
                cache[chunk.id] = out[row] = chunk
        return out

    def _bodies(self, tenant: str, pks: list[int]) -> dict[int, Chunk]:
        # CROSS JOIN fixes the loop order: walk the few wanted pks, look each up by key.
        rows = self._query(
            "SELECT c.pk, c.body FROM json_each(?) AS wanted CROSS JOIN chunks AS c"
            " ON c.pk = wanted.value WHERE c.tenant = ?",
            (json.dumps(pks), tenant),
        )
        return {int(pk): Chunk.model_validate_json(body) for pk, body in rows}

    def _matrix(self, tenant: str, dim: int, generation: int | None) -> _Matrix | None:
        """The cached matrix for (tenant, dim), reloaded when the tenant's generation moved."""
        if generation is None:
            return None
        with self._lock:
            cached = self._matrices.get((tenant, dim))
        if cached is not None and cached.generation == generation:
            return cached
        loaded = self._load_matrix(tenant, dim, generation)
        with self._lock:
            self._matrices[(tenant, dim)] = loaded
        return loaded

    def _load_matrix(self, tenant: str, dim: int, generation: int) -> _Matrix:
        rows = self._query(
            "SELECT pk, id, doc_id, vector FROM chunks WHERE tenant = ? AND dim = ? ORDER BY pk",
            (tenant, dim),
        )
        by_doc: dict[str, list[int]] = {}
        for i, row in enumerate(rows):
            by_doc.setdefault(str(row[2]), []).append(i)
        blob = b"".join(row[3] for row in rows)
        # A copy: a matrix product over the bytes object's read-only buffer ran ~10x slower.
        vectors = np.frombuffer(blob, dtype=np.float32).reshape(len(rows), dim).copy()
        return _Matrix(
            generation=generation,
            pks=np.asarray([row[0] for row in rows], dtype=np.int64),
            ids=[str(row[1]) for row in rows],
            doc_rows={d: np.asarray(ix, dtype=np.int64) for d, ix in by_doc.items()},
            vectors=vectors,
            doc_spans={
                d: (ix[0], ix[-1] + 1) for d, ix in by_doc.items() if ix[-1] - ix[0] + 1 == len(ix)
            },
        )

    # -- embedding cache --------------------------------------------------------------------

    def get_many(self, model: str, keys: Sequence[str]) -> dict[str, Vectors]:
        """Cached float32 vectors among ``keys`` for ``model``."""
        if not keys:
            return {}
        try:
            rows = (
                self._conn()
                .execute(
                    "SELECT e.key, e.dim, e.vector FROM json_each(?) AS wanted"
                    " CROSS JOIN embedding_cache AS e"
                    " ON e.model = ? AND e.key = wanted.value",
                    (json.dumps(list(keys)), model),
                )
                .fetchall()
            )
        except (sqlite3.Error, StoreError) as exc:
            raise EmbeddingError(f"embedding cache read failed on {self.path}: {exc}") from exc
        return {
            str(key): np.frombuffer(blob, dtype=np.float32).reshape(int(dim)).copy()
            for key, dim, blob in rows
        }

    def put_many(self, model: str, items: Mapping[str, Vectors]) -> None:
        """Store vectors for ``model`` by key, overwriting existing entries."""
        if not items:
            return
        records = []
        for key, value in items.items():
            vector = np.ascontiguousarray(value, dtype=np.float32).reshape(-1)
            records.append((model, key, int(vector.shape[0]), vector.tobytes()))
        try:
            with self._write() as conn:
                conn.executemany(
                    "INSERT OR REPLACE INTO embedding_cache (model, key, dim, vector)"
                    " VALUES (?, ?, ?, ?)",
                    records,
                )
        except (sqlite3.Error, StoreError) as exc:
            raise EmbeddingError(f"embedding cache write failed on {self.path}: {exc}") from exc


def _info(row: Sequence[Any]) -> DocumentInfo:
    return DocumentInfo(
        id=row[0],
        tenant=row[1],
        source=row[2],
        format=row[3],
        title=row[4],
        pages=int(row[5]),
        tables=int(row[6]),
        chunks=int(row[7]),
        created_at=datetime.fromisoformat(row[8]),
        sha256=row[9],
    )
