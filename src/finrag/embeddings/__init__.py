"""The embeddings stage: the :class:`Embedder` contract, backends by name, and caching.

Other stages use only this surface::

    from finrag.embeddings import get_embedder, CachedEmbedder, RedisEmbeddingCache

    embedder = CachedEmbedder(get_embedder("minilm"), RedisEmbeddingCache(url=redis_url))
    vectors = embedder.embed(["the net revenue of 2019 is $ 5829 ;"])  # float32 (1, 384)

Backend modules (MiniLM, OpenAI) are imported on first use, so importing this package loads
neither onnxruntime nor the openai client.
"""

from __future__ import annotations

from finrag.embeddings.base import Embedder, EmbeddingCache, Vectors, l2_normalize, text_key
from finrag.embeddings.cache import (
    CachedEmbedder,
    CacheStats,
    InMemoryEmbeddingCache,
    LayeredEmbeddingCache,
    RedisEmbeddingCache,
)
from finrag.embeddings.hashing import HashEmbedder
from finrag.embeddings.registry import get_embedder, known_embedders, register_embedder

__all__ = [
    "CacheStats",
    "CachedEmbedder",
    "Embedder",
    "EmbeddingCache",
    "HashEmbedder",
    "InMemoryEmbeddingCache",
    "LayeredEmbeddingCache",
    "RedisEmbeddingCache",
    "Vectors",
    "get_embedder",
    "known_embedders",
    "l2_normalize",
    "register_embedder",
    "text_key",
]
