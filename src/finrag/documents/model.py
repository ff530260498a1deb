"""The document model: what every parser produces and every later stage reads.

Contract
--------
A parser turns bytes into one :class:`Document`:

* ``pages``: 1-based page numbers, each with its plain text, its text blocks (split into
  sentences) and whether the page looked image-only (no extractable text; OCR is out of scope).
* ``tables``: cell grids. ``header_rows`` rows at the top and ``header_cols`` columns at the left
  are headers; ``row_labels[i]`` is the label of body row ``i`` and ``column_periods[j]`` the
  fiscal period named by column ``j`` ("2019", "Q3 2023", "December 31, 2022") when one is.
  Every cell has its text and, when it holds a number, a :class:`ParsedNumber` with sign,
  kind, currency and the scale stated in the caption or header ("in millions").
* provenance: page number and bounding box (PDF points, origin top-left) where the format has
  them; table and cell coordinates always.

Chunking (``documents.chunking``) turns a Document into :class:`Chunk` evidence units: one per
sentence (or short paragraph) and one per table row. Chunk ids are stable (derived from the
document id and the unit's position), so re-ingesting the same bytes yields the same ids. A
table-row chunk carries its cells as :class:`ChunkCell` with ids ``<chunk_id>:c<col>``, which
is what a program references to take a value with its unit and scale from the document.

Ids:
  document  ``d<first 16 hex of sha256(content)>``
  text      ``<doc_id>:p<page>:s<sentence index on page>``
  table row ``<doc_id>:t<table index>:r<row index>``
  cell      ``<row chunk id>:c<col index>``
"""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field

from finrag.dsl.units import Kind, Quantity, Scale

__all__ = [
    "BBox",
    "Cell",
    "Chunk",
    "ChunkCell",
    "ChunkKind",
    "Document",
    "Page",
    "ParsedNumber",
    "Table",
    "TextBlock",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class BBox(BaseModel):
    """A rectangle on a page in PDF points, origin at the top-left."""

    model_config = _FROZEN
    x0: float
    top: float
    x1: float
    bottom: float


class ParsedNumber(BaseModel):
    """A number read from a cell or sentence.

    ``value`` is signed and stated in ``scale`` (a cell "(1,234)" under "in millions" has value
    -1234.0 and scale MILLIONS). Percent numbers keep the written value (``12.5`` for "12.5%");
    :meth:`quantity` converts to the DSL's ratio-inside convention. ``is_dash`` marks a cell
    written as a dash, which financial tables use for zero or "not applicable".
    """

    model_config = _FROZEN
    value: float
    kind: Kind = Kind.NONE
    scale: Scale = Scale.UNITS
    currency: str | None = None
    text: str = ""
    is_dash: bool = False

    def quantity(self) -> Quantity:
        value = self.value / 100.0 if self.kind is Kind.PERCENT else self.value
        return Quantity(value=value, kind=self.kind, scale=self.scale, currency=self.currency)


class Cell(BaseModel):
    """One cell of a table grid."""

    model_config = _FROZEN
    row: int
    col: int
    text: str
    number: ParsedNumber | None = None
    bbox: BBox | None = None
    page: int | None = None


class Table(BaseModel):
    """A table as a grid of cells with recognised headers."""

    model_config = _FROZEN
    index: int
    pages: tuple[int, ...]
    caption: str = ""
    scale: Scale = Scale.UNITS
    currency: str | None = None
    header_rows: int = 1
    header_cols: int = 1
    rows: tuple[tuple[Cell, ...], ...]
    row_labels: tuple[str, ...] = ()
    column_headers: tuple[str, ...] = ()
    column_periods: tuple[str | None, ...] = ()
    bbox: BBox | None = None
    section: str = ""
    """Nearest heading above the table (empty when unknown)."""

    @property
    def page(self) -> int:
        return self.pages[0] if self.pages else 0

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    @property
    def n_cols(self) -> int:
        return max((len(r) for r in self.rows), default=0)


class TextBlock(BaseModel):
    """A paragraph or line group of running text, split into sentences."""

    model_config = _FROZEN
    page: int
    text: str
    sentences: tuple[str, ...]
    bbox: BBox | None = None
    section: str = ""
    """Nearest heading above the block (added for chunk sections; empty when unknown)."""


class Page(BaseModel):
    """One page (or one logical section for formats without pages)."""

    model_config = _FROZEN
    number: int
    text: str = ""
    blocks: tuple[TextBlock, ...] = ()
    table_indices: tuple[int, ...] = ()
    width: float | None = None
    height: float | None = None
    image_only: bool = False


class Document(BaseModel):
    """A parsed document with provenance for every unit."""

    model_config = _FROZEN
    id: str
    source: str
    format: str
    title: str = ""
    sha256: str
    size_bytes: int = 0
    pages: tuple[Page, ...] = ()
    tables: tuple[Table, ...] = ()
    warnings: tuple[str, ...] = ()
    metadata: dict[str, str] = Field(default_factory=dict)


class ChunkKind(str, Enum):  # noqa: UP042 (str() of members is relied on elsewhere)
    TEXT = "text"
    TABLE_ROW = "table_row"


class ChunkCell(BaseModel):
    """A cell of a table-row chunk, addressable by id from a program."""

    model_config = _FROZEN
    id: str
    col: int
    header: str
    period: str | None = None
    text: str
    number: ParsedNumber | None = None
    bbox: BBox | None = None

    @property
    def _period_elsewhere(self) -> bool:
        """A period the header does not say (the table's caption gave it) beside a header."""
        if not self.period or not self.header:
            return False
        return " ".join(self.period.split()).lower() not in " ".join(self.header.split()).lower()

    @property
    def column(self) -> str:
        """The column as a reader names it: the period when the header says it ("2022" of
        "Year Ended 2022"), the header alone without a period, and both when the period came
        from the table's caption ("Shares, year ended December 31, 2022")."""
        if self._period_elsewhere:
            return f"{self.header}, {self.period}"
        return self.period or self.header

    @property
    def header_with_period(self) -> str:
        """The header as written, with the caption's period when the header does not say it
        (the row's text and the planner's header words read this)."""
        if self._period_elsewhere:
            return f"{self.header}, {self.period}"
        return self.header or self.period or ""


class Chunk(BaseModel):
    """An evidence unit: a sentence/paragraph or a table row."""

    model_config = _FROZEN
    id: str
    doc_id: str
    kind: ChunkKind
    text: str
    page: int
    ordinal: int
    table_index: int | None = None
    row_index: int | None = None
    row_label: str | None = None
    cells: tuple[ChunkCell, ...] = ()
    numbers: tuple[ParsedNumber, ...] = ()
    bbox: BBox | None = None
    section: str = ""
    # a table row's group heading: the nearest label-only row above it ("Net additions
    # (losses)" over "Primary service units"), so repeated labels stay distinguishable
    group: str = ""

    @property
    def search_text(self) -> str:
        """What search reads: the section heading (when known and not already in the text)
        and the text. Both the embedded text and the keyword index use it, so keyword search
        knows a row of "CONSOLIDATED BALANCE SHEETS" is a balance sheet line as the vector
        does; ``text`` stays what the evidence shows."""
        if self.section and self.section not in self.text:
            return f"{self.section}: {self.text}"
        return self.text

    def number_id(self, k: int) -> str:
        """The id of the k-th number of a text chunk (``<chunk_id>:n<k>``)."""
        return f"{self.id}:n{k}"

    def resolve(self, ref: str) -> ParsedNumber | None:
        """The number a reference names: ``<id>:c<col>`` (a cell) or ``<id>:n<k>`` (a number
        of the sentence); None when the reference is not in this chunk or names no number."""
        prefix, _, tail = ref.rpartition(":")
        if prefix != self.id or len(tail) < 2 or not tail[1:].isdigit():
            return None
        k = int(tail[1:])
        if tail[0] == "n":
            return self.numbers[k] if k < len(self.numbers) else None
        if tail[0] == "c":
            return next((c.number for c in self.cells if c.col == k), None)
        return None
