"""Small hand-made documents, chunks and deterministic vectors for the store tests."""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import numpy.typing as npt

from finrag.documents.model import (
    Chunk,
    ChunkCell,
    ChunkKind,
    Document,
    Page,
    ParsedNumber,
    TextBlock,
)
from finrag.dsl.units import Kind, Scale

DIM = 8


def make_document(name: str, texts: list[str]) -> tuple[Document, list[Chunk]]:
    """A one-page document whose sentences are ``texts``, plus a table-row chunk with cells."""
    sha = hashlib.sha256(name.encode()).hexdigest()
    doc_id = f"d{sha[:16]}"
    page_text = " ".join(texts)
    document = Document(
        id=doc_id,
        source=f"{name}.pdf",
        format="pdf",
        title=name.title(),
        sha256=sha,
        size_bytes=len(page_text),
        pages=(
            Page(
                number=1,
                text=page_text,
                blocks=(TextBlock(page=1, text=page_text, sentences=tuple(texts)),),
            ),
        ),
        metadata={"company": name},
    )
    chunks = [
        Chunk(
            id=f"{doc_id}:p1:s{i}",
            doc_id=doc_id,
            kind=ChunkKind.TEXT,
            text=text,
            page=1,
            ordinal=i,
        )
        for i, text in enumerate(texts)
    ]
    row_id = f"{doc_id}:t0:r1"
    number = ParsedNumber(value=5829.0, kind=Kind.MONEY, scale=Scale.MILLIONS, currency="USD")
    chunks.append(
        Chunk(
            id=row_id,
            doc_id=doc_id,
            kind=ChunkKind.TABLE_ROW,
            text=f"the {name} operating income of 2019 is $ 5829 ;",
            page=1,
            ordinal=len(texts),
            table_index=0,
            row_index=1,
            row_label="operating income",
            cells=(
                ChunkCell(id=f"{row_id}:c1", col=1, header="2019", period="2019", text="5,829",
                          number=number),
            ),
            numbers=(number,),
        )
    )  # fmt: skip
    return document, chunks


def make_vectors(seed: str, count: int, dim: int = DIM) -> npt.NDArray[np.float32]:
    """Deterministic pseudo-random unit vectors."""
    rng = np.random.default_rng(int(hashlib.sha256(seed.encode()).hexdigest()[:8], 16))
    matrix = rng.normal(size=(count, dim)).astype(np.float32)
    unit: npt.NDArray[np.float32] = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
    return unit


ACME_TEXTS = [
    "the net revenue of 2019 is $ 5829 ;",
    "net revenue grew strongly in the prior year",
    "revenue from services was stable",
    "cash flow from operations increased",
    "the company repurchased shares during the quarter",
]
GLOBEX_TEXTS = [
    "total revenue of globex in 2018 was $ 1200 ;",
    "globex opened new offices in europe",
    "operating margin declined due to higher costs",
]


def acme() -> tuple[Document, list[Chunk], Any]:
    document, chunks = make_document("acme", ACME_TEXTS)
    return document, chunks, make_vectors("acme", len(chunks))


def globex() -> tuple[Document, list[Chunk], Any]:
    document, chunks = make_document("globex", GLOBEX_TEXTS)
    return document, chunks, make_vectors("globex", len(chunks))
