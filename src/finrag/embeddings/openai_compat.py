"""Embeddings from an OpenAI-compatible HTTP API (OpenAI, Azure OpenAI, vLLM, Ollama, ...).

Uses the official ``openai`` client with its own retries switched off; retries are ours
(tenacity): on 429, 5xx, timeouts and connection errors, exponential backoff that honours a
``Retry-After`` header, bounded attempts. Other errors (400, 401, 404) fail at once. Every
failure surfaces as :class:`~finrag.errors.EmbeddingError` naming the model and endpoint.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)

from finrag.embeddings.base import Embedder, Vectors, l2_normalize
from finrag.errors import ConfigError, EmbeddingError

__all__ = ["KNOWN_DIMENSIONS", "OpenAIEmbedder"]

#: Output widths of well-known models, so ``dim`` needs no request.
KNOWN_DIMENSIONS: dict[str, int] = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
    "nomic-embed-text": 768,
    "all-minilm": 384,
}
_MAX_RETRY_AFTER = 30.0


class OpenAIEmbedder(Embedder):
    """Embed through ``POST {base_url}/embeddings``.

    Args:
        model: the model id sent to the API.
        base_url: API root (``https://api.openai.com/v1`` when None; the client also reads
            ``OPENAI_BASE_URL``).
        api_key: defaults to ``$OPENAI_API_KEY``; servers without auth accept any value.
        name: cache key; defaults to ``openai:<model>``.
        dim: output width; when None, taken from :data:`KNOWN_DIMENSIONS` or, failing that,
            from one probe request on first access of ``dim``.
        dimensions: sent as the API's ``dimensions`` parameter (text-embedding-3 models).
        batch_size: inputs per request (the OpenAI API accepts at most 2048).
        timeout: seconds per request.
        max_attempts: attempts per batch including the first.
        backoff: first retry wait in seconds, doubling up to ``max_backoff``.
    """

    remote = True

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        name: str | None = None,
        dim: int | None = None,
        dimensions: int | None = None,
        batch_size: int = 256,
        timeout: float = 30.0,
        max_attempts: int = 5,
        backoff: float = 0.5,
        max_backoff: float = 20.0,
        http_client: Any = None,
    ) -> None:
        import openai

        if not 1 <= batch_size <= 2048:
            raise ConfigError(f"batch_size must be between 1 and 2048, got {batch_size}")
        key = api_key or os.environ.get("OPENAI_API_KEY")
        if not key:
            raise ConfigError(
                f"no API key for embedding model {model!r}: set OPENAI_API_KEY or pass api_key"
            )
        self.model = model
        self.name = name or f"openai:{model}"
        self.base_url = base_url
        self.batch_size = batch_size
        self.dimensions = dimensions
        self._dim = dim or dimensions or KNOWN_DIMENSIONS.get(model)
        self._client = openai.OpenAI(
            api_key=key, base_url=base_url, timeout=timeout, max_retries=0, http_client=http_client
        )
        self._retryable = (
            openai.RateLimitError,
            openai.InternalServerError,
            openai.APITimeoutError,
            openai.APIConnectionError,
        )
        self._api_error = openai.OpenAIError
        self._max_attempts = max_attempts
        self._wait = wait_exponential(multiplier=backoff, max=max_backoff)

    @property
    def dim(self) -> int:  # type: ignore[override]
        """Output width; may cost one request the first time for an unknown model."""
        if self._dim is None:
            self._dim = int(self._request(["dimension probe"]).shape[1])
        return self._dim

    def _embed(self, texts: list[str]) -> Vectors:
        parts = [
            self._request(texts[i : i + self.batch_size])
            for i in range(0, len(texts), self.batch_size)
        ]
        return np.concatenate(parts).astype(np.float32, copy=False)

    def _request(self, texts: list[str]) -> Vectors:
        retrying = Retrying(
            retry=retry_if_exception_type(self._retryable),
            stop=stop_after_attempt(self._max_attempts),
            wait=self._wait_for,
            reraise=True,
        )
        try:
            response = retrying(self._call, texts)
        except self._api_error as exc:
            raise EmbeddingError(
                f"embedding request to {self.base_url or 'api.openai.com'} for model "
                f"{self.model!r} failed: {type(exc).__name__}: {exc}"
            ) from exc
        rows = sorted(response.data, key=lambda item: item.index)
        if len(rows) != len(texts):
            raise EmbeddingError(
                f"model {self.model!r} returned {len(rows)} embeddings for {len(texts)} inputs"
            )
        matrix = np.asarray([row.embedding for row in rows], dtype=np.float32)
        if self._dim is None:
            self._dim = int(matrix.shape[1])
        if matrix.shape[1] != self._dim:
            raise EmbeddingError(
                f"model {self.model!r} returned width {matrix.shape[1]}, expected {self._dim}; "
                "pass the right dim="
            )
        return l2_normalize(matrix)

    def _call(self, texts: list[str]) -> Any:
        # The API refuses empty strings; a single space embeds as "no content".
        inputs = [text if text.strip() else " " for text in texts]
        extra: dict[str, Any] = {}
        if self.dimensions is not None:
            extra["dimensions"] = self.dimensions
        return self._client.embeddings.create(
            model=self.model, input=inputs, encoding_format="float", **extra
        )

    def _wait_for(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        response = getattr(exc, "response", None)
        header = response.headers.get("retry-after") if response is not None else None
        if header:
            try:
                return min(max(float(header), 0.0), _MAX_RETRY_AFTER)
            except ValueError:
                pass  # an HTTP date; fall back to exponential backoff
        return float(self._wait(state))
