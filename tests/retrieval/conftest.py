"""Fixtures for retrieval tests: the hand-made reports in memory and SQLite stores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from finrag.embeddings import HashEmbedder
from finrag.retrieval.indexing import index_document
from finrag.store.base import Store
from finrag.store.registry import open_store
from retrieval.retrieval_data import (
    ACME_ROWS,
    ACME_TEXT,
    GLOBEX_ROWS,
    GLOBEX_TEXT,
    make_report,
)


@pytest.fixture
def embedder() -> HashEmbedder:
    return HashEmbedder(dim=64)


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    url = "memory://" if request.param == "memory" else f"sqlite:///{tmp_path / 'r.db'}"
    with open_store(url) as opened:
        yield opened


@pytest.fixture
def loaded(store: Store, embedder: HashEmbedder) -> tuple[Store, dict[str, str]]:
    """The store with Acme (tenant ``t1``) and Globex (``t1`` and ``t2``); name -> doc id."""
    ids = {}
    for tenant, name, rows, text in (
        ("t1", "acme", ACME_ROWS, ACME_TEXT),
        ("t1", "globex", GLOBEX_ROWS, GLOBEX_TEXT),
        ("t2", "globex", GLOBEX_ROWS, GLOBEX_TEXT),
    ):
        document, chunks = make_report(name, rows, text)
        index_document(store, tenant, document, chunks, embedder)
        ids[name] = document.id
    return store, ids
