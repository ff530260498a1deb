"""Open a store by URL: backends registered by URL scheme in one registry.

======================================  =============================================
URL                                     backend
======================================  =============================================
``sqlite:///relative/path.db``          :class:`~finrag.store.sqlite.SQLiteStore`
``sqlite:////absolute/path.db``         (SQLAlchemy's convention: the path follows
``/plain/path.db`` or ``file.db``       ``sqlite:///``; a URL without ``://`` is a path)
``postgresql://user@host:port/db``      :class:`~finrag.store.postgres.PostgresStore`
``postgres://...``                      (same)
``memory://``                           :class:`~finrag.testing.memory_store.MemoryStore`
======================================  =============================================

Backends are imported lazily, so opening a SQLite store never imports psycopg. A plugin adds a
scheme with :func:`register_store` exactly as the built-ins do.
"""

from __future__ import annotations

from collections.abc import Callable

from finrag.errors import ConfigError
from finrag.store.base import Store

__all__ = ["StoreFactory", "known_schemes", "open_store", "register_store"]

StoreFactory = Callable[[str], Store]
"""Builds a store from the full URL it was registered for."""

_REGISTRY: dict[str, StoreFactory] = {}


def register_store(scheme: str, factory: StoreFactory) -> None:
    """Register ``factory`` for URLs starting with ``<scheme>://`` (replacing any previous)."""
    _REGISTRY[scheme.lower()] = factory


def known_schemes() -> list[str]:
    """Registered URL schemes, sorted."""
    return sorted(_REGISTRY)


def open_store(url: str) -> Store:
    """Open the store named by ``url``; ConfigError listing known schemes if none matches."""
    if not isinstance(url, str) or not url.strip():
        raise ConfigError(f"store URL {url!r} is empty; use e.g. 'sqlite:///finrag.db'")
    if "://" not in url:
        return _REGISTRY["sqlite"](f"sqlite:///{url}")
    scheme = url.split("://", 1)[0].lower()
    factory = _REGISTRY.get(scheme)
    if factory is None:
        raise ConfigError(
            f"unknown store URL scheme {scheme!r} in {url!r}; known schemes: "
            + ", ".join(f"{name}://" for name in known_schemes())
        )
    return factory(url)


def _open_sqlite(url: str) -> Store:
    from finrag.store.sqlite import SQLiteStore

    prefix = "sqlite:///"
    if not url.lower().startswith(prefix):
        raise ConfigError(
            f"sqlite URL {url!r} must look like 'sqlite:///relative.db' or 'sqlite:////abs.db'"
        )
    return SQLiteStore(url[len(prefix) :])


def _open_postgres(url: str) -> Store:
    from finrag.store.postgres import PostgresStore

    return PostgresStore(url)


def _open_memory(url: str) -> Store:
    from finrag.testing.memory_store import MemoryStore

    return MemoryStore()


register_store("sqlite", _open_sqlite)
register_store("postgresql", _open_postgres)
register_store("postgres", _open_postgres)
register_store("postgresql+psycopg", _open_postgres)
register_store("memory", _open_memory)
