"""The deterministic hash embedder, re-exported where test doubles live.

It is a real :class:`~finrag.embeddings.base.Embedder` (feature hashing of word unigrams and
bigrams), defined in :mod:`finrag.embeddings.hashing` so the registry can offer it as ``"hash"``.
"""

from __future__ import annotations

from finrag.embeddings.hashing import HashEmbedder

__all__ = ["HashEmbedder"]
