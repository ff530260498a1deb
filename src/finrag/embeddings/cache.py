"""Embedding caches and the wrapper that puts one in front of an embedder.

:class:`CachedEmbedder` keys vectors by ``(embedder.name, sha256(text))`` and sends only the
misses to the inner embedder, so re-ingesting a document or asking a repeated question costs
nothing. Backends implement :class:`~finrag.embeddings.base.EmbeddingCache`:
:class:`RedisEmbeddingCache` for production (shared by every API replica and worker) and
:class:`InMemoryEmbeddingCache` for one process. The embedded store provides its own.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from finrag.embeddings.base import Embedder, EmbeddingCache, Vectors, text_key
from finrag.errors import EmbeddingError

if TYPE_CHECKING:
    import redis

__all__ = [
    "CacheStats",
    "CachedEmbedder",
    "InMemoryEmbeddingCache",
    "LayeredEmbeddingCache",
    "RedisEmbeddingCache",
    "decode_vector",
    "encode_vector",
]

log = logging.getLogger(__name__)


def encode_vector(vector: Vectors) -> bytes:
    """A vector as little-endian float32 bytes (exact, 4 bytes per dimension)."""
    return np.ascontiguousarray(vector, dtype="<f4").tobytes()


def decode_vector(data: bytes) -> Vectors:
    """Inverse of :func:`encode_vector`; a writable float32 copy."""
    if len(data) % 4:
        raise EmbeddingError(f"cached vector has {len(data)} bytes, not a multiple of 4")
    return np.frombuffer(data, dtype="<f4").astype(np.float32)


@dataclass
class CacheStats:
    """Counters of one :class:`CachedEmbedder`; texts repeated within a call count once."""

    hits: int = 0
    misses: int = 0
    errors: int = 0


class CachedEmbedder(Embedder):
    """Wraps ``inner`` with ``cache``: only texts not cached are embedded, order is preserved.

    A cache failure (Redis down) is logged and counted in ``stats.errors``; the texts are then
    embedded as misses, because a cache must never be the reason an ingestion fails. Pass
    ``fail_open=False`` to raise instead.
    """

    def __init__(self, inner: Embedder, cache: EmbeddingCache, *, fail_open: bool = True) -> None:
        self.inner = inner
        self.cache = cache
        self.fail_open = fail_open
        self.name = inner.name
        self.dim = inner.dim
        self.remote = inner.remote
        self.stats = CacheStats()
        self._lock = threading.Lock()

    def _embed(self, texts: list[str]) -> Vectors:
        keys = [text_key(text) for text in texts]
        unique = dict(zip(keys, texts, strict=True))  # first text per key, input order
        found = self._get(list(unique))
        missing = [key for key in unique if key not in found]
        if missing:
            fresh = self.inner.embed([unique[key] for key in missing])
            computed = dict(zip(missing, fresh, strict=True))
            self._put(computed)
            found.update(computed)
        with self._lock:
            self.stats.hits += len(unique) - len(missing)
            self.stats.misses += len(missing)
        return np.stack([found[key] for key in keys]).astype(np.float32, copy=False)

    def _get(self, keys: list[str]) -> dict[str, Vectors]:
        try:
            found = self.cache.get_many(self.name, keys)
        except EmbeddingError:
            if not self.fail_open:
                raise
            self._note_error("read")
            return {}
        # A vector of the wrong width (a model swapped under the same name) is a miss.
        return {k: v for k, v in found.items() if v.shape == (self.dim,)}

    def _put(self, items: Mapping[str, Vectors]) -> None:
        try:
            self.cache.put_many(self.name, items)
        except EmbeddingError:
            if not self.fail_open:
                raise
            self._note_error("write")

    def _note_error(self, what: str) -> None:
        with self._lock:
            self.stats.errors += 1
        log.warning("embedding cache %s failed for %s; embedding without cache", what, self.name)


class InMemoryEmbeddingCache:
    """A thread-safe dict cache, optionally bounded (least recently used entries go first)."""

    def __init__(self, max_entries: int | None = None) -> None:
        self.max_entries = max_entries
        self._data: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._data)

    def get_many(self, model: str, keys: Sequence[str]) -> dict[str, Vectors]:
        """Return the cached vectors among ``keys``."""
        out: dict[str, Vectors] = {}
        with self._lock:
            for key in keys:
                data = self._data.get((model, key))
                if data is not None:
                    self._data.move_to_end((model, key))
                    out[key] = decode_vector(data)
        return out

    def put_many(self, model: str, items: Mapping[str, Vectors]) -> None:
        """Store vectors (as bytes, so later mutation of the arrays cannot change the cache)."""
        with self._lock:
            for key, vector in items.items():
                self._data[(model, key)] = encode_vector(vector)
                self._data.move_to_end((model, key))
            while self.max_entries is not None and len(self._data) > self.max_entries:
                self._data.popitem(last=False)


class LayeredEmbeddingCache:
    """A fast cache (``front``, e.g. a bounded :class:`InMemoryEmbeddingCache`) before a shared
    one (``back``: the store, Redis).

    Reads try ``front`` and ask ``back`` only for the misses, copying what it returns into
    ``front``; writes go to both. Keys are content hashes, so a front copy can only be the
    vector the back held for the same text. Errors of either layer propagate
    (:class:`CachedEmbedder` decides whether to fail open).
    """

    def __init__(self, front: EmbeddingCache, back: EmbeddingCache) -> None:
        self.front = front
        self.back = back

    def get_many(self, model: str, keys: Sequence[str]) -> dict[str, Vectors]:
        """Vectors among ``keys``, from ``front`` first."""
        found = self.front.get_many(model, keys)
        missing = [key for key in keys if key not in found]
        if missing:
            loaded = self.back.get_many(model, missing)
            if loaded:
                self.front.put_many(model, loaded)
                found.update(loaded)
        return found

    def put_many(self, model: str, items: Mapping[str, Vectors]) -> None:
        """Write to ``back`` (the shared copy), then ``front``."""
        self.back.put_many(model, items)
        self.front.put_many(model, items)


class RedisEmbeddingCache:
    """Vectors in Redis as float32 bytes under ``{prefix}{model}:{sha256}``.

    Args:
        client: a ``redis.Redis`` (binary responses, i.e. ``decode_responses=False``), or
        url: a Redis URL such as ``redis://127.0.0.1:6379/0`` to build one from.
        ttl: expiry of each entry (seconds or ``timedelta``); ``None`` keeps entries until
            Redis evicts them (run Redis with ``maxmemory-policy allkeys-lru``).
        prefix: key prefix, ``finrag:emb:`` by default.

    Redis errors are raised as :class:`EmbeddingError`.
    """

    def __init__(
        self,
        client: redis.Redis | None = None,
        *,
        url: str | None = None,
        ttl: float | timedelta | None = None,
        prefix: str = "finrag:emb:",
        socket_timeout: float = 2.0,
    ) -> None:
        import redis as redis_lib

        if client is None:
            if url is None:
                raise EmbeddingError("RedisEmbeddingCache needs a client or a url")
            client = redis_lib.Redis.from_url(url, socket_timeout=socket_timeout)
        self.client = client
        seconds = ttl.total_seconds() if isinstance(ttl, timedelta) else ttl
        if seconds is not None and seconds <= 0:
            raise EmbeddingError(f"ttl must be positive or None, got {ttl!r}")
        self._ttl_ms = None if seconds is None else max(1, round(seconds * 1000))
        self.prefix = prefix
        self._errors: tuple[type[BaseException], ...] = (redis_lib.RedisError, OSError)

    def key(self, model: str, key: str) -> str:
        """The Redis key of one entry."""
        return f"{self.prefix}{model}:{key}"

    def get_many(self, model: str, keys: Sequence[str]) -> dict[str, Vectors]:
        """One MGET for all ``keys``."""
        if not keys:
            return {}
        try:
            values: list[Any] = self.client.mget([self.key(model, k) for k in keys])
        except self._errors as exc:
            raise EmbeddingError(f"redis embedding cache read failed: {exc}") from exc
        return {k: decode_vector(v) for k, v in zip(keys, values, strict=True) if v is not None}

    def put_many(self, model: str, items: Mapping[str, Vectors]) -> None:
        """One pipelined SET (with PX when a TTL is set) per entry, in a single round trip."""
        if not items:
            return
        try:
            pipe = self.client.pipeline(transaction=False)
            for key, vector in items.items():
                pipe.set(self.key(model, key), encode_vector(vector), px=self._ttl_ms)
            pipe.execute()
        except self._errors as exc:
            raise EmbeddingError(f"redis embedding cache write failed: {exc}") from exc
