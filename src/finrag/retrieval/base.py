"""The retrieval contract: what a retriever takes, returns and raises.

A :class:`Retriever` finds the evidence for one question among a tenant's stored documents.

What goes in
------------
``retrieve(tenant, question, *, doc_ids=None, k=8)``:

* ``tenant``: the owner; only this tenant's chunks are searched (the store enforces it).
* ``question``: any user text. Hostile text (quotes, ``AND``, ``*``) never raises; an empty or
  blank question returns ``[]``.
* ``doc_ids``: restrict the search to these documents (``None``: all of the tenant's
  documents; an empty collection: nothing, so ``[]``).
* ``k``: how many results to return (a positive int).

What comes out
--------------
At most ``k`` :class:`Retrieved` items, best first. Each carries the :class:`Chunk`, the final
``score`` (the reranker's probability that the chunk is evidence when a reranker ran, else the
RRF score; higher is better), the 1-based ``keyword_rank`` / ``vector_rank`` of the chunk in
the candidate lists (``None`` when absent from a list), the ``rerank_score`` (``None`` without a
reranker) and a :class:`Provenance` saying where the chunk came from (document, page, table and
row, or sentence).

Errors
------
* :class:`~finrag.errors.AccessDeniedError`: an empty or non-string tenant.
* :class:`~finrag.errors.StoreError`: invalid ``k``, or a store failure.
* :class:`~finrag.errors.EmbeddingError`: the question could not be embedded.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, ClassVar

from finrag.documents.model import Chunk, ChunkKind

__all__ = ["Provenance", "Retrieved", "Retriever", "provenance_of"]


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a chunk came from: enough for an auditor to find it in the original document."""

    doc_id: str
    page: int
    kind: str
    chunk_id: str
    table_index: int | None = None
    row_index: int | None = None
    row_label: str | None = None
    sentence_index: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (``None`` fields kept, so the shape is stable)."""
        return {
            "doc_id": self.doc_id,
            "page": self.page,
            "kind": self.kind,
            "chunk_id": self.chunk_id,
            "table_index": self.table_index,
            "row_index": self.row_index,
            "row_label": self.row_label,
            "sentence_index": self.sentence_index,
        }


@dataclass(frozen=True, slots=True)
class Retrieved:
    """One retrieved evidence unit with its scores and provenance."""

    chunk: Chunk
    score: float
    keyword_rank: int | None
    vector_rank: int | None
    rerank_score: float | None
    fused_score: float
    provenance: Provenance

    @property
    def id(self) -> str:
        """The chunk id (what programs and evaluations refer to)."""
        return self.chunk.id


def provenance_of(chunk: Chunk) -> Provenance:
    """The :class:`Provenance` of a chunk, read from its fields (and its id for sentences)."""
    sentence: int | None = None
    if chunk.kind is ChunkKind.TEXT:
        tail = chunk.id.rsplit(":", 1)[-1]
        if tail.startswith("s") and tail[1:].isdigit():
            sentence = int(tail[1:])
    return Provenance(
        doc_id=chunk.doc_id,
        page=chunk.page,
        kind=str(chunk.kind.value),
        chunk_id=chunk.id,
        table_index=chunk.table_index,
        row_index=chunk.row_index,
        row_label=chunk.row_label,
        sentence_index=sentence,
    )


class Retriever(ABC):
    """Finds evidence chunks for a question; see the module docstring for the contract."""

    #: Registry-style name of the implementation (``"hybrid"``).
    name: ClassVar[str]

    @abstractmethod
    def retrieve(
        self,
        tenant: str,
        question: str,
        *,
        doc_ids: Collection[str] | None = None,
        k: int = 8,
    ) -> list[Retrieved]:
        """At most ``k`` evidence chunks for ``question``, best first."""

    def registrants(self, tenant: str, doc_ids: Collection[str] | None = None) -> set[str]:
        """The filers of the documents in scope (``doc_ids``, else all the tenant's), as their
        cover pages name them ("THE BOEING COMPANY"); empty when unknown."""
        return set()

    def filer_names(self, tenant: str, doc_ids: Collection[str] | None = None) -> set[str]:
        """The :meth:`registrants` and the other names they go by in their reports (trading
        symbols such as "BA", names a report defines for its filer); what the planner reads as
        the company rather than as a segment or a product."""
        return self.registrants(tenant, doc_ids)

    def abbreviations(self, tenant: str, doc_ids: Collection[str] | None = None) -> dict[str, str]:
        """``{short form: long form}`` of the abbreviations the documents in scope define
        ("FLNA": "Frito-Lay North America"); empty when unknown."""
        return {}
