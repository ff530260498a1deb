"""Ingestion jobs: one task function, two executors.

:func:`ingest_upload` is the whole job: load the kept upload, parse it, chunk, embed and store
each document, reporting stage and progress in the job row. The in-process
:class:`InProcessDispatcher` (embedded mode: a thread pool that also re-queues jobs a crashed
process left behind) and the Celery task in :mod:`finrag.worker` (production) both call it.

Idempotent: document ids come from the upload's bytes, :func:`index_document` skips a
document the tenant already holds and :meth:`Store.add_document` is atomic, so a job re-run
after a crash (Celery redelivers it: ``acks_late`` + ``reject_on_worker_lost``) completes
without duplicate chunks. A failed job records why; its upload stays on disk.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

from finrag.documents.base import ParseOptions
from finrag.documents.chunking import chunk_document
from finrag.documents.registry import parse_bytes
from finrag.errors import FinRAGError
from finrag.observability.metrics import INGEST_SECONDS
from finrag.retrieval.indexing import IndexProgress, index_document
from finrag.service.repositories.jobs import (
    JobRecord,
    get_job,
    get_job_any_tenant,
    get_upload,
    pending_job_ids,
    update_job,
)
from finrag.service.runtime import Runtime

__all__ = ["Dispatcher", "InProcessDispatcher", "ingest_upload"]

log = logging.getLogger("finrag.jobs")

_STAGE_SPAN = {"parse": (0.0, 0.1), "embed": (0.1, 0.9), "store": (0.9, 1.0), "skip": (1.0, 1.0)}


class Dispatcher(Protocol):
    """Runs ingestion jobs somewhere: a thread pool or a Celery queue."""

    def submit(self, job_id: str) -> None: ...

    def close(self) -> None: ...


class _Progress:
    """Turns IndexProgress reports into throttled job-row updates."""

    def __init__(self, runtime: Runtime, job: JobRecord, documents: int) -> None:
        self.runtime = runtime
        self.job = job
        self.documents = max(documents, 1)
        self.index = 0
        self._last = 0.0

    def __call__(self, event: IndexProgress) -> None:
        start, end = _STAGE_SPAN.get(event.stage, (0.0, 1.0))
        fraction = start + (end - start) * (event.done / event.total if event.total else 1.0)
        overall = (self.index + fraction) / self.documents
        now = time.monotonic()
        if now - self._last < 0.2 and event.done < event.total:
            return
        self._last = now
        update_job(
            self.runtime.engine,
            self.job.tenant,
            self.job.id,
            stage=event.stage,
            done=event.done,
            total=event.total,
            progress=round(min(overall, 0.99), 4),
        )


def ingest_upload(runtime: Runtime, job_id: str) -> JobRecord:
    """Run (or re-run) one ingestion job to ``succeeded`` or ``failed``; returns its final row."""
    engine = runtime.engine
    job = get_job_any_tenant(engine, job_id)
    if job.status == "succeeded":
        return job
    update_job(
        engine,
        job.tenant,
        job.id,
        status="running",
        stage="parse",
        attempts=job.attempts + 1,
        error=None,
    )
    started = time.perf_counter()
    try:
        pages, chunks, doc_ids = _run(runtime, job)
    except FinRAGError as exc:
        return _fail(runtime, job, str(exc), started)
    except Exception as exc:  # a parser bug must not leave the job "running" forever
        log.exception("ingestion job %s crashed", job.id)
        return _fail(runtime, job, f"internal error: {type(exc).__name__}: {exc}", started)
    update_job(engine, job.tenant, job.id, status="succeeded", stage="done", progress=1.0,
               doc_ids=doc_ids, pages=pages, chunks=chunks)  # fmt: skip
    INGEST_SECONDS.observe(time.perf_counter() - started)
    return get_job(engine, job.tenant, job.id)


def _run(runtime: Runtime, job: JobRecord) -> tuple[int, int, list[str]]:
    upload = get_upload(runtime.engine, job.tenant, job.upload_id)
    data = runtime.uploads.load(upload.path, encrypted=upload.encrypted, sha256=upload.sha256)
    max_bytes = runtime.settings.max_upload_mb * 1024 * 1024
    documents = parse_bytes(
        data, name=upload.filename, options=ParseOptions(max_bytes=max_bytes), fmt=upload.format
    )
    progress = _Progress(runtime, job, len(documents))
    pages = chunks = 0
    doc_ids: list[str] = []
    for index, document in enumerate(documents):
        progress.index = index
        pieces = chunk_document(document)
        result = index_document(
            runtime.store, job.tenant, document, pieces, runtime.embedder, progress=progress
        )
        doc_ids.append(document.id)
        pages += len(document.pages)
        chunks += result.chunks
    return pages, chunks, doc_ids


def _fail(runtime: Runtime, job: JobRecord, message: str, started: float) -> JobRecord:
    update_job(runtime.engine, job.tenant, job.id, status="failed", stage="failed", error=message)
    INGEST_SECONDS.observe(time.perf_counter() - started)
    log.warning("ingestion job %s failed: %s", job.id, message)
    return get_job(runtime.engine, job.tenant, job.id)


class InProcessDispatcher:
    """A thread pool running :func:`ingest_upload` (embedded mode)."""

    def __init__(self, runtime: Runtime, workers: int = 2) -> None:
        self.runtime = runtime
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="finrag-job")
        self._futures: set[Future[Any]] = set()
        self._lock = threading.Lock()

    def submit(self, job_id: str) -> None:
        """Queue a job on the pool."""
        future = self._pool.submit(ingest_upload, self.runtime, job_id)
        with self._lock:
            self._futures.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: Future[Any]) -> None:
        with self._lock:
            self._futures.discard(future)

    def recover(self) -> int:
        """Re-queue jobs a previous process left queued or running; returns how many."""
        pending = pending_job_ids(self.runtime.engine)
        for job_id in pending:
            self.submit(job_id)
        return len(pending)

    def wait(self, timeout: float = 60.0) -> None:
        """Block until every submitted job finished (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self._futures:
                    return
            time.sleep(0.02)

    def close(self) -> None:
        """Finish running jobs and stop the pool."""
        self._pool.shutdown(wait=True, cancel_futures=False)
