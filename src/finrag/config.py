"""One validated settings tree (pydantic-settings, ``FINRAG_`` prefix, nested with ``__``).

Settings are built explicitly (``Settings()`` reads the environment) and passed down; nothing
builds them at import time. The embedded default needs no configuration at all: a SQLite file
under ``data_dir``, local MiniLM embeddings, the offline planner.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from finrag.planning.llm import LLMSettings

__all__ = ["RateLimitSettings", "RetrievalSettings", "ServiceSettings", "Settings"]


class RetrievalSettings(BaseModel):
    """How much evidence a question gets."""

    k: int = Field(default=8, ge=1, le=100)
    candidates: int = Field(default=50, ge=1, le=1000)
    rerank: bool = True


class RateLimitSettings(BaseModel):
    """Token bucket per API key: ``rate`` requests per second refill, ``burst`` capacity."""

    enabled: bool = True
    rate: float = Field(default=50.0, gt=0)
    burst: int = Field(default=100, ge=1)


class ServiceSettings(BaseModel):
    """The HTTP service, its jobs and its security (``FINRAG_SERVICE__*``).

    Embedded default: metadata tables in the store's database, an in-process job executor,
    in-memory rate limiting, a local admin key created on first start. Production: set
    ``redis_url`` and ``jobs="celery"`` (Celery on the Redis broker, Redis rate limits).
    """

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    database_url: str | None = None
    redis_url: str | None = None
    jobs: Literal["inprocess", "celery"] = "inprocess"
    job_workers: int = Field(default=2, ge=1, le=64)
    max_concurrent_asks: int = Field(default=4, ge=1, le=256)
    upload_dir: Path | None = None
    allowed_formats: tuple[str, ...] = ("pdf", "html", "xlsx", "csv", "finqa", "tatqa")
    encryption_key: SecretStr | None = None
    encryption_key_file: Path | None = None
    bootstrap_admin: bool = True
    rate_limit: RateLimitSettings = Field(default_factory=RateLimitSettings)
    audit_retention_days: int = Field(default=90, ge=1)
    audit_purge_interval_s: float = Field(default=86400.0, gt=0)
    outputs_dir: Path = Path("outputs")
    planner_options: dict[str, object] = Field(default_factory=dict)
    worker_metrics_port: int | None = None
    celery_visibility_timeout: float = Field(default=3600.0, gt=0)
    log_json: bool = False


class Settings(BaseSettings):
    """Everything configurable, validated in one place."""

    model_config = SettingsConfigDict(
        env_prefix="FINRAG_", env_nested_delimiter="__", extra="ignore"
    )

    data_dir: Path = Field(default_factory=lambda: Path.home() / ".finrag")
    store_url: str | None = None
    embedder: str = "minilm"
    #: MiniLM only: embed questions with the per-channel int8 graph (about 2x faster, cosine
    #: >= 0.99 to fp32; documents stay fp32). ``FINRAG_MINILM_QUERY_INT8=0`` turns it off; see
    #: docs/embeddings.md and docs/retrieval.md (Latency) for the measured trade-off.
    minilm_query_int8: bool = True
    #: MiniLM only: threads of the int8 question session (capped at the machine's cores;
    #: ``FINRAG_MINILM_QUERY_THREADS``). Documents are embedded on one thread per worker.
    minilm_query_threads: int = Field(default=2, ge=1, le=64)
    planner: str = "offline"
    tenant: str = "default"
    max_upload_mb: int = Field(default=200, ge=1)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    service: ServiceSettings = Field(default_factory=ServiceSettings)

    @property
    def resolved_store_url(self) -> str:
        """The store URL, defaulting to a SQLite file in ``data_dir``."""
        return self.store_url or f"sqlite:///{self.data_dir / 'finrag.db'}"
