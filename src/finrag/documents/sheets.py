"""Spreadsheets: XLSX with openpyxl (one page per sheet) and CSV (one page).

A sheet may hold a title block above its table ("Acme Corp", "(in millions)"): leading rows
with a single non-empty cell become the caption, the rest is the table. Numeric cells keep
their displayed form where the cell's number format says percent, so 0.125 formatted as
``0.0%`` reads as 12.5%.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from typing import Any

from finrag.documents.base import ParseOptions, ParseResult, Source
from finrag.documents.model import Page, Table, TextBlock
from finrag.documents.tables import build_table
from finrag.documents.text import split_sentences
from finrag.errors import CorruptDocumentError, EmptyDocumentError

__all__ = ["parse_csv", "parse_xlsx", "sheet_page"]


def parse_xlsx(source: Source, options: ParseOptions) -> ParseResult:
    """Each worksheet becomes a page with one table (and its title rows as caption)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(source.data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise CorruptDocumentError(
            f"{source.name} is not a readable XLSX workbook ({exc})"
        ) from exc
    result = ParseResult()
    try:
        for ws in wb.worksheets:
            rows = [[_cell_text(c) for c in row] for row in ws.iter_rows()]
            page, table = sheet_page(len(result.pages) + 1, rows, len(result.tables), ws.title)
            result.pages.append(page)
            if table is not None:
                result.tables.append(table)
    finally:
        wb.close()
    return result


def parse_csv(source: Source, options: ParseOptions) -> ParseResult:
    """A CSV file is one page with one table; the delimiter is sniffed."""
    text = _decode(source)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = [list(r) for r in csv.reader(io.StringIO(text), dialect)]
    page, table = sheet_page(1, rows, 0, "")
    return ParseResult(pages=[page], tables=[table] if table else [])


def _decode(source: Source) -> str:
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return source.data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise CorruptDocumentError(f"{source.name} is not UTF-8 or Windows-1252 text")


def _cell_text(cell: Any) -> str:
    value = cell.value
    if value is None:
        return ""
    fmt = getattr(cell, "number_format", "") or ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        if "%" in fmt:
            return f"{value * 100:.10g}%"
        text = f"{value:.10g}" if isinstance(value, float) else str(value)
        return f"$ {text}" if "$" in fmt else text
    if isinstance(value, datetime | date):
        return value.strftime("%B %d, %Y")
    return str(value).strip()


def sheet_page(
    number: int, rows: list[list[str]], table_index: int, title: str
) -> tuple[Page, Table | None]:
    """A page (and its table) from one sheet's rows; leading one-cell rows form the caption."""
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        if number == 1 and not title:
            raise EmptyDocumentError("the sheet has no non-empty cells")
        return Page(number=number, text=""), None
    caption_rows: list[str] = []
    while len(rows) > 1 and sum(1 for c in rows[0] if c.strip()) == 1:
        caption_rows.append(next(c for c in rows[0] if c.strip()).strip())
        rows = rows[1:]
    width = max(len(r) for r in rows)
    used = [j for j in range(width) if any(j < len(r) and r[j].strip() for r in rows)]
    grid = [[r[j] if j < len(r) else "" for j in used] for r in rows]
    caption = " ".join([title, *caption_rows]).strip()
    table = build_table(grid, index=table_index, pages=[number], caption=caption)
    blocks = tuple(
        TextBlock(page=number, text=t, sentences=tuple(split_sentences(t))) for t in caption_rows
    )
    text = "\n".join([*caption_rows, *("\t".join(r) for r in grid)])
    return Page(number=number, text=text, blocks=blocks, table_indices=(table_index,)), table
