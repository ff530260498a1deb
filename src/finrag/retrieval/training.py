"""Training the evidence reranker on FinQA train and TAT-QA records.

Only training material is used: FinQA ``train`` records (``gold_inds``) and TAT-QA contexts
(``rel_paragraphs`` and the rows holding the derivation's numbers, see
:mod:`finrag.retrieval.labels`). The FinQA ``dev`` file is the held-out test and must not be
passed here; :func:`build_training_set` refuses a file whose name contains ``dev`` unless it is
a TAT-QA file (TAT-QA's only public split here is its dev file, used as training material).

Every record is ingested through the real path (loader -> chunker -> embedder -> SQLite store),
and the candidates of each question come from the same :class:`HybridRetriever` used at query
time, so the features the model learns from are the features it will see. Model selection
(logistic regression against boosted trees) is by recall@3 in grouped cross-validation on the
training set itself.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from finrag.documents.datasets import finqa_document, tatqa_document
from finrag.embeddings.base import Embedder
from finrag.errors import EvaluationError
from finrag.retrieval.features import FEATURE_NAMES, feature_matrix
from finrag.retrieval.hybrid import HybridRetriever
from finrag.retrieval.indexing import default_chunker, index_document
from finrag.retrieval.labels import finqa_gold, tatqa_positives
from finrag.retrieval.rerank import Reranker, TreeEnsemble
from finrag.store.base import Store

__all__ = [
    "TrainingSet",
    "build_training_set",
    "file_digest",
    "fit_gbdt",
    "fit_logistic",
    "grouped_recall",
    "train_reranker",
]

TENANT = "reranker-training"
Progress = Callable[[str, int, int], None]


def file_digest(path: str | Path) -> str:
    """sha256 of a file's bytes (hex)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@dataclass
class TrainingSet:
    """Feature rows, labels and the question (group) each row belongs to."""

    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.int64]
    groups: npt.NDArray[np.int64]
    doc_groups: npt.NDArray[np.int64]
    files: dict[str, str] = field(default_factory=dict)
    questions: int = 0


def _questions(
    finqa: Sequence[Path], tatqa: Sequence[Path]
) -> list[tuple[Any, str, Callable[[Any], set[str]], Any]]:
    """(document, question, positives-of-chunks, None) for every usable training question."""
    items: list[tuple[Any, str, Callable[[Any], set[str]], Any]] = []
    for path in finqa:
        for record in json.loads(path.read_text(encoding="utf-8")):
            doc = finqa_document(record, path.name)

            def gold(chunks: Any, record: Any = record) -> set[str]:
                return set().union(*finqa_gold(record, chunks))

            items.append((doc, str(record["qa"]["question"]), gold, None))
    for path in tatqa:
        for context in json.loads(path.read_text(encoding="utf-8")):
            doc = tatqa_document(context, path.name)
            for question in context.get("questions", []):

                def positives(chunks: Any, q: Any = question, c: Any = context) -> set[str]:
                    return tatqa_positives(q, c, chunks)

                items.append((doc, str(question["question"]), positives, None))
    return items


def _check_files(finqa: Sequence[Path], tatqa: Sequence[Path]) -> dict[str, str]:
    for path in finqa:
        if "dev" in path.name.lower() or "test" in path.name.lower():
            raise EvaluationError(
                f"{path} looks like a FinQA dev/test file; the reranker trains only on FinQA "
                "train records so the dev figures stay a held-out test"
            )
    return {p.name: file_digest(p) for p in [*finqa, *tatqa]}


def build_training_set(
    store: Store,
    embedder: Embedder,
    *,
    finqa: Sequence[str | Path] = (),
    tatqa: Sequence[str | Path] = (),
    progress: Progress | None = None,
) -> TrainingSet:
    """Ingest the training records into ``store`` and featurise every question's candidates."""
    finqa_paths, tatqa_paths = [Path(p) for p in finqa], [Path(p) for p in tatqa]
    files = _check_files(finqa_paths, tatqa_paths)
    items = _questions(finqa_paths, tatqa_paths)
    chunker = default_chunker()
    chunks_of: dict[str, list[Any]] = {}
    for n, (doc, _, _, _) in enumerate(items, start=1):
        if doc.id not in chunks_of:
            chunks_of[doc.id] = chunker(doc)
            index_document(store, TENANT, doc, chunks_of[doc.id], embedder)
        if progress:
            progress("ingest", n, len(items))
    retriever = HybridRetriever(store, embedder, None)
    doc_codes = {doc_id: i for i, doc_id in enumerate(chunks_of)}
    xs: list[npt.NDArray[np.float64]] = []
    ys: list[npt.NDArray[np.int64]] = []
    groups: list[npt.NDArray[np.int64]] = []
    docs: list[npt.NDArray[np.int64]] = []
    for n, (doc, question, positives_of, _) in enumerate(items, start=1):
        positives = positives_of(chunks_of[doc.id])
        pool = retriever.candidates_for(TENANT, question, doc_ids=[doc.id])
        pool = retriever.with_cosines(question, pool)
        if positives and pool:
            xs.append(feature_matrix(question, pool))
            ys.append(np.asarray([int(c.chunk.id in positives) for c in pool]))
            groups.append(np.full(len(pool), len(groups)))
            docs.append(np.full(len(pool), doc_codes[doc.id]))
        if progress:
            progress("featurise", n, len(items))
    if not xs:
        raise EvaluationError("no training question had both candidates and positives")
    return TrainingSet(
        x=np.concatenate(xs),
        y=np.concatenate(ys),
        groups=np.concatenate(groups),
        doc_groups=np.concatenate(docs),
        files=files,
        questions=len(xs),
    )


def grouped_recall(
    scores: npt.NDArray[np.float64],
    y: npt.NDArray[np.int64],
    groups: npt.NDArray[np.int64],
    k: int = 3,
) -> float:
    """Mean over groups of (positives among the top ``k`` by score) / positives."""
    recalls = []
    for g in np.unique(groups):
        mask = groups == g
        positives = int(y[mask].sum())
        if positives == 0:
            continue
        top = np.argsort(-scores[mask], kind="stable")[:k]
        recalls.append(float(y[mask][top].sum()) / positives)
    return float(np.mean(recalls)) if recalls else 0.0


def fit_logistic(x: npt.NDArray[np.float64], y: npt.NDArray[np.int64], c: float = 1.0) -> Reranker:
    """Standardised logistic regression as a :class:`Reranker`."""
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    model = LogisticRegression(C=c, max_iter=2000)
    model.fit((x - mean) / scale, y)
    return Reranker(
        kind="logistic",
        version="",
        features=FEATURE_NAMES,
        mean=mean,
        scale=scale,
        coef=model.coef_[0].astype(np.float64),
        intercept=float(model.intercept_[0]),
    )


def fit_gbdt(
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.int64],
    *,
    trees: int = 150,
    depth: int = 3,
    learning_rate: float = 0.1,
    seed: int = 0,
) -> Reranker:
    """Gradient-boosted trees (scikit-learn) exported to a :class:`TreeEnsemble`."""
    from sklearn.ensemble import GradientBoostingClassifier

    model = GradientBoostingClassifier(
        n_estimators=trees,
        max_depth=depth,
        learning_rate=learning_rate,
        subsample=0.8,
        random_state=seed,
    )
    model.fit(x, y)
    ensemble = _export_trees(model, depth, learning_rate)
    init = float(model.decision_function(x[:1])[0] - (ensemble.raw(x[:1])[0] - ensemble.init))
    ensemble = TreeEnsemble(
        depth, ensemble.feature, ensemble.threshold, ensemble.leaves, init, learning_rate
    )
    return Reranker(kind="gbdt", version="", features=FEATURE_NAMES, trees=ensemble)


def _export_trees(model: Any, depth: int, learning_rate: float) -> TreeEnsemble:
    """Pad each fitted tree to a complete binary tree of ``depth`` (leaves repeated)."""
    n_internal, n_leaves = 2**depth - 1, 2**depth
    estimators = [est[0].tree_ for est in model.estimators_]
    feature = np.zeros((len(estimators), n_internal), dtype=np.int64)
    threshold = np.full((len(estimators), n_internal), np.inf)
    leaves = np.zeros((len(estimators), n_leaves))
    for t, tree in enumerate(estimators):
        _fill(tree, 0, 0, 0, depth, feature[t], threshold[t], leaves[t])
    return TreeEnsemble(depth, feature, threshold, leaves, 0.0, learning_rate)


def _fill(
    tree: Any,
    node: int,
    slot: int,
    level: int,
    depth: int,
    feature: npt.NDArray[np.int64],
    threshold: npt.NDArray[np.float64],
    leaves: npt.NDArray[np.float64],
) -> None:
    """Copy sklearn node ``node`` into breadth-first ``slot``; a short leaf fills its subtree."""
    is_leaf = tree.children_left[node] == -1
    if level == depth:
        leaves[slot - (2**depth - 1)] = float(tree.value[node].ravel()[0])
        return
    if is_leaf:
        feature[slot], threshold[slot] = 0, np.inf  # always go left; both sides hold the leaf
        left, right = node, node
    else:
        feature[slot], threshold[slot] = int(tree.feature[node]), float(tree.threshold[node])
        left, right = int(tree.children_left[node]), int(tree.children_right[node])
    _fill(tree, left, 2 * slot + 1, level + 1, depth, feature, threshold, leaves)
    _fill(tree, right, 2 * slot + 2, level + 1, depth, feature, threshold, leaves)


def _cross_validate(data: TrainingSet, fit: Callable[..., Reranker], folds: int = 5) -> float:
    from sklearn.model_selection import GroupKFold

    scores = np.zeros(len(data.y))
    for train, test in GroupKFold(n_splits=folds).split(data.x, data.y, data.doc_groups):
        model = fit(data.x[train], data.y[train])
        scores[test] = model.raw_scores(data.x[test])
    return grouped_recall(scores, data.y, data.groups)


def train_reranker(data: TrainingSet, *, version: str, model: str = "auto") -> Reranker:
    """Fit the chosen model kind (``auto``: the better one in grouped CV) on all the data."""
    fits: dict[str, Callable[..., Reranker]] = {"logistic": fit_logistic, "gbdt": fit_gbdt}
    if model != "auto" and model not in fits:
        raise EvaluationError(f"unknown reranker model {model!r}; use auto, logistic or gbdt")
    started = time.perf_counter()
    cv = {name: _cross_validate(data, fit) for name, fit in fits.items()}
    cv["rrf_baseline"] = grouped_recall(data.x[:, FEATURE_NAMES.index("rrf")], data.y, data.groups)
    chosen = max(fits, key=lambda name: cv[name]) if model == "auto" else model
    reranker = fits[chosen](data.x, data.y)
    reranker.version = version
    reranker.metadata = {
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "training": {
            "files_sha256": data.files,
            "questions": data.questions,
            "examples": len(data.y),
            "positives": int(data.y.sum()),
            "seconds": round(time.perf_counter() - started, 1),
        },
        "metrics": {"cv_recall_at_3": {k: round(v, 4) for k, v in cv.items()}},
    }
    return reranker
