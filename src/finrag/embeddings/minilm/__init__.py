"""all-MiniLM-L6-v2 run locally with tokenizers and onnxruntime (numpy as reference/fallback)."""

from __future__ import annotations

from finrag.embeddings.minilm.embedder import Backend, MiniLMEmbedder, onnx_available
from finrag.embeddings.minilm.files import BertConfig, ModelFiles, load_weights, locate_model_dir
from finrag.embeddings.minilm.numpy_forward import forward_numpy
from finrag.embeddings.minilm.onnx_graph import build_onnx_model, ensure_onnx_model

__all__ = [
    "Backend",
    "BertConfig",
    "MiniLMEmbedder",
    "ModelFiles",
    "build_onnx_model",
    "ensure_onnx_model",
    "forward_numpy",
    "load_weights",
    "locate_model_dir",
    "onnx_available",
]
