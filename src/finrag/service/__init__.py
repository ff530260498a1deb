"""The FinRAG HTTP service: ``create_app(settings)``, its routes, security, audit log and jobs.

See ``docs/service.md``. Importing this package builds nothing; :func:`create_app` does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI

    from finrag.config import Settings

__all__ = ["create_app"]


def create_app(settings: Settings, **kwargs: Any) -> FastAPI:
    """Build the app (imported lazily so ``finrag --help`` stays fast)."""
    from finrag.service.app import create_app as build

    return build(settings, **kwargs)
