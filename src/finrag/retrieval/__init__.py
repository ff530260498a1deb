"""Hybrid retrieval: BM25 + vector search fused by reciprocal rank fusion, then reranked.

The contract is :mod:`finrag.retrieval.base` (``Retriever``, ``Retrieved``, ``Provenance``);
the implementation :class:`finrag.retrieval.hybrid.HybridRetriever`; the learned reranker
:mod:`finrag.retrieval.rerank`; ingestion into a store :mod:`finrag.retrieval.indexing`. This
package imports nothing eagerly, because :mod:`finrag.store.base` imports
:mod:`finrag.retrieval.fusion` and an eager import here would be circular.
"""
