"""PDF parsing: pypdfium2 characters (or pdfplumber words), own layout, merged tables.

Why not ``pdfplumber.extract_tables`` on every page: pdfminer's layout pass runs at about six
pages per second here, and 10-K tables have no ruling lines anyway. Instead every page goes
through pypdfium2's character stream once (100+ pages/s), and ``documents.layout`` finds lines,
cell segments and borderless tables from the geometry. Large files are split into page ranges
parsed by a small process pool; results come back in page order.

Encrypted files with an empty user password open as they are (pdfium tries the empty
password); a file that needs a real password is refused with a clear message. If pdfium cannot
open a file at all, pdfplumber gets a second chance before it is reported as corrupt.

A table whose last row sits at the bottom of a page and whose continuation starts the next
page with the same columns (right edges within 12 points, nothing but running headers or a
"(continued)" line in between, a repeated header dropped) becomes one table with both pages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any

import pypdfium2 as pdfium

from finrag.documents.base import ParseOptions, ParseResult, Source
from finrag.documents.layout import PageLayout, RawTable, Word, build_lines, find_tables
from finrag.documents.model import Page, Table, TextBlock
from finrag.documents.pdf_engines import page_has_images, pdfium_words, plumber_words
from finrag.documents.tables import build_table
from finrag.documents.text import blocks_from_lines
from finrag.errors import CorruptDocumentError, UnsupportedFormatError

__all__ = ["layout_page", "parse_pdf"]

_CHUNK_PAGES = 24


def parse_pdf(source: Source, options: ParseOptions) -> ParseResult:
    """Parse a PDF into pages and tables (see the module docstring for the approach)."""
    if options.pdf_engine == "pdfplumber":
        layouts = _plumber_layouts(source)
    else:
        try:
            n_pages = _pdfium_page_count(source)
        except CorruptDocumentError as pdfium_error:
            layouts = _plumber_fallback(source, pdfium_error)
        else:
            layouts = _pdfium_layouts(source, n_pages, options)
    return assemble(layouts)


# ---------------------------------------------------------------------------------------------
# Opening


def _open_pdfium(src: str | bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(src, password=None)
    except pdfium.PdfiumError as exc:
        raise _open_error(str(src)[:80] if isinstance(src, str) else "<bytes>", exc) from exc


def _open_error(name: str, exc: Exception) -> Exception:
    if "password" in str(exc).lower():
        return UnsupportedFormatError(
            f"{name} is encrypted with a user password; FinRAG reads PDFs that open without "
            "one (an owner password only is fine). Remove the password and ingest it again."
        )
    return CorruptDocumentError(f"{name} is not a readable PDF ({exc}); is it truncated?")


def _pdfium_page_count(source: Source) -> int:
    try:
        pdf = pdfium.PdfDocument(_pdfium_input(source), password=None)
    except pdfium.PdfiumError as exc:
        raise _open_error(source.name, exc) from exc
    try:
        return len(pdf)
    finally:
        pdf.close()


def _pdfium_input(source: Source) -> str | bytes:
    return str(source.path) if source.path is not None else source.data


# ---------------------------------------------------------------------------------------------
# Page layouts


def _pdfium_layouts(source: Source, n_pages: int, options: ParseOptions) -> list[PageLayout]:
    src = _pdfium_input(source)
    # Enough ranges to keep every worker busy, small enough to balance uneven pages.
    size = min(_CHUNK_PAGES, max(1, -(-n_pages // (2 * max(options.workers, 1)))))
    ranges = [(a, min(a + size, n_pages)) for a in range(0, n_pages, size)]
    if options.workers <= 1 or n_pages < options.pool_min_pages or len(ranges) < 2:
        return _layout_range(src, 0, n_pages)
    if options.executor is not None:
        return _run_ranges(options.executor, src, ranges)
    with ProcessPoolExecutor(options.workers, mp_context=get_context("spawn")) as pool:
        return _run_ranges(pool, src, ranges)


def _run_ranges(
    pool: Executor, src: str | bytes, ranges: list[tuple[int, int]]
) -> list[PageLayout]:
    futures = [pool.submit(_layout_range, src, a, b) for a, b in ranges]
    return [layout for f in futures for layout in f.result()]


def _layout_range(src: str | bytes, start: int, stop: int) -> list[PageLayout]:
    """Lay out pages ``start..stop`` (0-based) of a PDF; runs in worker processes."""
    pdf = _open_pdfium(src)
    try:
        out = []
        for i in range(start, stop):
            page = pdf[i]
            try:
                words, _n_chars = pdfium_words(page)
                has_images = not words and page_has_images(page)
                out.append(
                    layout_page(i + 1, words, page.get_width(), page.get_height(), has_images)
                )
            finally:
                page.close()
        return out
    finally:
        pdf.close()


def layout_page(
    number: int, words: list[Word], width: float, height: float, has_images: bool = False
) -> PageLayout:
    """Lines, tables and text of one page from its positioned words."""
    if not words:
        return PageLayout(
            number, width, height, [], [], image_only=has_images, blank=not has_images
        )
    lines = build_lines(words)
    warnings: list[str] = []
    try:
        tables, used = find_tables(lines, number, width, height)
    except (ValueError, IndexError) as exc:  # a layout we cannot read: keep the text
        tables, used = [], set()
        warnings.append(f"page {number}: a table could not be read ({exc}); its text is kept")
    text_lines = [
        (ln.text, (ln.x0, ln.top, max(w.x1 for w in ln.words), ln.bottom), k in used)
        for k, ln in enumerate(lines)
    ]
    return PageLayout(number, width, height, text_lines, tables, warnings=warnings)


def _plumber_layouts(source: Source) -> list[PageLayout]:
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    opened: Any = source.path if source.path is not None else _bytes_io(source.data)
    try:
        with pdfplumber.open(opened, password="") as pdf:
            out = []
            for i, page in enumerate(pdf.pages):
                words = plumber_words(page)
                out.append(
                    layout_page(
                        i + 1, words, float(page.width), float(page.height), bool(page.images)
                    )
                )
                page.close()
            return out
    except (PDFSyntaxError, ValueError, KeyError, TypeError) as exc:
        raise CorruptDocumentError(f"{source.name} is not a readable PDF ({exc})") from exc


def _plumber_fallback(source: Source, pdfium_error: CorruptDocumentError) -> list[PageLayout]:
    try:
        return _plumber_layouts(source)
    except Exception as exc:  # pdfminer raises many unrelated types on damaged files
        raise CorruptDocumentError(
            f"{source.name} is a damaged PDF that neither pdfium nor pdfplumber can open "
            f"({pdfium_error}; pdfplumber: {type(exc).__name__}: {exc}). Re-export or "
            "re-download the file."
        ) from exc


def _bytes_io(data: bytes) -> Any:
    import io

    return io.BytesIO(data)


# ---------------------------------------------------------------------------------------------
# Assembly


def assemble(layouts: list[PageLayout]) -> ParseResult:
    """Pages with blocks and sections, and tables merged across pages, from page layouts."""
    result = ParseResult()
    section = ""
    page_sections: dict[int, list[tuple[float, str]]] = {}
    furniture = running_lines(layouts)
    for lay in layouts:
        section = _add_page(result, lay, section, page_sections, furniture)
    page_text = {p.number: p.text for p in result.pages}
    table_pages: dict[int, list[int]] = {}
    for group in _merge_continuations(layouts):
        table = _build_group(len(result.tables), group, page_text, page_sections, result.warnings)
        if table is None:
            continue
        result.tables.append(table)
        for p in table.pages:
            table_pages.setdefault(p, []).append(table.index)
    result.pages = [
        p.model_copy(update={"table_indices": tuple(table_pages[p.number])})
        if p.number in table_pages
        else p
        for p in result.pages
    ]
    return result


def _add_page(
    result: ParseResult,
    lay: PageLayout,
    section: str,
    page_sections: dict[int, list[tuple[float, str]]],
    furniture: frozenset[str] = frozenset(),
) -> str:
    if lay.image_only:
        result.warnings.append(f"page {lay.number} has no extractable text; OCR is not supported")
    result.warnings.extend(lay.warnings)
    prose = [
        (t, box)
        for t, box, in_table in lay.lines
        if not in_table and _furniture_key(t) not in furniture
    ]
    marks = [(0.0, section)]
    blocks, section_after = blocks_from_lines(lay.number, prose, section)
    blocks = _under_statement(blocks)
    marks += [(b.bbox.top if b.bbox else 0.0, b.section) for b in blocks]
    page_sections[lay.number] = marks
    result.pages.append(
        Page(
            number=lay.number,
            text="\n".join(t for t, _box, _in in lay.lines),
            blocks=tuple(blocks),
            width=lay.width,
            height=lay.height,
            image_only=lay.image_only,
        )
    )
    return section_after


# The title of a primary financial statement: the page it heads is that statement.
_STATEMENT = re.compile(
    r"^(?:consolidated\s+|combined\s+)?(?:statements?\s+of\s+(?:consolidated\s+)?"
    r"(?:operations|income|earnings|comprehensive\s+(?:income|loss)|cash\s+flows?|"
    r"financial\s+position|(?:changes\s+in\s+)?(?:stockholders|shareholders)['’]?\s+equity)"
    r"|balance\s+sheets?)\b",
    re.IGNORECASE,
)


def _under_statement(blocks: list[TextBlock]) -> list[TextBlock]:
    """Below a statement's title on its page, sections name the statement too: the headings
    of a balance sheet ("Assets", "Current liabilities") become "CONSOLIDATED BALANCE SHEETS:
    Assets", so a question about the balance sheet meets its rows (the section is embedded
    with every chunk and read by the reranker)."""
    title = ""
    out = []
    for block in blocks:
        if not title and _STATEMENT.match(block.section.strip()):
            title = block.section.strip()
        if title and block.section and not block.section.startswith(title):
            block = block.model_copy(update={"section": f"{title}: {block.section}"})
        out.append(block)
    return out


_PAGE_DIGITS = re.compile(r"\d+")


def _furniture_key(text: str) -> str:
    return _PAGE_DIGITS.sub("#", " ".join(text.lower().split()))


def running_lines(layouts: Sequence[PageLayout], share: float = 0.25) -> frozenset[str]:
    """Page furniture: prose lines (digits ignored) repeated on at least a quarter of the pages
    (and 3) of a document of 4 pages or more: running headers and footers such as a "Table of
    Contents" link, the company name or "Page 12". They are neither headings nor text."""
    if len(layouts) < 4:
        return frozenset()
    pages: dict[str, int] = {}
    for lay in layouts:
        for key in {_furniture_key(t) for t, _box, in_table in lay.lines if not in_table}:
            pages[key] = pages.get(key, 0) + 1
    least = max(3, share * len(layouts))
    return frozenset(k for k, n in pages.items() if n >= least and k)


def _merge_continuations(layouts: list[PageLayout]) -> list[list[RawTable]]:
    groups: list[list[RawTable]] = []
    prev_page_last: RawTable | None = None
    for lay in layouts:
        for k, table in enumerate(lay.tables):
            if k == 0 and prev_page_last is not None and _continues(prev_page_last, table):
                _drop_repeated_header(groups[-1][0], table)
                groups[-1].append(table)
            else:
                groups.append([table])
        prev_page_last = lay.tables[-1] if lay.tables else None
        if lay.tables and lay.tables[-1].text_below:
            prev_page_last = None
    return groups


def _continues(prev: RawTable, table: RawTable) -> bool:
    """Same columns, nothing but margins between: the next page continues the table."""
    if table.page != prev.page + 1 or table.text_above or prev.text_below or not table.grid:
        return False
    if len(prev.col_right) != len(table.col_right):
        return False
    if any(abs(a - b) > 12.0 for a, b in zip(prev.col_right, table.col_right, strict=True)):
        return False
    return (
        table.header_rows == 0 or table.grid[: table.header_rows] == prev.grid[: prev.header_rows]
    )


def _drop_repeated_header(first: RawTable, table: RawTable) -> None:
    if table.header_rows and table.grid[: table.header_rows] == first.grid[: first.header_rows]:
        del table.grid[: table.header_rows]
        del table.boxes[: table.header_rows]
        table.header_rows = 0


def _build_group(
    index: int,
    group: list[RawTable],
    page_text: dict[int, str],
    page_sections: dict[int, list[tuple[float, str]]],
    warnings: list[str],
) -> Table | None:
    first = group[0]
    grid = [row for t in group for row in t.grid]
    boxes = [row for t in group for row in t.boxes]
    cell_pages = [t.page for t in group for _ in t.grid]
    section = ""
    for top, name in page_sections.get(first.page, []):
        if top <= first.bbox[1]:
            section = name
    try:
        table = build_table(
            grid,
            index=index,
            pages=sorted({t.page for t in group}),
            caption=first.caption,
            context=page_text.get(first.page, ""),
            header_rows=first.header_rows,
            boxes=boxes,
            cell_pages=cell_pages,
            bbox=first.bbox,
        )
    except (ValueError, IndexError) as exc:
        warnings.append(f"page {first.page}: a table could not be read ({exc}); its text is kept")
        return None
    return table.model_copy(update={"section": section})
