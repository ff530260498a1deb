"""The storage contract: what every store backend accepts, returns and raises.

A :class:`Store` persists parsed documents per tenant and searches their chunks.

What goes in
------------
``add_document(tenant, document, chunks, vectors, embedder_name)``:

* ``tenant``: a non-empty string naming the owner. Every read, search and delete takes it as a
  mandatory argument and the backend enforces it itself (in SQL ``WHERE`` clauses for the SQL
  backends): a document of tenant A is invisible to tenant B.
* ``document``: a :class:`~finrag.documents.model.Document`, stored whole as JSON.
* ``chunks``: its :class:`~finrag.documents.model.Chunk` evidence units (cells included), each
  with ``doc_id == document.id`` and unique ids.
* ``vectors``: float32-compatible array of shape ``(len(chunks), dim)``, row ``i`` embedding
  ``chunks[i]``. Rows are L2-normalised on write, so search is cosine similarity.
* ``embedder_name``: the model that produced the vectors, recorded with ``dim`` per document.

The write is atomic (one transaction: on any failure nothing of the document remains) and
idempotent: if the tenant already holds a document with the same id or the same content hash,
nothing changes and ``False`` is returned; a new document returns ``True``.

What comes out
--------------
* :meth:`Store.get_document` returns the stored ``Document``; :meth:`Store.get_chunks` its chunks
  in ordinal order; :meth:`Store.list_documents` one :class:`DocumentInfo` per document.
* Searches return :class:`ScoredChunk` lists, best first, at most ``limit`` long, optionally
  restricted to ``doc_ids``:

  - :meth:`Store.keyword_search`: BM25-style ranking of the question's words (FTS5 ``bm25()`` in
    SQLite, ``ts_rank`` in PostgreSQL, Okapi BM25 in memory); ``score`` is higher-is-better.
    Any user text is accepted: quotes, colons, ``AND``, ``*`` or an empty string never raise.
  - :meth:`Store.vector_search`: cosine similarity against chunks whose vectors have the query's
    dimension; ``score`` is the cosine.
  - :meth:`Store.hybrid_search`: the top ``candidates`` of both lists fused by reciprocal rank
    fusion (:func:`finrag.retrieval.fusion.rrf`, ``k = 60``, ties by chunk id); ``score`` is the
    RRF score and ``keyword_rank`` / ``vector_rank`` the 1-based ranks in each list (``None``
    when absent from that list). Its vector may still be being computed (a
    :class:`~concurrent.futures.Future`, :data:`QueryVector`): a backend that searches keywords
    on their own runs that search first and waits for the vector only after it.

* The store is also an :class:`~finrag.embeddings.base.EmbeddingCache` (``get_many`` /
  ``put_many`` by model name and text key), used for embedded mode.

Errors
------
* :class:`~finrag.errors.NotFoundError`: no such document for this tenant (also when it belongs
  to another tenant: existence is not revealed).
* :class:`~finrag.errors.AccessDeniedError`: an empty or non-string tenant.
* :class:`~finrag.errors.StoreError`: invalid input (vector shape, chunk of another document,
  duplicate chunk ids) or a backend failure.
* :class:`~finrag.errors.EmbeddingError`: a cache backend failure (the caching wrapper turns it
  into misses).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt

from finrag.documents.model import Chunk, Document
from finrag.embeddings.base import Vectors
from finrag.errors import AccessDeniedError, NotFoundError, StoreError
from finrag.retrieval.fusion import RRF_K, rrf

__all__ = [
    "DEFAULT_CANDIDATES",
    "DocumentInfo",
    "QueryVector",
    "ScoredChunk",
    "Store",
    "check_limit",
    "check_tenant",
    "fuse_results",
    "normalize_rows",
    "prepare_query",
    "prepare_vectors",
    "resolve_vector",
]

#: How many keyword and vector candidates hybrid search fuses by default.
DEFAULT_CANDIDATES = 50

#: The question vector of :meth:`Store.hybrid_search`: the vector, or a Future that will hold
#: it (the question being embedded on another thread while the keyword search runs).
QueryVector = npt.ArrayLike | Future[Any]


def resolve_vector(vector: QueryVector) -> npt.ArrayLike:
    """The vector itself, waiting for it when it is still being computed (a Future's exception,
    such as an embedding failure, is raised here)."""
    return vector.result() if isinstance(vector, Future) else vector


@dataclass(frozen=True, slots=True)
class ScoredChunk:
    """A search hit: the chunk, its score (meaning depends on the search) and its ranks."""

    chunk: Chunk
    score: float
    keyword_rank: int | None = None
    vector_rank: int | None = None


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """What a listing shows about a stored document, without loading it."""

    id: str
    tenant: str
    source: str
    format: str
    title: str
    pages: int
    tables: int
    chunks: int
    created_at: datetime
    sha256: str


class Store(ABC):
    """Persistence and search of documents per tenant; see the module docstring for the contract.

    Capability flags are class attributes so callers never probe with ``hasattr``.
    """

    #: Registry name of the backend (``"sqlite"``, ``"postgres"``, ``"memory"``).
    name: ClassVar[str]
    #: Hybrid fusion runs inside the database in one statement.
    supports_hybrid_sql: ClassVar[bool] = False
    #: Data survives closing the store.
    persistent: ClassVar[bool] = True
    #: Several processes may use the same store at once.
    multi_process: ClassVar[bool] = False

    # -- writes -----------------------------------------------------------------------------

    @abstractmethod
    def add_document(
        self,
        tenant: str,
        document: Document,
        chunks: Sequence[Chunk],
        vectors: npt.ArrayLike,
        embedder_name: str,
    ) -> bool:
        """Store a document with its chunks and vectors atomically; ``False`` if already held."""

    @abstractmethod
    def delete_document(self, tenant: str, doc_id: str) -> None:
        """Remove a document, its chunks and vectors; NotFoundError if the tenant has none."""

    # -- reads ------------------------------------------------------------------------------

    @abstractmethod
    def list_tenants(self) -> list[str]:
        """Tenants that own at least one document or were created by a write, sorted."""

    @abstractmethod
    def get_document(self, tenant: str, doc_id: str) -> Document:
        """The stored Document; NotFoundError if this tenant has no such document."""

    @abstractmethod
    def get_document_info(self, tenant: str, doc_id: str) -> DocumentInfo:
        """Listing information for one document; NotFoundError if absent for this tenant."""

    @abstractmethod
    def list_documents(self, tenant: str) -> list[DocumentInfo]:
        """The tenant's documents, oldest first (ties by id)."""

    @abstractmethod
    def get_chunks(self, tenant: str, doc_id: str) -> list[Chunk]:
        """A document's chunks in ordinal order; NotFoundError if the document is absent."""

    @abstractmethod
    def get_chunks_by_id(self, tenant: str, chunk_ids: Collection[str]) -> list[Chunk]:
        """The tenant's chunks among ``chunk_ids``, ordered by id; unknown ids are skipped."""

    def document_metadata(
        self, tenant: str, doc_ids: Collection[str] | None = None
    ) -> dict[str, dict[str, str]]:
        """``Document.metadata`` of the tenant's documents among ``doc_ids`` (all of them when
        ``None``), by id; unknown ids are skipped. Backends override it with a query that does
        not load whole documents."""
        check_tenant(tenant)
        ids = [d.id for d in self.list_documents(tenant)] if doc_ids is None else set(doc_ids)
        out: dict[str, dict[str, str]] = {}
        for doc_id in sorted(ids):
            try:
                out[doc_id] = dict(self.get_document(tenant, doc_id).metadata)
            except NotFoundError:
                continue
        return out

    # -- search -----------------------------------------------------------------------------

    @abstractmethod
    def keyword_search(
        self,
        tenant: str,
        query: str,
        *,
        limit: int = 10,
        doc_ids: Collection[str] | None = None,
    ) -> list[ScoredChunk]:
        """BM25-style keyword search; never raises on hostile query text."""

    @abstractmethod
    def vector_search(
        self,
        tenant: str,
        vector: npt.ArrayLike,
        *,
        limit: int = 10,
        doc_ids: Collection[str] | None = None,
    ) -> list[ScoredChunk]:
        """Exact or index-backed cosine search over vectors of the query's dimension."""

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
        """Keyword and vector candidates fused by RRF; backends may override with SQL.

        The keyword search runs before the vector is needed, so a question embedded on another
        thread (``vector`` a Future) costs the longer of the two, not their sum.
        """
        depth = max(candidates, limit)
        keyword = self.keyword_search(tenant, query, limit=depth, doc_ids=doc_ids)
        nearest = self.vector_search(tenant, resolve_vector(vector), limit=depth, doc_ids=doc_ids)
        return fuse_results(keyword, nearest, limit=limit)

    # -- embedding cache (finrag.embeddings.base.EmbeddingCache) -----------------------------

    @abstractmethod
    def get_many(self, model: str, keys: Sequence[str]) -> dict[str, Vectors]:
        """Cached vectors for ``keys`` under ``model``; missing keys are absent."""

    @abstractmethod
    def put_many(self, model: str, items: Mapping[str, Vectors]) -> None:
        """Store float32 vectors by key under ``model``, overwriting existing entries."""

    # -- lifecycle --------------------------------------------------------------------------

    def close(self) -> None:  # noqa: B027 - optional hook, the memory store holds nothing
        """Release connections and caches; the store is unusable afterwards."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def check_tenant(tenant: str) -> str:
    """Return ``tenant`` or raise AccessDeniedError when it is not a non-empty string."""
    if not isinstance(tenant, str) or not tenant.strip():
        raise AccessDeniedError(
            f"tenant {tenant!r} is not valid: every store operation needs a non-empty tenant id"
        )
    return tenant


def check_limit(limit: int) -> int:
    """Return ``limit`` or raise StoreError when it is not a positive int."""
    if not isinstance(limit, int) or limit < 1:
        raise StoreError(f"limit must be a positive integer, got {limit!r}")
    return limit


def prepare_vectors(
    document: Document, chunks: Sequence[Chunk], vectors: npt.ArrayLike
) -> npt.NDArray[np.float32]:
    """Validate chunks against the document and return L2-normalised float32 vectors.

    Raises StoreError naming the problem: a chunk of another document, duplicate chunk ids, a
    vector array whose shape is not ``(len(chunks), dim)``, or non-finite values.
    """
    seen: set[str] = set()
    for chunk in chunks:
        if chunk.doc_id != document.id:
            raise StoreError(
                f"chunk {chunk.id!r} belongs to document {chunk.doc_id!r}, not {document.id!r}"
            )
        if chunk.id in seen:
            raise StoreError(f"chunk id {chunk.id!r} appears twice in document {document.id!r}")
        seen.add(chunk.id)
    try:
        matrix = np.asarray(vectors, dtype=np.float32)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"vectors for {document.id!r} are not a numeric array: {exc}") from exc
    if matrix.ndim != 2 or matrix.shape[0] != len(chunks) or matrix.shape[1] < 1:
        raise StoreError(
            f"vectors for {document.id!r} have shape {matrix.shape}; expected "
            f"({len(chunks)}, dim) with one row per chunk"
        )
    if not np.isfinite(matrix).all():
        raise StoreError(f"vectors for {document.id!r} contain NaN or infinity")
    return normalize_rows(matrix)


def normalize_rows(matrix: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Rows scaled to unit length (zero rows stay zero), as contiguous float32."""
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    scaled = matrix / np.maximum(norms, 1e-12)
    return np.ascontiguousarray(scaled, dtype=np.float32)


def prepare_query(vector: npt.ArrayLike) -> npt.NDArray[np.float32]:
    """A query vector as a unit-length float32 1-D array; StoreError if malformed."""
    try:
        query = np.asarray(vector, dtype=np.float32)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"query vector is not a numeric array: {exc}") from exc
    if query.ndim == 2 and query.shape[0] == 1:
        query = query[0]
    if query.ndim != 1 or query.shape[0] < 1 or not np.isfinite(query).all():
        raise StoreError(f"query vector must be a finite 1-D array, got shape {query.shape}")
    return normalize_rows(query)


def fuse_results(
    keyword: Sequence[ScoredChunk], nearest: Sequence[ScoredChunk], *, limit: int
) -> list[ScoredChunk]:
    """Fuse keyword and vector hits with :func:`~finrag.retrieval.fusion.rrf` (k = RRF_K)."""
    chunks = {hit.chunk.id: hit.chunk for hit in (*keyword, *nearest)}
    keyword_ranks = {hit.chunk.id: rank for rank, hit in enumerate(keyword, start=1)}
    vector_ranks = {hit.chunk.id: rank for rank, hit in enumerate(nearest, start=1)}
    fused = rrf([[h.chunk.id for h in keyword], [h.chunk.id for h in nearest]], k=RRF_K)
    return [
        ScoredChunk(
            chunk=chunks[chunk_id],
            score=score,
            keyword_rank=keyword_ranks.get(chunk_id),
            vector_rank=vector_ranks.get(chunk_id),
        )
        for chunk_id, score in fused[:limit]
    ]
