"""Build the answering stack from settings: store, embedder, retriever, planner, pipeline.

One place wires the stages together, so the CLI, the evaluation harness and the service
assemble them the same way. Nothing here runs at import time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from finrag.answering.pipeline import AnswerPipeline
from finrag.config import Settings
from finrag.documents.ingest import IngestReport
from finrag.embeddings.base import Embedder
from finrag.embeddings.registry import get_embedder
from finrag.planning.base import Planner
from finrag.planning.registry import get_planner
from finrag.retrieval.hybrid import HybridRetriever
from finrag.retrieval.indexing import IndexProgress, IndexResult, cached_embedder, index_paths
from finrag.retrieval.rerank import Reranker
from finrag.store.base import Store
from finrag.store.registry import open_store

__all__ = ["Runtime", "build_runtime"]


@dataclass
class Runtime:
    """The assembled stack. ``pipeline(planner)`` shares the retriever across planners."""

    settings: Settings
    store: Store
    embedder: Embedder
    retriever: HybridRetriever
    planners: dict[str, Planner] = field(default_factory=dict)

    def planner(self, name: str | None = None, **options: Any) -> Planner:
        """The planner called ``name`` (default from settings), built once per name."""
        key = name or self.settings.planner
        if key not in self.planners:
            if key.startswith("openai") and "settings" not in options:
                options["settings"] = self.settings.llm
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
        self.store.close()


def build_runtime(settings: Settings | None = None, *, embedder: Embedder | None = None) -> Runtime:
    """Open the store and build the retriever described by ``settings``."""
    settings = settings or Settings()
    if settings.store_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    store = open_store(settings.resolved_store_url)
    base = embedder or get_embedder(settings.embedder)
    cached = cached_embedder(base, store)
    reranker = Reranker.load() if settings.retrieval.rerank else None
    retriever = HybridRetriever(
        store, cached, reranker, candidates=settings.retrieval.candidates
    )
    return Runtime(settings=settings, store=store, embedder=cached, retriever=retriever)
