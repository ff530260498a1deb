"""Reranker features on hand-made chunks."""

from __future__ import annotations

import numpy as np
import pytest

from finrag.lexical import stem, stems
from finrag.retrieval.features import (
    FEATURE_NAMES,
    Candidate,
    analyse_question,
    feature_matrix,
)
from retrieval.retrieval_data import row_chunk, text_chunk

pytestmark = pytest.mark.unit


def _features(question: str, chunks, ranks=None) -> dict[str, np.ndarray]:
    ranks = ranks or [(i + 1, i + 1) for i in range(len(chunks))]
    candidates = [
        Candidate(c, kw, vec, 1 / (60 + (kw or 99)) + 1 / (60 + (vec or 99)))
        for c, (kw, vec) in zip(chunks, ranks, strict=True)
    ]
    matrix = feature_matrix(question, candidates)
    assert matrix.shape == (len(chunks), len(FEATURE_NAMES))
    return {name: matrix[:, i] for i, name in enumerate(FEATURE_NAMES)}


def test_stemming_meets_variants() -> None:
    assert stem("revenues") == stem("revenue")
    assert stem("increased") == stem("increase") or stem("increased") == "increas"
    assert stem("companies") == "company"
    assert stems("Net Revenues, 2019: $5,829") == ["net", "revenue", "2019", "5829"]


def test_question_analysis() -> None:
    q = analyse_question("What was the percentage change in net revenue from 2018 to 2019 in Q3?")
    assert q.years == {"2018", "2019"}
    assert q.quarters == {"3"}
    assert q.asks_change and q.asks_ratio
    assert "revenue" in q.terms and "the" not in q.terms


def test_row_label_and_year_features() -> None:
    doc = "dtest"
    chunks = [
        row_chunk(doc, 1, "net revenue", (5829.0, 5735.0)),
        row_chunk(doc, 2, "operating income", (1204.0, 1100.0)),
        text_chunk(doc, 0, "Revenue grew in 2017 thanks to widgets."),
    ]
    f = _features("what was net revenue in 2019?", chunks)
    assert f["label_in_question"].tolist() == [1.0, 0.0, 0.0]
    assert f["label_exact"].tolist() == [1.0, 0.0, 0.0]
    assert f["year_match"].tolist() == [1.0, 1.0, 0.0]
    assert f["year_miss"].tolist() == [0.0, 0.0, 1.0]
    assert f["is_table"].tolist() == [1.0, 1.0, 0.0]
    assert f["has_numbers"].tolist() == [1.0, 1.0, 1.0]
    assert f["overlap"][0] > f["overlap"][1]
    assert f["idf_rank"][0] == 1.0


def test_rank_features_mark_missing_lists() -> None:
    chunks = [text_chunk("d", 0, "alpha"), text_chunk("d", 1, "beta")]
    f = _features("alpha", chunks, ranks=[(1, None), (None, 2)])
    assert f["kw_present"].tolist() == [1.0, 0.0]
    assert f["vec_present"].tolist() == [0.0, 1.0]
    assert f["kw_rr"][0] == 1.0 and f["vec_rr"][1] == 0.5


def test_header_row_and_numbers_in_question() -> None:
    header = row_chunk("d", 0, "", (2019.0, 2018.0)).model_copy(update={"cells": ()})
    value = row_chunk("d", 1, "dividends", (1.5, 1.25))
    f = _features("were dividends of 1.5 paid?", [header, value])
    assert f["is_header_row"].tolist() == [1.0, 0.0]
    assert f["q_number_match"].tolist() == [0.0, 1.0]


def test_empty_candidates() -> None:
    assert feature_matrix("anything", []).shape == (0, len(FEATURE_NAMES))


def test_metric_phrase_drops_scaffolding_and_years() -> None:
    q = analyse_question("What was the percentage change in net revenue from 2018 to 2019?")
    assert q.metric == {"net", "revenue"}
    assert analyse_question("what is the ratio of 2019 to 2018?").metric == frozenset()


def test_metric_label_features_prefer_the_named_row() -> None:
    chunks = [
        row_chunk("d", 1, "net revenue", (5829.0, 5735.0)),
        row_chunk("d", 2, "revenue from services and other items", (10.0, 9.0)),
        row_chunk("d", 3, "operating income", (1204.0, 1100.0)),
    ]
    f = _features("what was the change in net revenue from 2018 to 2019?", chunks)
    assert f["metric_label_jaccard"][0] > f["metric_label_jaccard"][1] > 0.0
    assert f["metric_label_cover"][0] == 1.0 and f["metric_label_cover"][2] == 0.0
    assert f["metric_gap"][2] > 0.0 and f["metric_gap"][0] == 0.0


def test_table_intro_sentences_and_value_counts() -> None:
    chunks = [
        text_chunk("d", 0, "the changes in the reserve for 2019 and 2018 are as follows: ."),
        text_chunk("d", 1, "revenue rose to $ 5829 million in 2019 from $ 5735 million."),
        row_chunk("d", 1, "net revenue", (5829.0, 5735.0)),
    ]
    f = _features("how did revenue change in 2019?", chunks)
    assert f["intro_sentence"].tolist() == [1.0, 0.0, 0.0]
    assert f["log_value_numbers"][0] == 0.0 and f["log_value_numbers"][1] > 0.0
    assert f["q_year_count"].tolist() == [1.0, 1.0, 1.0]


def test_ranks_within_kind() -> None:
    chunks = [
        row_chunk("d", 1, "net revenue", (5829.0, 5735.0)),
        row_chunk("d", 2, "operating income", (1204.0, 1100.0)),
        text_chunk("d", 0, "net revenue grew because of widgets."),
    ]
    f = _features("what was net revenue in 2019?", chunks)
    # the sentence is the best of its kind even though a row beats it overall
    assert f["kind_idf_rank"].tolist() == [1.0, 0.5, 1.0]


def test_anchor_features_point_at_the_second_fact() -> None:
    chunks = [
        row_chunk("d", 1, "net revenue", (5829.0, 5735.0)),
        row_chunk("d", 2, "total revenue", (9000.0, 8000.0)),
        row_chunk("d", 4, "operating income", (1204.0, 1100.0)),
    ]
    f = _features("what percentage of total revenue was net revenue in 2019?", chunks)
    # the anchor is the top fused candidate (the first one here)
    assert f["anchor_distance"][0] == 0.0 and f["anchor_distance"][2] > f["anchor_distance"][1]
    assert f["anchor_adjacent_row"].tolist() == [0.0, 1.0, 0.0]
    assert f["total_row"].tolist() == [0.0, 1.0, 0.0]
    assert f["total_x_portion"].tolist() == [0.0, 1.0, 0.0]
    # "total" is the question term the anchor lacks; only the total row brings it
    assert f["anchor_complement"][1] > 0.0
    assert f["anchor_complement"][0] == f["anchor_complement"][2] == 0.0
    g = _features("what was net revenue in 2019?", chunks)
    assert g["total_x_portion"].tolist() == [0.0, 0.0, 0.0]


def test_prior_year_label_year_and_balance_rows() -> None:
    chunks = [
        row_chunk("d", 1, "2019 net revenue", (5829.0, 5735.0)),
        row_chunk("d", 2, "balance at end of year", (120.0, 100.0)),
        text_chunk("d", 0, "the reserve was $ 5 million in 2018 ."),
        text_chunk("d", 1, "the reserve grew in 2020 ."),
    ]
    f = _features("what was the change in the reserve in 2019?", chunks)
    assert analyse_question("what was the change in the reserve in 2019?").prior_years == {"2018"}
    assert f["prior_year_match"][2:].tolist() == [1.0, 0.0]
    assert f["label_year"].tolist() == [1.0, 0.0, 0.0, 0.0]
    assert f["balance_x_change"].tolist() == [0.0, 1.0, 0.0, 0.0]
    # no change asked, one year: no prior year, balance rows are not singled out
    g = _features("what was the reserve in 2019?", chunks)
    assert g["prior_year_match"].tolist() == [0.0] * 4
    assert g["balance_x_change"].tolist() == [0.0] * 4
