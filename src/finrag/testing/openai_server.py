"""A local OpenAI-compatible HTTP server with scripted replies, for tests.

Real HTTP on 127.0.0.1 (a free port), FastAPI served by uvicorn in a background thread, so
the official ``openai`` client is exercised end to end: serialisation, status codes, headers,
timeouts. Nothing leaves the machine and no key is needed.

::

    with OpenAIServer() as server:
        server.reply('{"steps": [...]}')              # a good program
        server.reply("not json")                     # malformed output
        server.rate_limit(retry_after=0.1)           # 429 with Retry-After
        server.error(500)                            # a server error
        server.reply("{...}", delay=2.0)             # slower than the client timeout
        planner = LLMPlanner(LLMSettings(base_url=server.url, api_key="test", ...))
        ...
        server.chat_requests[1]["messages"][-1]["content"]   # what the client sent

``POST /v1/chat/completions`` pops the next scripted reply (an empty queue answers 400 "no
scripted response left", which the client does not retry). With ``reject_json_schema=True``
a request whose ``response_format`` is ``json_schema`` is refused with 400 before the queue
is touched, as servers without structured output do; ``reject_json_object`` likewise.
Replies carry realistic ``usage`` blocks (about four characters a token unless scripted).

``POST /v1/embeddings`` returns deterministic unit vectors of ``embedding_dim`` (derived from
a hash of each input) unless an error is queued with ``embeddings_error``.

Every request is recorded (path, JSON body, headers with the Authorization value redacted).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

__all__ = ["OpenAIServer", "RecordedRequest", "ScriptedResponse"]


@dataclass(frozen=True)
class ScriptedResponse:
    """One scripted answer: a 200 with ``content``, or an error ``status`` with a message."""

    content: str = ""
    status: int = 200
    message: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    usage: tuple[int, int] | None = None


@dataclass(frozen=True)
class RecordedRequest:
    """A request the server received."""

    path: str
    body: dict[str, Any]
    headers: dict[str, str]


def _error_body(status: int, message: str, param: str | None = None) -> dict[str, Any]:
    kinds = {400: "invalid_request_error", 429: "rate_limit_exceeded", 401: "invalid_api_key"}
    return {
        "error": {
            "message": message,
            "type": kinds.get(status, "server_error"),
            "param": param,
            "code": None,
        }
    }


def _tokens(text: str) -> int:
    return max(1, math.ceil(len(text) / 4))


def _vector(text: str, dim: int) -> list[float]:
    digest = b""
    counter = 0
    while len(digest) < dim:
        digest += hashlib.sha256(f"{counter}:{text}".encode()).digest()
        counter += 1
    raw = [b / 127.5 - 1.0 for b in digest[:dim]]
    norm = math.sqrt(sum(x * x for x in raw)) or 1.0
    return [x / norm for x in raw]


class OpenAIServer:
    """The server; a context manager that starts it on entry and stops it on exit."""

    host = "127.0.0.1"

    def __init__(
        self,
        *,
        reject_json_schema: bool = False,
        reject_json_object: bool = False,
        embedding_dim: int = 16,
        startup_timeout: float = 10.0,
    ) -> None:
        self.reject_json_schema = reject_json_schema
        self.reject_json_object = reject_json_object
        self.embedding_dim = embedding_dim
        self.startup_timeout = startup_timeout
        self.requests: list[RecordedRequest] = []
        self._chat: deque[ScriptedResponse] = deque()
        self._embeddings: deque[ScriptedResponse] = deque()
        self._lock = threading.Lock()
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # -- scripting -------------------------------------------------------------------------

    def reply(
        self,
        content: str | dict[str, Any],
        *,
        delay: float = 0.0,
        usage: tuple[int, int] | None = None,
    ) -> OpenAIServer:
        """Queue a 200 reply whose assistant message is ``content`` (dicts are JSON-encoded)."""
        text = content if isinstance(content, str) else json.dumps(content)
        return self._push(ScriptedResponse(content=text, delay=delay, usage=usage))

    def error(
        self, status: int, message: str = "", *, headers: dict[str, str] | None = None
    ) -> OpenAIServer:
        """Queue an HTTP error (500, 503, 401, ...) with an OpenAI-style error body."""
        text = message or f"scripted error {status}"
        return self._push(ScriptedResponse(status=status, message=text, headers=headers or {}))

    def rate_limit(self, retry_after: float | None = None) -> OpenAIServer:
        """Queue a 429, optionally with a ``Retry-After`` header in seconds."""
        headers = {} if retry_after is None else {"retry-after": str(retry_after)}
        return self.error(429, "Rate limit reached for requests", headers=headers)

    def embeddings_error(self, status: int, message: str = "") -> OpenAIServer:
        """Queue an error for the next embeddings request."""
        with self._lock:
            self._embeddings.append(
                ScriptedResponse(status=status, message=message or f"scripted error {status}")
            )
        return self

    def _push(self, item: ScriptedResponse) -> OpenAIServer:
        with self._lock:
            self._chat.append(item)
        return self

    @property
    def remaining(self) -> int:
        """Chat replies still queued."""
        return len(self._chat)

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        """JSON bodies of the chat requests received, in order."""
        return [r.body for r in self.requests if r.path.endswith("/chat/completions")]

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The API root to give a client as ``base_url``."""
        return f"http://{self.host}:{self.port}/v1"

    def start(self) -> OpenAIServer:
        """Bind a free port and serve in a background thread until :meth:`stop`."""
        import uvicorn

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        self.port = int(sock.getsockname()[1])
        config = uvicorn.Config(
            self._app(), log_level="warning", lifespan="off", timeout_graceful_shutdown=1
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True, name="openai-server"
        )
        self._thread.start()
        deadline = time.monotonic() + self.startup_timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                self.stop()
                raise RuntimeError(f"OpenAIServer did not start within {self.startup_timeout}s")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread to end."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def __enter__(self) -> OpenAIServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- HTTP ------------------------------------------------------------------------------

    def _record(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> None:
        clean = {k.lower(): v for k, v in headers.items()}
        if "authorization" in clean:
            clean["authorization"] = "<redacted>"
        with self._lock:
            self.requests.append(RecordedRequest(path, body, clean))

    def _rejects(self, body: dict[str, Any]) -> str | None:
        fmt = body.get("response_format")
        kind = fmt.get("type") if isinstance(fmt, dict) else None
        if kind == "json_schema" and self.reject_json_schema:
            return "response_format 'json_schema' is not supported by this model"
        if kind == "json_object" and self.reject_json_object:
            return "response_format 'json_object' is not supported by this model"
        return None

    def _next(self, queue: deque[ScriptedResponse]) -> ScriptedResponse | None:
        with self._lock:
            return queue.popleft() if queue else None

    def _completion(self, body: dict[str, Any], item: ScriptedResponse, n: int) -> dict[str, Any]:
        messages = body.get("messages") or []
        prompt_text = "".join(str(m.get("content", "")) for m in messages)
        prompt, completion = item.usage or (
            _tokens(prompt_text) + 4 * len(messages),
            _tokens(item.content),
        )
        return {
            "id": f"chatcmpl-local{n}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "unknown"),
            "system_fingerprint": "fp_local",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": item.content, "refusal": None},
                    "logprobs": None,
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
                "prompt_tokens_details": {"cached_tokens": 0},
                "completion_tokens_details": {"reasoning_tokens": 0},
            },
        }

    def _embedding_reply(self, body: dict[str, Any]) -> dict[str, Any]:
        inputs = body.get("input", [])
        texts = [inputs] if isinstance(inputs, str) else [str(t) for t in inputs]
        tokens = sum(_tokens(t) for t in texts)
        return {
            "object": "list",
            "data": [
                {"object": "embedding", "index": i, "embedding": _vector(t, self.embedding_dim)}
                for i, t in enumerate(texts)
            ],
            "model": body.get("model", "unknown"),
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }

    def _app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/v1/chat/completions")
        async def chat(request: Request) -> JSONResponse:
            body = await request.json()
            self._record(request.url.path, body, dict(request.headers))
            rejected = self._rejects(body)
            if rejected:
                return JSONResponse(_error_body(400, rejected, "response_format"), 400)
            item = self._next(self._chat)
            if item is None:
                message = "openai_server: no scripted response left; queue one with reply()"
                return JSONResponse(_error_body(400, message), 400)
            if item.delay:
                await asyncio.sleep(item.delay)
            if item.status != 200:
                return JSONResponse(
                    _error_body(item.status, item.message), item.status, headers=item.headers
                )
            return JSONResponse(self._completion(body, item, len(self.requests)))

        @app.post("/v1/embeddings")
        async def embeddings(request: Request) -> JSONResponse:
            body = await request.json()
            self._record(request.url.path, body, dict(request.headers))
            item = self._next(self._embeddings)
            if item is not None:
                return JSONResponse(_error_body(item.status, item.message), item.status)
            return JSONResponse(self._embedding_reply(body))

        return app
