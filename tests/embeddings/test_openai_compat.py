"""The OpenAI-compatible adapter against a real HTTP server on 127.0.0.1.

The server speaks the ``POST /v1/embeddings`` protocol and answers with hash-embedder vectors
(scaled, so the adapter's normalisation is exercised, and in reverse order, so the ``index``
field is honoured). A script of failures (429, 5xx, slow answers) runs before the successes.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
import pytest

from finrag.embeddings import HashEmbedder, get_embedder
from finrag.embeddings.openai_compat import OpenAIEmbedder
from finrag.errors import EmbeddingError

pytestmark = pytest.mark.integration

DIM = 64


@dataclass
class Step:
    """One scripted answer: an HTTP status, optional headers, optional delay before it."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class FakeEmbeddingsServer(ThreadingHTTPServer):
    """State shared by handler threads: the script and a log of requests."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script: list[Step] = []
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class _Handler(BaseHTTPRequestHandler):
    server: FakeEmbeddingsServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.server.lock:
            self.server.requests.append(
                {"path": self.path, "body": body, "auth": self.headers.get("Authorization")}
            )
            step = self.server.script.pop(0) if self.server.script else Step(200)
        time.sleep(step.delay)
        if self.path != "/v1/embeddings":
            self._send(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
        elif step.status != 200:
            error = {"message": f"scripted {step.status}", "type": "server_error"}
            self._send(step.status, {"error": error}, step.headers)
        else:
            self._send(200, _embeddings(body))

    def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None):
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client timed out and left


def _embeddings(body: dict[str, Any]) -> dict[str, Any]:
    inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
    vectors = HashEmbedder(dim=DIM).embed(inputs) * 3.0
    data = [
        {"object": "embedding", "index": i, "embedding": vectors[i].tolist()}
        for i in reversed(range(len(inputs)))
    ]
    usage = {"prompt_tokens": len(inputs), "total_tokens": len(inputs)}
    return {"object": "list", "data": data, "model": body["model"], "usage": usage}


@pytest.fixture
def server() -> Iterator[FakeEmbeddingsServer]:
    httpd = FakeEmbeddingsServer()
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def _embedder(server: FakeEmbeddingsServer, **options: Any) -> OpenAIEmbedder:
    options = {"api_key": "test-key", "dim": DIM, "backoff": 0.01, **options}
    return OpenAIEmbedder("test-embed", base_url=server.base_url, **options)


def test_batches_and_order(server: FakeEmbeddingsServer):
    texts = [f"net revenue of {year} is $ {year * 3}" for year in range(2015, 2020)]
    vectors = _embedder(server, batch_size=2).embed(texts)
    np.testing.assert_allclose(vectors, HashEmbedder(dim=DIM).embed(texts), atol=1e-6)
    assert [len(r["body"]["input"]) for r in server.requests] == [2, 2, 1]
    first = server.requests[0]
    assert first["auth"] == "Bearer test-key"
    assert first["body"]["model"] == "test-embed"
    assert first["body"]["encoding_format"] == "float"


def test_429_then_200_is_retried(server: FakeEmbeddingsServer):
    server.script = [Step(429, {"Retry-After": "0.05"})]
    start = time.monotonic()
    vectors = _embedder(server).embed(["a", "b"])
    assert time.monotonic() - start >= 0.05  # Retry-After was honoured
    assert len(server.requests) == 2
    np.testing.assert_allclose(vectors, HashEmbedder(dim=DIM).embed(["a", "b"]), atol=1e-6)


def test_5xx_are_retried(server: FakeEmbeddingsServer):
    server.script = [Step(500), Step(503)]
    assert _embedder(server).embed(["a"]).shape == (1, DIM)
    assert len(server.requests) == 3


def test_gives_up_after_max_attempts(server: FakeEmbeddingsServer):
    server.script = [Step(503)] * 5
    with pytest.raises(EmbeddingError, match=r"test-embed.*InternalServerError"):
        _embedder(server, max_attempts=3).embed(["a"])
    assert len(server.requests) == 3


def test_client_errors_are_not_retried(server: FakeEmbeddingsServer):
    server.script = [Step(400)]
    with pytest.raises(EmbeddingError, match="BadRequestError"):
        _embedder(server).embed(["a"])
    assert len(server.requests) == 1


def test_timeout_is_retried(server: FakeEmbeddingsServer):
    server.script = [Step(200, delay=1.0)]
    vectors = _embedder(server, timeout=0.25).embed(["slow"])
    assert vectors.shape == (1, DIM)
    assert len(server.requests) == 2


def test_empty_text_is_sent_as_a_space(server: FakeEmbeddingsServer):
    _embedder(server).embed(["", "x"])
    assert server.requests[0]["body"]["input"] == [" ", "x"]


def test_registry_name_and_dimension_probe(server: FakeEmbeddingsServer):
    embedder = get_embedder(f"openai-compatible:my-model@{server.base_url}", backoff=0.01)
    assert embedder.name == f"openai-compatible:my-model@{server.base_url}"
    assert embedder.dim == DIM  # unknown model: learnt from one probe request
    assert len(server.requests) == 1
    assert embedder.embed(["q"]).shape == (1, DIM)


def test_wrong_width_is_an_error(server: FakeEmbeddingsServer):
    with pytest.raises(EmbeddingError, match="width 64, expected 32"):
        _embedder(server, dim=32).embed(["a"])


def test_dimensions_parameter_is_sent(server: FakeEmbeddingsServer):
    _embedder(server, dim=None, dimensions=DIM).embed(["a"])
    assert server.requests[0]["body"]["dimensions"] == DIM
