"""The service's components, built from validated settings (never at import time).

:func:`build_runtime` opens the store, the metadata engine (migrated), the embedder (behind
a Redis cache in production, the store itself in embedded mode), the retriever, the planner
(canary-routed by prompt version and instrumented), upload storage and the rate limiter. The
API process and a Celery worker build the same :class:`Runtime`; only the job dispatcher
differs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from finrag.answering.pipeline import AnswerPipeline
from finrag.config import Settings
from finrag.embeddings import Embedder, RedisEmbeddingCache
from finrag.errors import ConfigError
from finrag.planning.base import Planner
from finrag.planning.prompts import list_prompt_versions
from finrag.planning.registry import get_planner, llm_options, uses_prompts
from finrag.retrieval.hybrid import HybridRetriever
from finrag.runtime import build_retrieval
from finrag.service.canary import CanaryPlanner, InstrumentedPlanner
from finrag.service.db import make_engine, migrate
from finrag.service.repositories.prompts import Rollout, read_rollout
from finrag.service.security import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from finrag.service.uploads import UploadStorage, load_fernet
from finrag.store.base import Store

__all__ = ["Runtime", "build_runtime", "default_prompt_version"]

log = logging.getLogger("finrag.service")


def default_prompt_version(settings: Settings) -> str:
    """The stable version before any rollout was written (``settings.llm.prompt_version``).

    Prompt-less planners (offline, scripted) ignore the rollout; answers then record no version.
    """
    return settings.llm.prompt_version


@dataclass
class Runtime:
    """Everything a request or a job needs; :meth:`close` releases it."""

    settings: Settings
    engine: Engine
    store: Store
    embedder: Embedder
    retriever: HybridRetriever
    planner: CanaryPlanner
    pipeline: AnswerPipeline
    uploads: UploadStorage
    limiter: RateLimiter | None
    redis: Any = None
    closers: list[Callable[[], None]] = field(default_factory=list)

    def rollout(self) -> Rollout:
        """The current prompt rollout state."""
        return read_rollout(self.engine, default_prompt_version(self.settings))

    def close(self) -> None:
        """Close the retriever, the store, the engine and anything registered in ``closers``."""
        for close in reversed(self.closers):
            close()
        self.retriever.close()
        self.store.close()
        self.engine.dispose()


def planner_factory(settings: Settings) -> Callable[[str], Planner]:
    """Builds (and caches) the instrumented planner for a prompt version."""
    cache: dict[str, Planner] = {}
    options = dict(settings.service.planner_options)
    name = settings.planner

    def planner_for(version: str) -> Planner:
        key = version if uses_prompts(name) else "none"
        planner = cache.get(key)
        if planner is None:
            extra = dict(options)
            if uses_prompts(name):
                extra.update(llm_options(settings.llm))
                extra["prompt_version"] = version
            planner = InstrumentedPlanner(get_planner(name, **extra))
            cache[key] = planner
        return planner

    return planner_for


def _limiter(settings: Settings, redis_client: Any) -> RateLimiter | None:
    limits = settings.service.rate_limit
    if not limits.enabled:
        return None
    if redis_client is not None:
        return RedisRateLimiter(redis_client, limits.rate, limits.burst)
    return MemoryRateLimiter(limits.rate, limits.burst)


def _redis(url: str | None) -> Any:
    if not url:
        return None
    import redis

    return redis.Redis.from_url(url, socket_timeout=5)


def build_runtime(settings: Settings) -> Runtime:
    """Open and wire every component named by ``settings``; migrations run here."""
    svc = settings.service
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    cache = RedisEmbeddingCache(url=svc.redis_url) if svc.redis_url else None
    parts = build_retrieval(settings, cache=cache)
    store, embedder, retriever = parts.store, parts.embedder, parts.retriever
    engine = make_engine(svc.database_url or settings.resolved_store_url)
    migrate(engine)
    redis_client = _redis(svc.redis_url)
    planner_for = planner_factory(settings)
    stable = default_prompt_version(settings)
    if stable not in list_prompt_versions():
        raise ConfigError(f"prompt version {stable!r} unknown; known: {list_prompt_versions()}")
    planner = CanaryPlanner(
        planner_for, lambda: read_rollout(engine, stable), name=settings.planner
    )
    planner_for(stable)  # fail fast on a bad planner name or options
    key = svc.encryption_key.get_secret_value() if svc.encryption_key else None
    uploads = UploadStorage(
        svc.upload_dir or settings.data_dir / "uploads", load_fernet(key, svc.encryption_key_file)
    )
    runtime = Runtime(
        settings=settings,
        engine=engine,
        store=store,
        embedder=embedder,
        retriever=retriever,
        planner=planner,
        pipeline=AnswerPipeline(retriever, planner, k=settings.retrieval.k),
        uploads=uploads,
        limiter=_limiter(settings, redis_client),
        redis=redis_client,
    )
    if redis_client is not None:
        runtime.closers.append(redis_client.close)
    return runtime


def data_path(settings: Settings, name: str) -> Path:
    """A file under ``data_dir``."""
    return settings.data_dir / name
