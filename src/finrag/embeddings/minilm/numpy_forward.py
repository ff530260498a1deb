"""The BERT encoder with mean pooling in plain numpy: reference and fallback.

It is the readable statement of what the ONNX graph computes (tests cross-check the two), and
it runs where onnxruntime is missing, several times slower.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from finrag.embeddings.base import Vectors, l2_normalize
from finrag.embeddings.minilm.files import BertWeights

__all__ = ["erf", "forward_numpy", "gelu"]

F32 = npt.NDArray[np.float32]


def erf(x: F32) -> F32:
    """Error function, Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7)."""
    sign = np.sign(x)
    a = np.abs(x).astype(np.float64)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    result: F32 = (sign * (1.0 - poly * np.exp(-a * a))).astype(np.float32)
    return result


def gelu(x: F32) -> F32:
    """Exact (erf) GELU, as BERT uses."""
    result: F32 = (0.5 * x * (1.0 + erf(x / np.float32(np.sqrt(2.0))))).astype(np.float32)
    return result


def _layer_norm(x: F32, weight: F32, bias: F32, eps: float) -> F32:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    result: F32 = ((x - mean) / np.sqrt(var + eps) * weight + bias).astype(np.float32)
    return result


def _softmax(x: F32) -> F32:
    shifted = np.exp(x - x.max(-1, keepdims=True))
    result: F32 = (shifted / shifted.sum(-1, keepdims=True)).astype(np.float32)
    return result


def forward_numpy(
    weights: BertWeights, input_ids: npt.NDArray[np.int64], attention_mask: npt.NDArray[np.int64]
) -> Vectors:
    """Embed one padded batch: ids and mask of shape (B, T) -> unit vectors of shape (B, H)."""
    cfg = weights.config
    batch, length = input_ids.shape
    hidden, heads, head_dim = cfg.hidden_size, cfg.num_heads, cfg.head_dim
    eps = cfg.layer_norm_eps
    x = weights.word_emb[input_ids] + weights.pos_type_emb[:length]
    x = _layer_norm(x, weights.emb_ln_w, weights.emb_ln_b, eps)
    mask = attention_mask.astype(np.float32)
    # Padding keys get a large negative score, so softmax gives them zero weight.
    key_bias = ((1.0 - mask) * np.float32(-1e4))[:, None, None, :]
    scale = np.float32(1.0 / np.sqrt(head_dim))
    for layer in weights.layers:
        qkv = (x @ layer.qkv_w + layer.qkv_b).reshape(batch, length, 3, heads, head_dim)
        q, k, v = (qkv[:, :, i].transpose(0, 2, 1, 3) for i in range(3))
        probs = _softmax((q @ k.transpose(0, 1, 3, 2)) * scale + key_bias)
        context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
        x = _layer_norm(context @ layer.out_w + layer.out_b + x, layer.ln1_w, layer.ln1_b, eps)
        inner = gelu(x @ layer.ff1_w + layer.ff1_b)
        x = _layer_norm(inner @ layer.ff2_w + layer.ff2_b + x, layer.ln2_w, layer.ln2_b, eps)
    summed = (x * mask[:, :, None]).sum(1)
    pooled = summed / np.maximum(mask.sum(1, keepdims=True), 1e-9)
    return l2_normalize(pooled)
