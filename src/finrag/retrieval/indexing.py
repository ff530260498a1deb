"""Putting documents into a store: parse -> chunk -> embed (through the cache) -> store.

Idempotent by content: a document whose id or sha256 the tenant already holds is skipped
before anything is embedded, and :meth:`Store.add_document` refuses duplicates atomically
anyway, so two workers racing on the same upload leave one copy. Chunk vectors go through a
:class:`~finrag.embeddings.cache.CachedEmbedder` backed by the store itself (or any cache
given), so re-ingesting after a delete, or ingesting a file that shares text with another,
only embeds what is new.

Progress is reported through a callback taking an :class:`IndexProgress` (stage, done,
total), which the CLI turns into a rich progress bar and the worker into job status.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from finrag.documents.ingest import IngestReport

from finrag.documents.base import ParseOptions
from finrag.documents.model import Chunk, Document
from finrag.embeddings.base import Embedder, EmbeddingCache, Vectors
from finrag.embeddings.cache import CachedEmbedder
from finrag.store.base import Store, check_tenant

__all__ = [
    "ChunkFn",
    "IndexProgress",
    "IndexResult",
    "ProgressFn",
    "StoreSink",
    "cached_embedder",
    "default_chunker",
    "embed_chunks",
    "embedding_text",
    "index_document",
    "index_paths",
]


@dataclass(frozen=True, slots=True)
class IndexProgress:
    """One progress report: ``stage`` is ``parse``, ``embed``, ``store`` or ``skip``."""

    source: str
    stage: str
    done: int
    total: int


@dataclass(frozen=True, slots=True)
class IndexResult:
    """What indexing one document did."""

    doc_id: str
    source: str
    added: bool
    pages: int
    chunks: int
    seconds: float


ProgressFn = Callable[[IndexProgress], None]
ChunkFn = Callable[[Document], list[Chunk]]


def _silent(_: IndexProgress) -> None:
    return None


def embedding_text(chunk: Chunk) -> str:
    """The text embedded for a chunk: its section heading (when known) and its text
    (:attr:`~finrag.documents.model.Chunk.search_text`, which the keyword index reads too)."""
    return chunk.search_text


def cached_embedder(embedder: Embedder, cache: EmbeddingCache) -> Embedder:
    """``embedder`` behind ``cache`` unless it already has a cache in front of it."""
    if isinstance(embedder, CachedEmbedder):
        return embedder
    return CachedEmbedder(embedder, cache)


def embed_chunks(
    embedder: Embedder,
    chunks: Sequence[Chunk],
    *,
    batch_size: int = 256,
    progress: Callable[[int, int], None] | None = None,
) -> Vectors:
    """Embed chunk texts in batches, reporting ``(done, total)`` after each batch."""
    texts = [embedding_text(chunk) for chunk in chunks]
    parts: list[Vectors] = []
    for start in range(0, len(texts), batch_size):
        parts.append(embedder.embed(texts[start : start + batch_size]))
        if progress is not None:
            progress(min(start + batch_size, len(texts)), len(texts))
    if not parts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return np.concatenate(parts, axis=0)


def _held(store: Store, tenant: str, document: Document) -> bool:
    return any(
        info.id == document.id or info.sha256 == document.sha256
        for info in store.list_documents(tenant)
    )


def index_document(
    store: Store,
    tenant: str,
    document: Document,
    chunks: Sequence[Chunk],
    embedder: Embedder,
    *,
    progress: ProgressFn | None = None,
    use_cache: bool = True,
) -> IndexResult:
    """Embed ``chunks`` and store them with ``document``; skipped when already held."""
    check_tenant(tenant)
    report = progress or _silent
    started = time.perf_counter()
    if _held(store, tenant, document):
        report(IndexProgress(document.source, "skip", len(chunks), len(chunks)))
        return IndexResult(document.id, document.source, False, len(document.pages), 0, 0.0)
    model = cached_embedder(embedder, store) if use_cache else embedder

    def on_batch(done: int, total: int) -> None:
        report(IndexProgress(document.source, "embed", done, total))

    vectors = embed_chunks(model, chunks, progress=on_batch)
    labels = sorted({chunk.row_label for chunk in chunks if chunk.row_label})
    if labels and use_cache:
        model.embed(labels)  # cached for the reranker's row-label cosine
    report(IndexProgress(document.source, "store", 0, 1))
    added = store.add_document(tenant, document, chunks, vectors, model.name)
    report(IndexProgress(document.source, "store", 1, 1))
    return IndexResult(
        doc_id=document.id,
        source=document.source,
        added=added,
        pages=len(document.pages),
        chunks=len(chunks) if added else 0,
        seconds=time.perf_counter() - started,
    )


def default_chunker() -> ChunkFn:
    """The documents package's chunker (imported lazily)."""
    from finrag.documents.chunking import chunk_document

    return chunk_document


def _held_bytes(store: Store, tenant: str, path: Path) -> str | None:
    """The id of a held document with the same bytes as ``path`` (checked before parsing)."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    for info in store.list_documents(tenant):
        if info.sha256 == digest or info.id == f"d{digest[:16]}":
            return info.id
    return None


class StoreSink:
    """An ingestion sink (``documents.ingest.Sink``) that embeds and stores each document."""

    def __init__(
        self,
        store: Store,
        tenant: str,
        embedder: Embedder,
        *,
        progress: ProgressFn | None = None,
    ) -> None:
        self.store = store
        self.tenant = check_tenant(tenant)
        self.embedder = cached_embedder(embedder, store)
        self.progress = progress
        self.results: list[IndexResult] = []

    def __call__(self, document: Document, chunks: list[Chunk]) -> None:
        self.results.append(
            index_document(
                self.store, self.tenant, document, chunks, self.embedder, progress=self.progress
            )
        )


def index_paths(
    store: Store,
    tenant: str,
    paths: Iterable[str | Path],
    embedder: Embedder,
    *,
    options: ParseOptions | None = None,
    progress: ProgressFn | None = None,
) -> tuple[IngestReport, list[IndexResult]]:
    """Parse, chunk, embed and store every file (folders recursively).

    Files whose bytes the tenant already holds are skipped before parsing. Parse errors are
    recorded per file in the returned :class:`~finrag.documents.ingest.IngestReport`, never
    raised, as in ``finrag ingest``.
    """
    from finrag.documents.ingest import expand_paths, ingest_paths

    report = progress or _silent
    sink = StoreSink(store, tenant, embedder, progress=progress)
    fresh = []
    for path in expand_paths(paths):
        held = _held_bytes(store, tenant, path)
        if held is None:
            fresh.append(path)
            continue
        report(IndexProgress(path.name, "skip", 1, 1))
        sink.results.append(IndexResult(held, path.name, False, 0, 0, 0.0))

    def on_file(path: Path, summary: object) -> None:
        report(IndexProgress(path.name, "parse", 0 if summary is None else 1, 1))

    ingest_report = ingest_paths(fresh, options=options, sink=sink, on_file=on_file)
    return ingest_report, sink.results
