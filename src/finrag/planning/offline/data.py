"""FinQA records and TAT-QA contexts as the evidence chunks production sees.

Training and development evaluation must see exactly the chunks the pipeline retrieves from, so
this module only composes the project's official loaders
(:func:`finrag.documents.datasets.finqa_document` / :func:`~finrag.documents.datasets.tatqa_document`)
with the official chunker (:func:`finrag.documents.chunking.chunk_document`): FinQA ``text_j`` is
chunk ``<doc>:p1:s<j>``, ``table_i`` is ``<doc>:t0:r<i>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from finrag.documents.chunking import chunk_document
from finrag.documents.datasets import finqa_document, tatqa_document
from finrag.documents.model import Chunk, Document

__all__ = ["finqa_chunks", "finqa_parts", "tatqa_chunks", "tatqa_parts"]


def finqa_parts(record: Mapping[str, Any]) -> tuple[Document, list[Chunk]]:
    """A FinQA record's Document and its chunks."""
    doc = finqa_document(dict(record))
    return doc, chunk_document(doc)


def tatqa_parts(context: Mapping[str, Any]) -> tuple[Document, list[Chunk]]:
    """A TAT-QA context's Document and its chunks."""
    doc = tatqa_document(dict(context))
    return doc, chunk_document(doc)


def finqa_chunks(record: Mapping[str, Any]) -> list[Chunk]:
    """Chunks of a FinQA (or ConvFinQA) record, as ``finrag eval qa`` indexes them."""
    return chunk_document(finqa_document(dict(record)))


def tatqa_chunks(context: Mapping[str, Any]) -> list[Chunk]:
    """Chunks of a TAT-QA context, as ``finrag eval qa`` indexes them."""
    return chunk_document(tatqa_document(dict(context)))
