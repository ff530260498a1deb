"""Persistence behind one :class:`Store` contract (see :mod:`finrag.store.base`).

Backends: ``sqlite`` (embedded default), ``postgres`` (pgvector + tsvector, hybrid in SQL) and
``memory`` (tests), opened by URL with :func:`open_store`.
"""

from __future__ import annotations

from finrag.store.base import DEFAULT_CANDIDATES, DocumentInfo, ScoredChunk, Store
from finrag.store.registry import known_schemes, open_store, register_store

__all__ = [
    "DEFAULT_CANDIDATES",
    "DocumentInfo",
    "ScoredChunk",
    "Store",
    "known_schemes",
    "open_store",
    "register_store",
]
