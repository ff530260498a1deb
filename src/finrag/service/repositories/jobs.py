"""Uploads and ingestion jobs (status, stage, progress, error), scoped by tenant."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, func, select, update

from finrag.errors import NotFoundError
from finrag.service.db import jobs, now_iso, uploads

__all__ = [
    "JobRecord",
    "UploadRecord",
    "create_upload_job",
    "get_job",
    "get_job_any_tenant",
    "get_upload",
    "job_stats",
    "list_jobs",
    "pending_job_ids",
    "update_job",
]

#: Job states: queued -> running -> succeeded | failed (failed jobs can be re-run).
STATUSES = ("queued", "running", "succeeded", "failed")


@dataclass(frozen=True, slots=True)
class UploadRecord:
    """A stored upload original."""

    id: str
    tenant: str
    filename: str
    format: str
    size_bytes: int
    sha256: str
    path: str
    encrypted: bool
    created_at: str


@dataclass(frozen=True, slots=True)
class JobRecord:
    """An ingestion job as stored."""

    id: str
    tenant: str
    upload_id: str
    status: str
    stage: str
    done: int
    total: int
    progress: float
    chunks: int
    pages: int
    attempts: int
    error: str | None
    created_at: str
    updated_at: str
    doc_ids: list[str] = field(default_factory=list)


def create_upload_job(
    engine: Engine, tenant: str, upload: dict[str, Any], created_by: str | None
) -> tuple[UploadRecord, JobRecord]:
    """Record an upload (already written to disk) and its queued job in one transaction."""
    now = now_iso()
    up = {**upload, "tenant": tenant, "created_at": now, "created_by": created_by}
    job = {
        "id": uuid.uuid4().hex,
        "tenant": tenant,
        "upload_id": upload["id"],
        "status": "queued",
        "stage": "queued",
        "done": 0,
        "total": 0,
        "progress": 0.0,
        "doc_ids": "[]",
        "chunks": 0,
        "pages": 0,
        "attempts": 0,
        "error": None,
        "created_at": now,
        "updated_at": now,
        "created_by": created_by,
    }
    with engine.begin() as conn:
        conn.execute(uploads.insert().values(**up))
        conn.execute(jobs.insert().values(**job))
    return _upload(up), _job(job)


def get_upload(engine: Engine, tenant: str, upload_id: str) -> UploadRecord:
    """One of the tenant's uploads; NotFoundError otherwise."""
    query = select(uploads).where(uploads.c.id == upload_id, uploads.c.tenant == tenant)
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise NotFoundError(f"no upload {upload_id!r} in tenant {tenant!r}")
    return _upload(dict(row._mapping))


def get_job(engine: Engine, tenant: str, job_id: str) -> JobRecord:
    """One of the tenant's jobs; NotFoundError otherwise (also for another tenant's job)."""
    query = select(jobs).where(jobs.c.id == job_id, jobs.c.tenant == tenant)
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise NotFoundError(f"no ingestion job {job_id!r} in tenant {tenant!r}")
    return _job(dict(row._mapping))


def get_job_any_tenant(engine: Engine, job_id: str) -> JobRecord:
    """A job by id alone: only for the worker, which is handed ids by the service itself."""
    with engine.connect() as conn:
        row = conn.execute(select(jobs).where(jobs.c.id == job_id)).first()
    if row is None:
        raise NotFoundError(f"no ingestion job {job_id!r}")
    return _job(dict(row._mapping))


def list_jobs(engine: Engine, tenant: str, limit: int = 100) -> list[JobRecord]:
    """The tenant's most recent jobs first."""
    query = (
        select(jobs)
        .where(jobs.c.tenant == tenant)
        .order_by(jobs.c.created_at.desc(), jobs.c.id)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [_job(dict(r._mapping)) for r in conn.execute(query)]


def update_job(engine: Engine, tenant: str, job_id: str, **values: Any) -> None:
    """Set columns of one of the tenant's jobs (``doc_ids`` as a list)."""
    if "doc_ids" in values:
        values["doc_ids"] = json.dumps(list(values["doc_ids"]))
    values["updated_at"] = now_iso()
    with engine.begin() as conn:
        conn.execute(
            update(jobs).where(jobs.c.id == job_id, jobs.c.tenant == tenant).values(**values)
        )


def pending_job_ids(engine: Engine) -> list[str]:
    """Jobs queued or left running (by a process that died), oldest first."""
    query = (
        select(jobs.c.id)
        .where(jobs.c.status.in_(("queued", "running")))
        .order_by(jobs.c.created_at)
    )
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(query)]


def job_stats(engine: Engine) -> dict[str, int]:
    """Jobs per status and the pages and chunks stored by succeeded jobs, over all tenants."""
    query = select(
        jobs.c.status, func.count(), func.coalesce(func.sum(jobs.c.pages), 0),
        func.coalesce(func.sum(jobs.c.chunks), 0),
    ).group_by(jobs.c.status)  # fmt: skip
    stats = {"queued": 0, "running": 0, "succeeded": 0, "failed": 0, "pages": 0, "chunks": 0}
    with engine.connect() as conn:
        for status, count, pages, chunks in conn.execute(query):
            stats[status] = int(count)
            if status == "succeeded":
                stats["pages"], stats["chunks"] = int(pages), int(chunks)
    return stats


def _upload(row: dict[str, Any]) -> UploadRecord:
    return UploadRecord(
        id=row["id"],
        tenant=row["tenant"],
        filename=row["filename"],
        format=row["format"],
        size_bytes=int(row["size_bytes"]),
        sha256=row["sha256"],
        path=row["path"],
        encrypted=bool(row["encrypted"]),
        created_at=row["created_at"],
    )


def _job(row: dict[str, Any]) -> JobRecord:
    return JobRecord(
        id=row["id"],
        tenant=row["tenant"],
        upload_id=row["upload_id"],
        status=row["status"],
        stage=row["stage"],
        done=int(row["done"]),
        total=int(row["total"]),
        progress=float(row["progress"]),
        chunks=int(row["chunks"]),
        pages=int(row["pages"]),
        attempts=int(row["attempts"]),
        error=row["error"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        doc_ids=json.loads(row["doc_ids"] or "[]"),
    )
