"""The local MiniLM-L6 embedder: tokenizers + an ONNX graph run by onnxruntime, no torch.

Texts are tokenised with the model's own ``tokenizer.json`` (lower-casing is part of it),
truncated to 256 tokens as sentence-transformers does for this model, sorted by token count
and cut into batches so each batch pads to a similar length, run, and put back in input order.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from finrag.embeddings.base import Embedder, Vectors
from finrag.embeddings.minilm.files import ModelFiles, load_weights
from finrag.embeddings.minilm.numpy_forward import forward_numpy
from finrag.embeddings.minilm.onnx_graph import AttentionLayout, ensure_onnx_model
from finrag.errors import ConfigError, EmbeddingError

__all__ = ["Backend", "MiniLMEmbedder", "onnx_available"]

log = logging.getLogger(__name__)

Backend = Literal["auto", "onnx", "numpy"]
Forward = Callable[[npt.NDArray[np.int64], npt.NDArray[np.int64]], Vectors]


def onnx_available() -> bool:
    """True when both ``onnx`` (to build the graph) and ``onnxruntime`` (to run it) import."""
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


class MiniLMEmbedder(Embedder):
    """sentence-transformers/all-MiniLM-L6-v2 (384 dimensions), run locally.

    Args:
        model_dir: a sentence-transformers model directory; default: the installed package.
        backend: ``"onnx"``, ``"numpy"`` (reference, slower) or ``"auto"`` (onnx if importable).
        batch_size: texts per forward pass.
        threads: onnxruntime intra-op threads (1 keeps a worker to one core).
        cache_dir: where the built ONNX graph is kept (default ``~/.cache/finrag/onnx``).
        layout: ONNX graph layout, ``"portable"`` (standard operators; measured as fast or
            faster on one thread) or ``"fused"`` (onnxruntime contrib kernels).

    The model is loaded on first use, so constructing one is cheap. Instances are thread-safe.
    """

    name = "minilm-l6-v2"

    def __init__(
        self,
        model_dir: str | os.PathLike[str] | None = None,
        *,
        backend: Backend = "auto",
        batch_size: int = 16,
        threads: int = 1,
        cache_dir: str | os.PathLike[str] | None = None,
        layout: AttentionLayout = "portable",
    ) -> None:
        if backend not in ("auto", "onnx", "numpy"):
            raise ConfigError(f"unknown MiniLM backend {backend!r}; use 'auto', 'onnx' or 'numpy'")
        if batch_size < 1 or threads < 1:
            raise ConfigError(f"batch_size and threads must be >= 1, got {batch_size}, {threads}")
        self.files = ModelFiles.load(model_dir)
        self.dim = self.files.config.hidden_size
        self.max_tokens = self.files.max_seq_length
        self.batch_size = batch_size
        self.threads = threads
        self.layout: AttentionLayout = layout
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self._requested = backend
        self._forward: Forward | None = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()
        self.backend: str = backend  # resolved to "onnx" or "numpy" on load

    def token_counts(self, texts: list[str]) -> list[int]:
        """Tokens per text after truncation, [CLS] and [SEP] included."""
        self._load()
        return [len(e.ids) for e in self._tokenizer.encode_batch(texts)]

    def _embed(self, texts: list[str]) -> Vectors:
        self._load()
        assert self._forward is not None
        encodings = self._tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            width = max(len(encodings[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for row, index in enumerate(chunk):
                token_ids = encodings[index].ids
                ids[row, : len(token_ids)] = token_ids
                mask[row, : len(token_ids)] = 1
            out[chunk] = self._forward(ids, mask)
        return out

    def _load(self) -> None:
        if self._forward is not None:
            return
        with self._lock:
            if self._forward is not None:
                return
            self._tokenizer = self._make_tokenizer()
            use_onnx = self._requested == "onnx" or (self._requested == "auto" and onnx_available())
            if self._requested == "auto" and not use_onnx:
                log.warning("onnx/onnxruntime not importable; MiniLM runs on the numpy path")
            self._forward = self._onnx_forward() if use_onnx else self._numpy_forward()
            self.backend = "onnx" if use_onnx else "numpy"

    def _make_tokenizer(self) -> Any:
        from tokenizers import Tokenizer

        try:
            tokenizer = Tokenizer.from_file(str(self.files.tokenizer_path))
        except Exception as exc:  # tokenizers raises a bare Exception on malformed files
            raise EmbeddingError(f"cannot load {self.files.tokenizer_path}: {exc}") from exc
        # tokenizer.json ships with truncation at 128 and fixed padding; the model uses 256
        # and we pad per batch ourselves.
        tokenizer.enable_truncation(max_length=self.max_tokens)
        tokenizer.no_padding()
        return tokenizer

    def _numpy_forward(self) -> Forward:
        weights = load_weights(self.files)
        return lambda ids, mask: forward_numpy(weights, ids, mask)

    def _onnx_forward(self) -> Forward:
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise EmbeddingError(
                "backend 'onnx' needs onnxruntime and onnx: pip install onnxruntime onnx"
            ) from exc
        path = ensure_onnx_model(self.files, self.cache_dir, self.layout)
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own untyped errors on bad graphs
            raise EmbeddingError(f"onnxruntime cannot load {path}: {exc}") from exc

        def run(ids: npt.NDArray[np.int64], mask: npt.NDArray[np.int64]) -> Vectors:
            result = session.run(["embeddings"], {"input_ids": ids, "attention_mask": mask})
            return np.asarray(result[0], dtype=np.float32)

        return run
