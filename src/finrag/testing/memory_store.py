"""An in-memory :class:`~finrag.store.base.Store`: a real implementation for tests.

Keyword search is Okapi BM25 computed in Python with the same constants and IDF formula as
SQLite FTS5's ``bm25()`` (k1 = 1.2, b = 0.75, ``idf = ln((N - n + 0.5) / (n + 0.5))`` floored
at 1e-6) over the tenant's chunks; tokens come from :func:`finrag.store.query.tokenize` (no
stemming, unlike the SQLite store's porter tokenizer). Vector search is exact cosine with numpy.
Documents and chunks are round-tripped through JSON like the SQL backends, so the memory store
returns the same objects they would. Thread-safe behind one lock; nothing survives ``close``.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar

import numpy as np
import numpy.typing as npt

from finrag.documents.model import Chunk, Document
from finrag.embeddings.base import Vectors
from finrag.errors import NotFoundError
from finrag.store.base import (
    DocumentInfo,
    ScoredChunk,
    Store,
    check_limit,
    check_tenant,
    prepare_query,
    prepare_vectors,
)
from finrag.store.query import query_terms, tokenize

__all__ = ["MemoryStore"]

_K1 = 1.2
_B = 0.75


@dataclass(frozen=True)
class _Stored:
    document: Document
    info: DocumentInfo
    chunks: tuple[Chunk, ...]
    terms: tuple[Counter[str], ...]
    vectors: npt.NDArray[np.float32]
    embedder: str


class MemoryStore(Store):
    """Documents, chunks, vectors and an embedding cache held in dictionaries."""

    name: ClassVar[str] = "memory"
    supports_hybrid_sql: ClassVar[bool] = False
    persistent: ClassVar[bool] = False
    multi_process: ClassVar[bool] = False

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._tenants: dict[str, dict[str, _Stored]] = {}
        self._cache: dict[tuple[str, str], Vectors] = {}

    def __repr__(self) -> str:
        return "MemoryStore()"

    # -- writes -----------------------------------------------------------------------------

    def add_document(
        self,
        tenant: str,
        document: Document,
        chunks: Sequence[Chunk],
        vectors: npt.ArrayLike,
        embedder_name: str,
    ) -> bool:
        """Build the whole record first, then publish it under the lock (all or nothing)."""
        check_tenant(tenant)
        matrix = prepare_vectors(document, chunks, vectors)
        with self._lock:
            if self._find(tenant, document) is not None:
                return False
        stored_chunks = tuple(Chunk.model_validate_json(c.model_dump_json()) for c in chunks)
        stored_doc = Document.model_validate_json(document.model_dump_json())
        info = DocumentInfo(
            id=document.id,
            tenant=tenant,
            source=document.source,
            format=document.format,
            title=document.title,
            pages=len(document.pages),
            tables=len(document.tables),
            chunks=len(chunks),
            created_at=datetime.now(UTC),
            sha256=document.sha256,
        )
        record = _Stored(
            document=stored_doc,
            info=info,
            chunks=stored_chunks,
            terms=tuple(Counter(tokenize(c.search_text)) for c in stored_chunks),
            vectors=matrix.copy(),
            embedder=embedder_name,
        )
        with self._lock:
            if self._find(tenant, document) is not None:
                return False
            self._tenants.setdefault(tenant, {})[document.id] = record
        return True

    def _find(self, tenant: str, document: Document) -> _Stored | None:
        docs = self._tenants.get(tenant, {})
        if document.id in docs:
            return docs[document.id]
        return next((s for s in docs.values() if s.document.sha256 == document.sha256), None)

    def delete_document(self, tenant: str, doc_id: str) -> None:
        """Remove a document of this tenant."""
        check_tenant(tenant)
        with self._lock:
            docs = self._tenants.get(tenant, {})
            if doc_id not in docs:
                raise NotFoundError(f"document {doc_id!r} not found for tenant {tenant!r}")
            del docs[doc_id]

    # -- reads ------------------------------------------------------------------------------

    def _get(self, tenant: str, doc_id: str) -> _Stored:
        check_tenant(tenant)
        with self._lock:
            record = self._tenants.get(tenant, {}).get(doc_id)
        if record is None:
            raise NotFoundError(f"document {doc_id!r} not found for tenant {tenant!r}")
        return record

    def list_tenants(self) -> list[str]:
        """Tenants that ever stored a document, sorted."""
        with self._lock:
            return sorted(self._tenants)

    def get_document(self, tenant: str, doc_id: str) -> Document:
        """The stored Document of this tenant."""
        return self._get(tenant, doc_id).document

    def get_document_info(self, tenant: str, doc_id: str) -> DocumentInfo:
        """Listing information of one document of this tenant."""
        return self._get(tenant, doc_id).info

    def list_documents(self, tenant: str) -> list[DocumentInfo]:
        """The tenant's documents, oldest first."""
        check_tenant(tenant)
        with self._lock:
            infos = [record.info for record in self._tenants.get(tenant, {}).values()]
        return sorted(infos, key=lambda info: (info.created_at, info.id))

    def get_chunks(self, tenant: str, doc_id: str) -> list[Chunk]:
        """The document's chunks in ordinal order."""
        chunks = self._get(tenant, doc_id).chunks
        return sorted(chunks, key=lambda chunk: (chunk.ordinal, chunk.id))

    def get_chunks_by_id(self, tenant: str, chunk_ids: Collection[str]) -> list[Chunk]:
        """The tenant's chunks among ``chunk_ids``, ordered by id; unknown ids are skipped."""
        check_tenant(tenant)
        wanted = set(chunk_ids)
        found = [c for r in self._records(tenant) for c in r.chunks if c.id in wanted]
        return sorted(found, key=lambda chunk: chunk.id)

    def _records(self, tenant: str) -> list[_Stored]:
        with self._lock:
            return list(self._tenants.get(tenant, {}).values())

    # -- search -----------------------------------------------------------------------------

    def keyword_search(
        self,
        tenant: str,
        query: str,
        *,
        limit: int = 10,
        doc_ids: Collection[str] | None = None,
    ) -> list[ScoredChunk]:
        """Okapi BM25 over the tenant's chunks (statistics over all of them)."""
        check_tenant(tenant)
        check_limit(limit)
        terms = query_terms(query)
        records = self._records(tenant)
        pairs = [(c, t) for r in records for c, t in zip(r.chunks, r.terms, strict=True)]
        if not terms or not pairs:
            return []
        total = len(pairs)
        average = sum(sum(t.values()) for _, t in pairs) / total or 1.0
        idf = {term: _idf(total, sum(1 for _, t in pairs if term in t)) for term in terms}
        allowed = None if doc_ids is None else set(doc_ids)
        scored: list[tuple[float, Chunk]] = []
        for chunk, counts in pairs:
            if allowed is not None and chunk.doc_id not in allowed:
                continue
            length = sum(counts.values())
            score = sum(
                idf[term]
                * counts[term]
                * (_K1 + 1)
                / (counts[term] + _K1 * (1 - _B + _B * length / average))
                for term in terms
                if term in counts
            )
            if score > 0:
                scored.append((score, chunk))
        scored.sort(key=lambda pair: (-pair[0], pair[1].id))
        return [
            ScoredChunk(chunk, score, keyword_rank=rank)
            for rank, (score, chunk) in enumerate(scored[:limit], start=1)
        ]

    def vector_search(
        self,
        tenant: str,
        vector: npt.ArrayLike,
        *,
        limit: int = 10,
        doc_ids: Collection[str] | None = None,
    ) -> list[ScoredChunk]:
        """Exact cosine over the tenant's chunks whose vectors have the query's dimension."""
        check_tenant(tenant)
        check_limit(limit)
        query = prepare_query(vector)
        allowed = None if doc_ids is None else set(doc_ids)
        scored: list[tuple[float, Chunk]] = []
        for record in self._records(tenant):
            if record.vectors.shape[1] != query.shape[0]:
                continue
            if allowed is not None and record.document.id not in allowed:
                continue
            sims = record.vectors @ query
            scored.extend((float(s), c) for s, c in zip(sims, record.chunks, strict=True))
        scored.sort(key=lambda pair: (-pair[0], pair[1].id))
        return [
            ScoredChunk(chunk, score, vector_rank=rank)
            for rank, (score, chunk) in enumerate(scored[:limit], start=1)
        ]

    # -- embedding cache --------------------------------------------------------------------

    def get_many(self, model: str, keys: Sequence[str]) -> dict[str, Vectors]:
        """Cached copies of the vectors among ``keys``."""
        with self._lock:
            return {k: self._cache[(model, k)].copy() for k in keys if (model, k) in self._cache}

    def put_many(self, model: str, items: Mapping[str, Vectors]) -> None:
        """Store float32 copies by key."""
        copies = {k: np.array(v, dtype=np.float32).reshape(-1) for k, v in items.items()}
        with self._lock:
            for key, value in copies.items():
                self._cache[(model, key)] = value

    def close(self) -> None:
        """Drop everything."""
        with self._lock:
            self._tenants.clear()
            self._cache.clear()


def _idf(total: int, containing: int) -> float:
    value = math.log((total - containing + 0.5) / (containing + 0.5))
    return value if value > 0 else 1e-6
