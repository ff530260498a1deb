"""Reciprocal rank fusion and the keyword query builders (pure functions)."""

from __future__ import annotations

import random
import sqlite3

import pytest

from finrag.retrieval.fusion import RRF_K, rrf, rrf_reference
from finrag.store.query import fts5_query, query_terms, tokenize, tsquery


def test_rrf_formula_and_order() -> None:
    fused = rrf([["a", "b", "c"], ["b", "d"]])
    assert [item for item, _ in fused] == ["b", "a", "d", "c"]
    assert dict(fused)["b"] == pytest.approx(1 / (RRF_K + 2) + 1 / (RRF_K + 1))
    assert dict(fused)["c"] == pytest.approx(1 / (RRF_K + 3))


def test_rrf_ties_break_by_id() -> None:
    assert [item for item, _ in rrf([["z", "y"], ["a", "b"]])] == ["a", "z", "b", "y"]


def test_rrf_counts_a_repeated_id_once_per_list() -> None:
    assert rrf([["a", "a", "b"]]) == [("a", 1 / 61), ("b", 1 / 63)]


def test_rrf_empty_and_bad_k() -> None:
    assert rrf([]) == [] and rrf([[], []]) == []
    with pytest.raises(ValueError):
        rrf([["a"]], k=-1)


@pytest.mark.parametrize("seed", range(20))
def test_rrf_matches_reference(seed: int) -> None:
    rng = random.Random(seed)
    pool = [f"c{i:02d}" for i in range(30)]
    lists = [rng.sample(pool, rng.randint(0, 20)) for _ in range(rng.randint(1, 3))]
    assert rrf(lists) == rrf_reference(lists)
    assert rrf(lists, k=1) == rrf_reference(lists, k=1)


def test_tokenize_keeps_numbers_and_folds_accents() -> None:
    assert tokenize("Net revenue (2019): $5,829 — Révenue_total") == [
        "net", "revenue", "2019", "5", "829", "revenue", "total",
    ]  # fmt: skip


def test_query_terms_drop_stopwords_unless_nothing_is_left() -> None:
    assert query_terms("What was the net revenue in 2019?") == ["net", "revenue", "2019"]
    assert query_terms("what is it") == ["what", "is", "it"]
    assert query_terms("AND OR NOT * : ( )") == ["and", "or", "not"]
    assert query_terms("") == [] and fts5_query("!!!") is None and tsquery("") is None


def test_query_builders_quote_every_term() -> None:
    assert fts5_query('net "revenue" NEAR(2019)') == '"net" OR "revenue" OR "near" OR "2019"'
    assert tsquery("revenue: 2019") == "'revenue' | '2019'"


@pytest.mark.parametrize(
    "text", ['"', "a:b", "(x", "AND", "*", "NEAR(a b", "^x", "x OR", "'", "-", "\x00a", "ä ö ü"]
)
def test_fts5_queries_never_raise(text: str) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='porter unicode61')")
    conn.execute("INSERT INTO t VALUES ('a x near and')")
    query = fts5_query(text)
    if query is not None:
        conn.execute("SELECT * FROM t WHERE t MATCH ?", (query,)).fetchall()
