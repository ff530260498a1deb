"""An int8 copy of the MiniLM graph for embedding questions, built locally and cached.

Document and chunk vectors always come from the exact fp32 graph (they are stored, cached and
compared with sentence-transformers). A question, though, is embedded once per query on the
latency path, and MiniLM on one thread is compute bound (~21 MFLOP per token). Dynamic int8
quantisation (:func:`onnxruntime.quantization.quantize_dynamic`) of the weight MatMuls halves
that time on CPUs with int8 dot-product instructions (AVX-512 VNNI, AVX-VNNI, ARM dot).

What is quantised, and why (measured on 229 questions, FinanceBench + FinQA dev, cosine of the
int8 vector to the fp32 one; see docs/embeddings.md):

* weights int8 **per output channel** (per-tensor scales gave mean cosine 0.960);
* every MatMul with a constant weight, **except the first layer's feed-forward output
  projection** (``l0_ff2_w``): its input is the first GELU's output, whose outliers a
  per-tensor dynamic activation scale handles badly; keeping that one MatMul in fp32 (1/18 of
  the weight FLOPs) raised the minimum cosine from 0.972 to 0.993;
* activations are quantised dynamically per tensor (uint8) by onnxruntime at run time;
  attention score products, LayerNorm, GELU, pooling and normalisation stay fp32.

The file is derived from the cached fp32 graph and sits next to it, named
``bert-<weights sha256, 20 hex>-<layout>-g<GRAPH_VERSION>-q8v<QUANT_VERSION>.onnx``, written
atomically (temporary file + rename). Nothing is downloaded.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from pathlib import Path

from finrag.embeddings.minilm.files import ModelFiles
from finrag.embeddings.minilm.onnx_graph import (
    CACHE_DIR_ENV,
    GRAPH_VERSION,
    AttentionLayout,
    default_cache_dir,
    ensure_onnx_model,
)
from finrag.errors import EmbeddingError

__all__ = ["FP32_WEIGHTS", "QUANT_VERSION", "ensure_int8_model", "int8_model_path"]

#: Bump when what :func:`ensure_int8_model` writes changes (options, excluded nodes).
QUANT_VERSION = 1

#: Weight initialisers whose MatMul stays fp32 (see the module docstring).
FP32_WEIGHTS = frozenset({"l0_ff2_w"})


def _drop_preprocess_advice(record: logging.LogRecord) -> bool:
    return not str(record.msg).startswith("Please consider to run pre-processing")


def int8_model_path(
    files: ModelFiles, cache_dir: Path | None = None, layout: AttentionLayout = "portable"
) -> Path:
    """Where the int8 query graph for ``files`` and ``layout`` is cached."""
    directory = cache_dir or default_cache_dir()
    sha = files.weights_sha256()
    return directory / f"bert-{sha[:20]}-{layout}-g{GRAPH_VERSION}-q8v{QUANT_VERSION}.onnx"


def ensure_int8_model(
    files: ModelFiles, cache_dir: Path | None = None, layout: AttentionLayout = "portable"
) -> Path:
    """Return the cached int8 graph, quantising the (cached) fp32 graph first if absent."""
    path = int8_model_path(files, cache_dir, layout)
    if path.exists():
        return path
    source = ensure_onnx_model(files, cache_dir, layout)
    try:
        import onnx
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:
        raise EmbeddingError(
            "the int8 query graph needs onnx and onnxruntime: pip install onnxruntime onnx"
        ) from exc
    model = onnx.load(str(source))
    keep_fp32 = [
        node.name
        for node in model.graph.node
        if node.op_type == "MatMul" and FP32_WEIGHTS.intersection(node.input)
    ]
    tmp_name: str | None = None
    try:
        handle, tmp_name = tempfile.mkstemp(dir=path.parent, suffix=".onnx.tmp")
        os.close(handle)
        # quantize_dynamic logs a "consider pre-processing" advice on the root logger; the
        # graph is already shape-inferable and optimised by onnxruntime at load.
        root = logging.getLogger()
        root.addFilter(_drop_preprocess_advice)
        try:
            quantize_dynamic(
                model,
                tmp_name,
                op_types_to_quantize=["MatMul"],
                per_channel=True,
                reduce_range=False,
                weight_type=QuantType.QInt8,
                nodes_to_exclude=keep_fp32,
            )
        finally:
            root.removeFilter(_drop_preprocess_advice)
        os.replace(tmp_name, path)
    except OSError as exc:
        raise EmbeddingError(
            f"cannot write the ONNX cache {path}: {exc}; set {CACHE_DIR_ENV} to a writable folder"
        ) from exc
    except Exception as exc:  # onnxruntime.quantization raises untyped errors
        raise EmbeddingError(f"cannot quantise {source} to int8: {exc}") from exc
    finally:
        if tmp_name is not None and os.path.exists(tmp_name):
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
    return path
