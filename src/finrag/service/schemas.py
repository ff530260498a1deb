"""Request and response bodies of the HTTP API (the Answer model is reused as is)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ApiKeyCreate",
    "ApiKeyCreated",
    "ApiKeyOut",
    "AskRequest",
    "AuditRowOut",
    "AuditVerifyOut",
    "ConversationCreate",
    "ConversationDetail",
    "ConversationOut",
    "DocumentOut",
    "ErrorOut",
    "EvaluationRun",
    "JobOut",
    "PromptPromote",
    "PromptState",
    "PromptVersionOut",
    "PurgeOut",
    "PurgeRequest",
    "UploadAccepted",
]

_STRICT = ConfigDict(extra="forbid")


class ErrorOut(BaseModel):
    """Every error response: the error class and a message saying how to fix it."""

    error: str
    detail: str


class AskRequest(BaseModel):
    """A question over the caller's documents (all of them unless ``doc_ids`` is given)."""

    model_config = _STRICT
    question: str = Field(min_length=1, max_length=2000)
    doc_ids: list[str] | None = Field(default=None, max_length=100)
    conversation_id: str | None = None


class DocumentOut(BaseModel):
    """A stored document's listing information."""

    id: str
    source: str
    format: str
    title: str
    pages: int
    tables: int
    chunks: int
    created_at: str
    sha256: str


class JobOut(BaseModel):
    """An ingestion job with its progress (0..1) and, when failed, why."""

    id: str
    upload_id: str
    status: str
    stage: str
    done: int
    total: int
    progress: float
    doc_ids: list[str]
    pages: int
    chunks: int
    attempts: int
    error: str | None
    created_at: str
    updated_at: str


class UploadAccepted(BaseModel):
    """What an upload returns (HTTP 202): the upload and its queued job."""

    upload_id: str
    filename: str
    format: str
    size_bytes: int
    sha256: str
    encrypted: bool
    job: JobOut


class ConversationCreate(BaseModel):
    """A new conversation."""

    model_config = _STRICT
    title: str = Field(default="", max_length=500)


class ConversationOut(BaseModel):
    """A conversation without its turns."""

    id: str
    title: str
    created_at: str


class ConversationDetail(ConversationOut):
    """A conversation with its turns (the Answer of each question, oldest first)."""

    turns: list[dict[str, Any]]


class AuditRowOut(BaseModel):
    """One audit log row."""

    seq: int
    tenant: str
    actor: str
    action: str
    created_at: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str


class AuditVerifyOut(BaseModel):
    """The result of walking the hash chain."""

    ok: bool
    rows: int
    anchor_seq: int
    last_seq: int
    problems: list[str]


class PurgeRequest(BaseModel):
    """Remove audit rows older than ``older_than_days``."""

    model_config = _STRICT
    older_than_days: int = Field(ge=1)


class PurgeOut(BaseModel):
    """How many rows a purge removed."""

    purged: int


class EvaluationRun(BaseModel):
    """One evaluation report file in ``outputs/`` with its metrics."""

    name: str
    kind: str
    path: str
    modified: str
    dataset: str | None = None
    planner: str | None = None
    metrics: dict[str, Any] = Field(default_factory=dict)


class PromptVersionOut(BaseModel):
    """A prompt version and the share of traffic it serves now."""

    version: str
    hash: str
    description: str
    role: str
    share: float


class PromptState(BaseModel):
    """The rollout state and every known version."""

    stable: str
    candidate: str | None
    share: float
    previous: str | None
    updated_at: str
    updated_by: str | None
    versions: list[PromptVersionOut]


class PromptPromote(BaseModel):
    """Promote ``version``: with ``share`` < 1 it becomes the canary candidate, else stable."""

    model_config = _STRICT
    version: str
    share: float = Field(default=1.0, gt=0, le=1)


class ApiKeyCreate(BaseModel):
    """A new key in the caller's tenant."""

    model_config = _STRICT
    name: str = Field(default="", max_length=200)
    role: str = Field(pattern="^(viewer|analyst|admin)$")


class ApiKeyOut(BaseModel):
    """A key without its secret."""

    id: str
    name: str
    role: str
    tenant: str
    created_at: str
    created_by: str | None
    revoked_at: str | None


class ApiKeyCreated(ApiKeyOut):
    """A new key: ``key`` is shown only in this response."""

    key: str
