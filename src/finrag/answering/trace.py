"""Turn an executor Result into the Answer's trace, with each operand's source cell or sentence."""

from __future__ import annotations

import re
from collections.abc import Sequence

from finrag.answering.answer import CellRef, TraceOperand, TraceStep
from finrag.documents.model import Chunk, ChunkKind
from finrag.dsl.executor import Operand, Result

__all__ = ["build_trace", "chunk_id_of"]

_PART = re.compile(r"^(?P<chunk>.+):(?P<kind>[cn])(?P<index>\d+)$")


def chunk_id_of(ref_id: str) -> str:
    """The chunk a reference points into: ``d1:t0:r3:c1`` -> ``d1:t0:r3``; chunk ids map to themselves."""
    match = _PART.match(ref_id)
    return match.group("chunk") if match else ref_id


def build_trace(result: Result, chunks: Sequence[Chunk]) -> list[TraceStep]:
    """One TraceStep per executed step; operands carry document, page and cell provenance."""
    by_id = {c.id: c for c in chunks}
    return [
        TraceStep(
            index=step.index,
            op=step.op.value,
            operands=[_operand(op, by_id) for op in step.operands],
            value=step.result.value,
            kind=step.result.kind.value,
            scale=step.result.scale.name.lower(),
        )
        for step in result.trace
    ]


def _operand(op: Operand, by_id: dict[str, Chunk]) -> TraceOperand:
    q = op.quantity
    out = TraceOperand(
        value=q.value,
        kind=q.kind.value,
        scale=q.scale.name.lower(),
        currency=q.currency,
        origin=op.origin,
        rescaled_from=op.rescaled_from.name.lower() if op.rescaled_from else None,
    )
    if op.source is None:
        return out
    ref_id = op.source.source_id
    out.ref_id = ref_id
    out.text = op.source.text
    out.label = op.source.label
    chunk = by_id.get(chunk_id_of(ref_id))
    if chunk is not None:
        out.doc_id = chunk.doc_id
        out.page = chunk.page
        out.cell = _cell(ref_id, chunk)
    return out


def _cell(ref_id: str, chunk: Chunk) -> CellRef | None:
    if chunk.kind is not ChunkKind.TABLE_ROW or chunk.table_index is None:
        return None
    match = _PART.match(ref_id)
    if match is None or match.group("kind") != "c":
        return None
    col = int(match.group("index"))
    cell = next((c for c in chunk.cells if c.col == col), None)
    return CellRef(
        table=chunk.table_index,
        row=chunk.row_index or 0,
        col=col,
        row_label=chunk.row_label or "",
        column=cell.column if cell else "",
    )
