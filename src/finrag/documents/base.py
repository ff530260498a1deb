"""What a format parser receives and returns, and the options that tune parsing.

A parser is a function ``(Source, ParseOptions) -> ParseResult``. It raises
:class:`~finrag.errors.DocumentError` subclasses for files it cannot read; the registry
(``documents.registry``) wraps the result into a :class:`~finrag.documents.model.Document`
with the content-derived id, so every format gets the same id scheme for free.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

from finrag.documents.model import Page, Table

__all__ = ["DEFAULT_MAX_BYTES", "ParseOptions", "ParseResult", "Parser", "Source"]

DEFAULT_MAX_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Source:
    """The bytes of one input and where they came from (``path`` is None for uploads)."""

    name: str
    data: bytes
    path: Path | None = None


@dataclass(frozen=True, slots=True)
class ParseOptions:
    """Knobs for parsing.

    ``pdf_engine`` is ``"pdfium"`` (fast, default) or ``"pdfplumber"``; ``workers`` processes
    parse the pages of a PDF with at least ``pool_min_pages`` pages; ``executor`` lets a batch
    share one process pool across files.
    """

    max_bytes: int = DEFAULT_MAX_BYTES
    pdf_engine: str = "pdfium"
    workers: int = 2
    pool_min_pages: int = 40
    executor: Executor | None = None


@dataclass(slots=True)
class ParseResult:
    """A parser's output before it becomes a Document."""

    pages: list[Page] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    title: str = ""
    metadata: dict[str, str] = field(default_factory=dict)


Parser = Callable[[Source, ParseOptions], ParseResult]
