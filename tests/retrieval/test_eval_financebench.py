"""FinanceBench page recall, computed from a ranking: the figures and the list of misses."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from finrag.documents.model import Chunk, ChunkKind
from finrag.evaluation.retrieval import FinanceBenchQuestion, evaluate_financebench
from finrag.retrieval.base import Retrieved, provenance_of

pytestmark = pytest.mark.unit


class RankedPages:
    """A retriever whose ranking is given: question -> pages of one filing, best first."""

    def __init__(self, ranking: dict[str, list[int]]) -> None:
        self.ranking = ranking

    def retrieve(
        self, tenant: str, question: str, *, doc_ids: Sequence[str] | None = None, k: int = 8
    ) -> list[Retrieved]:
        doc = (doc_ids or ["d1"])[0]
        out = []
        for i, page in enumerate(self.ranking[question][:k]):
            chunk = Chunk(
                id=f"{doc}:p{page}:s{i}", doc_id=doc, kind=ChunkKind.TEXT, text="x", page=page,
                ordinal=i,
            )  # fmt: skip
            out.append(Retrieved(chunk, 1.0 / (i + 1), None, None, None, 0.0, provenance_of(chunk)))
        return out


def test_page_recall_and_the_misses_of_the_first_cutoff() -> None:
    questions = [
        FinanceBenchQuestion("q1", "ACME_2022_10K", "found first?", frozenset({7})),
        FinanceBenchQuestion("q2", "ACME_2022_10K", "found at 8?", frozenset({30, 31})),
        FinanceBenchQuestion("q3", "ACME_2022_10K", "never found?", frozenset({99})),
    ]
    ranking = {
        "found first?": [7, 1, 2, 3, 4, 5],
        "found at 8?": [1, 2, 3, 4, 5, 6, 9, 31, 30],
        "never found?": list(range(1, 12)),
    }
    out = evaluate_financebench(questions, {"ACME_2022_10K": "d1"}, RankedPages(ranking))  # type: ignore[arg-type]
    assert out["questions"] == 3
    assert out["page_recall_at_5"] == pytest.approx(1 / 3)
    assert out["page_recall_at_10"] == pytest.approx(2 / 3)
    assert out["page_coverage_at_10"] == pytest.approx((1 + 1.0) / 3)
    assert out["misses_at_5"] == [
        {
            "id": "q2", "filing": "ACME_2022_10K", "question": "found at 8?",
            "gold_pages": [30, 31], "first_gold_rank": 8, "top5_pages": [1, 2, 3, 4, 5],
        },
        {
            "id": "q3", "filing": "ACME_2022_10K", "question": "never found?",
            "gold_pages": [99], "first_gold_rank": None, "top5_pages": [1, 2, 3, 4, 5],
        },
    ]  # fmt: skip
