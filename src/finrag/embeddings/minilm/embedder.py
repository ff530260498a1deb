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
from finrag.embeddings.minilm.quantize import ensure_int8_model
from finrag.errors import ConfigError, EmbeddingError

__all__ = ["QUERY_INT8_ENV", "QUERY_THREADS_ENV", "Backend", "MiniLMEmbedder", "onnx_available"]

#: Default of ``MiniLMEmbedder(query_int8=None)``: unset or "1"/"true"/"yes"/"on" embed
#: questions with the int8 graph, "0"/"false"/"no"/"off" with fp32 (also
#: ``Settings.minilm_query_int8``).
QUERY_INT8_ENV = "FINRAG_MINILM_QUERY_INT8"
#: Default of ``MiniLMEmbedder(query_threads=None)``: threads of the int8 question graph
#: (default 2, at most the machine's cores; also ``Settings.minilm_query_threads``).
QUERY_THREADS_ENV = "FINRAG_MINILM_QUERY_THREADS"
DEFAULT_QUERY_THREADS = 2

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
        query_int8: embed questions (:meth:`embed_query`) with a per-channel int8 copy of the
            graph (:mod:`finrag.embeddings.minilm.quantize`), about 2x faster, cosine >= 0.99
            to the fp32 vector; :meth:`embed` (documents, chunks) always uses fp32. ``None``
            reads ``$FINRAG_MINILM_QUERY_INT8`` (default on: it is what brings retrieval under
            20 ms p95, docs/retrieval.md "Latency"). Ignored on the numpy backend.
        query_threads: intra-op threads of the int8 question session (one question is one
            small run on the latency path, where a second core halves the long questions'
            time; idle threads sleep rather than spin). ``None`` reads
            ``$FINRAG_MINILM_QUERY_THREADS``, default 2, capped at the machine's cores.
            Documents use ``threads``.

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
        query_int8: bool | None = None,
        query_threads: int | None = None,
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
        self.query_int8 = (
            _env_flag(QUERY_INT8_ENV, default=True) if query_int8 is None else bool(query_int8)
        )
        wanted = (
            _env_int(QUERY_THREADS_ENV, DEFAULT_QUERY_THREADS)
            if query_threads is None
            else query_threads
        )
        if wanted < 1:
            raise ConfigError(f"query_threads must be >= 1, got {wanted}")
        self.query_threads = min(wanted, os.cpu_count() or 1)
        self._forward: Forward | None = None
        self._query_forward: Forward | None = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()
        self.backend: str = backend  # resolved to "onnx" or "numpy" on load

    def token_counts(self, texts: list[str]) -> list[int]:
        """Tokens per text after truncation, [CLS] and [SEP] included."""
        self._load()
        return [len(e.ids) for e in self._tokenizer.encode_batch(texts)]

    def embed_query(self, text: str) -> Vectors:
        """One question's vector: one session run, through the int8 graph when enabled.

        The fp32 result equals ``embed([text])[0]`` (a single text is never padded).
        """
        if not isinstance(text, str):
            raise TypeError(f"embed_query takes a str, got {type(text).__name__}")
        self._load()
        forward = self._query_forward
        assert forward is not None
        ids = np.asarray([self._tokenizer.encode(text).ids], dtype=np.int64)
        vector: Vectors = forward(ids, np.ones_like(ids))[0]
        return vector

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
            forward = self._onnx_forward() if use_onnx else self._numpy_forward()
            query_forward = forward
            if self.query_int8 and use_onnx:
                try:
                    query_forward = self._onnx_forward(int8=True, threads=self.query_threads)
                except EmbeddingError as exc:  # documents must still embed; questions use fp32
                    log.warning("int8 query graph unavailable, questions use fp32: %s", exc)
            elif self.query_int8:
                log.warning("query_int8 needs the onnx backend; questions use the fp32 path")
            self._query_forward = query_forward
            self._forward = forward  # last: it is what the unlocked fast path checks
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

    def _onnx_forward(self, *, int8: bool = False, threads: int | None = None) -> Forward:
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise EmbeddingError(
                "backend 'onnx' needs onnxruntime and onnx: pip install onnxruntime onnx"
            ) from exc
        if int8:
            path = ensure_int8_model(self.files, self.cache_dir, self.layout)
        else:
            path = ensure_onnx_model(self.files, self.cache_dir, self.layout)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or self.threads
        if options.intra_op_num_threads > 1:
            # between runs the pool's threads sleep instead of spinning on a shared core
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
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


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"${name} must be a boolean (1/0, true/false), got {value!r}")


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"${name} must be a whole number, got {value!r}") from None
