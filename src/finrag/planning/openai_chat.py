"""Chat completions from any OpenAI-compatible endpoint, with transport retries.

:class:`ChatModel` is the one small abstract class an LLM backend implements (one request
method, as pydantic-ai's ``Model``); :class:`OpenAIChatModel` is the backend for OpenAI,
Azure OpenAI, vLLM, Ollama and anything else that speaks ``POST /chat/completions``, through
the official ``openai`` client with the client's own retries switched off.

Transport retries (distinct from the planner's program-repair loop): 429, 5xx, timeouts and
connection errors are retried with exponential backoff (tenacity), honouring a
``Retry-After`` header up to ``max_retry_after`` seconds, for at most ``max_attempts``
attempts. Other HTTP errors (401, 403, 404) fail at once.

Structured output (``structured_output``):

``json_schema``  send ``response_format={"type": "json_schema", ...}`` with the DSL's
                 :func:`~finrag.dsl.jsonform.program_json_schema` (OpenAI GPT-4o and later)
``json_object``  send ``{"type": "json_object"}`` (JSON mode)
``text``         send no response_format; the program is extracted from the reply's text
``auto``         start with ``json_schema``; when the server rejects it with 400/422, fall back
                 to ``json_object``, then to ``text``, and remember the working mode

``ALLOW_REMOTE_REQUESTS`` is the module flag tests set to False: any request to a host
other than loopback then fails before it leaves the process, so a test can never spend
money or leak evidence.
"""

from __future__ import annotations

import abc
import ipaddress
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlparse

import openai
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from finrag.dsl.jsonform import program_json_schema
from finrag.errors import PlanningError

__all__ = [
    "ALLOW_REMOTE_REQUESTS",
    "OPENAI_BASE_URL",
    "ChatMessage",
    "ChatModel",
    "ChatReply",
    "ChatRequestError",
    "OpenAIChatModel",
    "StructuredOutput",
]

ALLOW_REMOTE_REQUESTS = True
OPENAI_BASE_URL = "https://api.openai.com/v1"

StructuredOutput = Literal["auto", "json_schema", "json_object", "text"]
ChatMessage = dict[str, str]
_FALLBACK: dict[str, StructuredOutput] = {"json_schema": "json_object", "json_object": "text"}
_RETRYABLE = (
    openai.RateLimitError,
    openai.InternalServerError,
    openai.APITimeoutError,
    openai.APIConnectionError,
)
_REJECTED_FORMAT = (openai.BadRequestError, openai.UnprocessableEntityError)


@dataclass(frozen=True, slots=True)
class ChatReply:
    """The assistant's text and the call's token usage as the server reported it."""

    content: str
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    structured_output: str = "text"


class ChatRequestError(PlanningError):
    """A chat request failed for good (retries spent, or an error that retrying cannot fix).

    ``transient`` is True when the last failure was a 429/5xx/timeout/connection error.
    """

    def __init__(self, message: str, *, transient: bool, attempts: int) -> None:
        super().__init__(message)
        self.transient = transient
        self.attempts = attempts


class ChatModel(abc.ABC):
    """One chat backend: ``complete(messages)`` returns the reply or raises ChatRequestError."""

    name: str
    model: str

    @abc.abstractmethod
    def complete(self, messages: Sequence[ChatMessage]) -> ChatReply:
        """Send ``messages`` and return the assistant's reply."""


def _is_loopback(base_url: str) -> bool:
    host = urlparse(base_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class OpenAIChatModel(ChatModel):
    """Chat completions through the official ``openai`` client.

    Args:
        model: the model id sent to the API (for Azure, the deployment name).
        base_url: API root; ``https://api.openai.com/v1`` when None.
        api_key: the key (local servers accept any non-empty value).
        timeout: seconds per request.
        temperature: 0 for repeatable plans.
        max_tokens: completion budget per call.
        structured_output: see the module docstring.
        max_attempts: transport attempts per request, the first included.
        backoff: first retry wait in seconds, doubling up to ``max_backoff``.
        max_retry_after: cap on a server's ``Retry-After``, in seconds.
        http_client: an ``httpx.Client`` to use (proxies, custom TLS).
    """

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str,
        timeout: float = 30.0,
        temperature: float = 0.0,
        max_tokens: int = 1024,
        structured_output: StructuredOutput = "auto",
        max_attempts: int = 4,
        backoff: float = 0.5,
        max_backoff: float = 20.0,
        max_retry_after: float = 30.0,
        http_client: Any = None,
    ) -> None:
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {max_attempts}")
        self.model = model
        self.base_url = (base_url or OPENAI_BASE_URL).rstrip("/")
        self.name = f"{model}@{self.base_url}"
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.max_attempts = max_attempts
        self.max_retry_after = max_retry_after
        self._mode: StructuredOutput = (
            "json_schema" if structured_output == "auto" else structured_output
        )
        self._auto = structured_output == "auto"
        self._lock = threading.Lock()
        self._wait = wait_exponential(multiplier=backoff, max=max_backoff)
        self._client = openai.OpenAI(
            api_key=api_key,
            base_url=self.base_url,
            timeout=timeout,
            max_retries=0,
            http_client=http_client,
        )

    @property
    def structured_output(self) -> StructuredOutput:
        """The mode the next request will use (``auto`` settles on one after a rejection)."""
        return self._mode

    def complete(self, messages: Sequence[ChatMessage]) -> ChatReply:
        """Send ``messages``; falls back to weaker structured output when rejected (auto)."""
        if not ALLOW_REMOTE_REQUESTS and not _is_loopback(self.base_url):
            raise ChatRequestError(
                f"remote model requests are disabled (ALLOW_REMOTE_REQUESTS=False); "
                f"refusing to call {self.base_url}",
                transient=False,
                attempts=0,
            )
        while True:
            mode = self._mode
            try:
                return self._with_retries(list(messages), mode)
            except _REJECTED_FORMAT as exc:
                if not (self._auto and mode in _FALLBACK):
                    raise self._failure(exc, attempts=1) from exc
                with self._lock:
                    if self._mode == mode:
                        self._mode = _FALLBACK[mode]

    def _with_retries(self, messages: list[ChatMessage], mode: StructuredOutput) -> ChatReply:
        retrying = Retrying(
            retry=retry_if_exception_type(_RETRYABLE),
            stop=stop_after_attempt(self.max_attempts),
            wait=self._wait_for,
            reraise=True,
        )
        try:
            return retrying(self._call, messages, mode)
        except _RETRYABLE as exc:
            raise self._failure(exc, attempts=self.max_attempts) from exc
        except _REJECTED_FORMAT:
            raise
        except openai.OpenAIError as exc:
            raise self._failure(exc, attempts=1) from exc

    def _call(self, messages: list[ChatMessage], mode: StructuredOutput) -> ChatReply:
        extra: dict[str, Any] = {}
        if mode == "json_schema":
            extra["response_format"] = _json_schema_format()
        elif mode == "json_object":
            extra["response_format"] = {"type": "json_object"}
        response = self._client.chat.completions.create(
            model=self.model,
            messages=messages,  # type: ignore[arg-type]
            temperature=self.temperature,
            max_tokens=self.max_tokens,
            **extra,
        )
        if not response.choices:
            raise ChatRequestError(f"{self.name} returned no choices", transient=False, attempts=1)
        usage = response.usage
        return ChatReply(
            content=response.choices[0].message.content or "",
            model=response.model or self.model,
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else 0,
            structured_output=mode,
        )

    def _wait_for(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        response = getattr(exc, "response", None)
        header = response.headers.get("retry-after") if response is not None else None
        if header:
            try:
                return min(max(float(header), 0.0), self.max_retry_after)
            except ValueError:
                pass  # an HTTP date: fall back to exponential backoff
        return float(self._wait(state))

    def _failure(self, exc: Exception, *, attempts: int) -> ChatRequestError:
        transient = isinstance(exc, _RETRYABLE)
        tries = f" after {attempts} attempt(s)" if transient else ""
        return ChatRequestError(
            f"chat request to {self.base_url} for model {self.model!r} failed{tries}: "
            f"{type(exc).__name__}: {exc}",
            transient=transient,
            attempts=attempts,
        )


def _json_schema_format() -> dict[str, Any]:
    schema = {k: v for k, v in program_json_schema().items() if k not in {"$schema", "title"}}
    # strict mode would demand every optional literal key; the executor validates anyway.
    return {
        "type": "json_schema",
        "json_schema": {"name": "finrag_program", "schema": schema, "strict": False},
    }
