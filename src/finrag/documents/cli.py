"""``finrag ingest``: parse files or folders, chunk them, report per document.

Progress goes to stderr, the summary to stdout (a rich table, or one JSON object with
``--json``). Exit code: 0 when every file parsed, 2 when some failed (the rest were still
parsed and written), 1 when none did.
"""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from finrag.documents.ingest import FileSummary, IngestReport

__all__ = ["ingest"]


def ingest(
    paths: list[Path] = typer.Argument(..., help="Files or folders (searched recursively)."),
    json_output: bool = typer.Option(False, "--json", help="Print the report as one JSON object."),
    out: Path | None = typer.Option(
        None, "--out", help="Write documents and chunks as JSON lines."
    ),
    max_mb: float = typer.Option(200.0, "--max-mb", help="Refuse files larger than this."),
    workers: int = typer.Option(2, "--workers", help="Processes for large PDFs (1 = none)."),
    engine: str = typer.Option("pdfium", "--engine", help="PDF engine: pdfium or pdfplumber."),
) -> None:
    """Parse reports (PDF, HTML, XLSX, CSV, FinQA/TAT-QA JSON) into documents and chunks."""
    # Parsers pull in pdfium, lxml and openpyxl: import them only when the command runs.
    from rich.console import Console

    from finrag.documents.base import ParseOptions
    from finrag.documents.ingest import JsonlSink, expand_paths, ingest_paths

    if engine not in {"pdfium", "pdfplumber"}:
        raise typer.BadParameter(f"unknown engine {engine!r}; use pdfium or pdfplumber")
    options = ParseOptions(max_bytes=int(max_mb * 1024 * 1024), workers=workers, pdf_engine=engine)
    files = expand_paths(paths)
    with ExitStack() as stack:
        sink = None
        if out is not None:
            sink = JsonlSink(stack.enter_context(out.open("w", encoding="utf-8")))
        progress = stack.enter_context(_progress(Console(stderr=True)))
        task = progress.add_task("", total=len(files))

        def on_file(path: Path, summary: FileSummary | None) -> None:
            if summary is None:
                progress.update(task, description=path.name)
            else:
                progress.advance(task)

        report = ingest_paths(files, options=options, sink=sink, on_file=on_file)
    if json_output:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
    else:
        _print_table(report)
    raise typer.Exit(report.exit_code)


def _progress(console: Any) -> Any:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    return Progress(
        TextColumn("[bold]ingest"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=console,
        transient=True,
    )


def _print_table(report: IngestReport) -> None:
    from rich.console import Console
    from rich.table import Table as RichTable

    console = Console()
    table = RichTable(title="finrag ingest")
    for col in (
        "file",
        "format",
        "docs",
        "pages",
        "tables",
        "numeric cells",
        "chunks",
        "s",
        "warnings",
    ):
        table.add_column(
            col, justify="left" if col in {"file", "format"} else "right", overflow="fold"
        )
    for f in report.files:
        if f.ok:
            table.add_row(
                Path(f.source).name,
                f.format,
                str(f.documents),
                str(f.pages),
                str(f.tables),
                str(f.numeric_cells),
                str(f.chunks),
                f"{f.seconds:.2f}",
                str(len(f.warnings)),
            )
        else:
            table.add_row(Path(f.source).name, f"[red]{f.error_type}", *[""] * 6, f"[red]{f.error}")
    console.print(table)
    totals = report.to_dict()["totals"]
    console.print(
        f"{totals['files']} files, {totals['failed']} failed, {totals['pages']} pages, "
        f"{totals['tables']} tables, {totals['chunks']} chunks in {totals['seconds']:.1f} s "
        f"({totals['pages_per_second']:.1f} pages/s)"
    )
