"""MiniLM-L6 on ONNX and numpy against vectors from the real sentence-transformers library."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import save_file

from finrag.embeddings.minilm import (
    MiniLMEmbedder,
    ModelFiles,
    forward_numpy,
    load_weights,
    locate_model_dir,
    onnx_graph,
)
from finrag.errors import ConfigError, EmbeddingError

pytestmark = pytest.mark.unit

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass(frozen=True)
class Reference:
    """Sentences and the vectors sentence-transformers computed for them."""

    texts: list[str]
    vectors: np.ndarray
    untruncated_tokens: list[int]
    max_seq_length: int


@pytest.fixture(scope="session")
def reference() -> Reference:
    data = json.loads((FIXTURES / "minilm_reference.json").read_text(encoding="utf-8"))
    items = data["items"]
    return Reference(
        texts=[item["text"] for item in items],
        vectors=np.array([item["vector"] for item in items], dtype=np.float64),
        untruncated_tokens=[item["untruncated_tokens"] for item in items],
        max_seq_length=data["max_seq_length"],
    )


def _cosines(vectors: np.ndarray, reference: np.ndarray) -> np.ndarray:
    ref = reference / np.linalg.norm(reference, axis=1, keepdims=True)
    return (vectors.astype(np.float64) * ref).sum(axis=1)


def test_onnx_matches_sentence_transformers(minilm_onnx: MiniLMEmbedder, reference: Reference):
    vectors = minilm_onnx.embed(reference.texts)
    cosines = _cosines(vectors, reference.vectors)
    assert minilm_onnx.backend == "onnx"
    assert cosines.min() >= 0.999, dict(zip(reference.texts, cosines, strict=True))
    print(f"ONNX portable cosine min {cosines.min():.9f}")


def test_numpy_matches_sentence_transformers(minilm_numpy: MiniLMEmbedder, reference: Reference):
    vectors = minilm_numpy.embed(reference.texts)
    cosines = _cosines(vectors, reference.vectors)
    assert minilm_numpy.backend == "numpy"
    assert cosines.min() >= 0.999, dict(zip(reference.texts, cosines, strict=True))
    print(f"numpy cosine min {cosines.min():.9f}")


def test_fused_layout_matches(onnx_cache_dir: Path, reference: Reference):
    embedder = MiniLMEmbedder(backend="onnx", cache_dir=onnx_cache_dir, layout="fused")
    cosines = _cosines(embedder.embed(reference.texts), reference.vectors)
    assert cosines.min() >= 0.999
    print(f"ONNX fused cosine min {cosines.min():.9f}")


def test_long_text_is_truncated_to_256_tokens(minilm_onnx: MiniLMEmbedder, reference: Reference):
    longest = max(range(len(reference.texts)), key=lambda i: reference.untruncated_tokens[i])
    assert reference.untruncated_tokens[longest] > 256
    assert minilm_onnx.token_counts([reference.texts[longest]]) == [reference.max_seq_length]
    assert minilm_onnx.max_tokens == 256


def test_batching_does_not_change_vectors(onnx_cache_dir: Path, reference: Reference):
    """Length-sorted batches of any size pad differently but must give the same vectors."""
    one_batch = MiniLMEmbedder(backend="onnx", cache_dir=onnx_cache_dir, batch_size=64)
    small = MiniLMEmbedder(backend="onnx", cache_dir=onnx_cache_dir, batch_size=3, query_int8=False)
    texts = reference.texts[::-1]
    np.testing.assert_allclose(one_batch.embed(texts), small.embed(texts), atol=2e-6)
    singles = np.stack([small.embed_query(text) for text in texts[:4]])
    np.testing.assert_allclose(singles, small.embed(texts[:4]), atol=2e-6)


def test_lowercasing_is_part_of_the_tokenizer(minilm_onnx: MiniLMEmbedder):
    upper, lower = minilm_onnx.embed(["NET REVENUE INCREASED", "net revenue increased"])
    np.testing.assert_allclose(upper, lower, atol=1e-6)


def test_related_texts_are_closer(minilm_onnx: MiniLMEmbedder):
    query = minilm_onnx.embed_query("What was the net revenue in 2019?")
    near, far = minilm_onnx.embed(
        ["the net revenue of 2019 is $ 5829 ;", "The weather in Paris is mild in the spring."]
    )
    assert float(query @ near) > float(query @ far) + 0.2


def test_onnx_graph_is_cached_and_reused(onnx_cache_dir: Path, monkeypatch: pytest.MonkeyPatch):
    files = ModelFiles.load()
    path = onnx_graph.ensure_onnx_model(files, onnx_cache_dir)
    assert files.weights_sha256()[:20] in path.name

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the cached graph should have been reused")

    monkeypatch.setattr(onnx_graph, "build_onnx_model", refuse)
    assert onnx_graph.ensure_onnx_model(ModelFiles.load(), onnx_cache_dir) == path


def _tiny_model(directory: Path, seed: int) -> Path:
    """A 2-layer BERT with random weights and the real tokenizer, for cheap graph tests."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(locate_model_dir() / "tokenizer.json", directory / "tokenizer.json")
    hidden, inner, vocab, positions = 32, 64, 30522, 64
    config = {
        "hidden_size": hidden, "num_hidden_layers": 2, "num_attention_heads": 4,
        "intermediate_size": inner, "vocab_size": vocab, "max_position_embeddings": positions,
        "hidden_act": "gelu", "layer_norm_eps": 1e-12,
    }  # fmt: skip
    (directory / "config.json").write_text(json.dumps(config))
    rng = np.random.default_rng(seed)

    def t(*shape: int) -> np.ndarray:
        return rng.normal(0, 0.2, shape).astype(np.float32)

    tensors = {
        "embeddings.word_embeddings.weight": t(vocab, hidden),
        "embeddings.position_embeddings.weight": t(positions, hidden),
        "embeddings.token_type_embeddings.weight": t(2, hidden),
        "embeddings.LayerNorm.weight": 1 + t(hidden),
        "embeddings.LayerNorm.bias": t(hidden),
    }
    for i in range(2):
        p = f"encoder.layer.{i}."
        for name in ("query", "key", "value"):
            tensors[f"{p}attention.self.{name}.weight"] = t(hidden, hidden)
            tensors[f"{p}attention.self.{name}.bias"] = t(hidden)
        tensors[f"{p}attention.output.dense.weight"] = t(hidden, hidden)
        tensors[f"{p}intermediate.dense.weight"] = t(inner, hidden)
        tensors[f"{p}output.dense.weight"] = t(hidden, inner)
        for name, width in (("attention.output.dense", hidden), ("intermediate.dense", inner),
                            ("output.dense", hidden)):  # fmt: skip
            tensors[f"{p}{name}.bias"] = t(width)
        for name in ("attention.output.LayerNorm", "output.LayerNorm"):
            tensors[f"{p}{name}.weight"] = 1 + t(hidden)
            tensors[f"{p}{name}.bias"] = t(hidden)
    save_file(tensors, str(directory / "model.safetensors"))
    return directory


def test_new_weights_build_a_new_graph(tmp_path: Path):
    cache = tmp_path / "cache"
    first = onnx_graph.ensure_onnx_model(ModelFiles.load(_tiny_model(tmp_path / "m", 1)), cache)
    second = onnx_graph.ensure_onnx_model(ModelFiles.load(_tiny_model(tmp_path / "m", 2)), cache)
    assert first != second
    assert first.exists() and second.exists()


@pytest.mark.parametrize("layout", ["fused", "portable"])
def test_graph_equals_numpy_forward_on_a_tiny_model(tmp_path: Path, layout: str):
    model_dir = _tiny_model(tmp_path / "m", 3)
    embedder = MiniLMEmbedder(model_dir, backend="onnx", cache_dir=tmp_path, layout=layout)  # type: ignore[arg-type]
    texts = ["a short one", "a somewhat longer sentence about revenue in 2019", ""]
    assert embedder.max_tokens == 64  # capped by max_position_embeddings
    files = ModelFiles.load(model_dir)
    weights = load_weights(files)
    got = embedder.embed(texts)
    for row, text in enumerate(texts):
        ids = np.array([embedder._tokenizer.encode(text).ids], dtype=np.int64)
        expected = forward_numpy(weights, ids, np.ones_like(ids))[0]
        np.testing.assert_allclose(got[row], expected, atol=1e-5)


def test_missing_model_dir_says_how_to_fix(tmp_path: Path):
    with pytest.raises(EmbeddingError, match=r"lacks config\.json"):
        MiniLMEmbedder(tmp_path)


def test_bad_options_are_config_errors():
    with pytest.raises(ConfigError, match="backend"):
        MiniLMEmbedder(backend="torch")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="batch_size"):
        MiniLMEmbedder(batch_size=0)
