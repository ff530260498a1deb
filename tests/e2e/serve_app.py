"""Serve FinRAG exactly like ``finrag serve`` does, plus ``install_ui`` while the app factory
does not call it yet (it is idempotent, so this stays correct once ``create_app`` does).

    python tests/e2e/serve_app.py <port>      # settings from FINRAG_* variables
"""

from __future__ import annotations

import sys

import uvicorn

from finrag.config import Settings
from finrag.service.app import create_app
from finrag.service.ui import install_ui


def main(port: int) -> None:
    app = create_app(Settings())
    install_ui(app)
    uvicorn.run(app, host="127.0.0.1", port=port, log_config=None, access_log=False)


if __name__ == "__main__":
    main(int(sys.argv[1]))
