"""``finrag demo``: the whole path on the embedded default, with no servers and no key.

Ingests the demo filing shipped in the package into the local SQLite store, then answers the
demo questions with the offline planner and prints each answer with its calculation and the
cited evidence. What `make run` shows a new user before the service starts.
"""

from __future__ import annotations

import typer
from rich.console import Console

__all__ = ["demo"]


def demo(
    planner: str | None = typer.Option(None, "--planner", "-p", help="Planner (default: offline)."),
    as_json: bool = typer.Option(False, "--json", help="Print each Answer as JSON."),
) -> None:
    """Ingest the demo filing and answer questions about it, end to end."""
    from finrag.answering.cli import show_answer
    from finrag.answering.pipeline import Conversation
    from finrag.config import Settings
    from finrag.demo import DEMO_QUESTIONS, demo_document_path
    from finrag.errors import FinRAGError
    from finrag.runtime import build_runtime

    console = Console(stderr=True)
    settings = Settings()
    try:
        runtime = build_runtime(settings)
        with console.status("indexing the demo filing ..."):
            report, results = runtime.index([demo_document_path()])
        if report.failed or not results:
            raise typer.Exit(
                _fail(
                    console,
                    (report.failed[0].error if report.failed else None) or "nothing indexed",
                )
            )
        doc_id = results[0].doc_id
        console.print(f"[dim]store {settings.resolved_store_url} · document {doc_id}[/dim]")
        pipeline = runtime.pipeline(planner)
        conversation = Conversation()
        for question in DEMO_QUESTIONS:
            answer = pipeline.answer(
                question, tenant=settings.tenant, doc_ids=[doc_id], conversation=conversation
            )
            if as_json:
                typer.echo(answer.model_dump_json(by_alias=True))
            else:
                show_answer(answer)
    except FinRAGError as exc:
        raise typer.Exit(_fail(console, str(exc))) from exc
    console.print('[dim]ask your own: finrag ask REPORT.pdf "your question"[/dim]')


def _fail(console: Console, message: str) -> int:
    console.print(f"[red]error:[/red] {message}")
    return 2
