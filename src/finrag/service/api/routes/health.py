"""Liveness, readiness (the database answers) and the Prometheus endpoint."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from finrag.observability.metrics import render
from finrag.service.api.deps import RuntimeDep

__all__ = ["router"]

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(runtime: RuntimeDep) -> JSONResponse:
    """The metadata database answers (503 otherwise)."""
    try:
        with runtime.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return JSONResponse({"status": "unavailable", "detail": type(exc).__name__}, 503)
    return JSONResponse({"status": "ready"})


@router.get("/metrics", include_in_schema=False)
def metrics() -> Response:
    """Prometheus exposition (job-table figures are read at scrape time)."""
    body, content_type = render()
    return Response(body, media_type=content_type)
