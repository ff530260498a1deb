"""Training evidence as production sees it: the retriever's top-k chunks of each question.

The planner never sees a whole record at serving time, only the ``k`` chunks the hybrid
retriever returns, best first. Training on the same evidence makes the operand scorer's
``rank`` feature mean retrieval rank, keeps distractors at the density the planner meets, and
makes out-of-fold figures full-pipeline figures (retrieval included). Documents are indexed
once into a cached SQLite store of their own (``offline-train-<parser fingerprint>.db``, the
embedding cache shared), with the runtime's embedder and retriever settings. Not the store
``finrag eval qa`` fills: FTS5's BM25 statistics span every tenant of a file, so documents
evaluated there (the held-out dev sample) would shift the training evidence and the model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from finrag.documents.model import Chunk, Document

__all__ = ["RetrievalSpec", "retrieve_all"]

RetrievalSpec = tuple[str, str, Document, Sequence[Chunk]]  # tenant, question, doc, chunks


def retrieve_all(
    items: Sequence[RetrievalSpec], k: int, log: Callable[[str], None] = print
) -> tuple[list[tuple[Chunk, ...]], dict[str, Any]]:
    """The top-``k`` retrieved chunks of each (tenant, question, document, chunks) item, and a
    description of the retriever used (for the model's metadata)."""
    from finrag.config import Settings
    from finrag.evaluation.retrieval import embedding_cache, eval_store_url
    from finrag.retrieval.indexing import index_document
    from finrag.runtime import build_runtime

    settings = Settings(store_url=eval_store_url("offline-train"))
    runtime = build_runtime(settings, cache=embedding_cache())
    try:
        seen: set[tuple[str, str]] = set()
        for tenant, _, doc, chunks in items:
            if (tenant, doc.id) not in seen:
                seen.add((tenant, doc.id))
                index_document(runtime.store, tenant, doc, list(chunks), runtime.embedder)
        log(f"indexed {len(seen)} training documents; retrieving top-{k} evidence")
        out = []
        for tenant, question, doc, _ in items:
            hits = runtime.retriever.retrieve(tenant, question, doc_ids=[doc.id], k=k)
            out.append(tuple(h.chunk for h in hits))
        spec = {"k": k, "rerank": settings.retrieval.rerank, "embedder": runtime.embedder.name}
        return out, spec
    finally:
        runtime.close()
