"""Format parsers by name, and the entry points that turn files or bytes into Documents.

Built-in formats register through :func:`register_parser`, the same hook a plugin would use.
Record formats (FinQA, TAT-QA) yield one Document per record; every other format one Document
per file, with id ``d<first 16 hex of sha256(bytes)>``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from finrag.documents import abbreviations
from finrag.documents.base import ParseOptions, Parser, ParseResult, Source
from finrag.documents.datasets import finqa_document, tatqa_document
from finrag.documents.filer import (
    ALIASES_KEY,
    REGISTRANT_KEY,
    aliases_of,
    encode_aliases,
    registrant_of,
)
from finrag.documents.html import parse_html
from finrag.documents.model import Document
from finrag.documents.pdf import parse_pdf
from finrag.documents.sheets import parse_csv, parse_xlsx
from finrag.documents.sniff import sniff_format
from finrag.documents.tables import apply_stated_scale
from finrag.errors import ConfigError, DocumentTooLargeError, EmptyDocumentError

__all__ = [
    "RECORD_FORMATS",
    "document_from_result",
    "get_parser",
    "parse_bytes",
    "parse_path",
    "parser_names",
    "register_parser",
]

_PARSERS: dict[str, Parser] = {}
RECORD_FORMATS: dict[str, Callable[[dict[str, Any], str], Document]] = {
    "finqa": finqa_document,
    "tatqa": tatqa_document,
}


def register_parser(name: str, parser: Parser) -> None:
    """Register a single-document format parser under ``name`` (replaces an existing one)."""
    _PARSERS[name] = parser


def parser_names() -> list[str]:
    """Every format name a file can be parsed as."""
    return sorted([*_PARSERS, *RECORD_FORMATS])


def get_parser(name: str) -> Parser:
    """The parser registered as ``name``; unknown names fail listing the known ones."""
    try:
        return _PARSERS[name]
    except KeyError:
        raise ConfigError(
            f"unknown document format {name!r}; known formats: {', '.join(parser_names())}"
        ) from None


for _name, _parser in (
    ("pdf", parse_pdf),
    ("html", parse_html),
    ("xlsx", parse_xlsx),
    ("csv", parse_csv),
):
    register_parser(_name, _parser)


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 100 * 1024 else f"{n:,} bytes"


def parse_path(path: str | Path, options: ParseOptions | None = None) -> list[Document]:
    """Parse one file: size checks before reading, then :func:`parse_bytes`."""
    options = options or ParseOptions()
    p = Path(path)
    size = p.stat().st_size
    if size > options.max_bytes:
        raise DocumentTooLargeError(
            f"{p} is {_mb(size)}, over the {_mb(options.max_bytes)} limit; "
            "split the file or raise the limit (--max-mb)"
        )
    if size == 0:
        raise EmptyDocumentError(f"{p} is empty (0 bytes); nothing to ingest")
    return parse_bytes(p.read_bytes(), name=str(p), options=options, path=p)


def parse_bytes(
    data: bytes,
    *,
    name: str = "<upload>",
    options: ParseOptions | None = None,
    path: Path | None = None,
    fmt: str | None = None,
) -> list[Document]:
    """Parse bytes (format sniffed unless ``fmt`` is given) into one or more Documents."""
    options = options or ParseOptions()
    if len(data) > options.max_bytes:
        raise DocumentTooLargeError(
            f"{name} is {_mb(len(data))}, over the {_mb(options.max_bytes)} limit"
        )
    fmt = fmt or sniff_format(data, name)
    if fmt in RECORD_FORMATS:
        return list(_records(fmt, data, name))
    result = get_parser(fmt)(Source(name=name, data=data, path=path), options)
    return [document_from_result(result, data=data, name=name, fmt=fmt)]


def _records(fmt: str, data: bytes, name: str) -> Iterator[Document]:
    build = RECORD_FORMATS[fmt]
    for record in json.loads(data.decode("utf-8-sig")):
        yield build(record, name)


def document_from_result(result: ParseResult, *, data: bytes, name: str, fmt: str) -> Document:
    """Wrap a parser's result into a Document; no text and no tables at all is an error."""
    has_text = any(p.text.strip() for p in result.pages)
    if not has_text and not result.tables:
        image_pages = sum(1 for p in result.pages if p.image_only)
        hint = (
            f"; all {image_pages} pages are images and OCR is not supported" if image_pages else ""
        )
        raise EmptyDocumentError(f"{name} has no extractable text and no tables{hint}")
    sha = hashlib.sha256(data).hexdigest()
    metadata = dict(result.metadata)
    texts = [p.text for p in result.pages]
    registrant = registrant_of(texts)
    if registrant and REGISTRANT_KEY not in metadata:
        metadata[REGISTRANT_KEY] = registrant
    defined = abbreviations.definitions(texts)
    if defined and abbreviations.ABBREVIATIONS_KEY not in metadata:
        metadata[abbreviations.ABBREVIATIONS_KEY] = abbreviations.encode(defined)
    if registrant and ALIASES_KEY not in metadata:
        aliases = aliases_of(texts, registrant, defined)
        if aliases:
            metadata[ALIASES_KEY] = encode_aliases(aliases)
    return Document(
        id=f"d{sha[:16]}",
        source=name,
        format=fmt,
        title=result.title or Path(name).stem,
        sha256=sha,
        size_bytes=len(data),
        pages=tuple(result.pages),
        tables=tuple(apply_stated_scale([(p.number, p.text) for p in result.pages], result.tables)),
        warnings=tuple(result.warnings),
        metadata=metadata,
    )
