"""``create_app(settings)``: the FinRAG HTTP service, built from validated settings.

Nothing is built at import time. ``create_app`` opens the runtime (store, metadata database
with migrations, embedder, retriever, canary-routed planner), picks the job dispatcher
(in-process threads, or Celery on Redis when ``service.jobs == "celery"``), re-queues jobs a
crashed embedded process left behind, in embedded mode creates a local admin key on first
start, and mounts the web UI bundle (``finrag.service.ui``) at ``/`` after the API routes.
The lifespan starts the embedded audit-retention timer and closes everything.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import partial
from pathlib import Path

from anyio import CapacityLimiter
from fastapi import FastAPI

from finrag import __version__
from finrag.config import Settings
from finrag.observability.metrics import JOB_TABLE
from finrag.service import audit
from finrag.service.api import API_PREFIX
from finrag.service.api.errors import install_error_handler
from finrag.service.api.routes import admin, ask, documents, health
from finrag.service.jobs import Dispatcher, InProcessDispatcher
from finrag.service.middleware import MetricsMiddleware
from finrag.service.repositories import keys as keys_repo
from finrag.service.repositories.jobs import job_stats
from finrag.service.runtime import Runtime, build_runtime

__all__ = [
    "ADMIN_KEY_FILE",
    "API_PREFIX",
    "PurgeTimer",
    "app_from_env",
    "bootstrap_admin_key",
    "create_app",
]

ADMIN_KEY_FILE = "admin.key"
log = logging.getLogger("finrag.service")


def _dispatcher(runtime: Runtime) -> Dispatcher:
    svc = runtime.settings.service
    if svc.jobs == "celery":
        from finrag.worker.celery_app import CeleryDispatcher, make_celery

        return CeleryDispatcher(make_celery(runtime.settings))
    dispatcher = InProcessDispatcher(runtime, svc.job_workers)
    recovered = dispatcher.recover()
    if recovered:
        log.info("re-queued %d unfinished ingestion job(s)", recovered)
    return dispatcher


def bootstrap_admin_key(runtime: Runtime) -> Path | None:
    """On a first embedded start (no keys at all), create an admin key in ``data_dir`` (0600).

    Returns the key file's path when a key was created now, else None. A file lock makes
    several ``serve --workers`` processes starting at once create one key, not one each.
    """
    settings = runtime.settings
    if not settings.service.bootstrap_admin or settings.service.jobs == "celery":
        return None
    tenant = settings.tenant
    with open(settings.data_dir / ".bootstrap.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if keys_repo.list_keys(runtime.engine, tenant):
            return None
        record, full = keys_repo.create_key(runtime.engine, tenant, "admin", "bootstrap admin")
        path = settings.data_dir / ADMIN_KEY_FILE
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(full + "\n")
        os.chmod(path, 0o600)
    audit.append(runtime.engine, tenant=tenant, actor="bootstrap", action="key.create",
                 payload={"key_id": record.id, "role": "admin", "name": record.name})  # fmt: skip
    return path


class PurgeTimer:
    """Embedded mode's retention job: purge old audit rows every ``interval`` seconds."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="finrag-audit-purge", daemon=True)

    def start(self) -> None:
        """Start the timer thread."""
        self._thread.start()

    def _loop(self) -> None:
        svc = self.runtime.settings.service
        while not self._stop.wait(svc.audit_purge_interval_s):
            purged = audit.purge(self.runtime.engine,
                                 older_than=timedelta(days=svc.audit_retention_days),
                                 actor="retention")  # fmt: skip
            if purged:
                log.info("audit retention purged %d row(s)", purged)

    def stop(self) -> None:
        """Stop the timer thread."""
        self._stop.set()


def create_app(settings: Settings, *, runtime: Runtime | None = None) -> FastAPI:
    """The FastAPI app for ``settings`` (a prebuilt ``runtime`` may be injected by tests)."""
    runtime = runtime or build_runtime(settings)
    dispatcher = _dispatcher(runtime)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        timer = PurgeTimer(runtime) if settings.service.jobs == "inprocess" else None
        if timer is not None:
            timer.start()
        try:
            yield
        finally:
            if timer is not None:
                timer.stop()
            dispatcher.close()
            runtime.close()

    app = FastAPI(
        title="FinRAG",
        version=__version__,
        description="Numeric question answering over financial reports, with auditable programs.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.state.dispatcher = dispatcher
    app.state.ask_limiter = CapacityLimiter(settings.service.max_concurrent_asks)
    app.state.admin_key_file = bootstrap_admin_key(runtime)
    JOB_TABLE.source = partial(job_stats, runtime.engine)
    install_error_handler(app)
    app.add_middleware(MetricsMiddleware)
    app.include_router(health.router)
    for module in (documents, ask, admin):
        app.include_router(module.router)
    from finrag.service.ui import install_ui  # last: its catch-all only takes unmatched paths

    install_ui(app)
    return app


def app_from_env() -> FastAPI:
    """``create_app(Settings())``: the factory uvicorn imports when serving several workers."""
    return create_app(Settings())
