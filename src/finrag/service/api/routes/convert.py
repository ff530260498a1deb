"""Record -> response-schema conversions shared by the routers."""

from __future__ import annotations

from finrag.service.audit import AuditRow
from finrag.service.repositories.jobs import JobRecord
from finrag.service.repositories.keys import ApiKeyRecord
from finrag.service.schemas import ApiKeyOut, AuditRowOut, DocumentOut, JobOut
from finrag.store.base import DocumentInfo

__all__ = ["audit_out", "document_out", "job_out", "key_out"]


def job_out(job: JobRecord) -> JobOut:
    """A job row as the API shows it."""
    return JobOut(
        id=job.id, upload_id=job.upload_id, status=job.status, stage=job.stage, done=job.done,
        total=job.total, progress=job.progress, doc_ids=job.doc_ids, pages=job.pages,
        chunks=job.chunks, attempts=job.attempts, error=job.error, created_at=job.created_at,
        updated_at=job.updated_at,
    )  # fmt: skip


def document_out(info: DocumentInfo) -> DocumentOut:
    """A store listing entry as the API shows it."""
    return DocumentOut(
        id=info.id, source=info.source, format=info.format, title=info.title, pages=info.pages,
        tables=info.tables, chunks=info.chunks, created_at=info.created_at.isoformat(),
        sha256=info.sha256,
    )  # fmt: skip


def key_out(record: ApiKeyRecord) -> ApiKeyOut:
    """A key record without its secret."""
    return ApiKeyOut(
        id=record.id, name=record.name, role=record.role, tenant=record.tenant,
        created_at=record.created_at, created_by=record.created_by, revoked_at=record.revoked_at,
    )  # fmt: skip


def audit_out(row: AuditRow) -> AuditRowOut:
    """An audit row as the API shows it."""
    return AuditRowOut(
        seq=row.seq, tenant=row.tenant, actor=row.actor, action=row.action,
        created_at=row.created_at, payload=row.payload, prev_hash=row.prev_hash, hash=row.hash,
    )  # fmt: skip
