"""The production store: PostgreSQL with pgvector (HNSW) and a tsvector column (GIN).

* Schema: Alembic revisions in :mod:`finrag.store.pg_migrations`, applied by :func:`migrate`
  when the store opens (config built in code; no ``alembic.ini`` at run time).
* Keyword search: ``ts_rank`` over a ``tsvector`` column generated from each chunk's search text
  (section heading and text, :attr:`~finrag.documents.model.Chunk.search_text`; ``'english'``
  config) with a
  GIN index; the question becomes a quoted OR ``tsquery`` (:func:`finrag.store.query.tsquery`).
* Vector search: cosine distance ``<=>`` on an untyped ``vector`` column cast to the query's
  dimension, served by a partial HNSW index per dimension (created on first write of that
  dimension), with ``hnsw.iterative_scan`` so tenant filters do not starve the result.
* Hybrid search: one SQL statement (:data:`HYBRID_SQL`) ranking keyword and vector candidates
  in CTEs and fusing them with RRF using :data:`finrag.retrieval.fusion.RRF_K`.
* Connections: a ``psycopg_pool.ConnectionPool``; every write is one transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any, ClassVar, LiteralString

import numpy as np
import numpy.typing as npt
import psycopg
from pgvector.psycopg import register_vector
from psycopg import sql
from psycopg.rows import tuple_row
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from finrag.documents.model import Chunk, Document
from finrag.embeddings.base import Vectors
from finrag.errors import ConfigError, EmbeddingError, NotFoundError, StoreError
from finrag.retrieval.fusion import RRF_K
from finrag.store.base import (
    DEFAULT_CANDIDATES,
    DocumentInfo,
    QueryVector,
    ScoredChunk,
    Store,
    check_limit,
    check_tenant,
    prepare_query,
    prepare_vectors,
    resolve_vector,
)
from finrag.store.query import tsquery

__all__ = ["HYBRID_SQL", "PostgresStore", "migrate"]

_HNSW_MAX_DIM = 2000
_INFO = "id, tenant, source, format, title, pages, tables, chunks, created_at, sha256"
_DOC_FILTER = "(%(doc_ids)s::text[] IS NULL OR c.doc_id = ANY(%(doc_ids)s::text[]))"

KEYWORD_SQL: LiteralString = (
    "SELECT c.body, ts_rank(c.tsv, q.query)::float8 AS score"
    " FROM store_chunks AS c, to_tsquery('english', %(tsq)s) AS q(query)"
    " WHERE c.tenant = %(tenant)s AND c.tsv @@ q.query AND " + _DOC_FILTER + ""
    ' ORDER BY ts_rank(c.tsv, q.query) DESC, c.id COLLATE "C" LIMIT %(limit)s'
)

# {dim} is the validated integer dimension, spliced with psycopg.sql so the planner can match
# the partial HNSW index ``WHERE dim = <n>``; every user value is a bound parameter.
VECTOR_SQL = (
    "WITH nearest AS MATERIALIZED ("
    " SELECT c.body, c.id, c.embedding::vector({dim}) <=> %(vec)s::vector({dim}) AS distance"
    " FROM store_chunks AS c"
    " WHERE c.tenant = %(tenant)s AND c.dim = {dim} AND " + _DOC_FILTER + ""
    " ORDER BY c.embedding::vector({dim}) <=> %(vec)s::vector({dim}) LIMIT %(limit)s)"
    ' SELECT body, 1.0::float8 - distance AS score FROM nearest ORDER BY distance, id COLLATE "C"'
)

#: The hybrid query: keyword and vector candidates ranked in CTEs, fused by RRF in SQL.
HYBRID_SQL = (
    "WITH keyword AS ("
    " SELECT c.pk, row_number() OVER ("
    '  ORDER BY ts_rank(c.tsv, q.query) DESC, c.id COLLATE "C") AS rank'
    " FROM store_chunks AS c, to_tsquery('english', %(tsq)s) AS q(query)"
    " WHERE c.tenant = %(tenant)s AND c.tsv @@ q.query AND " + _DOC_FILTER + ""
    ' ORDER BY ts_rank(c.tsv, q.query) DESC, c.id COLLATE "C" LIMIT %(depth)s),'
    " nearest AS MATERIALIZED ("
    " SELECT c.pk, c.id, c.embedding::vector({dim}) <=> %(vec)s::vector({dim}) AS distance"
    " FROM store_chunks AS c"
    " WHERE c.tenant = %(tenant)s AND c.dim = {dim} AND " + _DOC_FILTER + ""
    " ORDER BY c.embedding::vector({dim}) <=> %(vec)s::vector({dim}) LIMIT %(depth)s),"
    " vector AS ("
    ' SELECT pk, row_number() OVER (ORDER BY distance, id COLLATE "C") AS rank FROM nearest),'
    " fused AS ("
    " SELECT coalesce(k.pk, v.pk) AS pk, k.rank AS keyword_rank, v.rank AS vector_rank,"
    "  coalesce(1.0::float8 / (%(k)s + k.rank), 0.0::float8)"
    "  + coalesce(1.0::float8 / (%(k)s + v.rank), 0.0::float8) AS score"
    " FROM keyword AS k FULL OUTER JOIN vector AS v ON k.pk = v.pk)"
    " SELECT c.body, f.score, f.keyword_rank, f.vector_rank"
    " FROM fused AS f JOIN store_chunks AS c ON c.pk = f.pk"
    ' ORDER BY f.score DESC, c.id COLLATE "C" LIMIT %(limit)s'
)


def _sqlalchemy_url(url: str) -> str:
    scheme, rest = url.split("://", 1)
    if scheme not in {"postgresql", "postgres", "postgresql+psycopg"}:
        raise ConfigError(f"not a PostgreSQL URL: {url!r}")
    return f"postgresql+psycopg://{rest}"


def _libpq_url(url: str) -> str:
    scheme, rest = url.split("://", 1)
    return f"postgresql://{rest}" if scheme == "postgresql+psycopg" else url


def migrate(url: str) -> None:
    """Upgrade the store schema at ``url`` to the newest Alembic revision (idempotent)."""
    from importlib.resources import files

    import sqlalchemy
    from alembic import command
    from alembic.config import Config
    from sqlalchemy.pool import NullPool

    config = Config()
    config.set_main_option("script_location", str(files("finrag.store") / "pg_migrations"))
    engine = sqlalchemy.create_engine(_sqlalchemy_url(url), poolclass=NullPool)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except sqlalchemy.exc.SQLAlchemyError as exc:
        raise StoreError(f"cannot migrate the store schema at {_redact(url)}: {exc}") from exc
    finally:
        engine.dispose()


def _redact(url: str) -> str:
    """The URL without its password, for error messages."""
    scheme, _, rest = url.partition("://")
    creds, at, host = rest.rpartition("@")
    if not at:
        return url
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in creds else f"{scheme}://{user}@{host}"


def _configure(conn: psycopg.Connection[Any]) -> None:
    register_vector(conn)
    conn.commit()


class PostgresStore(Store):
    """A :class:`~finrag.store.base.Store` on PostgreSQL + pgvector (see module docstring)."""

    name: ClassVar[str] = "postgres"
    supports_hybrid_sql: ClassVar[bool] = True
    persistent: ClassVar[bool] = True
    multi_process: ClassVar[bool] = True

    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 8) -> None:
        self.url = _libpq_url(url)
        migrate(url)
        self._indexed_dims: set[int] = set()
        try:
            self._pool: ConnectionPool[psycopg.Connection[tuple[Any, ...]]] = ConnectionPool(
                self.url,
                min_size=min_size,
                max_size=max_size,
                configure=_configure,
                open=True,
                name="finrag-store",
            )
            self._pool.wait(timeout=30.0)
        except (psycopg.Error, TimeoutError) as exc:
            raise StoreError(f"cannot connect to {_redact(self.url)}: {exc}") from exc

    def __repr__(self) -> str:
        return f"PostgresStore({_redact(self.url)!r})"

    def close(self) -> None:
        """Close the connection pool."""
        self._pool.close()

    def _fetch(
        self, query: sql.Composed | LiteralString, params: Mapping[str, Any] | Sequence[Any]
    ) -> list[tuple[Any, ...]]:
        try:
            with self._pool.connection() as conn, conn.cursor(row_factory=tuple_row) as cur:
                cur.execute(query, params)
                return cur.fetchall() if cur.description else []
        except psycopg.Error as exc:
            raise StoreError(f"postgres query failed on {_redact(self.url)}: {exc}") from exc

    # -- writes -----------------------------------------------------------------------------

    def add_document(
        self,
        tenant: str,
        document: Document,
        chunks: Sequence[Chunk],
        vectors: npt.ArrayLike,
        embedder_name: str,
    ) -> bool:
        """Store document, chunks and vectors in one transaction; False if already held."""
        check_tenant(tenant)
        matrix = prepare_vectors(document, chunks, vectors)
        dim = int(matrix.shape[1])
        self._ensure_index(dim)
        try:
            with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
                # Serialise writers of one tenant so two concurrent adds of the same bytes
                # cannot both pass the duplicate check.
                cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (tenant,))
                cur.execute(
                    "SELECT 1 FROM store_documents WHERE tenant = %s AND (id = %s OR sha256 = %s)",
                    (tenant, document.id, document.sha256),
                )
                if cur.fetchone() is not None:
                    return False
                cur.execute(
                    "INSERT INTO store_tenants (id) VALUES (%s) ON CONFLICT DO NOTHING", (tenant,)
                )
                cur.execute(
                    "INSERT INTO store_documents (tenant, id, sha256, source, format, title,"
                    " pages, tables, chunks, embedder, dim, body)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
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
                        dim,
                        Jsonb(document.model_dump(mode="json")),
                    ),
                )
                cur.executemany(
                    "INSERT INTO store_chunks (tenant, doc_id, id, ordinal, text, body, dim,"
                    " embedding) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                    [
                        (
                            tenant,
                            document.id,
                            chunk.id,
                            chunk.ordinal,
                            chunk.search_text,
                            Jsonb(chunk.model_dump(mode="json")),
                            dim,
                            matrix[i],
                        )
                        for i, chunk in enumerate(chunks)
                    ],
                )
        except psycopg.Error as exc:
            raise StoreError(f"cannot add document {document.id!r}: {exc}") from exc
        return True

    def _ensure_index(self, dim: int) -> None:
        """Create the partial HNSW index for ``dim`` once (HNSW supports up to 2000 dims)."""
        if dim in self._indexed_dims or dim > _HNSW_MAX_DIM:
            return
        statement = sql.SQL(
            "CREATE INDEX IF NOT EXISTS {name} ON store_chunks USING hnsw"
            " ((embedding::vector({dim})) vector_cosine_ops) WHERE dim = {dim}"
        ).format(name=sql.Identifier(f"store_chunks_hnsw_{dim}"), dim=sql.SQL(str(int(dim))))
        try:
            with self._pool.connection() as conn, conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(hashtext('finrag-store-index'))")
                conn.execute(statement)
        except psycopg.Error as exc:
            raise StoreError(f"cannot create the vector index for dim {dim}: {exc}") from exc
        self._indexed_dims.add(dim)

    def delete_document(self, tenant: str, doc_id: str) -> None:
        """Remove the document and (by cascade) its chunks."""
        check_tenant(tenant)
        try:
            with self._pool.connection() as conn, conn.transaction():
                cursor = conn.execute(
                    "DELETE FROM store_documents WHERE tenant = %s AND id = %s", (tenant, doc_id)
                )
                deleted = cursor.rowcount
        except psycopg.Error as exc:
            raise StoreError(f"cannot delete document {doc_id!r}: {exc}") from exc
        if deleted == 0:
            raise NotFoundError(f"document {doc_id!r} not found for tenant {tenant!r}")

    # -- reads ------------------------------------------------------------------------------

    def list_tenants(self) -> list[str]:
        """All tenants, sorted by id."""
        rows = self._fetch('SELECT id FROM store_tenants ORDER BY id COLLATE "C"', ())
        return [str(row[0]) for row in rows]

    def get_document(self, tenant: str, doc_id: str) -> Document:
        """The stored Document of this tenant."""
        check_tenant(tenant)
        rows = self._fetch(
            "SELECT body FROM store_documents WHERE tenant = %s AND id = %s", (tenant, doc_id)
        )
        if not rows:
            raise NotFoundError(f"document {doc_id!r} not found for tenant {tenant!r}")
        return Document.model_validate(rows[0][0])

    def get_document_info(self, tenant: str, doc_id: str) -> DocumentInfo:
        """Listing information of one document of this tenant."""
        check_tenant(tenant)
        rows = self._fetch(
            "SELECT " + _INFO + " FROM store_documents WHERE tenant = %s AND id = %s",
            (tenant, doc_id),
        )
        if not rows:
            raise NotFoundError(f"document {doc_id!r} not found for tenant {tenant!r}")
        return DocumentInfo(*rows[0])

    def list_documents(self, tenant: str) -> list[DocumentInfo]:
        """The tenant's documents, oldest first."""
        check_tenant(tenant)
        rows = self._fetch(
            "SELECT " + _INFO + " FROM store_documents WHERE tenant = %s"
            ' ORDER BY created_at, id COLLATE "C"',
            (tenant,),
        )
        return [DocumentInfo(*row) for row in rows]

    def get_chunks(self, tenant: str, doc_id: str) -> list[Chunk]:
        """The document's chunks in ordinal order."""
        self.get_document_info(tenant, doc_id)
        rows = self._fetch(
            "SELECT body FROM store_chunks WHERE tenant = %s AND doc_id = %s"
            ' ORDER BY ordinal, id COLLATE "C"',
            (tenant, doc_id),
        )
        return [Chunk.model_validate(row[0]) for row in rows]

    def document_metadata(
        self, tenant: str, doc_ids: Collection[str] | None = None
    ) -> dict[str, dict[str, str]]:
        """``Document.metadata`` by id, read from the JSONB body (no document is parsed)."""
        check_tenant(tenant)
        sql = "SELECT id, body -> 'metadata' FROM store_documents WHERE tenant = %s"
        params: list[Any] = [tenant]
        if doc_ids is not None:
            if not doc_ids:
                return {}
            sql += " AND id = ANY(%s)"
            params.append(sorted(set(doc_ids)))
        rows = self._fetch(sql + ' ORDER BY id COLLATE "C"', tuple(params))
        return {str(i): dict(m or {}) for i, m in rows}

    def get_chunks_by_id(self, tenant: str, chunk_ids: Collection[str]) -> list[Chunk]:
        """The tenant's chunks among ``chunk_ids``, ordered by id; unknown ids are skipped."""
        check_tenant(tenant)
        if not chunk_ids:
            return []
        rows = self._fetch(
            "SELECT body FROM store_chunks WHERE tenant = %s AND id = ANY(%s)"
            ' ORDER BY id COLLATE "C"',
            (tenant, sorted(set(chunk_ids))),
        )
        return [Chunk.model_validate(row[0]) for row in rows]

    # -- search -----------------------------------------------------------------------------

    def keyword_search(
        self,
        tenant: str,
        query: str,
        *,
        limit: int = 10,
        doc_ids: Collection[str] | None = None,
    ) -> list[ScoredChunk]:
        """``ts_rank`` over the generated tsvector; score is higher-is-better."""
        check_tenant(tenant)
        check_limit(limit)
        tsq = tsquery(query)
        if tsq is None or (doc_ids is not None and not doc_ids):
            return []
        params = {"tsq": tsq, "tenant": tenant, "doc_ids": _ids(doc_ids), "limit": limit}
        rows = self._fetch(KEYWORD_SQL, params)
        return [
            ScoredChunk(Chunk.model_validate(body), float(score), keyword_rank=rank)
            for rank, (body, score) in enumerate(rows, start=1)
        ]

    def vector_search(
        self,
        tenant: str,
        vector: npt.ArrayLike,
        *,
        limit: int = 10,
        doc_ids: Collection[str] | None = None,
    ) -> list[ScoredChunk]:
        """Cosine search through the HNSW index of the query's dimension."""
        check_tenant(tenant)
        check_limit(limit)
        query = prepare_query(vector)
        if doc_ids is not None and not doc_ids:
            return []
        dim = sql.SQL(str(int(query.shape[0])))
        statement = sql.SQL(VECTOR_SQL).format(dim=dim)
        params = {"vec": query, "tenant": tenant, "doc_ids": _ids(doc_ids), "limit": limit}
        rows = self._search(statement, params, limit)
        return [
            ScoredChunk(Chunk.model_validate(body), float(score), vector_rank=rank)
            for rank, (body, score) in enumerate(rows, start=1)
        ]

    def hybrid_search(
        self,
        tenant: str,
        query: str,
        vector: QueryVector,
        *,
        limit: int = 10,
        doc_ids: Collection[str] | None = None,
        candidates: int = DEFAULT_CANDIDATES,
    ) -> list[ScoredChunk]:
        """Both rankings and their RRF fusion in one SQL statement (:data:`HYBRID_SQL`), which
        needs the vector first (a Future is waited for before the statement is sent)."""
        check_tenant(tenant)
        check_limit(limit)
        check_limit(candidates)
        vec = prepare_query(resolve_vector(vector))
        if doc_ids is not None and not doc_ids:
            return []
        depth = max(candidates, limit)
        params = {
            # An empty tsquery matches nothing, so a stopword-only question is vector-only.
            "tsq": tsquery(query) or "",
            "vec": vec,
            "tenant": tenant,
            "doc_ids": _ids(doc_ids),
            "depth": depth,
            "limit": limit,
            "k": RRF_K,
        }
        dim = sql.SQL(str(int(vec.shape[0])))
        statement = sql.SQL(HYBRID_SQL).format(dim=dim)
        rows = self._search(statement, params, depth)
        return [
            ScoredChunk(Chunk.model_validate(body), float(score), keyword_rank, vector_rank)
            for body, score, keyword_rank, vector_rank in rows
        ]

    def _search(
        self, statement: sql.Composed, params: Mapping[str, Any], depth: int
    ) -> list[tuple[Any, ...]]:
        """Run a vector query with HNSW settings scoped to its transaction."""
        try:
            with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
                # strict_order keeps exact distance order while scanning past rows that the
                # tenant/doc filters reject; ef_search bounds how many candidates HNSW returns.
                cur.execute("SELECT set_config('hnsw.iterative_scan', 'strict_order', true)")
                cur.execute(
                    "SELECT set_config('hnsw.ef_search', %s, true)",
                    (str(min(max(40, depth), 1000)),),
                )
                cur.execute(statement, params)
                return cur.fetchall()
        except psycopg.Error as exc:
            raise StoreError(f"postgres search failed on {_redact(self.url)}: {exc}") from exc

    # -- embedding cache --------------------------------------------------------------------

    def get_many(self, model: str, keys: Sequence[str]) -> dict[str, Vectors]:
        """Cached float32 vectors among ``keys`` for ``model``."""
        if not keys:
            return {}
        try:
            rows = self._fetch(
                "SELECT key, dim, vector FROM store_embedding_cache"
                " WHERE model = %s AND key = ANY(%s::text[])",
                (model, list(keys)),
            )
        except StoreError as exc:
            raise EmbeddingError(f"embedding cache read failed: {exc}") from exc
        return {
            str(key): np.frombuffer(bytes(blob), dtype=np.float32).reshape(int(dim)).copy()
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
            with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO store_embedding_cache (model, key, dim, vector)"
                    " VALUES (%s, %s, %s, %s) ON CONFLICT (model, key)"
                    " DO UPDATE SET dim = EXCLUDED.dim, vector = EXCLUDED.vector",
                    records,
                )
        except psycopg.Error as exc:
            raise EmbeddingError(f"embedding cache write failed: {exc}") from exc


def _ids(doc_ids: Collection[str] | None) -> list[str] | None:
    return None if doc_ids is None else sorted(doc_ids)
