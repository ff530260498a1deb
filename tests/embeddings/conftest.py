"""Fixtures for the embeddings tests: a real Redis and the MiniLM embedders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from finrag.embeddings.minilm import MiniLMEmbedder
from finrag.testing.redis_server import RedisServer, RedisServerError
from support import running


@pytest.fixture(scope="session")
def onnx_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Graphs built during tests go here, not into the user's ~/.cache."""
    return tmp_path_factory.mktemp("onnx-cache")


@pytest.fixture(scope="session")
def minilm_onnx(onnx_cache_dir: Path) -> MiniLMEmbedder:
    # fp32 throughout: the reference-vector tests compare embed_query with sentence-transformers
    return MiniLMEmbedder(backend="onnx", threads=1, cache_dir=onnx_cache_dir, query_int8=False)


@pytest.fixture(scope="session")
def minilm_numpy() -> MiniLMEmbedder:
    return MiniLMEmbedder(backend="numpy")


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    with running(RedisServer(), "redis", RedisServerError) as server:
        yield server


@pytest.fixture
def redis_client(redis_server: RedisServer) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_server.url)
    client.flushdb()
    try:
        yield client
    finally:
        client.close()
