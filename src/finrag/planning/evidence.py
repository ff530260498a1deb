"""Evidence for planners: the execution context a program runs against, and its prompt text.

Both the offline and the LLM planners, and the answer pipeline, see evidence the same way:

:func:`build_context`
    turns retrieved :class:`~finrag.documents.model.Chunk` objects into the DSL's
    :class:`~finrag.dsl.context.ExecutionContext`:

    * every table cell holding a number is a :class:`~finrag.dsl.context.SourcedQuantity`
      under its cell id (``<doc>:t<i>:r<j>:c<k>``), with kind, scale and currency from
      :meth:`ParsedNumber.quantity`, label ``"<row label>, <period or column header>"`` and
      the cell text;
    * every number of a sentence chunk is one under ``<chunk id>:n<k>`` (``k`` counts the
      numbers of the sentence from 0, in reading order);
    * every table row is a row for ``table_*`` operations under its row label *and* under its
      row chunk id (the label can repeat across tables; the id cannot). When two chunks share
      a label the first (best-ranked) one owns it. Dash cells ("—") are referenceable as 0 but
      left out of row aggregates, as FinQA does.

:func:`render_evidence`
    the same evidence as numbered blocks inside ``<evidence>`` ... ``</evidence>`` markers,
    one line per table row or sentence, every number followed by the id a program cites::

        [E1] table row "net revenue" (page 12, in millions USD): 2019 = 5,829 {id: d12:t0:r3:c1}; ...
        [E2] sentence (page 3): "Revenue grew 1.6% in 2019." numbers: 1.6% {id: d12:p3:s0:n0}; ...

    Document text is untrusted data: marker look-alikes inside it are neutralised so a chunk
    cannot close the fence and speak as the prompt.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from finrag.documents.model import Chunk, ChunkCell, ChunkKind, ParsedNumber
from finrag.documents.numbers import find_numbers
from finrag.dsl.context import ExecutionContext, SourcedQuantity
from finrag.dsl.units import Kind, Quantity, Scale

__all__ = [
    "EVIDENCE_CLOSE",
    "EVIDENCE_OPEN",
    "aggregate_cells",
    "build_context",
    "chunk_numbers",
    "evidence_ids",
    "is_comparison_header",
    "number_id",
    "render_evidence",
    "sanitize_text",
]

EVIDENCE_OPEN = "<evidence>"
EVIDENCE_CLOSE = "</evidence>"
_MAX_SENTENCE_LABEL = 80
# Anything that looks like one of our prompt fences (<evidence>, </conversation>, <question> ...)
_FENCE_LOOKALIKE = re.compile(
    r"<\s*/?\s*(evidence|conversation|question|system|user|assistant)\b[^>]*>", re.I
)
_WS = re.compile(r"\s+")


def number_id(chunk_id: str, k: int) -> str:
    """Id of number ``k`` (0-based) of a sentence chunk: ``<chunk id>:n<k>``."""
    return f"{chunk_id}:n{k}"


def chunk_numbers(chunk: Chunk) -> tuple[ParsedNumber, ...]:
    """The numbers of a sentence chunk, in reading order.

    Chunking stores them in ``chunk.numbers``; for hand-made chunks without them the text is
    scanned with the same :func:`~finrag.documents.numbers.find_numbers`, so ids agree.
    """
    if chunk.numbers or chunk.kind is not ChunkKind.TEXT:
        return chunk.numbers
    return tuple(find_numbers(chunk.text))


def _cell_label(chunk: Chunk, cell: ChunkCell) -> str:
    column = cell.column
    row = chunk.row_label or ""
    return ", ".join(part for part in (row, column) if part)


def _sentence_label(chunk: Chunk) -> str:
    text = _WS.sub(" ", chunk.text).strip()
    if len(text) > _MAX_SENTENCE_LABEL:
        text = text[: _MAX_SENTENCE_LABEL - 3] + "..."
    return text


# A column that compares two others ("% change", "2010 v 2009", "Increase (decrease)").
_COMPARISON_HEADER = re.compile(
    r"\bchange|\bvs?\b\.?|\bversus\b|\bincrease|\bdecrease|\bvariance\b", re.IGNORECASE
)


def is_comparison_header(header: str) -> bool:
    """Whether a column compares two others ("% change", "2010 v 2009", "Increase")."""
    return bool(_COMPARISON_HEADER.search(header))


def aggregate_cells(chunk: Chunk) -> list[ChunkCell]:
    """The cells a ``table_*`` operation over this row aggregates: its numbers, without dashes
    (as FinQA does) and, when the row also holds at least two amounts of its own, without the
    columns that compare them ("% change", "2010 v 2009") and without percents beside amounts
    (a common-size "% of sales" column): the average of a row of three years' operating
    expenses is not moved by its "-23%" change column."""
    cells = [c for c in chunk.cells if c.number is not None and not c.number.is_dash]
    own = [c for c in cells if not is_comparison_header(c.header)]
    if len(own) >= 2:
        cells = own
    amounts = [c for c in cells if c.number is not None and c.number.kind is not Kind.PERCENT]
    return amounts if len(amounts) >= 2 else cells


def _table_refs(
    chunk: Chunk, refs: dict[str, SourcedQuantity], rows: dict[str, list[Quantity]]
) -> None:
    for cell in chunk.cells:
        if cell.number is None:
            continue
        refs.setdefault(
            cell.id,
            SourcedQuantity(cell.number.quantity(), cell.id, cell.text, _cell_label(chunk, cell)),
        )
    values = [c.number.quantity() for c in aggregate_cells(chunk) if c.number is not None]
    rows.setdefault(chunk.id, values)
    if chunk.row_label and chunk.row_label.strip():
        rows.setdefault(chunk.row_label.strip(), values)


def _sentence_refs(chunk: Chunk, refs: dict[str, SourcedQuantity]) -> None:
    label = _sentence_label(chunk)
    for k, number in enumerate(chunk_numbers(chunk)):
        ref_id = number_id(chunk.id, k)
        refs.setdefault(ref_id, SourcedQuantity(number.quantity(), ref_id, number.text, label))


def build_context(chunks: Sequence[Chunk]) -> ExecutionContext:
    """The execution context of the evidence: cells and sentence numbers by id, rows by name."""
    refs: dict[str, SourcedQuantity] = {}
    rows: dict[str, list[Quantity]] = {}
    for chunk in chunks:
        if chunk.kind is ChunkKind.TABLE_ROW:
            _table_refs(chunk, refs, rows)
        else:
            _sentence_refs(chunk, refs)
    return ExecutionContext(refs, rows)


def evidence_ids(chunks: Sequence[Chunk]) -> frozenset[str]:
    """Every id a program may reference: cell ids, sentence number ids and row chunk ids."""
    context = build_context(chunks)
    rows = frozenset(c.id for c in chunks if c.kind is ChunkKind.TABLE_ROW)
    return frozenset(context.ref_ids) | rows


def sanitize_text(text: str) -> str:
    """One line of untrusted document text with prompt-fence look-alikes defused."""
    flat = _WS.sub(" ", text).strip()
    return _FENCE_LOOKALIKE.sub(lambda m: "[" + m.group(0).strip("<>").strip() + "]", flat)


def _unit_note(numbers: Sequence[ParsedNumber]) -> str:
    """``in millions USD`` when every non-percent number of a row shares scale and currency."""
    amounts = [n for n in numbers if n.kind is not Kind.PERCENT and not n.is_dash]
    if not amounts:
        return ""
    scales = {n.scale for n in amounts}
    currencies = {n.currency for n in amounts}
    parts: list[str] = []
    if len(scales) == 1 and (scale := next(iter(scales))) is not Scale.UNITS:
        parts.append(scale.word)
    if len(currencies) == 1 and (currency := next(iter(currencies))):
        parts.append(currency)
    return "in " + " ".join(parts) if parts else ""


def _header(kind: str, chunk: Chunk, numbers: Sequence[ParsedNumber]) -> str:
    details = [f"page {chunk.page}"]
    note = _unit_note(numbers)
    if note:
        details.append(note)
    return f"{kind} ({', '.join(details)})"


def _render_row(index: int, chunk: Chunk) -> str:
    label = sanitize_text(chunk.row_label or "") or "(unlabelled)"
    numbers = [c.number for c in chunk.cells if c.number is not None]
    parts: list[str] = []
    for cell in chunk.cells:
        column = sanitize_text(cell.column) or f"column {cell.col}"
        text = sanitize_text(cell.text) or "(empty)"
        suffix = f" {{id: {cell.id}}}" if cell.number is not None else " (no number)"
        parts.append(f"{column} = {text}{suffix}")
    body = "; ".join(parts) if parts else "(no cells)"
    head = _header(f'table row "{label}"', chunk, numbers)
    return f"[E{index}] {head} {{row id: {chunk.id}}}: {body}"


def _render_sentence(index: int, chunk: Chunk) -> str:
    numbers = chunk_numbers(chunk)
    head = _header("sentence", chunk, ())
    line = f'[E{index}] {head}: "{sanitize_text(chunk.text)}"'
    if numbers:
        cited = "; ".join(
            f"{sanitize_text(n.text) or n.value} {{id: {number_id(chunk.id, k)}}}"
            for k, n in enumerate(numbers)
        )
        line += f" numbers: {cited}"
    return line


def render_evidence(chunks: Sequence[Chunk]) -> str:
    """The evidence as numbered blocks fenced by ``<evidence>`` markers (see module doc)."""
    lines = [EVIDENCE_OPEN]
    for index, chunk in enumerate(chunks, start=1):
        if chunk.kind is ChunkKind.TABLE_ROW:
            lines.append(_render_row(index, chunk))
        else:
            lines.append(_render_sentence(index, chunk))
    if not chunks:
        lines.append("(no evidence was retrieved)")
    lines.append(EVIDENCE_CLOSE)
    return "\n".join(lines)
