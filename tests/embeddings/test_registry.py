"""Embedders are chosen by name; unknown names list the known ones."""

from __future__ import annotations

import pytest

from finrag.embeddings import Embedder, HashEmbedder, get_embedder, known_embedders
from finrag.embeddings.minilm import MiniLMEmbedder
from finrag.embeddings.openai_compat import OpenAIEmbedder
from finrag.embeddings.registry import register_embedder
from finrag.errors import ConfigError

pytestmark = pytest.mark.unit


def test_builtin_names():
    assert isinstance(get_embedder("hash"), HashEmbedder)
    assert get_embedder("hash:128").dim == 128
    minilm = get_embedder("minilm", threads=1)
    assert isinstance(minilm, MiniLMEmbedder) and minilm.name == "minilm-l6-v2"
    assert isinstance(get_embedder("minilm-l6-v2"), MiniLMEmbedder)
    assert get_embedder("minilm-numpy")._requested == "numpy"  # type: ignore[attr-defined]


def test_openai_names_build_adapters(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    embedder = get_embedder("openai:text-embedding-3-small")
    assert isinstance(embedder, OpenAIEmbedder)
    assert (embedder.name, embedder.dim, embedder.remote) == (
        "openai:text-embedding-3-small",
        1536,
        True,
    )
    local = get_embedder("openai-compatible:nomic-embed-text@http://127.0.0.1:9/v1")
    assert isinstance(local, OpenAIEmbedder)
    assert local.name == "openai-compatible:nomic-embed-text@http://127.0.0.1:9/v1"
    assert local.dim == 768


def test_openai_without_key_is_a_config_error(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        get_embedder("openai:text-embedding-3-small")


@pytest.mark.parametrize(
    "name", ["nope", "openai", "openai-compatible:model-without-url", "hash:wide", "minilm:x"]
)
def test_bad_names_fail_with_the_known_list(name: str):
    with pytest.raises(ConfigError) as info:
        get_embedder(name)
    if name == "nope":
        for known in ("minilm", "hash[:<dim>]", "openai:<model>"):
            assert known in str(info.value)


def test_plugins_register_through_the_same_hook():
    class Plugin(HashEmbedder):
        pass

    register_embedder("plugin-test", lambda argument, **options: Plugin(dim=16))
    try:
        embedder: Embedder = get_embedder("plugin-test")
        assert isinstance(embedder, Plugin)
        assert "plugin-test" in known_embedders()
    finally:
        from finrag.embeddings import registry

        registry._FACTORIES.pop("plugin-test")
