"""FinQA / TAT-QA records as evidence chunks, for training and development evaluation.

The offline planner is trained on the same evidence shape it sees at serving time:
:class:`~finrag.documents.model.Chunk` objects (one per sentence, one per table row with its
cells). Tables go through :func:`finrag.documents.tables.build_table`, the project's one table
builder, so header rows, column periods, scale and kinds are read exactly as ingestion reads
them. Ids follow the document model: ``<doc>:p<page>:s<n>`` and ``<doc>:t<i>:r<j>``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Any

from finrag.documents.model import Chunk, ChunkCell, ChunkKind, Table
from finrag.documents.numbers import find_numbers
from finrag.documents.tables import build_table

__all__ = ["doc_id_for", "finqa_chunks", "table_chunks", "tatqa_chunks", "text_chunks"]

_FINQA_DUP = re.compile(r"(-?[\d.,]+%?)\s*\(\s*[\d.,]+\s*%?\s*\)")


def doc_id_for(key: str) -> str:
    """A document id in the model's ``d<16 hex>`` form, derived from a record key."""
    return "d" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def _clean_sentence(text: str) -> str:
    """FinQA writes negatives and percents twice ("4.8% ( 4.8 % )"); keep the first."""
    return _FINQA_DUP.sub(r"\1", text)


def text_chunks(
    sentences: Sequence[str], doc_id: str, page: int, start: int = 0, section: str = ""
) -> list[Chunk]:
    """One TEXT chunk per non-empty sentence, numbered from ``start`` on ``page``."""
    out: list[Chunk] = []
    for offset, raw in enumerate(sentences):
        text = _clean_sentence(raw.strip())
        if not text or text == ".":
            continue
        n = start + offset
        out.append(
            Chunk(
                id=f"{doc_id}:p{page}:s{n}",
                doc_id=doc_id,
                kind=ChunkKind.TEXT,
                text=text,
                page=page,
                ordinal=n,
                numbers=tuple(find_numbers(text)),
                section=section,
            )
        )
    return out


def _row_text(label: str, cells: Sequence[ChunkCell]) -> str:
    parts = [f"the {label} of {c.period or c.header} is {c.text} ;" for c in cells if c.text]
    return " ".join(parts) if parts else label


def table_chunks(table: Table, doc_id: str, page: int, ordinal_base: int = 0) -> list[Chunk]:
    """One TABLE_ROW chunk per body row, cells addressable as ``<row id>:c<col>``."""
    out: list[Chunk] = []
    for i in range(table.header_rows, table.n_rows):
        row = table.rows[i]
        row_id = f"{doc_id}:t{table.index}:r{i}"
        label = table.row_labels[i - table.header_rows] if table.row_labels else ""
        cells = tuple(
            ChunkCell(
                id=f"{row_id}:c{cell.col}",
                col=cell.col,
                header=table.column_headers[cell.col] if table.column_headers else "",
                period=table.column_periods[cell.col] if table.column_periods else None,
                text=cell.text,
                number=cell.number,
            )
            for cell in row[table.header_cols :]
        )
        out.append(
            Chunk(
                id=row_id,
                doc_id=doc_id,
                kind=ChunkKind.TABLE_ROW,
                text=_row_text(label, cells),
                page=page,
                ordinal=ordinal_base + i,
                table_index=table.index,
                row_index=i,
                row_label=label,
                cells=cells,
            )
        )
    return out


def finqa_chunks(record: Mapping[str, Any]) -> list[Chunk]:
    """Chunks of a FinQA (or ConvFinQA) record: pre-text, table rows, post-text."""
    doc_id = doc_id_for(str(record.get("id") or record.get("filename") or ""))
    pre = [str(s) for s in record.get("pre_text", [])]
    post = [str(s) for s in record.get("post_text", [])]
    grid = [[str(c) for c in row] for row in record.get("table", [])]
    chunks = text_chunks(pre, doc_id, 1, 0, "pre_text")
    if grid:
        table = build_table(grid, index=0, pages=(1,), context=" ".join(pre[-3:]))
        chunks += table_chunks(table, doc_id, 1, len(pre))
    chunks += text_chunks(post, doc_id, 1, len(pre) + len(grid), "post_text")
    return chunks


def tatqa_chunks(context: Mapping[str, Any]) -> list[Chunk]:
    """Chunks of a TAT-QA context: its table rows, then each paragraph's sentences."""
    table_raw = context.get("table") or {}
    doc_id = doc_id_for(str(table_raw.get("uid", "")))
    grid = [[str(c) for c in row] for row in table_raw.get("table", [])]
    paragraphs = sorted(context.get("paragraphs", []), key=lambda p: p.get("order", 0))
    texts = [str(p.get("text", "")) for p in paragraphs]
    chunks: list[Chunk] = []
    if grid:
        table = build_table(grid, index=0, pages=(1,), context=" ".join(texts))
        chunks += table_chunks(table, doc_id, 1)
    start = 0
    for text in texts:
        sentences = _split(text)
        chunks += text_chunks(sentences, doc_id, 2, start, "paragraph")
        start += len(sentences)
    return chunks


def _split(text: str) -> list[str]:
    from finrag.documents.text import split_sentences

    return split_sentences(text)
