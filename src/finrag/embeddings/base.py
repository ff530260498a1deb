"""The embeddings contract: what an embedder and an embedding cache are.

Other stages import only this module (and :func:`finrag.embeddings.get_embedder`).

An :class:`Embedder` turns texts into vectors:

* **in**: a sequence of ``str`` (a bare ``str`` is refused, because iterating it would embed
  characters). Empty strings are allowed.
* **out**: a ``numpy.ndarray`` of ``float32``, shape ``(len(texts), embedder.dim)``, every row
  L2-normalised (unit length), rows in the order of the input. No texts gives shape ``(0, dim)``.
* **errors**: :class:`finrag.errors.EmbeddingError` when the model cannot be loaded or run, or
  when a remote API fails after its retries. A wrong argument type raises ``TypeError``.

``name`` identifies the model that produced the vectors (``"minilm-l6-v2"``,
``"openai:text-embedding-3-small"``, ``"hash-v1-384"``). Vectors from different names are not
comparable, so the name is the cache key's first half and what a store records beside each
vector.

An :class:`EmbeddingCache` maps ``(model name, text key)`` to a vector, where the text key is
:func:`text_key` (sha256 of the UTF-8 text). It is two methods, so any backend (Redis, memory,
the embedded store) can implement it; :class:`finrag.embeddings.cache.CachedEmbedder` wraps an
embedder with one.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from finrag.errors import EmbeddingError

__all__ = [
    "Embedder",
    "EmbeddingCache",
    "Vectors",
    "l2_normalize",
    "text_key",
]

Vectors = npt.NDArray[np.float32]
"""A float32 matrix of shape (n, dim), or a single float32 vector of shape (dim,)."""


def text_key(text: str) -> str:
    """The cache key of a text: hex sha256 of its UTF-8 bytes (stable across processes)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def l2_normalize(matrix: npt.NDArray[np.floating], eps: float = 1e-12) -> Vectors:
    """Scale each row to unit L2 norm (rows of zeros stay zero), returned as float32."""
    values = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(values, axis=-1, keepdims=True)
    normalized: Vectors = (values / np.maximum(norms, eps)).astype(np.float32, copy=False)
    return normalized


class Embedder(ABC):
    """Turns texts into unit-length float32 vectors; see the module docstring for the contract.

    Subclasses set ``name`` and ``dim`` and implement :meth:`_embed`, which receives a non-empty
    ``list[str]``. :meth:`embed` checks the arguments and the result shape in one place.
    """

    name: str
    dim: int
    #: True when calls leave the machine (cost, latency, privacy); a capability, not a probe.
    remote: bool = False

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Embed ``texts``; returns float32 of shape ``(len(texts), dim)``, rows L2-normalised."""
        batch = _check_texts(texts)
        if not batch:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._embed(batch)
        if vectors.shape != (len(batch), self.dim) or vectors.dtype != np.float32:
            raise EmbeddingError(
                f"embedder {self.name!r} returned {vectors.dtype} of shape {vectors.shape}, "
                f"expected float32 of shape {(len(batch), self.dim)}; this is a bug in the backend"
            )
        return vectors

    def embed_query(self, text: str) -> Vectors:
        """Embed one text (typically a question); returns a float32 vector of shape ``(dim,)``.

        By default the row :meth:`embed` gives; an embedder may answer queries with a faster
        approximate encoder of the same space (MiniLM's int8 query graph: cosine >= 0.98 to
        that row), never documents, whose vectors are stored and compared across queries.
        """
        if not isinstance(text, str):
            raise TypeError(f"embed_query takes a str, got {type(text).__name__}")
        vector: Vectors = self.embed([text])[0]
        return vector

    @abstractmethod
    def _embed(self, texts: list[str]) -> Vectors:
        """Embed a non-empty list; return float32 ``(len(texts), dim)`` with unit-length rows."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, dim={self.dim})"


def _check_texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str | bytes):
        raise TypeError("embed takes a sequence of str, not a single str; use embed_query(text)")
    batch = list(texts)
    for position, text in enumerate(batch):
        if not isinstance(text, str):
            raise TypeError(f"texts[{position}] is {type(text).__name__}, expected str")
    return batch


@runtime_checkable
class EmbeddingCache(Protocol):
    """Vectors by ``(model name, text key)``; text keys come from :func:`text_key`.

    Implementations store float32 vectors exactly (a round trip returns equal arrays). A
    backend failure raises :class:`~finrag.errors.EmbeddingError`; the caching wrapper then
    treats the batch as misses rather than failing the embedding.
    """

    def get_many(self, model: str, keys: Sequence[str]) -> dict[str, Vectors]:
        """Return the cached vectors among ``keys`` (missing keys are simply absent)."""
        ...

    def put_many(self, model: str, items: Mapping[str, Vectors]) -> None:
        """Store vectors by text key for ``model``, overwriting existing entries."""
        ...
