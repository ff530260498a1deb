"""Fixtures for the offline planner tests: the committed model and hand-made evidence."""

from __future__ import annotations

import pytest

from finrag.documents.model import Chunk, ChunkKind
from finrag.planning.offline import OfflinePlanner
from finrag.planning.offline.data import finqa_chunks


@pytest.fixture(scope="session")
def planner() -> OfflinePlanner:
    return OfflinePlanner()


@pytest.fixture(scope="session")
def revenue_chunks() -> list[Chunk]:
    """A small income-statement table plus a sentence, as ingestion would chunk it."""
    grid = [
        ["(in millions)", "2019", "2018", "2017"],
        ["net revenue", "$ 5,829", "$ 5,735", "$ 5,201"],
        ["operating expenses", "3,100", "2,950", "2,800"],
        ["total assets", "12,400", "11,900", "11,000"],
    ]
    record = {
        "id": "TEST/2019/page_1.pdf-1",
        "pre_text": [],
        "post_text": ["The company employed 4,500 people at year end."],
        "table": grid,
    }
    chunks = finqa_chunks(record)
    assert all(c.kind in (ChunkKind.TABLE_ROW, ChunkKind.TEXT) for c in chunks)
    return chunks
