"""Uploads and documents: validate and keep the original, queue its job, list and delete."""

from __future__ import annotations

import hashlib
import uuid

from finrag.documents.sniff import sniff_format
from finrag.errors import DocumentTooLargeError, UnsupportedFormatError
from finrag.service import audit
from finrag.service.jobs import Dispatcher
from finrag.service.repositories.jobs import (
    JobRecord,
    UploadRecord,
    create_upload_job,
    get_job,
    update_job,
)
from finrag.service.runtime import Runtime
from finrag.service.security import Principal
from finrag.store.base import DocumentInfo

__all__ = ["accept_upload", "delete_document", "list_documents", "retry_failed_job"]


def accept_upload(
    runtime: Runtime, dispatcher: Dispatcher, principal: Principal, filename: str, data: bytes
) -> tuple[UploadRecord, JobRecord]:
    """Check size and sniffed type, keep the original (encrypted if configured), queue the job."""
    limit = runtime.settings.max_upload_mb * 1024 * 1024
    name = (filename or "upload").rsplit("/", 1)[-1][:200]
    if len(data) > limit:
        raise DocumentTooLargeError(
            f"{name} is {len(data)} bytes, over the {runtime.settings.max_upload_mb} MB limit"
        )
    fmt = sniff_format(data, name)
    allowed = runtime.settings.service.allowed_formats
    if fmt not in allowed:
        raise UnsupportedFormatError(f"{name} is {fmt}; this service accepts {', '.join(allowed)}")
    upload_id = uuid.uuid4().hex
    path = runtime.uploads.save(principal.tenant, upload_id, data)
    upload = {
        "id": upload_id,
        "filename": name,
        "format": fmt,
        "size_bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "path": str(path),
        "encrypted": runtime.uploads.encrypts,
    }
    record, job = create_upload_job(runtime.engine, principal.tenant, upload, principal.key_id)
    dispatcher.submit(job.id)
    return record, job


def list_documents(runtime: Runtime, principal: Principal) -> list[DocumentInfo]:
    """The caller's tenant's documents."""
    return runtime.store.list_documents(principal.tenant)


def delete_document(runtime: Runtime, principal: Principal, doc_id: str) -> None:
    """Delete one of the tenant's documents (NotFoundError otherwise) and audit it."""
    runtime.store.delete_document(principal.tenant, doc_id)
    audit.append(
        runtime.engine,
        tenant=principal.tenant,
        actor=principal.key_id,
        action="document.delete",
        payload={"doc_id": doc_id},
    )


def retry_failed_job(
    runtime: Runtime, dispatcher: Dispatcher, principal: Principal, job_id: str
) -> JobRecord:
    """Re-queue one of the tenant's failed or queued jobs (NotFoundError for another tenant's).

    A queued job is sent again in case its queue message was lost (a Redis restart); running
    and succeeded jobs are returned unchanged. Re-running is idempotent either way.
    """
    job = get_job(runtime.engine, principal.tenant, job_id)
    if job.status not in ("failed", "queued"):
        return job
    update_job(runtime.engine, principal.tenant, job_id, status="queued", stage="queued",
               progress=0.0, error=None)  # fmt: skip
    dispatcher.submit(job_id)
    return get_job(runtime.engine, principal.tenant, job_id)
