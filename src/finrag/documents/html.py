"""SEC EDGAR HTML (and iXBRL) filings with lxml.

EDGAR tables are built for looks: "$" and ")" sit in their own ``<td>``, spacer columns are
empty, headers span their columns with ``colspan``. This parser expands colspans into a full
grid, glues the symbol cells onto their numbers, drops columns that hold nothing, and moves
header text that sits over a "$" column onto the number column next to it. Hidden elements
(``display:none``, the iXBRL ``ix:header``), scripts and styles are skipped; iXBRL fact tags
are read as their text. Page breaks (``page-break-before/after`` styles) start new pages, so
evidence keeps a page number where the filing has one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree
from lxml import html as lxml_html

from finrag.documents.base import ParseOptions, ParseResult, Source
from finrag.documents.model import Page, Table, TextBlock
from finrag.documents.numbers import parse_number
from finrag.documents.tables import build_table, is_value_text
from finrag.documents.text import is_heading, split_sentences
from finrag.errors import CorruptDocumentError, EmptyDocumentError

__all__ = ["grid_from_table", "parse_html"]

_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "td",
        "th",
        "tr",
        "table",
        "ul",
        "ol",
        "section",
        "article",
        "body",
        "center",
        "blockquote",
        "pre",
        "dt",
        "dd",
        "caption",
    ]
)
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_PAGE_BREAK = re.compile(
    r"page-break-(?:before|after)\s*:\s*always|break-(?:before|after)\s*:\s*page", re.I
)
_SKIP = frozenset({"script", "style", "head", "title", "noscript", "ix:header", "header"})
_OPEN_SYMBOLS = frozenset({"$", "($", "(", "€", "£", "US$"})
_CLOSE_SYMBOLS = frozenset({")", "%", ")%", "%)", "pts", "bps"})


def parse_html(source: Source, options: ParseOptions) -> ParseResult:
    """Parse an HTML filing into pages of text blocks and tables."""
    try:
        root = lxml_html.fromstring(source.data)
    except (etree.ParserError, ValueError) as exc:
        raise CorruptDocumentError(f"{source.name} is not readable HTML ({exc})") from exc
    if root is None:
        raise EmptyDocumentError(f"{source.name} holds no HTML content")
    title = " ".join((root.findtext(".//title") or "").split())
    state = _State()
    _walk(root, state)
    state.flush_page()
    result = ParseResult(
        pages=state.pages, tables=state.tables, warnings=state.warnings, title=title
    )
    return result


class _State:
    """Accumulates pages, blocks and tables while walking the tree in document order."""

    def __init__(self) -> None:
        self.pages: list[Page] = []
        self.tables: list[Table] = []
        self.warnings: list[str] = []
        self.blocks: list[TextBlock] = []
        self.table_indices: list[int] = []
        self.lines: list[str] = []
        self.section = ""
        self.recent: list[str] = []

    @property
    def page_no(self) -> int:
        return len(self.pages) + 1

    def add_text(self, text: str) -> None:
        text = " ".join(text.split())
        if not text:
            return
        if is_heading(text):
            self.section = text
        self.blocks.append(
            TextBlock(
                page=self.page_no,
                text=text,
                sentences=tuple(split_sentences(text)),
                section=self.section,
            )
        )
        self.lines.append(text)
        self.recent = [*self.recent[-2:], text]

    def add_table(self, grid: list[list[str]]) -> None:
        if not grid:
            return
        caption = " ".join(t for t in self.recent if len(t) < 200)
        try:
            table = build_table(grid, index=len(self.tables), pages=[self.page_no], caption=caption)
        except (ValueError, IndexError) as exc:
            self.warnings.append(
                f"page {self.page_no}: a table could not be read ({exc}); its text is kept"
            )
            self.add_text(" ".join(" ".join(r) for r in grid))
            return
        self.tables.append(table.model_copy(update={"section": self.section}))
        self.table_indices.append(table.index)
        self.lines.extend(" ".join(c for c in row if c) for row in grid)
        self.recent = []

    def flush_page(self) -> None:
        if not self.blocks and not self.table_indices and self.pages:
            return
        self.pages.append(
            Page(
                number=self.page_no,
                text="\n".join(self.lines),
                blocks=tuple(self.blocks),
                table_indices=tuple(self.table_indices),
            )
        )
        self.blocks, self.table_indices, self.lines = [], [], []


def _tag(el: etree._Element) -> str:
    tag = el.tag if isinstance(el.tag, str) else ""
    return tag.lower()


def _hidden(el: etree._Element) -> bool:
    return (
        _tag(el) in _SKIP
        or el.get("hidden") is not None
        or bool(_HIDDEN.search(el.get("style", "")))
    )


def _walk(el: etree._Element, state: _State) -> None:
    """Depth-first: leaf tables become tables, leaf blocks become text, page breaks split."""
    if not isinstance(el.tag, str) or _hidden(el):
        return
    style = el.get("style", "")
    if _PAGE_BREAK.search(style) and "before" in style.lower():
        state.flush_page()
    tag = _tag(el)
    if tag == "table" and not el.xpath(".//table"):
        state.add_table(grid_from_table(el))
    elif tag == "br":
        pass
    elif tag in _BLOCK_TAGS and not any(_tag(c) in _BLOCK_TAGS for c in el.iter() if c is not el):
        state.add_text(_text(el))
    else:
        if el.text and el.text.strip() and tag in _BLOCK_TAGS:
            state.add_text(el.text)
        for child in el:
            _walk(child, state)
            if child.tail and child.tail.strip() and tag in _BLOCK_TAGS:
                state.add_text(child.tail)
    if (_PAGE_BREAK.search(style) and "after" in style.lower()) or (
        tag == "hr" and _PAGE_BREAK.search(style)
    ):
        state.flush_page()


def _text(el: etree._Element) -> str:
    parts: list[str] = []
    for node in el.iter():
        if node is not el and isinstance(node.tag, str) and _hidden(node):
            continue
        if node.text and isinstance(node.tag, str):
            parts.append(node.text)
        if node is not el and node.tail:
            parts.append(node.tail)
    return " ".join("".join(parts).split())


# ---------------------------------------------------------------------------------------------
# Tables


def _rows(table: etree._Element) -> Iterator[etree._Element]:
    for tr in table.iter("tr"):
        if not _hidden(tr):
            yield tr


def grid_from_table(table: etree._Element) -> list[list[str]]:
    """An EDGAR ``<table>`` as rows of cell strings with symbol cells glued and spacers gone."""
    raw: list[list[tuple[str, bool]]] = []
    for tr in _rows(table):
        row: list[tuple[str, bool]] = []
        for td in tr:
            if _tag(td) not in {"td", "th"} or _hidden(td):
                continue
            text = _text(td)
            span = (
                max(1, min(int(td.get("colspan", "1") or 1), 50))
                if str(td.get("colspan", "1")).isdigit()
                else 1
            )
            row.append((text, True))
            row.extend((text, False) for _ in range(span - 1))
        if any(t for t, _ in row):
            raw.append(row)
    if not raw:
        return []
    width = max(len(r) for r in raw)
    grid = [r + [("", True)] * (width - len(r)) for r in raw]
    for row in grid:
        _glue_row(row)
    return _collapse(grid)


def _glue_row(row: list[tuple[str, bool]]) -> None:
    """Move "$" onto the next value and ")" / "%" onto the previous one, in place."""
    for j, (text, own) in enumerate(row):
        t = text.strip()
        if own and t in _OPEN_SYMBOLS:
            k = next((k for k in range(j + 1, len(row)) if row[k][0].strip()), None)
            if k is not None and parse_number(f"{t} {row[k][0]}") is not None:
                row[k] = (f"{t} {row[k][0]}".strip(), row[k][1])
                row[j] = ("", True)
        elif own and t in _CLOSE_SYMBOLS:
            k = next((k for k in range(j - 1, -1, -1) if row[k][0].strip()), None)
            if k is not None and k > 0:
                row[k] = (f"{row[k][0]}{t}", row[k][1])
                row[j] = ("", True)


def _collapse(grid: list[list[tuple[str, bool]]]) -> list[list[str]]:
    """Drop columns that never hold a value of their own; shift orphan headers right."""
    width = len(grid[0])
    body = [i for i, r in enumerate(grid) if any(is_value_text(t) for t, _ in r[1:])]
    body_set = set(body)
    has_body = [any(grid[i][j][0] for i in body) for j in range(width)]
    keep = [j for j in range(width) if j == 0 or has_body[j]]
    out: list[list[str]] = []
    for i, row in enumerate(grid):
        new = [row[j][0] for j in keep]
        if i not in body_set:
            _shift_headers(row, keep, new)
        out.append(new)
    # A spanned header copied into several kept columns stays; exact duplicates of the label
    # column are cleared so a title row does not read as a value.
    return out


def _shift_headers(row: list[tuple[str, bool]], keep: list[int], new: list[str]) -> None:
    """Header text in a dropped column moves to the next kept column that has none."""
    kept = set(keep)
    for j, (text, own) in enumerate(row):
        if not text or j in kept or not own:
            continue
        for pos, kj in enumerate(keep):
            if kj > j:
                if not new[pos]:
                    new[pos] = text
                break
