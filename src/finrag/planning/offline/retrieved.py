"""Training evidence as production sees it: the retriever's top-k chunks of each question.

The planner never sees a whole record at serving time, only the ``k`` chunks the hybrid
retriever returns, best first. Training on the same evidence makes the operand scorer's
``rank`` feature mean retrieval rank, keeps distractors at the density the planner meets, and
makes out-of-fold figures full-pipeline figures (retrieval included). Documents are indexed
once into a cached SQLite store of their own (``offline-train-<parser fingerprint>.db``, the
embedding cache shared), with the runtime's embedder and retriever settings. Not the store
``finrag eval qa`` fills: FTS5's BM25 statistics span every tenant of a file, so documents
evaluated there (the held-out dev sample) would shift the training evidence and the model.

**Out-of-fold reranking.** The committed reranker was trained on these very questions, so its
ranking of them is better than of any question it will serve (FinQA train recall@3 in sample
against 0.83 out of fold). With ``fold_of``, each question is retrieved with a LambdaMART
reranker fitted, like the committed one, on the reranker's training set minus the documents of
the question's planner fold: the planner learns, and calibrates its confidence, on evidence as
noisy as at serving time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from finrag.documents.model import Chunk, Document
from finrag.embeddings.base import Embedder
from finrag.retrieval.rerank import Reranker
from finrag.retrieval.training import TrainingSet

__all__ = ["RetrievalSpec", "fit_per_fold", "fold_rerankers", "retrieve_all"]

RetrievalSpec = tuple[str, str, Document, Sequence[Chunk]]  # tenant, question, doc, chunks


def fold_rerankers(
    files: tuple[Path, Path],
    fold_of: Mapping[str, int],
    embedder: Embedder,
    log: Callable[[str], None] = print,
) -> dict[int, Reranker]:
    """One reranker per fold, each fitted without the documents ``fold_of`` puts in it.

    ``files`` are the FinQA and TAT-QA training files, the reranker's own training data; its
    cached training store (``finrag train reranker``'s) is reused.
    """
    from finrag.evaluation.retrieval import reranker_training_store_url
    from finrag.retrieval.training import build_training_set
    from finrag.store.registry import open_store

    with open_store(reranker_training_store_url(embedder.name)) as store:
        data = build_training_set(store, embedder, finqa=[files[0]], tatqa=[files[1]])
    out = fit_per_fold(data, fold_of)
    log(f"fitted {len(out)} out-of-fold rerankers on {data.questions} questions")
    return out


def fit_per_fold(data: TrainingSet, fold_of: Mapping[str, int]) -> dict[int, Reranker]:
    """LambdaMART (the committed reranker's kind and settings) per fold, on the rows of the
    documents outside it; documents ``fold_of`` does not know are in no fold."""
    from finrag.retrieval.training import fit_lambdarank

    doc_fold = np.array([fold_of.get(doc_id, -1) for doc_id in data.doc_ids])
    row_fold = doc_fold[data.doc_groups]
    weights = data.weights()
    out = {}
    for fold in sorted(set(fold_of.values())):
        keep = row_fold != fold
        out[fold] = fit_lambdarank(data.x[keep], data.y[keep], data.groups[keep], weights[keep])
    return out


def retrieve_all(
    items: Sequence[RetrievalSpec],
    k: int,
    log: Callable[[str], None] = print,
    *,
    fold_of: Mapping[str, int] | None = None,
    files: tuple[Path, Path] | None = None,
) -> tuple[list[tuple[Chunk, ...]], dict[str, Any]]:
    """The top-``k`` retrieved chunks of each (tenant, question, document, chunks) item, and a
    description of the retriever used (for the model's metadata).

    With ``fold_of`` (document id -> fold) and the training ``files``, each item is reranked by
    the reranker of its document's fold (:func:`fold_rerankers`); otherwise by the runtime's.
    """
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
        retriever = runtime.retriever
        committed = getattr(retriever, "reranker", None)
        rerankers: dict[int, Reranker] = {}
        if fold_of is not None and files is not None and committed is not None:
            rerankers = fold_rerankers(files, fold_of, runtime.embedder, log)
        out = []
        try:
            for tenant, question, doc, _ in items:
                if rerankers and fold_of is not None:
                    retriever.reranker = rerankers[fold_of[doc.id]]
                hits = retriever.retrieve(tenant, question, doc_ids=[doc.id], k=k)
                out.append(tuple(h.chunk for h in hits))
        finally:
            if rerankers:
                retriever.reranker = committed
        spec = {
            "k": k,
            "rerank": settings.retrieval.rerank,
            "reranking": "out of fold" if rerankers else "committed reranker",
            "embedder": runtime.embedder.name,
        }
        return out, spec
    finally:
        runtime.close()
