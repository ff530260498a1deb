"""Evidence units: one chunk per sentence (short ones merged) and one per table row.

Ids follow ``documents.model``: ``<doc>:p<page>:s<k>`` for the k-th text chunk of a page,
``<doc>:t<table>:r<row>`` for a table row (``row`` counts header rows too, so FinQA's
``table_i`` is row ``i``), ``<row chunk>:c<col>`` for a cell and ``<text chunk>:n<k>`` for
the k-th number of a sentence.

A table row is linearised the way FinQA's gold facts are written::

    the net revenue of 2019 is $ 5829 ; the net revenue of 2018 is $ 5735 ;

(with the table's top-left header, when there is one, in front: "year the 2015 of ...").
Numbers are shown without thousands separators and with "$ " as FinQA does, so a retriever
trained on FinQA text sees the same surface form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from finrag.documents.model import Cell, Chunk, ChunkCell, ChunkKind, Document, Table
from finrag.documents.numbers import find_numbers
from finrag.documents.tables import find_period, is_contents, is_period_text, stated_period
from finrag.dsl.units import Kind

__all__ = ["chunk_document", "display_cell", "linearise_row"]

_SHORT_CHARS = 40
_DIGITS = re.compile(r"\d[\d,]*(?:\.\d+)?|\.\d+")


def chunk_document(doc: Document, *, min_chars: int | None = None) -> list[Chunk]:
    """All chunks of a document: text chunks page by page, then table rows table by table
    (a table of contents gives none, ``tables.is_contents``).

    Sentences shorter than ``min_chars`` (default 40; 0 for FinQA records, whose sentence
    indices are the dataset's ``text_j``) are merged with the following sentence of the same
    paragraph.
    """
    if min_chars is None:
        min_chars = 0 if doc.format == "finqa" else _SHORT_CHARS
    chunks: list[Chunk] = []
    chunks.extend(_text_chunks(doc, min_chars, len(chunks)))
    for table in doc.tables:
        if not is_contents(table):  # page numbers of sections are no evidence
            chunks.extend(_row_chunks(doc, table, len(chunks)))
    return chunks


def _text_chunks(doc: Document, min_chars: int, start: int) -> Iterator[Chunk]:
    ordinal = start
    for page in doc.pages:
        k = 0
        for block in page.blocks:
            for text in _merge_short(list(block.sentences), min_chars):
                cid = f"{doc.id}:p{page.number}:s{k}"
                yield Chunk(
                    id=cid,
                    doc_id=doc.id,
                    kind=ChunkKind.TEXT,
                    text=text,
                    page=page.number,
                    ordinal=ordinal,
                    numbers=tuple(find_numbers(text)),
                    bbox=block.bbox,
                    section=block.section,
                )
                k += 1
                ordinal += 1


def _merge_short(sentences: list[str], min_chars: int) -> list[str]:
    """Join each too-short sentence to the next one (the last one to the previous)."""
    if min_chars <= 0:
        return sentences
    out: list[str] = []
    carry = ""
    for s in sentences:
        text = f"{carry} {s}".strip() if carry else s
        if len(text) < min_chars:
            carry = text
            continue
        out.append(text)
        carry = ""
    if carry:
        if out:
            out[-1] = f"{out[-1]} {carry}"
        else:
            out.append(carry)
    return out


def _row_chunks(doc: Document, table: Table, start: int) -> Iterator[Chunk]:
    first_body = table.header_rows if table.header_rows < table.n_rows else 0
    corner = table.column_headers[0] if table.header_cols and table.column_headers else ""
    group = ""
    for i in range(first_body, table.n_rows):
        row = table.rows[i]
        label = " ".join(c.text for c in row[: table.header_cols]).strip()
        cid = f"{doc.id}:t{table.index}:r{i}"
        filled = [c for c in row[table.header_cols :] if c.text]
        if not filled and not label:
            continue
        row_group, group = _row_group(group, label, bool(filled))
        cells = tuple(_chunk_cell(cid, table, c, label, row_group) for c in filled)
        yield Chunk(
            id=cid,
            doc_id=doc.id,
            kind=ChunkKind.TABLE_ROW,
            text=linearise_row(label, cells, corner, row_group),
            page=row[0].page or table.page if row else table.page,
            ordinal=start + i - first_body,
            table_index=table.index,
            row_index=i,
            row_label=label,
            cells=cells,
            section=table.section or table.caption[:120],
            group=row_group,
        )


def _row_group(group: str, label: str, has_cells: bool) -> tuple[str, str]:
    """(this row's group, the group of the rows after it). A label-only row opens a group
    ("Current assets:"); a total row still belongs to the group it closes, unless the group
    is a period ("2021" over the lines of that year), which lasts to the next group."""
    if not has_cells:
        return "", label.rstrip(":").strip()
    if label.lower().startswith("total") and not is_period_text(group):
        return group, ""
    return group, group


def _chunk_cell(row_id: str, table: Table, cell: Cell, label: str, group: str = "") -> ChunkCell:
    """A cell with its column's header and period. A period the column has from the table's
    caption gives way to one the row names ("Outstanding as of December 31, 2021" in a table
    captioned "... as of December 31, 2022"): the row's label then dates the cell. In a column
    that names no period, a group heading that is only a period ("2021" over the lines of a
    table that repeats them per year) dates the cells under it."""
    headers, periods = table.column_headers, table.column_periods
    header = headers[cell.col] if cell.col < len(headers) else ""
    period = periods[cell.col] if cell.col < len(periods) else None
    if period and find_period(header) is None and stated_period(label) is not None:
        period = None
    if period is None and group and is_period_text(group):
        period = find_period(group)
    return ChunkCell(
        id=f"{row_id}:c{cell.col}",
        col=cell.col,
        header=header,
        period=period,
        text=cell.text,
        number=cell.number,
        bbox=cell.bbox,
    )


def display_cell(cell: ChunkCell) -> str:
    """A cell as FinQA writes it: "$ 5829", "-3.2", "12.5%"; text cells as they are."""
    n = cell.number
    if n is None or n.is_dash:
        return cell.text
    m = _DIGITS.search(n.text)
    value = m.group(0).replace(",", "") if m else f"{abs(n.value):g}"
    sign = "-" if n.value < 0 else ""
    dollar = "$ " if "$" in n.text else ""
    suffix = "%" if n.kind is Kind.PERCENT else ""
    return f"{dollar}{sign}{value}{suffix}"


def linearise_row(
    label: str, cells: tuple[ChunkCell, ...], corner: str = "", group: str = ""
) -> str:
    """FinQA-style text of a table row ("the <label> of <header> is <value> ;" per cell),
    after the table's corner header and the row's group heading ("deferred income tax
    expense : the federal of 2019 is $ 4206 ;"), so keyword and vector search see the group."""
    parts = []
    for cell in cells:
        head = f" of {cell.header_with_period}" if cell.header_with_period else ""
        parts.append(f"the {label}{head} is {display_cell(cell)} ;")
    prefix = f"{corner} " if corner else ""
    if group:
        prefix += f"{group} : "
    return prefix + " ".join(parts) if parts else label
