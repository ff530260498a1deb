"""Gold evidence mapping: FinQA gold_inds and TAT-QA positives to chunk ids."""

from __future__ import annotations

from typing import Any

import pytest

from finrag.documents.chunking import chunk_document
from finrag.documents.datasets import finqa_document, tatqa_document
from finrag.retrieval.labels import finqa_gold, normalise_value, tatqa_positives

pytestmark = pytest.mark.unit

RECORD = {
    "id": "ACME/2019/page_1.pdf-1",
    "filename": "ACME/2019/page_1.pdf",
    "pre_text": ["acme sells widgets .", "revenue grew 2% in 2019 ."],
    "post_text": ["the board declared a dividend ."],
    "table": [["", "2019", "2018"], ["net revenue", "$ 5829", "$ 5735"], ["tax", "12", "10"]],
    "qa": {
        "question": "what was the change in net revenue?",
        "gold_inds": {"table_1": "the net revenue of 2019 is $ 5829 ;", "text_2": "dividend"},
    },
}


def test_finqa_gold_maps_table_and_text_ids() -> None:
    document = finqa_document(RECORD)
    chunks = chunk_document(document)
    facts = finqa_gold(RECORD, chunks)
    assert facts == [
        frozenset({f"{document.id}:t0:r1"}),
        frozenset({f"{document.id}:p1:s2"}),
    ]


def test_finqa_gold_falls_back_to_text_match() -> None:
    document = finqa_document(RECORD)
    chunks = [c for c in chunk_document(document) if not c.id.endswith(":t0:r1")]
    record = {**RECORD, "qa": {"gold_inds": {"table_9": "the tax of 2019 is 12 ;"}}}
    assert finqa_gold(record, chunks) == [frozenset({f"{document.id}:t0:r2"})]


def test_normalise_value() -> None:
    assert normalise_value("$ (1,234.50)") == "1234.5"
    assert normalise_value("n/a") is None


def _sales_context(*paragraphs: str) -> dict[str, Any]:
    """A TAT-QA context: a two-year sales table and the given paragraphs, in order."""
    return {
        "table": {"uid": "t", "table": [["", "2019", "2018"], ["Sales", "1,452.4", "1,146.2"]]},
        "paragraphs": [
            {"uid": f"p{i}", "order": i, "text": text} for i, text in enumerate(paragraphs, 1)
        ],
        "questions": [],
    }


def test_tatqa_positives_for_table_and_text() -> None:
    context = _sales_context(
        "Sales rose strongly. Costs were flat.", "The company has 300 employees."
    )
    chunks = chunk_document(tatqa_document(context))
    table_q = {"answer": 306.2, "derivation": "1,452.4-1,146.2", "answer_from": "table"}
    rows = tatqa_positives(table_q, context, chunks)
    assert len(rows) == 1 and next(iter(rows)).endswith(":t0:r1")
    text_q = {"answer": ["300"], "answer_from": "text", "rel_paragraphs": ["2"]}
    texts = tatqa_positives(text_q, context, chunks)
    assert [c.text for c in chunks if c.id in texts] == ["The company has 300 employees."]


def test_tatqa_table_text_skips_a_paragraph_without_values() -> None:
    context = _sales_context(
        "The table below presents sales by region.", "Sales rose by 306.2 in 2019. Costs were flat."
    )
    chunks = chunk_document(tatqa_document(context))
    text_of = {c.id: c.text for c in chunks}
    question = {
        "answer": 306.2,
        "derivation": "1,452.4-1,146.2",
        "answer_from": "table-text",
        "rel_paragraphs": ["1"],
    }
    # the related paragraph only introduces the table: the row is the evidence
    positives = tatqa_positives(question, context, chunks)
    assert len(positives) == 1 and next(iter(positives)).endswith(":t0:r1")
    # a paragraph holding the answer still counts
    positives = tatqa_positives({**question, "rel_paragraphs": ["2"]}, context, chunks)
    assert [text_of[c] for c in positives if ":t0:" not in c] == [
        "Sales rose by 306.2 in 2019. Costs were flat."
    ]
    # without a matching row, the whole related paragraph stays the fallback
    no_row = {**question, "derivation": "", "answer": "strong demand"}
    assert {text_of[c] for c in tatqa_positives(no_row, context, chunks)} == {
        "The table below presents sales by region."
    }
