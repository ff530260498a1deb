"""One validated settings tree (pydantic-settings, ``FINRAG_`` prefix, nested with ``__``).

Settings are built explicitly (``Settings()`` reads the environment) and passed down; nothing
builds them at import time. The embedded default needs no configuration at all: a SQLite file
under ``data_dir``, local MiniLM embeddings, the offline planner.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from finrag.planning.llm import LLMSettings
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["RetrievalSettings", "Settings"]


class RetrievalSettings(BaseModel):
    """How much evidence a question gets."""

    k: int = Field(default=8, ge=1, le=100)
    candidates: int = Field(default=50, ge=1, le=1000)
    rerank: bool = True


class Settings(BaseSettings):
    """Everything configurable, validated in one place."""

    model_config = SettingsConfigDict(env_prefix="FINRAG_", env_nested_delimiter="__", extra="ignore")

    data_dir: Path = Field(default_factory=lambda: Path.home() / ".finrag")
    store_url: str | None = None
    embedder: str = "minilm"
    planner: str = "offline"
    tenant: str = "default"
    max_upload_mb: int = Field(default=200, ge=1)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)

    @property
    def resolved_store_url(self) -> str:
        """The store URL, defaulting to a SQLite file in ``data_dir``."""
        return self.store_url or f"sqlite:///{self.data_dir / 'finrag.db'}"
