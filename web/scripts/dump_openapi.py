"""Write the service's OpenAPI schema to a JSON file (``npm run gen:api`` calls this).

Builds the real app on a throwaway data directory with the hash embedder and the scripted
planner (no model files, no network), adds the UI support routes if the app factory does not
include them yet, and writes the schema with sorted keys so diffs stay small.

    python web/scripts/dump_openapi.py web/openapi.json
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any


def openapi_schema() -> dict[str, Any]:
    """The schema of ``create_app`` plus the UI support routes."""
    from fastapi.testclient import TestClient

    from finrag.config import Settings
    from finrag.service.app import create_app
    from finrag.service.ui import install_ui

    with tempfile.TemporaryDirectory(prefix="finrag-openapi-") as tmp:
        settings = Settings(
            data_dir=Path(tmp), embedder="hash", planner="scripted", retrieval={"rerank": False},
            service={"bootstrap_admin": False},
        )  # fmt: skip
        app = create_app(settings)
        install_ui(app)
        with TestClient(app):  # runs the lifespan so everything is closed again
            schema: dict[str, Any] = app.openapi()
    return schema


def main(argv: list[str]) -> int:
    target = Path(argv[1] if len(argv) > 1 else "openapi.json")
    text = json.dumps(openapi_schema(), indent=2, sort_keys=True) + "\n"
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target} ({len(text)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
