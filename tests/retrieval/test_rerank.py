"""The reranker artifact: loading, export fidelity, and the direction of its preferences."""

from __future__ import annotations

import json

import numpy as np
import pytest

from finrag.errors import ConfigError
from finrag.retrieval.features import FEATURE_NAMES, Candidate
from finrag.retrieval.rerank import Reranker, default_artifact_path
from finrag.retrieval.training import (
    TrainingSet,
    fit_gbdt,
    fit_lambdarank,
    fit_logistic,
    grouped_recall,
)
from retrieval.retrieval_data import row_chunk, text_chunk

pytestmark = pytest.mark.unit


def test_committed_artifact_loads_from_the_package() -> None:
    path = default_artifact_path()
    assert path.is_file() and "finrag" in str(path)
    reranker = Reranker.load()
    assert reranker.features == FEATURE_NAMES
    assert reranker.version
    hashes = reranker.metadata["training"]["files_sha256"]
    assert set(hashes) == {"train_sample100.json", "tatqa_dataset_dev.json"}
    assert not any("dev_sample" in name for name in hashes)


def test_reranker_prefers_the_exact_row_over_a_better_fused_rank() -> None:
    """A distractor ranked first by fusion loses to the row the question names."""
    doc = "dx"
    distractor = row_chunk(doc, 1, "operating expenses", (900.0, 850.0))
    target = row_chunk(doc, 2, "net revenue", (5829.0, 5735.0))
    filler = text_chunk(doc, 0, "The company sells widgets.")
    pool = [
        Candidate(distractor, 1, 1, 2 / 61),
        Candidate(filler, 2, 2, 2 / 62),
        Candidate(target, 3, 3, 2 / 63),
    ]
    scores = Reranker.load().score("what was the net revenue in 2019?", pool)
    assert scores[2] > scores[0]
    assert scores[2] > scores[1]


def test_wrong_features_are_refused(tmp_path) -> None:
    data = Reranker.load().to_dict()
    data["features"] = ["kw_rr"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ConfigError, match="features"):
        Reranker.load(path)
    with pytest.raises(ConfigError, match="cannot read"):
        Reranker.load(tmp_path / "missing.json")


def _synthetic(seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(600, len(FEATURE_NAMES)))
    y = ((x[:, 0] + 0.5 * x[:, 3] * (x[:, 5] > 0) + rng.normal(0, 0.3, 600)) > 0.8).astype(int)
    return x, y


def test_tree_export_matches_scikit_learn(tmp_path) -> None:
    from sklearn.ensemble import GradientBoostingClassifier

    x, y = _synthetic()
    exported = fit_gbdt(x, y, trees=20, depth=3)
    reference = GradientBoostingClassifier(
        n_estimators=20, max_depth=3, learning_rate=0.1, subsample=0.8, random_state=0
    ).fit(x, y)
    np.testing.assert_allclose(exported.raw_scores(x), reference.decision_function(x), atol=1e-6)
    path = tmp_path / "gbdt.json"
    exported.version = "test"
    exported.save(path)
    reloaded = Reranker.load(path)
    np.testing.assert_allclose(reloaded.raw_scores(x), exported.raw_scores(x), atol=1e-4)


def test_logistic_round_trip_and_grouped_recall() -> None:
    x, y = _synthetic(1)
    model = fit_logistic(x, y)
    model.version = "test"
    again = Reranker.from_dict(json.loads(json.dumps(model.to_dict())))
    np.testing.assert_allclose(again.raw_scores(x), model.raw_scores(x), atol=1e-4)
    groups = np.repeat(np.arange(60), 10)
    assert grouped_recall(model.raw_scores(x), y, groups) > grouped_recall(-x[:, 0], y, groups)


def test_lambdarank_export_matches_lightgbm(tmp_path) -> None:
    pytest.importorskip("lightgbm")
    x, y = _synthetic(2)
    groups = np.repeat(np.arange(60), 10)
    exported = fit_lambdarank(x, y, groups, trees=15, depth=3)
    assert exported.trees is not None and exported.trees.learning_rate == 1.0
    exported.version = "test"
    exported.save(tmp_path / "rank.json")
    reloaded = Reranker.load(tmp_path / "rank.json")
    # thresholds are stored at full precision, so routing is exact; leaves are rounded
    np.testing.assert_allclose(reloaded.raw_scores(x), exported.raw_scores(x), atol=1e-4)
    assert grouped_recall(exported.raw_scores(x), y, groups) > grouped_recall(
        np.zeros(len(y)), y, groups
    )


def test_training_weights_balance_the_sources() -> None:
    x, y = _synthetic(3)
    groups = np.repeat(np.arange(60), 10)
    finqa = groups < 10  # 10 FinQA questions, 50 TAT-QA questions
    data = TrainingSet(x, y, groups, groups, finqa=finqa)
    weights = data.weights()
    assert weights[finqa].sum() == pytest.approx(weights[~finqa].sum())
    assert TrainingSet(x, y, groups, groups).weights().tolist() == [1.0] * len(y)
