"""Serve the web UI: the prebuilt bundle in ``finrag/service/static`` at ``/``.

The bundle is built from ``web/`` by ``make web`` and committed, so serving it needs no Node.
:func:`mount_ui` must run after every API router is included: its catch-all route answers
only paths no API route matched. Files under ``/assets/`` have content-hashed names and are
cached for a year; every other path that is not a file gets ``index.html`` (the single-page
app routes on the client), except under ``/api/``, which keeps JSON 404s.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, JSONResponse, Response

from finrag.service.api import API_PREFIX

__all__ = ["STATIC_DIR", "install_ui", "mount_ui"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
_IMMUTABLE = {"Cache-Control": "public, max-age=31536000, immutable"}
_REVALIDATE = {"Cache-Control": "no-cache"}


def _file(root: Path, path: str) -> Path | None:
    candidate = (root / path).resolve()
    if path and candidate.is_relative_to(root) and candidate.is_file():
        return candidate
    return None


def mount_ui(app: FastAPI, static_dir: Path = STATIC_DIR) -> None:
    """Serve ``static_dir`` at ``/`` with a fallback to ``index.html`` (no-op without a bundle)."""
    root = static_dir.resolve()
    index = root / "index.html"
    if not index.is_file():
        return
    app.state.ui_mounted = True

    @app.get("/{path:path}", include_in_schema=False)
    def ui(path: str) -> Response:
        if path == API_PREFIX.strip("/") or path.startswith(API_PREFIX.lstrip("/") + "/"):
            return JSONResponse(
                {"error": "NotFoundError", "detail": f"no API route /{path}"}, status_code=404
            )
        found = _file(root, path)
        if found is not None:
            headers = _IMMUTABLE if path.startswith("assets/") else _REVALIDATE
            return FileResponse(found, headers=headers)
        if path.startswith("assets/"):
            return Response(status_code=404)
        return FileResponse(index, headers=_REVALIDATE)


def install_ui(app: FastAPI, static_dir: Path = STATIC_DIR) -> None:
    """Include the UI support routes (unless already included) and mount the bundle.

    Idempotent, so a launcher may call it on an app whose factory already did.
    """
    from finrag.service.api.routes import ui_support

    # A flag, not a route scan: FastAPI may wrap included routers so their paths are hidden.
    if not getattr(app.state, "ui_support_routes", False):
        app.include_router(ui_support.router)
        app.state.ui_support_routes = True
        app.openapi_schema = None
    if not getattr(app.state, "ui_mounted", False):
        mount_ui(app, static_dir)
