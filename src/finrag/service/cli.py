"""Service commands: ``serve``, ``worker``, ``audit``, ``prompts`` and ``keys`` (Typer apps).

Registered in :mod:`finrag.cli`. Administrative commands open only the metadata database
(no embedder, no planner) and append audit rows as actor ``cli``.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import typer

from finrag.errors import FinRAGError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from finrag.config import Settings

__all__ = ["audit_app", "keys_app", "prompts_app", "serve", "worker"]

audit_app = typer.Typer(help="Verify or purge the hash-chained audit log.", no_args_is_help=True)
prompts_app = typer.Typer(help="Prompt versions and their canary rollout.", no_args_is_help=True)
keys_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)

_DURATION = re.compile(r"^(\d+)([dhm])$")


def _settings() -> Settings:
    """Settings from the environment (imported here: ``finrag --help`` stays fast)."""
    from finrag.config import Settings

    return Settings()


@contextmanager
def _errors() -> Iterator[None]:
    """FinRAG errors end the command with their message and exit status 1, not a traceback."""
    try:
        yield
    except FinRAGError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None


def _engine(settings: Settings) -> Engine:
    from finrag.service.db import make_engine, migrate

    engine = make_engine(settings.service.database_url or settings.resolved_store_url)
    migrate(engine)
    return engine


def serve(
    host: str = typer.Option(None, help="Bind address (default: service.host, 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (default: service.port, 8000)."),
    workers: int = typer.Option(1, min=1, help="Uvicorn worker processes."),
    demo: bool = typer.Option(
        False, "--demo", help="Preload the demo filing (what `make run` does)."
    ),
) -> None:
    """Serve the HTTP API and the web UI (embedded default: SQLite, local embeddings, in-process jobs)."""
    import uvicorn

    from finrag.observability.logging import configure_logging
    from finrag.service.app import ADMIN_KEY_FILE, create_app

    settings = _settings()
    configure_logging(json_lines=settings.service.log_json)
    bind_host = host or settings.service.host
    bind_port = port if port is not None else settings.service.port
    if workers > 1:
        uvicorn.run("finrag.service.app:app_from_env", factory=True, host=bind_host,
                    port=bind_port, workers=workers, log_config=None)  # fmt: skip
        return
    app = create_app(settings)
    if demo:
        _preload_demo(app.state.runtime)
    key_file = app.state.admin_key_file
    url = f"http://{bind_host}:{bind_port}"
    if key_file is not None:
        typer.echo(
            f"Created the first admin key for tenant {settings.tenant!r} in {key_file} (0600)."
        )
    existing = settings.data_dir / ADMIN_KEY_FILE
    if existing.exists():
        typer.echo(f"Sign in at {url}/ with the API key in {existing}:  cat {existing}")
    typer.echo(f"FinRAG is running: {url}/   (API docs: {url}/api/v1/docs; Ctrl-C stops it)")
    uvicorn.run(app, host=bind_host, port=bind_port, log_config=None, access_log=False)


def _preload_demo(runtime: Any) -> None:
    """Index the shipped demo filing for the default tenant (idempotent by content)."""
    from finrag.demo import demo_document_path
    from finrag.retrieval.indexing import index_paths

    tenant = runtime.settings.tenant
    report, results = index_paths(runtime.store, tenant, [demo_document_path()], runtime.embedder)
    if report.failed:
        typer.echo(f"demo filing not loaded: {report.failed[0].error}", err=True)
        return
    for result in results:
        typer.echo(f"Demo filing {result.source} is document {result.doc_id} of tenant {tenant!r}.")


def worker(
    concurrency: int = typer.Option(1, min=1, help="Prefork worker processes."),
    beat: bool = typer.Option(False, help="Also run Celery beat (audit retention schedule)."),
    loglevel: str = typer.Option("INFO"),
) -> None:
    """Run a Celery ingestion worker on service.redis_url."""
    from finrag.worker.__main__ import run_worker

    run_worker(_settings(), concurrency=concurrency, beat=beat, loglevel=loglevel)


@audit_app.command("verify")
def audit_verify() -> None:
    """Walk the hash chain; exit 1 and list the problems if any row was altered or removed."""
    from finrag.service.audit import verify

    report = verify(_engine(_settings()))
    if report.ok:
        typer.echo(
            f"audit log OK: {report.rows} rows, seq {report.anchor_seq + 1}..{report.last_seq}"
        )
        return
    for problem in report.problems:
        typer.echo(problem, err=True)
    typer.echo(f"audit log TAMPERED: {len(report.problems)} problem(s)", err=True)
    raise typer.Exit(1)


def parse_duration(text: str) -> timedelta:
    """``90d``, ``12h`` or ``30m`` as a timedelta."""
    match = _DURATION.match(text.strip().lower())
    if match is None:
        raise typer.BadParameter(f"{text!r} is not a duration like 90d, 12h or 30m")
    value, unit = int(match.group(1)), match.group(2)
    return {"d": timedelta(days=value), "h": timedelta(hours=value), "m": timedelta(minutes=value)}[
        unit
    ]


@audit_app.command("purge")
def audit_purge(
    older_than: str = typer.Option("90d", "--older-than", help="Age such as 90d, 12h, 30m."),
) -> None:
    """Remove rows older than the given age; the chain stays verifiable from a new anchor."""
    from finrag.service.audit import purge

    purged = purge(_engine(_settings()), older_than=parse_duration(older_than), actor="cli")
    typer.echo(f"purged {purged} audit row(s) older than {older_than}")


def _default_stable(settings: Settings) -> str:
    from finrag.service.runtime import default_prompt_version

    return default_prompt_version(settings)


@prompts_app.command("list")
def prompts_list() -> None:
    """Known prompt versions with their role and traffic share."""
    from finrag.service.admin import prompt_state

    settings = _settings()
    state = prompt_state(_engine(settings), _default_stable(settings))
    for v in state.versions:
        typer.echo(f"{v.version:8} {v.role:10} {v.share:6.1%}  {v.hash[:12]}  {v.description}")


@prompts_app.command("promote")
def prompts_promote(
    version: str = typer.Argument(..., help="Prompt version, e.g. v2."),
    share: float = typer.Option(1.0, min=0.0, max=1.0, help="< 1: canary share; 1: make stable."),
) -> None:
    """Start a canary (``--share 0.1``) or make a version stable."""
    from finrag.service.admin import promote_prompt

    settings = _settings()
    with _errors():
        engine = _engine(settings)
        state = promote_prompt(
            engine, _default_stable(settings), version, share, "cli", settings.tenant
        )
    typer.echo(f"stable={state.stable} candidate={state.candidate} share={state.share:.0%}")


@prompts_app.command("rollback")
def prompts_rollback() -> None:
    """Drop the canary candidate, or return to the previous stable version."""
    from finrag.service.admin import rollback_prompt

    settings = _settings()
    with _errors():
        state = rollback_prompt(
            _engine(settings), _default_stable(settings), "cli", settings.tenant
        )
    typer.echo(f"stable={state.stable} candidate={state.candidate} share={state.share:.0%}")


@keys_app.command("create")
def keys_create(
    role: str = typer.Option("analyst", help="viewer, analyst or admin."),
    tenant: str = typer.Option(None, help="Tenant (default: settings.tenant)."),
    name: str = typer.Option("", help="A label for the key."),
) -> None:
    """Create a key; it is printed once and stored only as a hash."""
    from finrag.service.admin import create_key

    settings = _settings()
    with _errors():
        record, full = create_key(_engine(settings), tenant or settings.tenant, role, name, "cli")
    typer.echo(f"key id {record.id} ({record.role}, tenant {record.tenant}); shown once:")
    typer.echo(full)


@keys_app.command("list")
def keys_list(tenant: str = typer.Option(None, help="Tenant (default: settings.tenant).")) -> None:
    """The tenant's keys (ids, roles, revocation), never secrets."""
    from finrag.service.repositories.keys import list_keys

    settings = _settings()
    rows = list_keys(_engine(settings), tenant or settings.tenant)
    typer.echo(json.dumps([dataclasses.asdict(r) for r in rows], indent=2))


@keys_app.command("revoke")
def keys_revoke(
    key_id: str = typer.Argument(..., help="The key id (the part after 'frk_')."),
    tenant: str = typer.Option(None, help="Tenant (default: settings.tenant)."),
) -> None:
    """Revoke a key; it stops working at once."""
    from finrag.service.admin import revoke_key

    settings = _settings()
    with _errors():
        record = revoke_key(_engine(settings), tenant or settings.tenant, key_id, "cli")
    typer.echo(f"revoked {record.id} at {record.revoked_at}")
