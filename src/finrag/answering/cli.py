"""``finrag ask``: answer questions about a file or a stored document from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from finrag.answering.answer import Answer, answer_json_schema

if TYPE_CHECKING:
    from finrag.runtime import Runtime

__all__ = ["ask", "schema", "show_answer"]

_err = Console(stderr=True)


def ask(
    target: str = typer.Argument(
        ..., help="A report file (PDF, HTML, XLSX, CSV, JSON) or a stored document id."
    ),
    questions: list[str] = typer.Argument(
        ..., help="One or more questions; later ones are follow-ups."
    ),
    planner: str | None = typer.Option(
        None,
        "--planner",
        "-p",
        help="offline, openai:gpt-4o, openai-compatible:<model>@<url>; 'offline:0.8|openai:gpt-4o' "
        "(fast path), check:openai:gpt-4o (cross-check); default from FINRAG_PLANNER",
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Print the Answer as JSON (one object per question)."
    ),
    k: int | None = typer.Option(None, "--k", min=1, max=100, help="Evidence chunks per question."),
    tenant: str | None = typer.Option(
        None, "--tenant", help="Tenant whose documents are searched."
    ),
) -> None:
    """Answer QUESTIONS about TARGET with a program, its trace and cited evidence."""
    from finrag.answering.pipeline import Conversation
    from finrag.config import Settings
    from finrag.errors import FinRAGError
    from finrag.runtime import build_runtime

    settings = Settings()
    if k is not None:
        settings.retrieval.k = k
    if tenant:
        settings.tenant = tenant
    try:
        runtime = build_runtime(settings)
        doc_id = _resolve_target(runtime, target)
        pipeline = runtime.pipeline(planner)
        conversation = Conversation()
        for question in questions:
            answer = pipeline.answer(
                question, tenant=settings.tenant, doc_ids=[doc_id], conversation=conversation
            )
            if as_json:
                sys.stdout.write(answer.model_dump_json(by_alias=True) + "\n")
            else:
                show_answer(answer)
    except FinRAGError as exc:
        _err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc


def _resolve_target(runtime: Runtime, target: str) -> str:
    from finrag.errors import NotFoundError

    tenant = runtime.settings.tenant
    path = Path(target)
    if not path.exists():
        try:
            return runtime.store.get_document_info(tenant, target).id
        except NotFoundError as exc:
            raise NotFoundError(
                f"{target!r} is neither a file nor a stored document id of tenant {tenant!r}"
            ) from exc
    with _err.status(f"indexing {path.name} ..."):
        report, results = runtime.index([path])
    if report.failed:
        raise _ingest_error(report.failed[0].error or "unknown error", path)
    return results[0].doc_id


def _ingest_error(message: str, path: Path) -> Exception:
    from finrag.errors import DocumentError

    return DocumentError(f"could not ingest {path}: {message}")


def show_answer(answer: Answer) -> None:
    out = Console()
    if answer.abstained:
        body = f"[yellow]No answer[/yellow]: {answer.abstain_reason}"
    else:
        body = f"[bold green]{answer.display}[/bold green]\n{answer.calculation}"
        if answer.program:
            body += f"\n[dim]program:[/dim] {answer.program.text}"
        check = answer.cross_check
        if check is not None:
            colour = "dim" if check.agrees is None else ("green" if check.agrees else "yellow")
            body += f"\n[{colour}]cross-check:[/{colour}] {escape(check.note)}"
    parts = [f"planner {answer.planner}"]
    if answer.prompt_version:
        parts.append(f"prompt {answer.prompt_version}")
    if answer.confidence is not None:
        parts.append(f"confidence {answer.confidence:.2f}")
    parts += [f"{answer.timings.total_ms:.0f} ms", f"${answer.usage.cost_usd:.4f}"]
    meta = " · ".join(parts)
    out.print(Panel(f"{body}\n[dim]{meta}[/dim]", title=answer.question, title_align="left"))
    table = Table("cited", "page", "evidence", show_header=True, header_style="dim", box=None)
    for item in answer.evidence[:5]:
        table.add_row("*" if item.cited else "", str(item.page), item.text[:110])
    out.print(table)


def schema() -> None:
    """Print the JSON Schema of the Answer (published at docs/answer.schema.json)."""
    sys.stdout.write(json.dumps(answer_json_schema(), indent=2) + "\n")
