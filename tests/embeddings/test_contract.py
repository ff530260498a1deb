"""Every embedder honours the contract in finrag.embeddings.base, whatever the backend."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from finrag.embeddings import CachedEmbedder, Embedder, HashEmbedder, InMemoryEmbeddingCache
from finrag.embeddings.minilm import MiniLMEmbedder

pytestmark = pytest.mark.unit

TEXTS = [
    "the net revenue of 2019 is $ 5829 ; the net revenue of 2018 is $ 5735 ;",
    "What was the percentage change in net revenue from 2018 to 2019?",
    "",
    "Revenue",
    "Revenue",
]


def _hash() -> Embedder:
    return HashEmbedder()


def _cached_hash() -> Embedder:
    return CachedEmbedder(HashEmbedder(), InMemoryEmbeddingCache())


@pytest.fixture(params=["hash", "cached-hash", "minilm-onnx", "minilm-onnx-int8-query"])
def embedder(request: pytest.FixtureRequest, onnx_cache_dir: Path) -> Embedder:
    factories: dict[str, Callable[[], Embedder]] = {
        "hash": _hash,
        "cached-hash": _cached_hash,
        "minilm-onnx": lambda: MiniLMEmbedder(
            backend="onnx", cache_dir=onnx_cache_dir, query_int8=False
        ),
        "minilm-onnx-int8-query": lambda: MiniLMEmbedder(
            backend="onnx", cache_dir=onnx_cache_dir, query_int8=True
        ),
    }
    return factories[request.param]()


def test_shape_dtype_and_unit_norm(embedder: Embedder):
    vectors = embedder.embed(TEXTS)
    assert vectors.dtype == np.float32
    assert vectors.shape == (len(TEXTS), embedder.dim)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_rows_follow_input_order(embedder: Embedder):
    forward = embedder.embed(TEXTS)
    backward = embedder.embed(TEXTS[::-1])
    np.testing.assert_allclose(forward, backward[::-1], atol=2e-6)
    np.testing.assert_array_equal(forward[3], forward[4])


def test_no_texts_gives_empty_matrix(embedder: Embedder):
    assert embedder.embed([]).shape == (0, embedder.dim)


def test_embed_query_is_one_row(embedder: Embedder):
    query, row = embedder.embed_query(TEXTS[1]), embedder.embed(TEXTS[1:2])[0]
    assert query.shape == row.shape and query.dtype == np.float32
    if getattr(embedder, "query_int8", False):
        # an approximate query encoder is allowed: same space, cosine >= 0.98
        assert float(query @ row) >= 0.98
    else:
        np.testing.assert_allclose(query, row, atol=2e-6)


def test_a_bare_string_is_refused(embedder: Embedder):
    with pytest.raises(TypeError, match="embed_query"):
        embedder.embed("not a list")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        embedder.embed(["ok", 3])  # type: ignore[list-item]


def test_name_and_dim_are_declared(embedder: Embedder):
    assert isinstance(embedder.name, str) and embedder.name
    assert embedder.dim == 384
    assert embedder.remote is False
