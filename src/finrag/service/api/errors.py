"""The one place where FinRAG errors become HTTP responses."""

from __future__ import annotations

import logging
import math

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from finrag.errors import (
    AccessDeniedError,
    ConfigError,
    CorruptDocumentError,
    DocumentError,
    DocumentTooLargeError,
    EmbeddingError,
    EmptyDocumentError,
    FinRAGError,
    NotFoundError,
    PlanningError,
    StoreError,
    UnsupportedFormatError,
)
from finrag.service.security import AuthenticationError, RateLimitedError

__all__ = ["STATUS_BY_ERROR", "install_error_handler", "status_for"]

log = logging.getLogger("finrag.service")

#: Most specific first: the first class the error is an instance of decides the status.
STATUS_BY_ERROR: tuple[tuple[type[FinRAGError], int], ...] = (
    (AuthenticationError, 401),
    (AccessDeniedError, 403),
    (NotFoundError, 404),
    (RateLimitedError, 429),
    (DocumentTooLargeError, 413),
    (UnsupportedFormatError, 415),
    (EmptyDocumentError, 422),
    (CorruptDocumentError, 422),
    (DocumentError, 422),
    (ConfigError, 400),
    (EmbeddingError, 503),
    (PlanningError, 502),
    (StoreError, 500),
)


def status_for(exc: FinRAGError) -> int:
    """The HTTP status of a FinRAG error (500 for anything unlisted)."""
    for cls, status in STATUS_BY_ERROR:
        if isinstance(exc, cls):
            return status
    return 500


async def _handle(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, FinRAGError)
    status = status_for(exc)
    if status >= 500:
        log.error("%s %s failed: %s: %s", request.method, request.url.path, type(exc).__name__, exc)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    if isinstance(exc, RateLimitedError):
        headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after)))
    body = {"error": type(exc).__name__, "detail": str(exc)}
    return JSONResponse(body, status_code=status, headers=headers)


def install_error_handler(app: FastAPI) -> None:
    """Map every FinRAGError through :data:`STATUS_BY_ERROR`."""
    app.add_exception_handler(FinRAGError, _handle)
