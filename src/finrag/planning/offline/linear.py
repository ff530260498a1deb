"""Small, dependency-light models: a TF-IDF text vectoriser and linear classifiers.

Training uses scikit-learn; what is saved is plain arrays (vocabulary, idf, coefficients) in one
``.npz`` file, so loading needs only numpy and does not depend on the scikit-learn version or on
pickle. Inference is a sparse dot product: microseconds per question.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from numpy.typing import NDArray

__all__ = ["LinearModel", "TextVectorizer", "sparse_matrix"]

_TOKEN = re.compile(r"[a-z]+|\d+")
_YEARISH = re.compile(r"^(19|20)\d\d$")

FloatArray = NDArray[np.float64]


def _grams(text: str) -> list[str]:
    """Word 1-2 grams (years and numbers folded to one token each) and 5-letter word prefixes."""
    toks = [
        "<year>" if _YEARISH.match(t) else ("<num>" if t.isdigit() else t)
        for t in _TOKEN.findall(text.lower())
    ]
    out = [f"w:{t}" for t in toks]
    out += [f"b:{a}_{b}" for a, b in pairwise(toks)]
    for t in toks:
        if len(t) > 5 and not t.startswith("<"):
            out.append(f"p:{t[:5]}")
    return out


@dataclass
class TextVectorizer:
    """Sublinear TF-IDF over word n-grams and word prefixes, L2-normalised rows."""

    vocab: dict[str, int]
    idf: FloatArray

    @classmethod
    def fit(cls, texts: Sequence[str], min_df: int = 2) -> TextVectorizer:
        df: Counter[str] = Counter()
        for text in texts:
            df.update(set(_grams(text)))
        terms = sorted(t for t, c in df.items() if c >= min_df)
        n = len(texts)
        idf = np.array([math.log((1 + n) / (1 + df[t])) + 1.0 for t in terms])
        return cls({t: i for i, t in enumerate(terms)}, idf)

    def row(self, text: str) -> dict[int, float]:
        """One text as ``{column: weight}``."""
        counts = Counter(g for g in _grams(text) if g in self.vocab)
        weights = {
            self.vocab[g]: (1.0 + math.log(c)) * self.idf[self.vocab[g]] for g, c in counts.items()
        }
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {k: w / norm for k, w in weights.items()}

    @property
    def size(self) -> int:
        return len(self.vocab)

    def terms(self) -> NDArray[np.str_]:
        ordered = sorted(self.vocab, key=self.vocab.__getitem__)
        return np.array(ordered, dtype=np.str_)


def sparse_matrix(rows: Iterable[dict[int, float]], n_cols: int) -> object:
    """Rows of ``{column: value}`` as a scipy CSR matrix (training only)."""
    from scipy.sparse import csr_matrix

    data: list[float] = []
    indices: list[int] = []
    indptr = [0]
    for r in rows:
        for k in sorted(r):
            indices.append(k)
            data.append(r[k])
        indptr.append(len(indices))
    return csr_matrix((data, indices, indptr), shape=(len(indptr) - 1, n_cols))


@dataclass
class LinearModel:
    """A fitted linear classifier: ``coef`` is (classes, features), or (1, features) binary."""

    classes: tuple[str, ...]
    coef: FloatArray
    intercept: FloatArray

    @classmethod
    def from_sklearn(cls, model: object, classes: Sequence[str]) -> LinearModel:
        coef = np.asarray(model.coef_, dtype=np.float64)  # type: ignore[attr-defined]
        intercept = np.asarray(model.intercept_, dtype=np.float64)  # type: ignore[attr-defined]
        return cls(tuple(classes), coef, intercept)

    def scores_sparse(self, row: dict[int, float]) -> FloatArray:
        """Decision values of one sparse row."""
        if not row:
            return self.intercept.copy()
        idx = np.fromiter(row.keys(), dtype=np.int64)
        val = np.fromiter(row.values(), dtype=np.float64)
        return self.coef[:, idx] @ val + self.intercept

    def proba_sparse(self, row: dict[int, float]) -> FloatArray:
        """Class probabilities (softmax for several classes, sigmoid for binary)."""
        return _proba(self.scores_sparse(row))

    def proba_dense(self, x: FloatArray) -> FloatArray:
        """Probabilities of the positive class for each row of a dense (n, features) matrix."""
        z = x @ self.coef.T + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(z[:, 0], -30, 30)))


def _proba(z: FloatArray) -> FloatArray:
    if z.shape[0] == 1:
        p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, float(z[0])))))
        return np.array([1.0 - p, p])
    e = np.exp(z - z.max())
    return np.asarray(e / e.sum(), dtype=np.float64)
