"""The Store contract suite: every backend (memory, sqlite, postgres) must pass all of it."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest

from finrag.documents.model import Chunk, ChunkKind
from finrag.embeddings.base import EmbeddingCache
from finrag.errors import AccessDeniedError, NotFoundError, StoreError
from finrag.retrieval.fusion import rrf_reference
from finrag.store.base import DocumentInfo, ScoredChunk, Store
from store.store_data import DIM, acme, globex, make_document, make_vectors

A, B = "tenant-a", "tenant-b"


def add(store: Store, tenant: str, item: tuple[Any, list[Chunk], Any]) -> bool:
    document, chunks, vectors = item
    return store.add_document(tenant, document, chunks, vectors, "test-embedder")


def ids(hits: list[ScoredChunk]) -> list[str]:
    return [hit.chunk.id for hit in hits]


# -- add / get / list / delete ----------------------------------------------------------------


def test_add_get_list_delete_round_trip(store: Store) -> None:
    document, chunks, vectors = acme()
    assert store.add_document(A, document, chunks, vectors, "test-embedder") is True
    assert store.get_document(A, document.id) == document
    assert store.get_chunks(A, document.id) == chunks
    table_row = store.get_chunks(A, document.id)[-1]
    assert table_row.kind is ChunkKind.TABLE_ROW
    assert table_row.cells[0].number is not None and table_row.cells[0].number.value == 5829.0
    [info] = store.list_documents(A)
    assert isinstance(info, DocumentInfo)
    assert (info.id, info.tenant, info.source, info.format, info.title) == (
        document.id, A, "acme.pdf", "pdf", "Acme",
    )  # fmt: skip
    assert (info.pages, info.tables, info.chunks, info.sha256) == (1, 0, 6, document.sha256)
    assert info.created_at.tzinfo is not None
    assert store.get_document_info(A, document.id) == info
    assert A in store.list_tenants()
    store.delete_document(A, document.id)
    assert store.list_documents(A) == []
    with pytest.raises(NotFoundError):
        store.get_document(A, document.id)
    with pytest.raises(NotFoundError):
        store.get_chunks(A, document.id)
    with pytest.raises(NotFoundError):
        store.delete_document(A, document.id)
    assert store.keyword_search(A, "revenue") == []
    assert store.vector_search(A, vectors[0]) == []


def test_list_documents_oldest_first(store: Store) -> None:
    add(store, A, acme())
    add(store, A, globex())
    assert [info.title for info in store.list_documents(A)] == ["Acme", "Globex"]


def test_adding_twice_keeps_one_copy(store: Store) -> None:
    assert add(store, A, acme()) is True
    assert add(store, A, acme()) is False
    document, chunks, _ = acme()
    assert len(store.list_documents(A)) == 1
    assert len(store.get_chunks(A, document.id)) == len(chunks)
    assert len(store.keyword_search(A, "cash flow", limit=50)) == 1


def test_same_content_under_another_id_is_a_duplicate(store: Store) -> None:
    document, chunks, vectors = acme()
    add(store, A, (document, chunks, vectors))
    renamed = document.model_copy(update={"id": "dother"})
    moved = [chunk.model_copy(update={"doc_id": "dother"}) for chunk in chunks]
    assert store.add_document(A, renamed, moved, vectors, "test-embedder") is False
    assert [info.id for info in store.list_documents(A)] == [document.id]


@pytest.mark.parametrize("tenant", ["", "   "])
def test_empty_tenant_is_refused(store: Store, tenant: str) -> None:
    with pytest.raises(AccessDeniedError):
        add(store, tenant, acme())
    with pytest.raises(AccessDeniedError):
        store.list_documents(tenant)


# -- atomicity ---------------------------------------------------------------------------------


def assert_empty(store: Store, tenant: str = A) -> None:
    document, _, vectors = acme()
    assert store.list_documents(tenant) == []
    assert store.keyword_search(tenant, "revenue cash shares operating", limit=50) == []
    assert store.vector_search(tenant, vectors[0], limit=50) == []
    with pytest.raises(NotFoundError):
        store.get_chunks(tenant, document.id)


@pytest.mark.parametrize(
    "shape", [(5, DIM), (7, DIM), (6,), (6, 0)], ids=["too-few", "too-many", "1d", "no-dim"]
)
def test_wrong_vector_shape_writes_nothing(store: Store, shape: tuple[int, ...]) -> None:
    document, chunks, _ = acme()
    with pytest.raises(StoreError, match="shape"):
        store.add_document(A, document, chunks, np.ones(shape, np.float32), "test-embedder")
    assert_empty(store)


def test_invalid_chunks_write_nothing(store: Store) -> None:
    document, chunks, vectors = acme()
    with pytest.raises(StoreError, match="twice"):
        store.add_document(A, document, [*chunks[:2], chunks[0]], vectors[:3], "test-embedder")
    foreign = chunks[0].model_copy(update={"doc_id": "dsomeoneelse"})
    with pytest.raises(StoreError, match="belongs to"):
        store.add_document(A, document, [foreign], vectors[:1], "test-embedder")
    with pytest.raises(StoreError, match="NaN"):
        store.add_document(A, document, chunks, vectors * np.nan, "test-embedder")
    assert_empty(store)


class ExplodingChunk(Chunk):
    """A chunk whose serialisation fails, to break a write after it has started."""

    def model_dump_json(self, **kwargs: Any) -> str:
        raise RuntimeError("injected failure while writing a chunk")

    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        raise RuntimeError("injected failure while writing a chunk")


def test_failure_mid_write_leaves_nothing(store: Store) -> None:
    document, chunks, vectors = acme()
    broken = [*chunks[:3], ExplodingChunk(**chunks[3].model_dump()), *chunks[4:]]
    with pytest.raises(RuntimeError, match="injected"):
        store.add_document(A, document, broken, vectors, "test-embedder")
    assert_empty(store)
    assert store.add_document(A, document, chunks, vectors, "test-embedder") is True
    assert len(store.get_chunks(A, document.id)) == len(chunks)


# -- tenant isolation --------------------------------------------------------------------------


def test_other_tenant_sees_nothing(store: Store) -> None:
    document, _, vectors = acme()
    add(store, A, acme())
    with pytest.raises(NotFoundError):
        store.get_document(B, document.id)
    with pytest.raises(NotFoundError):
        store.get_document_info(B, document.id)
    with pytest.raises(NotFoundError):
        store.get_chunks(B, document.id)
    with pytest.raises(NotFoundError):
        store.delete_document(B, document.id)
    assert store.list_documents(B) == []
    assert store.keyword_search(B, "net revenue 2019") == []
    assert store.vector_search(B, vectors[0]) == []
    assert store.hybrid_search(B, "net revenue 2019", vectors[0]) == []
    assert store.get_document(A, document.id) == document


def test_same_document_in_two_tenants_is_independent(store: Store) -> None:
    document, _, vectors = acme()
    assert add(store, A, acme()) is True
    assert add(store, B, acme()) is True
    store.delete_document(B, document.id)
    assert store.list_documents(B) == []
    assert [info.id for info in store.list_documents(A)] == [document.id]
    assert len(store.vector_search(A, vectors[0], limit=50)) == 6
    assert store.vector_search(B, vectors[0], limit=50) == []


# -- search ------------------------------------------------------------------------------------


def test_keyword_search_ranks_exact_match_first(store: Store) -> None:
    add(store, A, acme())
    add(store, A, globex())
    hits = store.keyword_search(A, "What was the net revenue in 2019?")
    assert hits[0].chunk.text == "the net revenue of 2019 is $ 5829 ;"
    assert [hit.keyword_rank for hit in hits] == list(range(1, len(hits) + 1))
    assert all(hit.vector_rank is None for hit in hits)
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True)
    assert len(store.keyword_search(A, "revenue", limit=2)) == 2


def test_keyword_search_reads_the_section_heading(store: Store) -> None:
    """A row of "CONSOLIDATED BALANCE SHEETS" is found by "balance sheet", as the vector finds
    it (``Chunk.search_text``); the hit's text is the chunk's own."""
    document, chunks, vectors = acme()
    titled = [
        c.model_copy(update={"section": "CONSOLIDATED BALANCE SHEETS"}) if i == 1 else c
        for i, c in enumerate(chunks)
    ]
    add(store, A, (document, titled, vectors))
    hits = store.keyword_search(A, "balance sheets")
    assert [hit.chunk.id for hit in hits] == [titled[1].id]
    assert hits[0].chunk.text == titled[1].text


def test_years_and_numbers_are_searchable(store: Store) -> None:
    add(store, A, acme())
    add(store, A, globex())
    hits = store.keyword_search(A, "2018")
    assert [hit.chunk.text for hit in hits] == ["total revenue of globex in 2018 was $ 1200 ;"]
    assert "5829" in store.keyword_search(A, "5829")[0].chunk.text


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        '"',
        'net "revenue',
        "revenue:2019",
        "col:revenue",
        "(revenue",
        "revenue)",
        "AND",
        "revenue AND",
        "OR NOT",
        "*",
        "reven*",
        "NEAR(net revenue)",
        "^revenue",
        "-revenue +cash",
        "'; DROP TABLE chunks; --",
        "\x00revenue",
        "revenue | cash & !shares",
        "what is it?",
        "ÉBITDA révenue",
    ],
)
def test_hostile_queries_do_not_raise(store: Store, query: str) -> None:
    add(store, A, acme())
    _, _, vectors = acme()
    hits = store.keyword_search(A, query)
    assert isinstance(hits, list)
    if "revenue" in query.lower():
        assert hits, f"{query!r} should still find revenue chunks"
    assert isinstance(store.hybrid_search(A, query, vectors[0]), list)


def test_vector_search_returns_nearest_by_cosine(store: Store) -> None:
    document, chunks, vectors = acme()
    add(store, A, (document, chunks, vectors))
    add(store, A, globex())
    query = vectors[2] * 3.0 + 0.05 * make_vectors("noise", 1)[0]
    hits = store.vector_search(A, query, limit=4)
    assert hits[0].chunk.id == chunks[2].id
    all_vectors = np.vstack([vectors, globex()[2]])
    all_ids = [c.id for c in chunks] + [c.id for c in globex()[1]]
    unit = query / np.linalg.norm(query)
    expected = sorted(zip(all_vectors @ unit, all_ids, strict=True), key=lambda p: (-p[0], p[1]))
    assert ids(hits) == [chunk_id for _, chunk_id in expected[:4]]
    for hit, (cosine, _) in zip(hits, expected, strict=False):
        assert hit.score == pytest.approx(float(cosine), abs=1e-5)
    assert [hit.vector_rank for hit in hits] == [1, 2, 3, 4]


def test_vector_search_ignores_other_dimensions(store: Store) -> None:
    add(store, A, acme())
    assert store.vector_search(A, np.ones(DIM + 4, np.float32)) == []
    with pytest.raises(StoreError):
        store.vector_search(A, np.ones((2, DIM), np.float32))


def test_document_id_filter(store: Store) -> None:
    acme_doc, _, acme_vectors = acme()
    globex_doc, _, _ = globex()
    add(store, A, acme())
    add(store, A, globex())
    only = {globex_doc.id}
    assert {h.chunk.doc_id for h in store.keyword_search(A, "revenue", doc_ids=only)} == only
    hits = store.vector_search(A, acme_vectors[0], doc_ids=only, limit=50)
    assert {h.chunk.doc_id for h in hits} == only and len(hits) == 4
    fused = store.hybrid_search(A, "revenue", acme_vectors[0], doc_ids=only, limit=50)
    assert {h.chunk.doc_id for h in fused} == only
    assert store.keyword_search(A, "revenue", doc_ids=set()) == []
    assert store.vector_search(A, acme_vectors[0], doc_ids=["dmissing"]) == []
    both = store.keyword_search(A, "revenue", doc_ids=[acme_doc.id, globex_doc.id], limit=50)
    assert {h.chunk.doc_id for h in both} == {acme_doc.id, globex_doc.id}


@pytest.mark.parametrize("depth", [3, 10])
def test_hybrid_is_rrf_of_keyword_and_vector(store: Store, depth: int) -> None:
    add(store, A, acme())
    add(store, A, globex())
    query, vector = "net revenue 2019 operating", make_vectors("question", 1)[0]
    keyword = store.keyword_search(A, query, limit=depth)
    nearest = store.vector_search(A, vector, limit=depth)
    expected = rrf_reference([ids(keyword), ids(nearest)])[:depth]
    fused = store.hybrid_search(A, query, vector, limit=depth, candidates=depth)
    assert [h.chunk.id for h in fused] == [chunk_id for chunk_id, _ in expected]
    assert [h.score for h in fused] == pytest.approx([score for _, score in expected], rel=1e-12)
    ranks = {h.chunk.id: (h.keyword_rank, h.vector_rank) for h in fused}
    for rank, hit in enumerate(keyword, start=1):
        assert ranks.get(hit.chunk.id, (rank, None))[0] == rank
    for rank, hit in enumerate(nearest, start=1):
        assert ranks.get(hit.chunk.id, (None, rank))[1] == rank


def test_hybrid_takes_a_vector_still_being_computed(store: Store) -> None:
    """A Future of the vector (the question embedded on another thread) fuses as the vector
    does, and the computation's error comes out of the search."""
    add(store, A, acme())
    add(store, A, globex())
    query, vector = "net revenue 2019 operating", make_vectors("question", 1)[0]
    expected = store.hybrid_search(A, query, vector, limit=5)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(lambda: vector)
        assert store.hybrid_search(A, query, pending, limit=5) == expected
    failed: Future[Any] = Future()
    failed.set_exception(RuntimeError("embedder failed"))
    with pytest.raises(RuntimeError, match="embedder failed"):
        store.hybrid_search(A, query, failed, limit=5)


# -- embedding cache ---------------------------------------------------------------------------


def test_embedding_cache_round_trip(store: Store) -> None:
    assert isinstance(store, EmbeddingCache)
    first, second = make_vectors("cache", 2, dim=384)
    store.put_many("minilm-l6-v2", {"k1": first, "k2": second})
    found = store.get_many("minilm-l6-v2", ["k1", "k2", "missing"])
    assert set(found) == {"k1", "k2"}
    assert found["k1"].dtype == np.float32 and np.array_equal(found["k1"], first)
    assert store.get_many("other-model", ["k1"]) == {}
    assert store.get_many("minilm-l6-v2", []) == {}
    store.put_many("minilm-l6-v2", {"k1": second})
    assert np.array_equal(store.get_many("minilm-l6-v2", ["k1"])["k1"], second)


def test_search_limit_must_be_positive(store: Store) -> None:
    with pytest.raises(StoreError):
        store.keyword_search(A, "revenue", limit=0)


def test_documents_with_many_chunks(store: Store) -> None:
    texts = [f"segment {i} revenue line {i * 7}" for i in range(120)]
    document, chunks = make_document("bulk", texts)
    vectors = make_vectors("bulk", len(chunks))
    assert store.add_document(A, document, chunks, vectors, "test-embedder")
    assert len(store.get_chunks(A, document.id)) == 121
    assert store.keyword_search(A, "segment 42")[0].chunk.text.startswith("segment 42 ")
    assert store.vector_search(A, vectors[77])[0].chunk.id == chunks[77].id


def test_get_chunks_by_id_returns_only_the_tenants_requested_chunks(store: Store) -> None:
    document, chunks, vectors = acme()
    store.add_document("a", document, chunks, vectors, "e")
    wanted = [chunks[2].id, chunks[0].id, "no-such-chunk"]
    found = store.get_chunks_by_id("a", wanted)
    assert [c.id for c in found] == sorted([chunks[0].id, chunks[2].id])
    assert found[0] == next(c for c in chunks if c.id == found[0].id)
    assert store.get_chunks_by_id("b", wanted) == []
    assert store.get_chunks_by_id("a", []) == []


def test_document_metadata_by_id_for_this_tenant_only(store: Store) -> None:
    document, chunks, vectors = acme()
    tagged = document.model_copy(update={"metadata": {"registrant": "Acme Corp."}})
    store.add_document(A, tagged, chunks, vectors, "e")
    other, other_chunks, other_vectors = globex()
    store.add_document(A, other, other_chunks, other_vectors, "e")
    assert store.document_metadata(A, [document.id, "no-such-doc"]) == {
        document.id: {"registrant": "Acme Corp."}
    }
    assert store.document_metadata(A) == {
        document.id: {"registrant": "Acme Corp."},
        other.id: dict(other.metadata),
    }
    assert store.document_metadata(A, []) == {}
    assert store.document_metadata(B, [document.id]) == {}
