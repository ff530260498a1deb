"""API keys, roles and per-key rate limits.

Keys look like ``frk_<id>_<secret>``: ``id`` (12 hex characters) is the public key id that
the audit log names; ``secret`` is 32 random bytes, URL-safe. Only ``sha256(key)`` is stored,
so a key is shown exactly once, when it is created.

Roles are ordered: ``viewer`` reads answers and documents, ``analyst`` also uploads and asks,
``admin`` also manages keys, prompts and retention. Every role is scoped to one tenant.

Rate limiting is a token bucket per key id: :class:`MemoryRateLimiter` in embedded mode,
:class:`RedisRateLimiter` (an atomic Lua script, shared by all replicas) in production.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import threading
import time
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Protocol

from finrag.errors import AccessDeniedError, FinRAGError

__all__ = [
    "KEY_PREFIX",
    "AuthenticationError",
    "MemoryRateLimiter",
    "Principal",
    "RateLimitedError",
    "RateLimiter",
    "RedisRateLimiter",
    "Role",
    "generate_key",
    "hash_key",
    "key_id_of",
    "keys_match",
]

KEY_PREFIX = "frk"


class AuthenticationError(AccessDeniedError):
    """No key, a malformed, unknown or revoked key (HTTP 401)."""


class RateLimitedError(FinRAGError):
    """The key spent its token bucket (HTTP 429); ``retry_after`` is in seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Role(IntEnum):
    """Roles in increasing order of power."""

    viewer = 1
    analyst = 2
    admin = 3

    @classmethod
    def parse(cls, name: str) -> Role:
        """The role called ``name``; AccessDeniedError listing the roles otherwise."""
        try:
            return cls[name.strip().lower()]
        except KeyError:
            known = ", ".join(r.name for r in cls)
            raise AccessDeniedError(f"unknown role {name!r}; roles are {known}") from None


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the key id, its tenant and role."""

    key_id: str
    tenant: str
    role: Role

    def require(self, role: Role) -> None:
        """AccessDeniedError unless this principal has at least ``role``."""
        if self.role < role:
            raise AccessDeniedError(
                f"key {self.key_id} has role {self.role.name}; this needs {role.name} or higher"
            )


def generate_key() -> tuple[str, str]:
    """A new ``(key_id, full_key)``; the full key is shown once and never stored."""
    key_id = secrets.token_hex(6)
    return key_id, f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"


def hash_key(key: str) -> str:
    """The stored form of a key: hex sha256."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def key_id_of(key: str) -> str | None:
    """The id part of a well-formed key, else None."""
    parts = key.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1]


def keys_match(key: str, stored_hash: str) -> bool:
    """Constant-time comparison of a presented key with a stored hash."""
    return hmac.compare_digest(hash_key(key), stored_hash)


class RateLimiter(Protocol):
    """Takes one token for ``key``; returns 0 when allowed, else seconds to wait."""

    def acquire(self, key: str) -> float: ...


class MemoryRateLimiter:
    """An in-process token bucket per key (embedded mode, one process)."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def acquire(self, key: str) -> float:
        """0.0 when a token was taken, else the seconds until one is available."""
        now = time.monotonic()
        with self._lock:
            tokens, stamp = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - stamp) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate


_LUA_BUCKET = """
local key = KEYS[1]
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', key, 'tokens', 'stamp')
local tokens = tonumber(state[1]) or burst
local stamp = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - stamp) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = (1 - tokens) / rate
end
redis.call('HSET', key, 'tokens', tokens, 'stamp', now)
redis.call('EXPIRE', key, math.ceil(burst / rate) + 60)
return tostring(wait)
"""


class RedisRateLimiter:
    """A token bucket per key in Redis, shared by every API replica (one atomic script)."""

    def __init__(self, client: Any, rate: float, burst: int, prefix: str = "finrag:rl:") -> None:
        self.client = client
        self.rate = rate
        self.burst = burst
        self.prefix = prefix
        self._script = client.register_script(_LUA_BUCKET)

    def acquire(self, key: str) -> float:
        """0.0 when a token was taken, else the seconds until one is available."""
        now = time.time()
        wait = float(self._script(keys=[self.prefix + key], args=[self.rate, self.burst, now]))
        return 0.0 if wait <= 0 or math.isnan(wait) else wait
