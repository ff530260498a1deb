"""The int8 query graph: close to fp32, cached on disk, and never used for document vectors."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest

from finrag.embeddings import get_embedder
from finrag.embeddings.minilm import QUERY_INT8_ENV, MiniLMEmbedder, ModelFiles, quantize
from finrag.embeddings.minilm.onnx_graph import GRAPH_VERSION
from finrag.errors import ConfigError

pytestmark = pytest.mark.unit

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def texts() -> list[str]:
    data = json.loads((FIXTURES / "minilm_reference.json").read_text(encoding="utf-8"))
    return [item["text"] for item in data["items"]]


@pytest.fixture(scope="session")
def minilm_q8(onnx_cache_dir: Path) -> MiniLMEmbedder:
    return MiniLMEmbedder(backend="onnx", threads=1, cache_dir=onnx_cache_dir, query_int8=True)


def test_int8_query_vectors_are_close_to_fp32(
    minilm_q8: MiniLMEmbedder, minilm_onnx: MiniLMEmbedder, texts: list[str]
):
    exact = np.stack([minilm_onnx.embed([t])[0] for t in texts])
    fast = np.stack([minilm_q8.embed_query(t) for t in texts])
    cosines = (exact.astype(np.float64) * fast).sum(axis=1)
    assert fast.dtype == np.float32 and fast.shape == exact.shape
    np.testing.assert_allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-5)
    assert cosines.min() >= 0.98, dict(zip(texts, cosines.round(4), strict=True))
    assert cosines.mean() >= 0.99
    assert not np.array_equal(exact, fast)  # it really is the other graph


def test_document_vectors_stay_fp32(
    minilm_q8: MiniLMEmbedder, minilm_onnx: MiniLMEmbedder, texts: list[str]
):
    np.testing.assert_array_equal(minilm_q8.embed(texts), minilm_onnx.embed(texts))


def test_fp32_embed_query_equals_embed_of_one_text(minilm_onnx: MiniLMEmbedder, texts: list[str]):
    assert not minilm_onnx.query_int8
    for text in texts:
        np.testing.assert_array_equal(minilm_onnx.embed_query(text), minilm_onnx.embed([text])[0])


def test_int8_graph_is_cached_and_reused(
    onnx_cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = ModelFiles.load()
    path = quantize.ensure_int8_model(files, onnx_cache_dir)
    sha = files.weights_sha256()[:20]
    assert path.name == f"bert-{sha}-portable-g{GRAPH_VERSION}-q8v{quantize.QUANT_VERSION}.onnx"
    assert path.parent == onnx_cache_dir
    assert not list(onnx_cache_dir.glob("*.tmp"))

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the cached int8 graph should have been reused")

    import onnxruntime.quantization

    monkeypatch.setattr(onnxruntime.quantization, "quantize_dynamic", refuse)
    assert quantize.ensure_int8_model(ModelFiles.load(), onnx_cache_dir) == path


def test_int8_graph_keeps_the_first_ffn_output_in_fp32(onnx_cache_dir: Path):
    model = onnx.load(str(quantize.ensure_int8_model(ModelFiles.load(), onnx_cache_dir)))
    ops = [node.op_type for node in model.graph.node]
    fp32_weights = {
        name for node in model.graph.node if node.op_type == "MatMul" for name in node.input
    }
    assert ops.count("MatMulInteger") == 23  # 6 layers x 4 weight MatMuls, one kept fp32
    assert "l0_ff2_w" in fp32_weights
    assert "l1_ff2_w" not in fp32_weights


def test_int8_graph_is_rebuilt_when_missing_or_for_new_weights(tmp_path: Path):
    _tiny_model = _load_test_minilm()._tiny_model
    cache = tmp_path / "cache"
    first = quantize.ensure_int8_model(ModelFiles.load(_tiny_model(tmp_path / "a", 1)), cache)
    first_bytes = first.read_bytes()
    first.unlink()
    again = quantize.ensure_int8_model(ModelFiles.load(_tiny_model(tmp_path / "a", 1)), cache)
    assert again == first and again.read_bytes() == first_bytes
    second = quantize.ensure_int8_model(ModelFiles.load(_tiny_model(tmp_path / "b", 2)), cache)
    assert second != first and second.exists()
    embedder = MiniLMEmbedder(tmp_path / "b", backend="onnx", cache_dir=cache, query_int8=True)
    exact = embedder.embed(["revenue in 2019"])[0]
    assert float(exact @ embedder.embed_query("revenue in 2019")) > 0.95


def _load_test_minilm() -> Any:
    """test_minilm.py (for its tiny random model); tests are not a package here."""
    spec = importlib.util.spec_from_file_location(
        "_test_minilm", Path(__file__).with_name("test_minilm.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_query_int8_setting(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(QUERY_INT8_ENV, raising=False)
    assert MiniLMEmbedder().query_int8 is True  # the default
    monkeypatch.setenv(QUERY_INT8_ENV, "0")
    assert MiniLMEmbedder().query_int8 is False
    assert getattr(get_embedder("minilm"), "query_int8", None) is False
    monkeypatch.setenv(QUERY_INT8_ENV, "1")
    assert MiniLMEmbedder().query_int8 is True
    assert MiniLMEmbedder(query_int8=False).query_int8 is False
    assert getattr(get_embedder("minilm"), "query_int8", None) is True
    monkeypatch.setenv(QUERY_INT8_ENV, "maybe")
    with pytest.raises(ConfigError, match=QUERY_INT8_ENV):
        MiniLMEmbedder()


def test_numpy_backend_ignores_query_int8(texts: list[str]):
    embedder = MiniLMEmbedder(backend="numpy", query_int8=True)
    np.testing.assert_array_equal(embedder.embed_query(texts[0]), embedder.embed([texts[0]])[0])


def test_runtime_passes_the_setting_to_minilm_only(monkeypatch: pytest.MonkeyPatch):
    from finrag.config import Settings
    from finrag.runtime import _embedder_options

    monkeypatch.setenv("FINRAG_MINILM_QUERY_INT8", "true")
    assert Settings().minilm_query_int8 is True
    assert _embedder_options(Settings()) == {"query_int8": True, "query_threads": 1}
    options = _embedder_options(Settings(minilm_query_int8=False, minilm_query_threads=2))
    assert options == {"query_int8": False, "query_threads": 2}
    assert _embedder_options(Settings(embedder="hash")) == {}
    monkeypatch.setenv("FINRAG_MINILM_QUERY_INT8", "0")
    assert Settings().minilm_query_int8 is False
    monkeypatch.delenv("FINRAG_MINILM_QUERY_INT8")
    assert Settings().minilm_query_int8 is True


def test_a_failing_int8_build_falls_back_to_fp32(
    onnx_cache_dir: Path, monkeypatch: pytest.MonkeyPatch, texts: list[str]
) -> None:
    from finrag.embeddings.minilm import embedder as embedder_module
    from finrag.errors import EmbeddingError

    def broken(*args: object, **kwargs: object) -> Path:
        raise EmbeddingError("no quantiser here")

    monkeypatch.setattr(embedder_module, "ensure_int8_model", broken)
    embedder = MiniLMEmbedder(backend="onnx", cache_dir=onnx_cache_dir, query_int8=True)
    np.testing.assert_array_equal(embedder.embed_query(texts[0]), embedder.embed([texts[0]])[0])


def test_query_threads_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from finrag.embeddings.minilm import embedder as module

    monkeypatch.delenv(module.QUERY_THREADS_ENV, raising=False)
    assert MiniLMEmbedder().query_threads == min(2, os.cpu_count() or 1)
    monkeypatch.setenv(module.QUERY_THREADS_ENV, "1")
    assert MiniLMEmbedder().query_threads == 1
    assert MiniLMEmbedder(query_threads=512).query_threads == (os.cpu_count() or 1)
    monkeypatch.setenv(module.QUERY_THREADS_ENV, "two")
    with pytest.raises(ConfigError, match=module.QUERY_THREADS_ENV):
        MiniLMEmbedder()
    with pytest.raises(ConfigError, match="query_threads"):
        MiniLMEmbedder(query_threads=0)


def test_two_query_threads_give_the_same_vector(onnx_cache_dir: Path, texts: list[str]) -> None:
    one = MiniLMEmbedder(backend="onnx", cache_dir=onnx_cache_dir, query_int8=True)
    two = MiniLMEmbedder(backend="onnx", cache_dir=onnx_cache_dir, query_int8=True, query_threads=2)
    for text in texts[:5]:
        np.testing.assert_allclose(one.embed_query(text), two.embed_query(text), atol=1e-5)
