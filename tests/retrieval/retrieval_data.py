"""Small hand-made reports (sentences and FinQA-style table rows) for the retrieval tests."""

from __future__ import annotations

import hashlib

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

YEARS = ("2019", "2018")


def _money(value: float) -> ParsedNumber:
    return ParsedNumber(
        value=value, kind=Kind.MONEY, scale=Scale.MILLIONS, currency="USD", text=f"{value:g}"
    )


def row_chunk(doc_id: str, index: int, label: str, values: tuple[float, float]) -> Chunk:
    """A FinQA-style table-row chunk with one cell per year."""
    chunk_id = f"{doc_id}:t0:r{index}"
    cells = tuple(
        ChunkCell(
            id=f"{chunk_id}:c{col}",
            col=col,
            header=year,
            period=year,
            text=f"{value:g}",
            number=_money(value),
        )
        for col, (year, value) in enumerate(zip(YEARS, values, strict=True), start=1)
    )
    text = " ".join(f"the {label} of {c.header} is $ {c.text} ;" for c in cells)
    return Chunk(
        id=chunk_id,
        doc_id=doc_id,
        kind=ChunkKind.TABLE_ROW,
        text=text,
        page=1,
        ordinal=100 + index,
        table_index=0,
        row_index=index,
        row_label=label,
        cells=cells,
    )


def text_chunk(doc_id: str, index: int, text: str, page: int = 1) -> Chunk:
    """A sentence chunk."""
    return Chunk(
        id=f"{doc_id}:p{page}:s{index}",
        doc_id=doc_id,
        kind=ChunkKind.TEXT,
        text=text,
        page=page,
        ordinal=index,
    )


def make_report(name: str, rows: dict[str, tuple[float, float]], sentences: list[str]):
    """A one-page document with ``sentences`` and a table of ``rows``, plus its chunks."""
    sha = hashlib.sha256(name.encode()).hexdigest()
    doc_id = f"d{sha[:16]}"
    page_text = " ".join(sentences)
    document = Document(
        id=doc_id,
        source=f"{name}.pdf",
        format="pdf",
        title=name,
        sha256=sha,
        pages=(
            Page(
                number=1,
                text=page_text,
                blocks=(TextBlock(page=1, text=page_text, sentences=tuple(sentences)),),
            ),
        ),
    )
    chunks = [text_chunk(doc_id, i, s) for i, s in enumerate(sentences)]
    chunks += [row_chunk(doc_id, i, label, v) for i, (label, v) in enumerate(rows.items(), 1)]
    return document, chunks


ACME_ROWS = {
    "net revenue": (5829.0, 5735.0),
    "operating income": (1204.0, 1100.0),
    "cost of sales": (3120.0, 3011.0),
    "research and development": (410.0, 388.0),
}
ACME_TEXT = [
    "Acme designs and sells industrial widgets to customers around the world.",
    "Revenue growth was driven by higher volume in the widget segment.",
    "The company repurchased shares during the year under its buyback program.",
    "Operating expenses increased because of higher research spending.",
]
GLOBEX_ROWS = {"net revenue": (910.0, 870.0), "interest expense": (44.0, 41.0)}
GLOBEX_TEXT = ["Globex operates a chain of hardware stores in the midwest."]
