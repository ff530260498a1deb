"""Training the evidence reranker on FinQA train and TAT-QA records.

Only training material is used: FinQA ``train`` records (``gold_inds``) and TAT-QA contexts
(``rel_paragraphs`` and the rows holding the derivation's numbers, see
:mod:`finrag.retrieval.labels`). The FinQA ``dev`` file is the held-out test and must not be
passed here; :func:`build_training_set` refuses a file whose name contains ``dev`` unless it is
a TAT-QA file (TAT-QA's only public split here is its dev file, used as training material).

Every record is ingested through the real path (loader -> chunker -> embedder -> SQLite store),
and the candidates of each question come from the same :class:`HybridRetriever` used at query
time, so the features the model learns from are the features it will see.

The default model is LambdaMART (LightGBM ``lambdarank``, 200 trees of depth 3) exported to the
same complete-binary-tree JSON as the scikit-learn ensemble, so LightGBM is needed to train but
not to serve. The two sources are weighted to count equally (TAT-QA has ~17 times more
questions than the FinQA train sample, and FinQA is the target distribution). Model selection
(logistic regression, pointwise boosted trees, LambdaMART) is by the mean over the two sources of
recall@3 in 5-fold cross-validation grouped by document.
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
    "fit_lambdarank",
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
    finqa: npt.NDArray[np.bool_] | None = None
    doc_ids: list[str] = field(default_factory=list)  # document id of each doc_groups code

    def weights(self) -> npt.NDArray[np.float64]:
        """Per-row weights that make FinQA and TAT-QA questions weigh the same in total."""
        if self.finqa is None or not self.finqa.any() or self.finqa.all():
            return np.ones(len(self.y))
        n_finqa = len(np.unique(self.groups[self.finqa]))
        n_other = len(np.unique(self.groups[~self.finqa]))
        return np.where(self.finqa, n_other / n_finqa, 1.0)


def _questions(
    finqa: Sequence[Path], tatqa: Sequence[Path]
) -> list[tuple[Any, str, Callable[[Any], set[str]], Any]]:
    """(document, question, positives-of-chunks, is-FinQA) for every training question."""
    items: list[tuple[Any, str, Callable[[Any], set[str]], Any]] = []
    for path in finqa:
        for record in json.loads(path.read_text(encoding="utf-8")):
            doc = finqa_document(record, path.name)

            def gold(chunks: Any, record: Any = record) -> set[str]:
                return set().union(*finqa_gold(record, chunks))

            items.append((doc, str(record["qa"]["question"]), gold, True))
    for path in tatqa:
        for context in json.loads(path.read_text(encoding="utf-8")):
            doc = tatqa_document(context, path.name)
            for question in context.get("questions", []):

                def positives(chunks: Any, q: Any = question, c: Any = context) -> set[str]:
                    return tatqa_positives(q, c, chunks)

                items.append((doc, str(question["question"]), positives, False))
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
    sources: list[npt.NDArray[np.bool_]] = []
    for n, (doc, question, positives_of, is_finqa) in enumerate(items, start=1):
        positives = positives_of(chunks_of[doc.id])
        pool = retriever.candidates_for(TENANT, question, doc_ids=[doc.id])
        pool = retriever.with_cosines(question, pool)
        if positives and pool:
            xs.append(feature_matrix(question, pool))
            ys.append(np.asarray([int(c.chunk.id in positives) for c in pool]))
            groups.append(np.full(len(pool), len(groups)))
            docs.append(np.full(len(pool), doc_codes[doc.id]))
            sources.append(np.full(len(pool), bool(is_finqa)))
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
        finqa=np.concatenate(sources),
        doc_ids=list(doc_codes),
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


def fit_logistic(
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.int64],
    groups: npt.NDArray[np.int64] | None = None,
    weights: npt.NDArray[np.float64] | None = None,
    *,
    c: float = 1.0,
) -> Reranker:
    """Standardised logistic regression as a :class:`Reranker` (``groups`` unused)."""
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    model = LogisticRegression(C=c, max_iter=2000)
    model.fit((x - mean) / scale, y, sample_weight=weights)
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
    groups: npt.NDArray[np.int64] | None = None,
    weights: npt.NDArray[np.float64] | None = None,
    *,
    trees: int = 150,
    depth: int = 3,
    learning_rate: float = 0.1,
    seed: int = 0,
) -> Reranker:
    """Pointwise gradient-boosted trees (scikit-learn) as a :class:`TreeEnsemble`."""
    from sklearn.ensemble import GradientBoostingClassifier

    model = GradientBoostingClassifier(
        n_estimators=trees,
        max_depth=depth,
        learning_rate=learning_rate,
        subsample=0.8,
        random_state=seed,
    )
    model.fit(x, y, sample_weight=weights)
    ensemble = _export_trees(model, depth, learning_rate)
    init = float(model.decision_function(x[:1])[0] - (ensemble.raw(x[:1])[0] - ensemble.init))
    ensemble = TreeEnsemble(
        depth, ensemble.feature, ensemble.threshold, ensemble.leaves, init, learning_rate
    )
    return Reranker(kind="gbdt", version="", features=FEATURE_NAMES, trees=ensemble)


def fit_lambdarank(
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.int64],
    groups: npt.NDArray[np.int64],
    weights: npt.NDArray[np.float64] | None = None,
    *,
    trees: int = 200,
    depth: int = 3,
    learning_rate: float = 0.05,
    seed: int = 0,
) -> Reranker:
    """LambdaMART (LightGBM ``lambdarank``) over each question's list, as a TreeEnsemble.

    ``groups`` must keep each question's rows contiguous (as :func:`build_training_set` does).
    LightGBM's leaf values already include the learning rate, so the ensemble's rate is 1.
    """
    import lightgbm as lgb

    _, first, counts = np.unique(groups, return_index=True, return_counts=True)
    model = lgb.LGBMRanker(
        objective="lambdarank",
        lambdarank_truncation_level=10,
        label_gain=[0, 1],
        n_estimators=trees,
        num_leaves=2**depth,
        max_depth=depth,
        learning_rate=learning_rate,
        min_child_samples=20,
        subsample=0.8,
        subsample_freq=1,
        colsample_bytree=0.8,
        random_state=seed,
        n_jobs=1,
        verbose=-1,
    )
    model.fit(x, y, group=counts[np.argsort(first)], sample_weight=weights)
    dump = model.booster_.dump_model()["tree_info"]
    n_internal, n_leaves = 2**depth - 1, 2**depth
    feature = np.zeros((len(dump), n_internal), dtype=np.int64)
    threshold = np.full((len(dump), n_internal), np.inf)
    leaves = np.zeros((len(dump), n_leaves))
    for t, tree in enumerate(dump):
        _fill_lgb(tree["tree_structure"], 0, 0, depth, feature[t], threshold[t], leaves[t])
    ensemble = TreeEnsemble(depth, feature, threshold, leaves, 0.0, 1.0)
    # The export must reproduce LightGBM exactly, or the artifact is not the model we measured.
    drift = float(np.abs(ensemble.raw(x) - model.predict(x)).max())
    if drift > 1e-6:
        raise EvaluationError(f"LightGBM tree export differs from the model by {drift:.3g}")
    return Reranker(kind="gbdt", version="", features=FEATURE_NAMES, trees=ensemble)


def _fill_lgb(
    node: dict[str, Any],
    slot: int,
    level: int,
    depth: int,
    feature: npt.NDArray[np.int64],
    threshold: npt.NDArray[np.float64],
    leaves: npt.NDArray[np.float64],
) -> None:
    """Copy a LightGBM node (``x <= threshold`` goes left) into breadth-first ``slot``."""
    if level == depth:
        leaves[slot - (2**depth - 1)] = float(node["leaf_value"])
        return
    if "leaf_value" in node:
        feature[slot], threshold[slot] = 0, np.inf
        left = right = node
    else:
        if node.get("decision_type", "<=") != "<=":
            raise EvaluationError(f"unsupported LightGBM split {node['decision_type']!r}")
        feature[slot], threshold[slot] = int(node["split_feature"]), float(node["threshold"])
        left, right = node["left_child"], node["right_child"]
    _fill_lgb(left, 2 * slot + 1, level + 1, depth, feature, threshold, leaves)
    _fill_lgb(right, 2 * slot + 2, level + 1, depth, feature, threshold, leaves)


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


def _by_source(data: TrainingSet, scores: npt.NDArray[np.float64], k: int) -> dict[str, float]:
    """Recall@k overall, on the FinQA questions and on the TAT-QA questions."""
    out = {"all": grouped_recall(scores, data.y, data.groups, k)}
    if data.finqa is not None:
        for name, mask in (("finqa", data.finqa), ("tatqa", ~data.finqa)):
            if mask.any():
                out[name] = grouped_recall(scores[mask], data.y[mask], data.groups[mask], k)
    return out


def _cross_validate(
    data: TrainingSet, fit: Callable[..., Reranker], folds: int = 5
) -> dict[str, float]:
    """Recall@1/3/5 by source of out-of-fold scores, folds grouped by document."""
    from sklearn.model_selection import GroupKFold

    scores = np.zeros(len(data.y))
    weights = data.weights()
    for train, test in GroupKFold(n_splits=folds).split(data.x, data.y, data.doc_groups):
        model = fit(data.x[train], data.y[train], data.groups[train], weights[train])
        scores[test] = model.raw_scores(data.x[test])
    return _metrics(data, scores)


def _metrics(data: TrainingSet, scores: npt.NDArray[np.float64]) -> dict[str, float]:
    out: dict[str, float] = {}
    for k in (1, 3, 5):
        for name, value in _by_source(data, scores, k).items():
            out[f"{name}_recall_at_{k}"] = round(value, 4)
    return out


def _selection_score(metrics: dict[str, float]) -> float:
    """Mean over sources of recall@3 (overall recall@3 for a single-source set)."""
    per_source = [
        metrics[f"{s}_recall_at_3"] for s in ("finqa", "tatqa") if f"{s}_recall_at_3" in metrics
    ]
    return float(np.mean(per_source)) if per_source else metrics["all_recall_at_3"]


FITS: dict[str, Callable[..., Reranker]] = {
    "logistic": fit_logistic,
    "gbdt": fit_gbdt,
    "lambdarank": fit_lambdarank,
}


def train_reranker(data: TrainingSet, *, version: str, model: str = "auto") -> Reranker:
    """Fit the chosen model kind (``auto``: the best in grouped CV) on all the data."""
    if model != "auto" and model not in FITS:
        raise EvaluationError(
            f"unknown reranker model {model!r}; use auto or one of {', '.join(FITS)}"
        )
    started = time.perf_counter()
    names = list(FITS) if model == "auto" else [model]
    cv = {name: _cross_validate(data, FITS[name]) for name in names}
    cv["rrf_baseline"] = _metrics(data, data.x[:, FEATURE_NAMES.index("rrf")])
    chosen = max(names, key=lambda name: _selection_score(cv[name]))
    reranker = FITS[chosen](data.x, data.y, data.groups, data.weights())
    reranker.version = version
    reranker.metadata = {
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "training": {
            "files_sha256": data.files,
            "questions": data.questions,
            "examples": len(data.y),
            "positives": int(data.y.sum()),
            "objective": chosen,
            "finqa_weight": round(float(data.weights().max()), 3),
            "seconds": round(time.perf_counter() - started, 1),
        },
        "metrics": {"cv_grouped_by_document": cv},
    }
    return reranker
