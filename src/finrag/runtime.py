"""Build the answering stack from settings: store, embedder, retriever, planner, pipeline.

One place wires the stages together, so the CLI, the evaluation harness and the service
assemble them the same way. Nothing here runs at import time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from finrag.answering.pipeline import AnswerPipeline
from finrag.config import Settings
from finrag.documents.ingest import IngestReport
from finrag.embeddings.base import Embedder, EmbeddingCache
from finrag.embeddings.registry import get_embedder
from finrag.errors import ConfigError
from finrag.planning.base import Planner
from finrag.planning.registry import get_planner, llm_options, uses_prompts
from finrag.retrieval.hybrid import HybridRetriever
from finrag.retrieval.indexing import IndexProgress, IndexResult, cached_embedder, index_paths
from finrag.retrieval.rerank import Reranker
from finrag.store.base import Store
from finrag.store.registry import open_store

__all__ = ["Retrieval", "Runtime", "build_retrieval", "build_runtime"]

log = logging.getLogger("finrag.runtime")


@dataclass
class Retrieval:
    """The store, the (cached) embedder and the retriever over them."""

    store: Store
    embedder: Embedder
    retriever: HybridRetriever


def _reranker(settings: Settings) -> Reranker | None:
    if not settings.retrieval.rerank:
        return None
    try:
        return Reranker.load()
    except ConfigError as exc:
        log.warning("reranker unavailable, using the RRF order: %s", exc)
        return None


def _embedder_options(settings: Settings) -> dict[str, Any]:
    """Constructor options the settings imply for the named embedder."""
    if settings.embedder.partition(":")[0].strip().lower() in {"minilm", "minilm-l6-v2"}:
        return {
            "query_int8": settings.minilm_query_int8,
            "query_threads": settings.minilm_query_threads,
        }
    return {}


def build_retrieval(
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    cache: EmbeddingCache | None = None,
) -> Retrieval:
    """Open the store and build the retriever described by ``settings``.

    Embeddings go through ``cache`` (Redis in production); without one, the store itself is
    the cache (embedded mode).
    """
    if settings.store_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = open_store(settings.resolved_store_url)
    base = embedder or get_embedder(settings.embedder, **_embedder_options(settings))
    vectors = cache if cache is not None else store
    cached = cached_embedder(base, vectors)
    # The reranker's cosine features read chunk and row-label vectors from the cache that
    # indexing writes to; reading another one would re-embed every label at query time.
    retriever = HybridRetriever(
        store,
        cached,
        _reranker(settings),
        candidates=settings.retrieval.candidates,
        vector_cache=vectors,
    )
    return Retrieval(store=store, embedder=cached, retriever=retriever)


@dataclass
class Runtime:
    """The assembled stack. ``pipeline(planner)`` shares the retriever across planners."""

    settings: Settings
    store: Store
    embedder: Embedder
    retriever: HybridRetriever
    planners: dict[str, Planner] = field(default_factory=dict)

    def planner(self, name: str | None = None, **options: Any) -> Planner:
        """The planner called ``name`` (default from settings), built once per name. The LLM
        planners of the name (alone, checked or in a chain) take ``settings.llm`` (key,
        prompt version, timeouts, ...) unless ``options`` are given."""
        key = name or self.settings.planner
        if key not in self.planners:
            if uses_prompts(key) and not options:
                options = llm_options(self.settings.llm)
            self.planners[key] = get_planner(key, **options)
        return self.planners[key]

    def pipeline(self, planner: str | Planner | None = None) -> AnswerPipeline:
        """An answer pipeline over this runtime's retriever."""
        chosen = planner if isinstance(planner, Planner) else self.planner(planner)
        return AnswerPipeline(self.retriever, chosen, k=self.settings.retrieval.k)

    def index(
        self,
        paths: Iterable[str | Path],
        *,
        tenant: str | None = None,
        progress: Callable[[IndexProgress], None] | None = None,
    ) -> tuple[IngestReport, list[IndexResult]]:
        """Parse, chunk, embed and store files for ``tenant`` (idempotent by content)."""
        return index_paths(
            self.store, tenant or self.settings.tenant, paths, self.embedder, progress=progress
        )

    def close(self) -> None:
        self.retriever.close()
        self.store.close()


def build_runtime(
    settings: Settings | None = None,
    *,
    embedder: Embedder | None = None,
    cache: EmbeddingCache | None = None,
) -> Runtime:
    """The CLI's stack: retrieval per ``settings`` plus planners built on demand."""
    settings = settings or Settings()
    parts = build_retrieval(settings, embedder=embedder, cache=cache)
    return Runtime(
        settings=settings, store=parts.store, embedder=parts.embedder, retriever=parts.retriever
    )
