"""Indexing: idempotent by content, through the embedding cache, with progress reports."""

from __future__ import annotations

import pytest

from finrag.embeddings import CachedEmbedder, HashEmbedder
from finrag.retrieval.indexing import IndexProgress, index_document, index_paths
from retrieval.retrieval_data import ACME_ROWS, ACME_TEXT, make_report

pytestmark = pytest.mark.unit

CSV = "Item,2019,2018\nNet revenue,5829,5735\nOperating income,1204,1100\n"


def test_same_document_twice_leaves_one_copy(store, embedder) -> None:
    document, chunks = make_report("acme", ACME_ROWS, ACME_TEXT)
    first = index_document(store, "t1", document, chunks, embedder)
    second = index_document(store, "t1", document, chunks, embedder)
    assert first.added and first.chunks == len(chunks)
    assert not second.added and second.chunks == 0
    assert [d.id for d in store.list_documents("t1")] == [document.id]
    assert len(store.get_chunks("t1", document.id)) == len(chunks)


def test_vectors_come_from_the_cache_the_second_time(store) -> None:
    inner = HashEmbedder(dim=32)
    cached = CachedEmbedder(inner, store)
    document, chunks = make_report("acme", ACME_ROWS, ACME_TEXT)
    index_document(store, "t1", document, chunks, cached)
    index_document(store, "t2", document, chunks, cached)  # another tenant, same text
    labels = {c.row_label for c in chunks if c.row_label}  # cached for the label cosine
    assert cached.stats.misses == len(chunks) + len(labels)
    assert cached.stats.hits == len(chunks) + len(labels)


def test_progress_reports_embed_and_store(store, embedder) -> None:
    seen: list[IndexProgress] = []
    document, chunks = make_report("acme", ACME_ROWS, ACME_TEXT)
    index_document(store, "t1", document, chunks, embedder, progress=seen.append)
    assert {p.stage for p in seen} == {"embed", "store"}
    assert seen[-1].done == seen[-1].total
    seen.clear()
    index_document(store, "t1", document, chunks, embedder, progress=seen.append)
    assert [p.stage for p in seen] == ["skip"]


def test_index_paths_twice_keeps_one_copy(store, embedder, tmp_path) -> None:
    path = tmp_path / "acme.csv"
    path.write_text(CSV)
    report, results = index_paths(store, "t1", [path], embedder)
    assert not report.failed and results[0].added
    _, again = index_paths(store, "t1", [path], embedder)
    assert not again[0].added and again[0].doc_id == results[0].doc_id
    assert len(store.list_documents("t1")) == 1
    assert store.get_chunks("t1", results[0].doc_id)
