"""Upload documents (multipart), list, get and delete them; ingestion job status."""

from __future__ import annotations

from fastapi import APIRouter, File, UploadFile, status

from finrag.service.api import API_PREFIX
from finrag.service.api.deps import AnalystDep, DispatcherDep, RuntimeDep, ViewerDep
from finrag.service.api.routes.convert import document_out, job_out
from finrag.service.ingestion import (
    accept_upload,
    delete_document,
    list_documents,
    retry_failed_job,
)
from finrag.service.repositories.jobs import get_job, list_jobs
from finrag.service.schemas import DocumentOut, JobOut, UploadAccepted

__all__ = ["router"]

router = APIRouter(prefix=API_PREFIX, tags=["documents"])


@router.post("/documents", status_code=status.HTTP_202_ACCEPTED, response_model=UploadAccepted)
def upload_document(
    runtime: RuntimeDep,
    dispatcher: DispatcherDep,
    principal: AnalystDep,
    file: UploadFile = File(description="PDF, HTML, XLSX, CSV or FinQA/TAT-QA JSON"),
) -> UploadAccepted:
    """Keep the upload and queue its ingestion job; poll ``/jobs/{id}`` for progress."""
    limit = runtime.settings.max_upload_mb * 1024 * 1024
    data = file.file.read(limit + 1)
    upload, job = accept_upload(runtime, dispatcher, principal, file.filename or "", data)
    return UploadAccepted(
        upload_id=upload.id, filename=upload.filename, format=upload.format,
        size_bytes=upload.size_bytes, sha256=upload.sha256, encrypted=upload.encrypted,
        job=job_out(job),
    )  # fmt: skip


@router.get("/documents", response_model=list[DocumentOut])
def documents(runtime: RuntimeDep, principal: ViewerDep) -> list[DocumentOut]:
    """The tenant's documents, oldest first."""
    return [document_out(info) for info in list_documents(runtime, principal)]


@router.get("/documents/{doc_id}", response_model=DocumentOut)
def document(doc_id: str, runtime: RuntimeDep, principal: ViewerDep) -> DocumentOut:
    """One of the tenant's documents."""
    return document_out(runtime.store.get_document_info(principal.tenant, doc_id))


@router.delete("/documents/{doc_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_document(doc_id: str, runtime: RuntimeDep, principal: AnalystDep) -> None:
    """Delete one of the tenant's documents with its chunks and vectors."""
    delete_document(runtime, principal, doc_id)


@router.get("/jobs", response_model=list[JobOut])
def jobs(runtime: RuntimeDep, principal: ViewerDep) -> list[JobOut]:
    """The tenant's recent ingestion jobs, newest first."""
    return [job_out(job) for job in list_jobs(runtime.engine, principal.tenant)]


@router.get("/jobs/{job_id}", response_model=JobOut)
def job(job_id: str, runtime: RuntimeDep, principal: ViewerDep) -> JobOut:
    """One ingestion job with stage and progress."""
    return job_out(get_job(runtime.engine, principal.tenant, job_id))


@router.post("/jobs/{job_id}/retry", status_code=status.HTTP_202_ACCEPTED, response_model=JobOut)
def retry_job(
    job_id: str, runtime: RuntimeDep, dispatcher: DispatcherDep, principal: AnalystDep
) -> JobOut:
    """Queue a failed (or stuck queued) job again; its upload was kept."""
    return job_out(retry_failed_job(runtime, dispatcher, principal, job_id))
