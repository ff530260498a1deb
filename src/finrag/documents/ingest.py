"""The ingestion pipeline: files or folders in, Documents and chunks out, with a report.

:func:`ingest_paths` parses every file (folders recursively), chunks each Document and hands
``(document, chunks)`` to a *sink*: today :class:`JsonlSink` (``finrag ingest --out``), later
the store. One bad file never stops the batch: its error is recorded in the report and the
next file is parsed. A per-file callback reports progress.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from multiprocessing import get_context
from pathlib import Path
from typing import IO, Any

from finrag.documents.base import ParseOptions
from finrag.documents.chunking import chunk_document
from finrag.documents.model import Chunk, Document
from finrag.documents.registry import parse_path
from finrag.errors import DocumentError

__all__ = [
    "FileSummary",
    "IngestReport",
    "JsonlSink",
    "Sink",
    "expand_paths",
    "ingest_paths",
    "summarise",
]

Sink = Callable[[Document, list[Chunk]], None]


@dataclass(slots=True)
class FileSummary:
    """What ingesting one file produced (or the error that stopped it)."""

    source: str
    format: str = ""
    doc_ids: list[str] = field(default_factory=list)
    documents: int = 0
    pages: int = 0
    tables: int = 0
    numeric_cells: int = 0
    chunks: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    error_type: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(slots=True)
class IngestReport:
    """Per-file summaries and totals of one ingest run."""

    files: list[FileSummary] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[FileSummary]:
        return [f for f in self.files if not f.ok]

    @property
    def pages(self) -> int:
        return sum(f.pages for f in self.files)

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds > 0 else 0.0

    @property
    def exit_code(self) -> int:
        """0 when every file parsed, 2 when some failed, 1 when none parsed (or no files)."""
        if not self.files or len(self.failed) == len(self.files):
            return 1
        return 2 if self.failed else 0

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (what ``finrag ingest --json`` prints)."""
        ok = [f for f in self.files if f.ok]
        totals = {
            "files": len(self.files),
            "failed": len(self.failed),
            "documents": sum(f.documents for f in ok),
            "pages": self.pages,
            "tables": sum(f.tables for f in ok),
            "numeric_cells": sum(f.numeric_cells for f in ok),
            "chunks": sum(f.chunks for f in ok),
            "warnings": sum(len(f.warnings) for f in ok),
            "seconds": round(self.seconds, 3),
            "pages_per_second": round(self.pages_per_second, 2),
        }
        return {
            "files": [asdict(f) for f in self.files],
            "errors": [
                {"source": f.source, "type": f.error_type, "message": f.error} for f in self.failed
            ],
            "totals": totals,
        }


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, and every non-hidden file under each folder (recursive, sorted)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(
                f
                for f in sorted(p.rglob("*"))
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts)
            )
        else:
            out.append(p)
    return out


def summarise(source: str, docs: list[Document], chunks: int, seconds: float) -> FileSummary:
    """A FileSummary for the Documents parsed from one file."""
    return FileSummary(
        source=source,
        format=docs[0].format if docs else "",
        doc_ids=[d.id for d in docs][:20],
        documents=len(docs),
        pages=sum(len(d.pages) for d in docs),
        tables=sum(len(d.tables) for d in docs),
        numeric_cells=sum(
            1 for d in docs for t in d.tables for row in t.rows for c in row if c.number is not None
        ),
        chunks=chunks,
        seconds=round(seconds, 3),
        warnings=[w for d in docs for w in d.warnings],
    )


@contextmanager
def _shared_pool(options: ParseOptions) -> Iterator[ParseOptions]:
    """One process pool for the whole batch (spawned once, not per file)."""
    if options.workers <= 1 or options.executor is not None or options.pdf_engine != "pdfium":
        yield options
        return
    pool = ProcessPoolExecutor(options.workers, mp_context=get_context("spawn"))
    try:
        yield replace(options, executor=pool)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def ingest_paths(
    paths: Iterable[str | Path],
    *,
    options: ParseOptions | None = None,
    sink: Sink | None = None,
    on_file: Callable[[Path, FileSummary | None], None] | None = None,
) -> IngestReport:
    """Parse, chunk and sink every file; errors are recorded per file, never raised.

    ``on_file(path, None)`` is called before a file is parsed and ``on_file(path, summary)``
    after, so a caller can drive a progress bar.
    """
    files = expand_paths(paths)
    report = IngestReport()
    started = time.perf_counter()
    with _shared_pool(options or ParseOptions()) as opts:
        for path in files:
            if on_file:
                on_file(path, None)
            summary = _ingest_one(path, opts, sink)
            report.files.append(summary)
            if on_file:
                on_file(path, summary)
    report.seconds = time.perf_counter() - started
    return report


def _ingest_one(path: Path, options: ParseOptions, sink: Sink | None) -> FileSummary:
    t0 = time.perf_counter()
    try:
        docs = parse_path(path, options)
        n_chunks = 0
        for doc in docs:
            chunks = chunk_document(doc)
            n_chunks += len(chunks)
            if sink is not None:
                sink(doc, chunks)
    except DocumentError as exc:
        return FileSummary(source=str(path), error=str(exc), error_type=type(exc).__name__)
    except OSError as exc:
        return FileSummary(
            source=str(path), error=f"cannot read {path}: {exc}", error_type="OSError"
        )
    except Exception as exc:  # a parser bug must not lose the rest of the batch
        return FileSummary(
            source=str(path),
            error=f"unexpected {type(exc).__name__}: {exc}",
            error_type="InternalError",
        )
    return summarise(str(path), docs, n_chunks, time.perf_counter() - t0)


class JsonlSink:
    """Writes each Document and its chunks as JSON lines (``{"type": "document"|"chunk"}``)."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def __call__(self, doc: Document, chunks: list[Chunk]) -> None:
        self._stream.write(json.dumps({"type": "document", **doc.model_dump(mode="json")}) + "\n")
        for chunk in chunks:
            self._stream.write(
                json.dumps({"type": "chunk", **chunk.model_dump(mode="json")}) + "\n"
            )
