"""End-to-end helpers: a real FinRAG server on a free loopback port and Debian chromium.

The server is started by the test (embedded default: SQLite in a temp data dir, in-process
jobs, bootstrap admin key) with the hash embedder for speed and the offline planner (the
scripted planner, with programs that cite the test PDF's cells, if the offline planner's model
is not built). Chromium is the system one (/usr/bin/chromium); no browser is downloaded.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CHROMIUM = Path(os.environ.get("FINRAG_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running FinRAG server: its base URL, the admin key and an HTTP client."""

    url: str
    admin_key: str
    planner: str
    process: subprocess.Popen[bytes]
    log: Path

    def api(self, method: str, path: str, key: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {key or self.admin_key}"}
        return httpx.request(method, f"{self.url}{path}", headers=headers, timeout=30, **kwargs)


def _uses_ui_factory() -> bool:
    """True once ``create_app`` installs the UI itself (then the real serve command is used)."""
    return "install_ui" in (ROOT / "src" / "finrag" / "service" / "app.py").read_text()


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"finrag server exited with {process.returncode}:\n{log.read_text()[-4000:]}"
            )
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    pytest.fail(f"finrag server not ready after {timeout}s:\n{log.read_text()[-4000:]}")


def start_server(tmp: Path, env_extra: dict[str, str], planner: str) -> Server:
    port = free_port()
    data = tmp / "data"
    log = tmp / "server.log"
    env = {
        **os.environ,
        "FINRAG_DATA_DIR": str(data),
        "FINRAG_EMBEDDER": "hash",
        "FINRAG_PLANNER": planner,
        "FINRAG_SERVICE__OUTPUTS_DIR": str(tmp / "outputs"),
        "FINRAG_RETRIEVAL__RERANK": "false",
        **env_extra,
    }
    if _uses_ui_factory():
        # The `finrag serve` command itself (python -m finrag.service serve is the same Typer
        # command, and works before `serve` is registered in the top-level CLI).
        cmd = [sys.executable, "-m", "finrag.service", "serve", "--host", "127.0.0.1",
               "--port", str(port)]  # fmt: skip
    else:
        cmd = [sys.executable, str(HERE / "serve_app.py"), str(port)]
    with open(log, "wb") as out:
        process = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=tmp,
                                   start_new_session=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    _wait_ready(url, process, log)
    key = (data / "admin.key").read_text(encoding="utf-8").strip()
    return Server(url=url, admin_key=key, planner=planner, process=process, log=log)


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)


def dump_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
