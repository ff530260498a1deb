"""A deterministic feature-hashing embedder: the test double for every embedder user.

Word unigrams and bigrams are hashed with BLAKE2b (never Python's salted ``hash()``) into
``dim`` buckets with a sign bit, summed, and L2-normalised. The same text gives the same vector
in every process and on every machine, texts sharing words get a positive cosine, and nothing
is loaded, so it is the embedder of choice in tests and in demos that must not need the model.
"""

from __future__ import annotations

import hashlib
import itertools
import re

import numpy as np

from finrag.embeddings.base import Embedder, Vectors, l2_normalize
from finrag.errors import ConfigError

__all__ = ["HashEmbedder"]

_TOKEN = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*|[$%€£]")
_BIGRAM_WEIGHT = 0.5
# A text with no tokens still needs a unit vector; it gets this one feature.
_EMPTY_FEATURE = "\x00empty"


class HashEmbedder(Embedder):
    """Feature hashing of lower-cased word unigrams and bigrams into ``dim`` buckets."""

    VERSION = 1

    def __init__(self, dim: int = 384) -> None:
        if dim < 8:
            raise ConfigError(f"hash embedder dim must be at least 8, got {dim}")
        self.dim = dim
        self.name = f"hash-v{self.VERSION}-{dim}"

    def _embed(self, texts: list[str]) -> Vectors:
        matrix = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for feature, weight in _features(text):
                bucket, sign = self._bucket(feature)
                matrix[row, bucket] += sign * weight
        return l2_normalize(matrix)

    def _bucket(self, feature: str) -> tuple[int, float]:
        digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
        value = int.from_bytes(digest, "little")
        return (value >> 1) % self.dim, 1.0 if value & 1 else -1.0


def _features(text: str) -> list[tuple[str, float]]:
    tokens = _TOKEN.findall(text.lower())
    if not tokens:
        return [(_EMPTY_FEATURE, 1.0)]
    features = [(f"u:{token}", 1.0) for token in tokens]
    features += [(f"b:{a} {b}", _BIGRAM_WEIGHT) for a, b in itertools.pairwise(tokens)]
    return features
