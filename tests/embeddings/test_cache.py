"""CachedEmbedder over the in-memory cache and over a real Redis server."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Mapping, Sequence

import numpy as np
import pytest
import redis

from finrag.embeddings import (
    CachedEmbedder,
    EmbeddingCache,
    HashEmbedder,
    InMemoryEmbeddingCache,
    RedisEmbeddingCache,
    Vectors,
    text_key,
)
from finrag.errors import EmbeddingError
from finrag.testing.redis_server import RedisServer


class CountingEmbedder(HashEmbedder):
    """A hash embedder that records the texts it was asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[list[str]] = []

    def _embed(self, texts: list[str]) -> Vectors:
        self.calls.append(list(texts))
        return super()._embed(texts)


class BrokenCache:
    """A cache whose backend is down."""

    def get_many(self, model: str, keys: Sequence[str]) -> dict[str, Vectors]:
        raise EmbeddingError("cache down")

    def put_many(self, model: str, items: Mapping[str, Vectors]) -> None:
        raise EmbeddingError("cache down")


def _check_hits_and_misses(cache: EmbeddingCache) -> None:
    inner = CountingEmbedder()
    embedder = CachedEmbedder(inner, cache)
    first = embedder.embed(["a b", "c d", "a b"])
    assert inner.calls == [["a b", "c d"]]  # duplicates are embedded once
    assert (embedder.stats.hits, embedder.stats.misses) == (0, 2)
    second = embedder.embed(["c d", "e f", "a b"])
    assert inner.calls[-1] == ["e f"]
    assert (embedder.stats.hits, embedder.stats.misses) == (2, 3)
    np.testing.assert_array_equal(second[0], first[1])
    np.testing.assert_array_equal(second[2], first[0])
    np.testing.assert_array_equal(second, HashEmbedder().embed(["c d", "e f", "a b"]))


@pytest.mark.unit
def test_in_memory_hits_and_misses():
    _check_hits_and_misses(InMemoryEmbeddingCache())


@pytest.mark.unit
def test_in_memory_cache_is_bounded_lru():
    cache = InMemoryEmbeddingCache(max_entries=2)
    vector = np.ones(4, dtype=np.float32)
    cache.put_many("m", {"a": vector, "b": vector})
    cache.get_many("m", ["a"])  # a is now the most recently used
    cache.put_many("m", {"c": vector})
    assert set(cache.get_many("m", ["a", "b", "c"])) == {"a", "c"}
    assert len(cache) == 2


@pytest.mark.unit
def test_cache_keys_separate_models():
    cache = InMemoryEmbeddingCache()
    CachedEmbedder(HashEmbedder(dim=384), cache).embed(["x"])
    narrow = CachedEmbedder(HashEmbedder(dim=64), cache)
    assert narrow.embed(["x"]).shape == (1, 64)
    assert narrow.stats.misses == 1


@pytest.mark.unit
def test_vectors_of_the_wrong_width_are_misses():
    cache = InMemoryEmbeddingCache()
    embedder = CachedEmbedder(HashEmbedder(), cache)
    cache.put_many(embedder.name, {text_key("x"): np.ones(8, dtype=np.float32)})
    assert embedder.embed(["x"]).shape == (1, 384)
    assert embedder.stats.misses == 1


@pytest.mark.unit
def test_a_broken_cache_fails_open_unless_told_otherwise():
    embedder = CachedEmbedder(HashEmbedder(), BrokenCache())
    np.testing.assert_array_equal(embedder.embed(["a"]), HashEmbedder().embed(["a"]))
    assert embedder.stats.errors == 2  # the read and the write
    with pytest.raises(EmbeddingError, match="cache down"):
        CachedEmbedder(HashEmbedder(), BrokenCache(), fail_open=False).embed(["a"])


@pytest.mark.unit
def test_protocol_is_satisfied_by_both_backends():
    assert isinstance(InMemoryEmbeddingCache(), EmbeddingCache)
    assert isinstance(RedisEmbeddingCache(url="redis://127.0.0.1:9/0"), EmbeddingCache)


@pytest.mark.integration
def test_redis_hits_and_misses(redis_client: redis.Redis):
    _check_hits_and_misses(RedisEmbeddingCache(redis_client))


@pytest.mark.integration
def test_redis_round_trip_is_exact(redis_client: redis.Redis):
    cache = RedisEmbeddingCache(redis_client)
    rng = np.random.default_rng(0)
    vectors = {
        "random": rng.standard_normal(384).astype(np.float32),
        "edges": np.array([0.0, -0.0, 1e-38, -3.4e38, np.pi, 1 / 3], dtype=np.float32),
    }
    cache.put_many("model-a", vectors)
    got = cache.get_many("model-a", ["random", "edges", "absent"])
    assert set(got) == {"random", "edges"}
    for key, vector in vectors.items():
        assert got[key].dtype == np.float32
        assert got[key].tobytes() == vector.tobytes()
    assert redis_client.get("finrag:emb:model-a:random") == vectors["random"].tobytes()
    assert cache.get_many("model-b", ["random"]) == {}


@pytest.mark.integration
def test_redis_ttl(redis_client: redis.Redis):
    lasting = RedisEmbeddingCache(redis_client)
    fleeting = RedisEmbeddingCache(redis_client, ttl=0.3)
    vector = np.ones(4, dtype=np.float32)
    lasting.put_many("m", {"kept": vector})
    fleeting.put_many("m", {"gone": vector})
    assert redis_client.pttl("finrag:emb:m:kept") == -1
    assert 0 < redis_client.pttl("finrag:emb:m:gone") <= 300
    time.sleep(0.45)
    assert set(lasting.get_many("m", ["kept", "gone"])) == {"kept"}


_WRITER = """
import sys
from finrag.embeddings import CachedEmbedder, HashEmbedder, RedisEmbeddingCache
embedder = CachedEmbedder(HashEmbedder(), RedisEmbeddingCache(url=sys.argv[1]))
embedder.embed(sys.argv[2:])
assert embedder.stats.misses == len(sys.argv) - 2, embedder.stats
"""


@pytest.mark.integration
def test_processes_share_the_redis_cache(redis_server: RedisServer, redis_client: redis.Redis):
    texts = ["net revenue 2019", "net revenue 2018", "total assets"]
    subprocess.run([sys.executable, "-c", _WRITER, redis_server.url, *texts], check=True)
    inner = CountingEmbedder()
    embedder = CachedEmbedder(inner, RedisEmbeddingCache(url=redis_server.url))
    vectors = embedder.embed(texts)
    assert inner.calls == []
    assert embedder.stats.hits == 3
    np.testing.assert_array_equal(vectors, HashEmbedder().embed(texts))


@pytest.mark.integration
def test_redis_down_fails_open(redis_server: RedisServer):
    with RedisServer() as doomed:
        url = doomed.url
    embedder = CachedEmbedder(HashEmbedder(), RedisEmbeddingCache(url=url, socket_timeout=0.5))
    np.testing.assert_array_equal(embedder.embed(["a"]), HashEmbedder().embed(["a"]))
    assert embedder.stats.errors == 2
    with pytest.raises(EmbeddingError, match="redis embedding cache read failed"):
        RedisEmbeddingCache(url=url).get_many("m", ["k"])


def test_layered_cache_reads_front_first_and_fills_it() -> None:
    from finrag.embeddings import InMemoryEmbeddingCache, LayeredEmbeddingCache

    front, back = InMemoryEmbeddingCache(max_entries=2), InMemoryEmbeddingCache()
    layered = LayeredEmbeddingCache(front, back)
    a, b = np.ones(3, dtype=np.float32), np.full(3, 2.0, dtype=np.float32)
    back.put_many("m", {"a": a})
    assert len(front) == 0
    got = layered.get_many("m", ["a", "x"])
    assert list(got) == ["a"] and np.array_equal(got["a"], a)
    assert np.array_equal(front.get_many("m", ["a"])["a"], a)  # promoted
    layered.put_many("m", {"b": b})
    assert set(back.get_many("m", ["a", "b"])) == {"a", "b"}
    assert set(front.get_many("m", ["a", "b"])) == {"a", "b"}
    back.put_many("m", {"a": b})  # the front copy answers first
    assert np.array_equal(layered.get_many("m", ["a"])["a"], a)
