"""Hybrid retrieval: BM25 + vector candidates fused by RRF, then an optional learned reranker.

Candidates come from :meth:`finrag.store.base.Store.hybrid_search`, which fuses the keyword and
vector lists with :func:`finrag.retrieval.fusion.rrf` (inside one SQL statement on PostgreSQL,
in Python elsewhere). The :class:`~finrag.retrieval.rerank.Reranker` then reorders the fused
candidates using the ranks and lexical, period and table features of each one.

Within one filer's documents the filer's own names are dropped from the query
(:func:`finrag.documents.filer.without_filer`): "What was Boeing's revenue?" searches for
revenue, not for the rows labelled "Boeing Capital". It applies when every document in scope
has the same ``registrant`` (read from the SEC cover page at ingestion).

A question that uses one form of an abbreviation the documents in scope define ("Frito-Lay
North America (FLNA)", read at ingestion, :mod:`finrag.documents.abbreviations`) is searched
with the other form too: PepsiCo's division tables print only "FLNA".

Query vectors are kept in a small in-process LRU keyed by the question text, so a repeated
question (a retry, the second turn of a UI session) does not pay for the embedder again; they
are not written to the persistent cache. A question not in it is embedded on a worker thread
while the calling thread runs the keyword search (the embedder and SQLite both release the GIL),
so on the embedded default a query costs the longer of the two rather than their sum
(docs/retrieval.md, "Latency"); ``overlap=False`` embeds first, on the calling thread.

The reranker also sees the exact cosine of the question with each candidate's text and with
its row label. Those vectors are not recomputed: indexing put them in the embedding cache
(the store itself in embedded mode, Redis in production) under the text's sha256, so one
``get_many`` fetches them; a miss (a label indexed before labels were cached) is embedded once
and cached. A bounded in-process LRU sits in front of that cache (the same vectors, by the
same content key), so a chunk seen by an earlier query costs no store round trip.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Collection, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import ClassVar, NamedTuple

import numpy as np

from finrag.documents import abbreviations
from finrag.documents.filer import (
    ALIASES_KEY,
    REGISTRANT_KEY,
    decode_aliases,
    without_filer,
)
from finrag.embeddings.base import Embedder, EmbeddingCache, Vectors
from finrag.embeddings.cache import CachedEmbedder, InMemoryEmbeddingCache, LayeredEmbeddingCache
from finrag.lexical import spell_quarters, unglue_dates
from finrag.retrieval.base import Retrieved, Retriever, provenance_of
from finrag.retrieval.features import Candidate
from finrag.retrieval.indexing import cached_embedder, embedding_text
from finrag.retrieval.rerank import Reranker
from finrag.store.base import (
    DEFAULT_CANDIDATES,
    QueryVector,
    Store,
    check_limit,
    check_tenant,
    resolve_vector,
)

__all__ = ["DEFAULT_PAGE_SPREAD", "HybridRetriever", "QueryVectorCache", "spread_pages"]

#: Leading results drawn from distinct pages. In a long filing the best chunks of one page
#: (several rows of one table) crowd out the other pages a question may need; after the first
#: five the order is by score again, so sibling rows still follow. A one-page document (a FinQA
#: record) is unaffected. Chosen on FinanceBench page recall@5 (0.34 -> 0.48 in an offline run).
DEFAULT_PAGE_SPREAD = 5

#: Chunk and row-label vectors kept in memory in front of the vector cache (~1.5 KB each for
#: MiniLM, so ~25 MB at most).
DEFAULT_UNIT_VECTOR_ENTRIES = 16_384

#: Registrants and abbreviations kept per (tenant, document id); ids are content hashes, so an
#: entry never goes stale, and the dictionary is simply emptied when it grows past this.
_MAX_DOCUMENT_TERMS = 65_536


def spread_pages(pages: Sequence[tuple[str, int]], head: int) -> list[int]:
    """Indices of a best-first list with its first ``head`` items from distinct pages.

    ``pages`` holds ``(doc_id, page)`` of each item in score order. Items skipped because
    their page was already used keep their relative order after the head.
    """
    lead: list[int] = []
    seen: set[tuple[str, int]] = set()
    for i, page in enumerate(pages):
        if len(lead) >= head:
            break
        if page not in seen:
            seen.add(page)
            lead.append(i)
    chosen = set(lead)
    return lead + [i for i in range(len(pages)) if i not in chosen]


class _DocumentTerms(NamedTuple):
    """What a document's metadata says about how questions name things in it."""

    registrant: str  # "" when unknown
    aliases: tuple[str, ...]  # the other names the registrant goes by ("AXP")
    abbreviations: dict[str, str]  # short form -> long form


def _merged(maps: Iterable[dict[str, str]]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for pairs in maps:
        for short, long_form in pairs.items():
            merged.setdefault(short, long_form)
    return merged


class QueryVectorCache:
    """A thread-safe LRU of query vectors by (embedder name, question text)."""

    def __init__(self, embedder: Embedder, max_entries: int = 2048) -> None:
        self.embedder = embedder
        self.max_entries = max_entries
        self.hits = 0
        self.misses = 0
        self._data: OrderedDict[str, Vectors] = OrderedDict()
        self._lock = threading.Lock()

    def clear(self) -> None:
        """Forget every cached vector (benchmarks use it to time the embedding too)."""
        with self._lock:
            self._data.clear()

    def cached(self, question: str) -> Vectors | None:
        """The embedding of ``question`` when it is cached (a hit), else None."""
        with self._lock:
            vector = self._data.get(question)
            if vector is not None:
                self._data.move_to_end(question)
                self.hits += 1
            return vector

    def get(self, question: str) -> Vectors:
        """The embedding of ``question``, computed on a miss."""
        vector = self.cached(question)
        if vector is not None:
            return vector
        vector = self.embedder.embed_query(question)
        with self._lock:
            self.misses += 1
            self._data[question] = vector
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)
        return vector


class HybridRetriever(Retriever):
    """BM25 + vector retrieval fused by RRF and reranked; see :mod:`finrag.retrieval.base`.

    Args:
        store: where the tenant's chunks and vectors live.
        embedder: embeds the question; must be the model that embedded the chunks.
        reranker: reorders the fused candidates; ``None`` keeps the RRF order.
        candidates: how deep each of the keyword and vector lists goes before fusion.
        rerank_depth: how many fused candidates the reranker sees (default: ``candidates``).
        query_cache_size: entries in the query-vector LRU.
        page_spread: how many leading results must come from distinct pages (when the
            candidates span several pages); the rest follow in score order. 0 turns it off.
        vector_cache: where chunk and label vectors are read for the cosine features
            (default: the store, which caches every vector indexing computed).
        unit_vector_entries: size of the in-process LRU in front of ``vector_cache``
            (0 turns it off).
        overlap: embed an uncached question on a worker thread while the keyword search runs
            (False: embed it first, on the calling thread). Results are the same either way.
    """

    name: ClassVar[str] = "hybrid"

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        reranker: Reranker | None = None,
        *,
        candidates: int = DEFAULT_CANDIDATES,
        rerank_depth: int | None = None,
        query_cache_size: int = 2048,
        page_spread: int = DEFAULT_PAGE_SPREAD,
        vector_cache: EmbeddingCache | None = None,
        unit_vector_entries: int = DEFAULT_UNIT_VECTOR_ENTRIES,
        overlap: bool = True,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.reranker = reranker
        self.candidates = check_limit(candidates)
        self.rerank_depth = check_limit(rerank_depth or candidates)
        self.page_spread = page_spread
        inner = embedder.inner if isinstance(embedder, CachedEmbedder) else embedder
        # Questions are embedded directly and kept in the in-process LRU: writing every new
        # question to a persistent cache would cost a write transaction per query.
        self.query_vectors = QueryVectorCache(inner, query_cache_size)
        backing: EmbeddingCache = vector_cache or store
        if unit_vector_entries > 0:
            backing = LayeredEmbeddingCache(InMemoryEmbeddingCache(unit_vector_entries), backing)
        self.unit_vectors = cached_embedder(inner, backing)
        # per (tenant, document id): its registrant, aliases and the abbreviations it defines
        self._terms: dict[tuple[str, str], _DocumentTerms] = {}
        self._terms_lock = threading.Lock()
        self.overlap = overlap
        self._embedding_pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    def __repr__(self) -> str:
        reranker = self.reranker.version if self.reranker else None
        return (
            f"HybridRetriever(store={self.store!r}, embedder={self.embedder.name!r}, "
            f"reranker={reranker!r}, candidates={self.candidates})"
        )

    def close(self) -> None:
        """Stop the embedding worker threads (they are started again if the retriever is used
        after this)."""
        with self._pool_lock:
            pool, self._embedding_pool = self._embedding_pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def scoped_query(
        self, tenant: str, question: str, doc_ids: Collection[str] | None = None
    ) -> str:
        """``question`` as searched: quarters spelled out ("Q4" also as "fourth quarter",
        :func:`~finrag.lexical.spell_quarters`), a day glued to its year parted ("december
        312012", :func:`~finrag.lexical.unglue_dates`), the other form of each abbreviation the
        documents in scope define appended (:func:`finrag.documents.abbreviations.expand`), and
        without the filer's names (its registrant's, its aliases such as the trading symbol,
        :func:`~finrag.documents.filer.without_filer`) when every document in scope
        (``doc_ids``, else all the tenant's documents) has the same registrant."""
        check_tenant(tenant)
        if not question.strip() or (doc_ids is not None and not doc_ids):
            return question
        question = unglue_dates(spell_quarters(question))
        terms = self._document_terms(tenant, doc_ids)
        question = abbreviations.expand(question, _merged(t.abbreviations for t in terms))
        names = {t.registrant for t in terms}
        if len(names) != 1 or "" in names:
            return question
        return without_filer(question, [*names, *(a for t in terms for a in t.aliases)])

    def registrants(self, tenant: str, doc_ids: Collection[str] | None = None) -> set[str]:
        """The registrants of the documents in scope, read once per document and kept."""
        return {t.registrant for t in self._document_terms(tenant, doc_ids)}

    def filer_names(self, tenant: str, doc_ids: Collection[str] | None = None) -> set[str]:
        """The registrants of the documents in scope and the other names they go by."""
        terms = self._document_terms(tenant, doc_ids)
        return {t.registrant for t in terms} | {a for t in terms if t.registrant for a in t.aliases}

    def abbreviations(self, tenant: str, doc_ids: Collection[str] | None = None) -> dict[str, str]:
        """The abbreviations the documents in scope define (the first document's reading of a
        short form two of them define)."""
        return _merged(t.abbreviations for t in self._document_terms(tenant, doc_ids))

    def _document_terms(self, tenant: str, doc_ids: Collection[str] | None) -> list[_DocumentTerms]:
        """The registrant, aliases and abbreviations of each document in scope, read once and
        kept."""
        check_tenant(tenant)
        ids = (
            [d.id for d in self.store.list_documents(tenant)]
            if doc_ids is None
            else sorted(set(doc_ids))
        )
        with self._terms_lock:
            missing = [i for i in ids if (tenant, i) not in self._terms]
        if missing:
            found = self.store.document_metadata(tenant, missing)
            with self._terms_lock:
                if len(self._terms) > _MAX_DOCUMENT_TERMS:
                    self._terms.clear()
                for doc_id, metadata in found.items():
                    self._terms[(tenant, doc_id)] = _DocumentTerms(
                        metadata.get(REGISTRANT_KEY, ""),
                        tuple(decode_aliases(metadata.get(ALIASES_KEY))),
                        abbreviations.decode(metadata.get(abbreviations.ABBREVIATIONS_KEY)),
                    )
        with self._terms_lock:
            return [self._terms[(tenant, i)] for i in ids if (tenant, i) in self._terms]

    def candidates_for(
        self, tenant: str, question: str, *, doc_ids: Collection[str] | None = None
    ) -> list[Candidate]:
        """The fused candidate list (RRF order) before reranking, for the scoped query."""
        return self._candidates(tenant, self.scoped_query(tenant, question, doc_ids), doc_ids)

    def _candidates(
        self, tenant: str, question: str, doc_ids: Collection[str] | None
    ) -> list[Candidate]:
        check_tenant(tenant)
        if not question.strip() or (doc_ids is not None and not doc_ids):
            return []
        vector = self._query_vector(question)
        hits = self.store.hybrid_search(
            tenant,
            question,
            vector,
            limit=self.rerank_depth,
            doc_ids=doc_ids,
            candidates=self.candidates,
        )
        pool = [Candidate(h.chunk, h.keyword_rank, h.vector_rank, h.score) for h in hits]
        if self.reranker is None:
            return pool
        return self._with_cosines(np.asarray(resolve_vector(vector), dtype=np.float32), pool)

    def _query_vector(self, question: str) -> QueryVector:
        """The cached vector of ``question``, else (``overlap``) a Future of it being embedded
        on a worker thread, else the vector embedded here."""
        vector = self.query_vectors.cached(question)
        if vector is not None:
            return vector
        if not self.overlap:
            return self.query_vectors.get(question)
        with self._pool_lock:
            if self._embedding_pool is None:
                # one worker per core: concurrent requests embed in parallel as they did on
                # their own threads; beyond that they queue rather than oversubscribe the CPU
                self._embedding_pool = ThreadPoolExecutor(
                    max_workers=max(2, os.cpu_count() or 1), thread_name_prefix="finrag-embed"
                )
            return self._embedding_pool.submit(self.query_vectors.get, question)

    def with_cosines(self, question: str, pool: list[Candidate]) -> list[Candidate]:
        """``pool`` with the question's cosine to each chunk and row label filled in."""
        return self._with_cosines(self.query_vectors.get(question), pool)

    def _with_cosines(self, vector: Vectors, pool: list[Candidate]) -> list[Candidate]:
        if not pool:
            return pool
        texts = [embedding_text(c.chunk) for c in pool]
        labels = sorted({c.chunk.row_label for c in pool if c.chunk.row_label})
        matrix = self.unit_vectors.embed(texts + labels)
        cosines = matrix @ np.asarray(vector, dtype=np.float32)
        by_label = dict(zip(labels, cosines[len(texts) :].tolist(), strict=True))
        return [
            replace(
                cand,
                cosine=float(cos),
                label_cosine=by_label.get(cand.chunk.row_label or ""),
            )
            for cand, cos in zip(pool, cosines[: len(texts)].tolist(), strict=True)
        ]

    def retrieve(
        self,
        tenant: str,
        question: str,
        *,
        doc_ids: Collection[str] | None = None,
        k: int = 8,
    ) -> list[Retrieved]:
        """At most ``k`` evidence chunks for ``question``, best first."""
        check_limit(k)
        question = self.scoped_query(tenant, question, doc_ids)
        pool = self._candidates(tenant, question, doc_ids)
        scored: list[tuple[Candidate, float, float | None]]
        if self.reranker is None or not pool:
            scored = [(cand, cand.fused_score, None) for cand in pool]
        else:
            probabilities = self.reranker.score(question, pool)
            order = sorted(range(len(pool)), key=lambda i: (-probabilities[i], i))
            scored = [(pool[i], float(probabilities[i]), float(probabilities[i])) for i in order]
        if self.page_spread > 0:
            pages = [(cand.chunk.doc_id, cand.chunk.page) for cand, _, _ in scored]
            scored = [scored[i] for i in spread_pages(pages, self.page_spread)]
        return [
            Retrieved(
                chunk=cand.chunk,
                score=score,
                keyword_rank=cand.keyword_rank,
                vector_rank=cand.vector_rank,
                rerank_score=rerank,
                fused_score=cand.fused_score,
                provenance=provenance_of(cand.chunk),
            )
            for cand, score, rerank in scored[:k]
        ]
