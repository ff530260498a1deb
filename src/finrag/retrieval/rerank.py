"""The learned evidence reranker: a small model over :mod:`finrag.retrieval.features`.

The model is a JSON artifact (no pickles, so it loads with any scikit-learn version, or
without scikit-learn at all): either a logistic regression (standardisation + coefficients) or
a gradient-boosted tree ensemble (pointwise scikit-learn boosting or LightGBM LambdaMART)
stored as complete binary trees of fixed depth, evaluated with a few vectorised numpy steps. The artifact records its format version, the feature names
in order, and the sha256 of every training file, so a report can say which model produced it.

The default artifact ships in ``finrag/retrieval/artifacts/`` and is rebuilt with
``finrag train reranker`` (see :mod:`finrag.retrieval.training`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from finrag.errors import ConfigError
from finrag.retrieval.features import FEATURE_NAMES, Candidate, feature_matrix

__all__ = [
    "ARTIFACT_FORMAT",
    "DEFAULT_ARTIFACT",
    "Reranker",
    "TreeEnsemble",
    "default_artifact_path",
]

ARTIFACT_FORMAT = "finrag-reranker/1"
DEFAULT_ARTIFACT = "reranker.json"

F64 = npt.NDArray[np.float64]


def default_artifact_path() -> Path:
    """Path of the committed artifact inside the installed package."""
    return Path(str(resources.files("finrag.retrieval") / "artifacts" / DEFAULT_ARTIFACT))


@dataclass(frozen=True)
class TreeEnsemble:
    """Boosted regression trees padded to complete binary trees of depth ``depth``.

    ``feature`` and ``threshold`` are ``(trees, 2**depth - 1)`` internal nodes in breadth-first
    order (a sample goes right when ``x[feature] > threshold``, as in scikit-learn);
    ``leaves`` is ``(trees, 2**depth)``. The raw score is ``init + learning_rate * sum``.
    """

    depth: int
    feature: npt.NDArray[np.int64]
    threshold: F64
    leaves: F64
    init: float
    learning_rate: float

    def raw(self, x: F64) -> F64:
        """Raw (log-odds) scores of the rows of ``x``."""
        n_trees = self.feature.shape[0]
        node = np.zeros((x.shape[0], n_trees), dtype=np.int64)
        trees = np.arange(n_trees)[None, :]
        rows = np.arange(x.shape[0])[:, None]
        for _ in range(self.depth):
            feat = self.feature[trees, node]
            right = x[rows, feat] > self.threshold[trees, node]
            node = 2 * node + 1 + right
        leaf = node - (2**self.depth - 1)
        raw: F64 = self.init + self.learning_rate * self.leaves[trees, leaf].sum(axis=1)
        return raw


@dataclass
class Reranker:
    """Scores candidates with a loaded model; higher is more likely evidence."""

    kind: str
    version: str
    features: tuple[str, ...]
    mean: F64 | None = None
    scale: F64 | None = None
    coef: F64 | None = None
    intercept: float = 0.0
    trees: TreeEnsemble | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path | None = None) -> Reranker:
        """Load an artifact (default: the committed one); ConfigError if absent or malformed."""
        target = Path(path) if path is not None else default_artifact_path()
        try:
            data = json.loads(target.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"cannot read reranker artifact {target}: {exc}; rebuild it with "
                "`finrag train reranker`"
            ) from exc
        return cls.from_dict(data, source=str(target))

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str = "<dict>") -> Reranker:
        """Build from the artifact's JSON object (see :meth:`to_dict`)."""
        if data.get("format") != ARTIFACT_FORMAT:
            raise ConfigError(f"{source} is not a {ARTIFACT_FORMAT} artifact")
        features = tuple(data["features"])
        if features != FEATURE_NAMES:
            raise ConfigError(
                f"reranker {source} was trained on features {list(features)}, but this version "
                f"computes {list(FEATURE_NAMES)}; rebuild it with `finrag train reranker`"
            )
        kind = data["model"]
        common = {"kind": kind, "version": data["version"], "features": features}
        meta: dict[str, Any] = {k: data[k] for k in ("training", "metrics", "created") if k in data}
        if kind == "logistic":
            return cls(
                **common,
                mean=np.asarray(data["mean"], dtype=np.float64),
                scale=np.asarray(data["scale"], dtype=np.float64),
                coef=np.asarray(data["coef"], dtype=np.float64),
                intercept=float(data["intercept"]),
                metadata=meta,
            )
        if kind == "gbdt":
            t = data["trees"]
            trees = TreeEnsemble(
                depth=int(t["depth"]),
                feature=np.asarray(t["feature"], dtype=np.int64),
                threshold=np.asarray(t["threshold"], dtype=np.float64),
                leaves=np.asarray(t["leaves"], dtype=np.float64),
                init=float(t["init"]),
                learning_rate=float(t["learning_rate"]),
            )
            return cls(**common, trees=trees, metadata=meta)
        raise ConfigError(f"unknown reranker model kind {kind!r} in {source}")

    def to_dict(self) -> dict[str, Any]:
        """The artifact's JSON object."""
        out: dict[str, Any] = {
            "format": ARTIFACT_FORMAT,
            "version": self.version,
            "model": self.kind,
            "features": list(self.features),
            **self.metadata,
        }
        if self.kind == "logistic":
            assert self.mean is not None and self.scale is not None and self.coef is not None
            out |= {
                "mean": _rounded(self.mean),
                "scale": _rounded(self.scale),
                "coef": _rounded(self.coef),
                "intercept": round(self.intercept, 8),
            }
        else:
            assert self.trees is not None
            t = self.trees
            out["trees"] = {
                "depth": t.depth,
                "init": t.init,
                "learning_rate": t.learning_rate,
                "feature": t.feature.tolist(),
                # Thresholds keep full precision: a rounded one could send a value that sits
                # just above it to the wrong side. Leaves tolerate rounding.
                "threshold": [row.tolist() for row in t.threshold],
                "leaves": [_rounded(row) for row in t.leaves],
            }
        return out

    def save(self, path: str | Path) -> None:
        """Write the artifact as compact, diff-friendly JSON."""
        Path(path).write_text(json.dumps(self.to_dict(), indent=1) + "\n", encoding="utf-8")

    def raw_scores(self, x: F64) -> F64:
        """Log-odds for a feature matrix with columns in :data:`FEATURE_NAMES` order."""
        if self.trees is not None:
            return self.trees.raw(x)
        assert self.mean is not None and self.scale is not None and self.coef is not None
        return ((x - self.mean) / self.scale) @ self.coef + self.intercept

    def score(self, question: str, candidates: Sequence[Candidate]) -> F64:
        """Probability-like scores (sigmoid of the log-odds), one per candidate."""
        if not candidates:
            return np.zeros(0)
        raw = self.raw_scores(feature_matrix(question, candidates))
        return 1.0 / (1.0 + np.exp(-np.clip(raw, -50.0, 50.0)))


def _rounded(values: F64) -> list[float]:
    return [float(f"{v:.7g}") for v in np.asarray(values, dtype=np.float64).tolist()]
