"""Build the MiniLM encoder as an ONNX graph from safetensors weights, and cache it on disk.

No exporter and no torch: the graph is written node by node with ``onnx.helper``. Inputs are
``input_ids`` and ``attention_mask`` (int64, shape ``(batch, tokens)``); the output
``embeddings`` (float32, ``(batch, hidden)``) is already mean-pooled over real tokens and
L2-normalised, so a session run is the whole embedding.

Two attention layouts:

* ``"fused"``: each layer's attention is one ``com.microsoft.Attention`` node, the
  feed-forward GELU is ``com.microsoft.BiasGelu`` and each dense bias + residual + LayerNorm is
  one ``com.microsoft.SkipLayerNormalization``: onnxruntime's own fused CPU kernels.
* ``"portable"`` (default): standard ONNX operators only (MatMul, Softmax, LayerNormalization,
  Gelu at opset 20), which onnxruntime's own optimiser fuses further; on one thread it measured
  as fast as or faster than ``"fused"`` (docs/embeddings.md), and it runs on any ONNX runtime.

The file name carries the weights' sha256, the layout and :data:`GRAPH_VERSION`, so new
weights or a changed builder produce a new file instead of reusing a stale one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from finrag.embeddings.minilm.files import BertWeights, LayerWeights, ModelFiles, load_weights
from finrag.errors import EmbeddingError

if TYPE_CHECKING:
    import onnx

__all__ = [
    "CACHE_DIR_ENV",
    "GRAPH_VERSION",
    "AttentionLayout",
    "build_onnx_model",
    "default_cache_dir",
    "ensure_onnx_model",
]

GRAPH_VERSION = 2
CACHE_DIR_ENV = "FINRAG_CACHE_DIR"
OPSET = 20
AttentionLayout = Literal["fused", "portable"]


def default_cache_dir() -> Path:
    """``$FINRAG_CACHE_DIR/onnx``, else ``$XDG_CACHE_HOME/finrag/onnx`` or ``~/.cache/finrag/onnx``."""
    base = os.environ.get(CACHE_DIR_ENV)
    if base:
        return Path(base).expanduser() / "onnx"
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "finrag" / "onnx"


def ensure_onnx_model(
    files: ModelFiles, cache_dir: Path | None = None, layout: AttentionLayout = "portable"
) -> Path:
    """Return the cached graph for ``files``, building and writing it first if absent."""
    directory = cache_dir or default_cache_dir()
    sha = files.weights_sha256()
    path = directory / f"bert-{sha[:20]}-{layout}-g{GRAPH_VERSION}.onnx"
    if path.exists():
        return path
    model = build_onnx_model(load_weights(files), layout=layout, weights_sha256=sha)
    tmp_name: str | None = None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        # Write beside the target and rename, so a concurrent reader never sees half a file.
        handle, tmp_name = tempfile.mkstemp(dir=directory, suffix=".onnx.tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(model.SerializeToString())
        os.replace(tmp_name, path)
    except OSError as exc:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
        raise EmbeddingError(
            f"cannot write the ONNX cache {path}: {exc}; set {CACHE_DIR_ENV} to a writable folder"
        ) from exc
    return path


def build_onnx_model(
    weights: BertWeights, layout: AttentionLayout = "portable", weights_sha256: str = ""
) -> onnx.ModelProto:
    """Build the encoder + mean pooling + L2 normalisation graph from ``weights``."""
    import onnx
    from onnx import TensorProto, helper

    if layout not in ("fused", "portable"):
        raise EmbeddingError(f"unknown attention layout {layout!r}; use 'fused' or 'portable'")
    b = _GraphBuilder(weights, layout)
    b.build()
    graph = helper.make_graph(
        b.nodes,
        "finrag_bert_mean_pool",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"]),
        ],
        [helper.make_tensor_value_info("embeddings", TensorProto.FLOAT, ["batch", "hidden"])],
        initializer=b.initializers,
    )
    opsets = [helper.make_opsetid("", OPSET)]
    if layout == "fused":
        opsets.append(helper.make_opsetid("com.microsoft", 1))
    model = helper.make_model(graph, opset_imports=opsets, producer_name="finrag")
    model.ir_version = 9
    helper.set_model_props(
        model, {"weights_sha256": weights_sha256, "graph_version": str(GRAPH_VERSION)}
    )
    if layout == "portable":
        onnx.checker.check_model(model)
    return model


class _GraphBuilder:
    """Accumulates nodes and initializers; one method per block of the network."""

    def __init__(self, weights: BertWeights, layout: AttentionLayout) -> None:
        self.w = weights
        self.cfg = weights.config
        self.layout = layout
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self._count = 0

    def const(self, name: str, value: np.ndarray) -> str:
        from onnx import numpy_helper

        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(self, op_type: str, inputs: list[str], domain: str = "", **attrs: Any) -> str:
        from onnx import helper

        self._count += 1
        out = f"{op_type.lower()}_{self._count}"
        self.nodes.append(
            helper.make_node(op_type, inputs, [out], name=out, domain=domain or None, **attrs)
        )
        return out

    def build(self) -> None:
        x = self.embeddings()
        mask_f = self.op("Cast", ["attention_mask"], to=1)  # float
        attn_mask = self.attention_mask(mask_f)
        for i, layer in enumerate(self.w.layers):
            x = self.layer(i, layer, x, attn_mask)
        self.pool(x, mask_f)

    def embeddings(self) -> str:
        word = self.op("Gather", [self.const("word_emb", self.w.word_emb), "input_ids"])
        shape = self.op("Shape", ["input_ids"])
        tokens = self.op("Slice", [shape, self._i64("one", [1]), self._i64("two", [2])])
        pos = self.op(
            "Slice",
            [self.const("pos_type_emb", self.w.pos_type_emb), self._i64("zero", [0]), tokens],
        )
        summed = self.op("Add", [word, pos])
        return self.layer_norm(summed, "emb_ln", self.w.emb_ln_w, self.w.emb_ln_b)

    def attention_mask(self, mask_f: str) -> str:
        if self.layout == "fused":
            return self.op("Cast", ["attention_mask"], to=6)  # int32 raw mask for Attention
        # (1 - mask) * -1e4, shaped (B, 1, 1, T) to broadcast over heads and queries.
        inverted = self.op("Sub", [self._f32("one_f", 1.0), mask_f])
        bias = self.op("Mul", [inverted, self._f32("neg_big", -1e4)])
        return self.op("Unsqueeze", [bias, self._i64("axes_1_2", [1, 2])])

    def layer(self, i: int, lw: LayerWeights, x: str, attn_mask: str) -> str:
        p = f"l{i}_"
        if self.layout == "fused":
            context = self.op(
                "Attention",
                [
                    x,
                    self.const(p + "qkv_w", lw.qkv_w),
                    self.const(p + "qkv_b", lw.qkv_b),
                    attn_mask,
                ],
                domain="com.microsoft",
                num_heads=self.cfg.num_heads,
            )
        else:
            context = self.portable_attention(p, lw, x, attn_mask)
        x = self.residual_norm(context, x, p + "out", (lw.out_w, lw.out_b, lw.ln1_w, lw.ln1_b))
        inner = self.op("MatMul", [x, self.const(p + "ff1_w", lw.ff1_w)])
        if self.layout == "fused":
            inner = self.op("BiasGelu", [inner, self.const(p + "ff1_b", lw.ff1_b)], "com.microsoft")
        else:
            inner = self.op("Gelu", [self.op("Add", [inner, self.const(p + "ff1_b", lw.ff1_b)])])
        return self.residual_norm(inner, x, p + "ff2", (lw.ff2_w, lw.ff2_b, lw.ln2_w, lw.ln2_b))

    def residual_norm(
        self, h: str, residual: str, name: str, params: tuple[np.ndarray, ...]
    ) -> str:
        """LayerNorm(h @ W + b + residual): one SkipLayerNormalization node when fused."""
        weight, bias, gamma, beta = params
        if self.layout == "portable":
            dense = self.linear(h, name, weight, bias)
            return self.layer_norm(self.op("Add", [dense, residual]), name + "_ln", gamma, beta)
        product = self.op("MatMul", [h, self.const(name + "_w", weight)])
        ln_args = [self.const(name + f"_ln_{k}", v) for k, v in (("w", gamma), ("b", beta))]
        return self.op(
            "SkipLayerNormalization",
            [product, residual, *ln_args, self.const(name + "_b", bias)],
            "com.microsoft",
            epsilon=self.cfg.layer_norm_eps,
        )

    def portable_attention(self, p: str, lw: LayerWeights, x: str, key_bias: str) -> str:
        cfg = self.cfg
        hidden = cfg.hidden_size
        # Fold the 1/sqrt(head_dim) score scale into the query projection.
        scale = np.ones(3 * hidden, dtype=np.float32)
        scale[:hidden] = 1.0 / np.sqrt(cfg.head_dim)
        qkv = self.linear(x, p + "qkv", lw.qkv_w * scale, lw.qkv_b * scale)
        split = self._i64("qkv_split", [hidden] * 3)
        from onnx import helper

        names = [f"{p}{n}" for n in ("q", "k", "v")]
        self.nodes.append(helper.make_node("Split", [qkv, split], names, name=p + "split", axis=2))
        heads = self._i64("heads_shape", [0, 0, cfg.num_heads, cfg.head_dim])
        q, k, v = (self.op("Reshape", [n, heads]) for n in names)
        q = self.op("Transpose", [q], perm=[0, 2, 1, 3])
        k = self.op("Transpose", [k], perm=[0, 2, 3, 1])
        v = self.op("Transpose", [v], perm=[0, 2, 1, 3])
        scores = self.op("Add", [self.op("MatMul", [q, k]), key_bias])
        probs = self.op("Softmax", [scores], axis=-1)
        context = self.op("Transpose", [self.op("MatMul", [probs, v])], perm=[0, 2, 1, 3])
        return self.op("Reshape", [context, self._i64("hidden_shape", [0, 0, hidden])])

    def pool(self, x: str, mask_f: str) -> None:
        from onnx import helper

        mask3 = self.op("Unsqueeze", [mask_f, self._i64("axes_2", [2])])
        axes_1 = self._i64("axes_1", [1])
        summed = self.op("ReduceSum", [self.op("Mul", [x, mask3]), axes_1], keepdims=0)
        count = self.op("ReduceSum", [mask3, axes_1], keepdims=0)
        count = self.op("Max", [count, self._f32("min_count", 1e-9)])
        mean = self.op("Div", [summed, count])
        sq = self.op("ReduceSum", [self.op("Mul", [mean, mean]), self._i64("axes_m1", [-1])])
        norm = self.op("Max", [self.op("Sqrt", [sq]), self._f32("min_norm", 1e-12)])
        self.nodes.append(helper.make_node("Div", [mean, norm], ["embeddings"], name="l2"))

    def linear(self, x: str, name: str, weight: np.ndarray, bias: np.ndarray) -> str:
        product = self.op("MatMul", [x, self.const(name + "_w", weight)])
        return self.op("Add", [product, self.const(name + "_b", bias)])

    def layer_norm(self, x: str, name: str, weight: np.ndarray, bias: np.ndarray) -> str:
        return self.op(
            "LayerNormalization",
            [x, self.const(name + "_w", weight), self.const(name + "_b", bias)],
            axis=-1,
            epsilon=self.cfg.layer_norm_eps,
        )

    def _i64(self, name: str, values: list[int]) -> str:
        if not any(t.name == name for t in self.initializers):
            self.const(name, np.array(values, dtype=np.int64))
        return name

    def _f32(self, name: str, value: float) -> str:
        if not any(t.name == name for t in self.initializers):
            self.const(name, np.array(value, dtype=np.float32))
        return name
