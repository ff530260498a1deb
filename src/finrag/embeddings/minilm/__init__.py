"""all-MiniLM-L6-v2 run locally with tokenizers and onnxruntime (numpy as reference/fallback)."""

from __future__ import annotations

from finrag.embeddings.minilm.embedder import (
    QUERY_INT8_ENV,
    Backend,
    MiniLMEmbedder,
    onnx_available,
)
from finrag.embeddings.minilm.files import BertConfig, ModelFiles, load_weights, locate_model_dir
from finrag.embeddings.minilm.numpy_forward import forward_numpy
from finrag.embeddings.minilm.onnx_graph import build_onnx_model, ensure_onnx_model
from finrag.embeddings.minilm.quantize import ensure_int8_model, int8_model_path

__all__ = [
    "QUERY_INT8_ENV",
    "Backend",
    "BertConfig",
    "MiniLMEmbedder",
    "ModelFiles",
    "build_onnx_model",
    "ensure_int8_model",
    "ensure_onnx_model",
    "forward_numpy",
    "int8_model_path",
    "load_weights",
    "locate_model_dir",
    "onnx_available",
]
