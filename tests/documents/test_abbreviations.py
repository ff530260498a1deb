"""Abbreviations a report defines ("Frito-Lay North America (FLNA)") and questions using either
form."""

from __future__ import annotations

import pytest

from finrag.documents.abbreviations import (
    ABBREVIATIONS_KEY,
    as_written,
    decode,
    definitions,
    encode,
    expand,
)
from finrag.documents.base import ParseResult
from finrag.documents.model import Page
from finrag.documents.registry import document_from_result


@pytest.mark.parametrize(
    ("text", "pairs"),
    [
        # sentences of the FinanceBench filings
        ("1) Frito-Lay North America (FLNA), which includes our branded convenient food",
         {"FLNA": "Frito-Lay North America"}),
        ("reportable operating segments: U.S. Consumer Services (USCS), Commercial Services (CS)",
         {"USCS": "U.S. Consumer Services", "CS": "Commercial Services"}),
        ("NOTE 21 EARNINGS PER COMMON SHARE (EPS) Basic EPS is computed",
         {"EPS": "EARNINGS PER COMMON SHARE"}),
        ("customers with chilled direct-store-delivery (DSD) systems", {"DSD": "direct-store-delivery"}),
        ("plans, including restricted stock units (RSUs) and", {"RSUs": "restricted stock units"}),
        ("the Committee of Sponsoring Organizations of the Treadway Commission (COSO).", {}),
        ("by the Office of the Comptroller of the Currency (OCC) and", {}),
        ("without regard to (I) the Compensation Limitation; (II) and", {}),
        ("net sales (in millions) rose (3%)", {}),
        ("Cash (Note 4) was", {}),
    ],
)  # fmt: skip
def test_definitions_read_from_text(text: str, pairs: dict[str, str]) -> None:
    assert definitions([text]) == pairs


def test_a_short_form_keeps_its_most_written_long_form() -> None:
    texts = [
        "Return on equity (ROE) rose.",
        "Return on average equity (ROE) is",
        "Return on equity (ROE).",
    ]
    assert definitions(texts) == {"ROE": "Return on equity"}


def test_encode_and_decode_round_trip() -> None:
    pairs = {"FLNA": "Frito-Lay North America", "USCS": "U.S. Consumer Services"}
    assert decode(encode(pairs)) == pairs
    assert decode(None) == {} and decode("not json") == {} and decode("[1, 2]") == {}


PAIRS = {
    "FLNA": "Frito-Lay North America",
    "EPS": "earnings per share",
    "CS": "Commercial Services",
}


@pytest.mark.parametrize(
    ("question", "searched"),
    [
        ("What percentage of net revenue came from Frito-Lay North America in 2022?",
         "What percentage of net revenue came from Frito-Lay North America in 2022? (FLNA)"),
        ("What was diluted EPS in 2023?", "What was diluted EPS in 2023? (earnings per share)"),
        ("What were FLNA's earnings per share?",
         "What were FLNA's earnings per share? (Frito-Lay North America; EPS)"),
        ("What was Frito-Lay North America (FLNA) revenue?", "What was Frito-Lay North America (FLNA) revenue?"),
        # FinQA writes questions in lower case: a short form of three letters or more counts
        ("what was the diluted eps in 2012?", "what was the diluted eps in 2012? (earnings per share)"),
        ("what cs costs rose?", "what cs costs rose?"),
        ("How do the eps compare?", "How do the eps compare?"),  # mixed case: capitals only
        ("What was revenue?", "What was revenue?"),
    ],
)  # fmt: skip
def test_expand_adds_the_other_form(question: str, searched: str) -> None:
    assert expand(question, PAIRS, standard={}) == searched
    assert expand(question, {}, standard={}) == question


@pytest.mark.parametrize(
    ("question", "searched"),
    [
        # the accounting abbreviations filings print in full: spelled out, one way only
        ("What was Pfizer's diluted EPS in 2023?", "What was Pfizer's diluted EPS in 2023? (earnings per share)"),
        ("How much did Boeing spend on R&D in 2022?",
         "How much did Boeing spend on R&D in 2022? (research and development)"),
        ("what was the change in sg&a in 2019?",
         "what was the change in sg&a in 2019? (selling, general and administrative)"),
        ("What were earnings per share in 2022?", "What were earnings per share in 2022?"),
        ("What was the ebit margin?", "What was the ebit margin?"),  # mixed case: capitals only
    ],
)  # fmt: skip
def test_standard_abbreviations_are_spelled_out(question: str, searched: str) -> None:
    assert expand(question, {}) == searched
    # a report's own definition wins
    ours = {"EPS": "earnings per common share"}
    if "EPS" in question:
        assert expand(question, ours).endswith("(earnings per common share)")


def test_ingestion_records_the_abbreviations() -> None:
    page = Page(number=1, text="Our divisions are 1) Frito-Lay North America (FLNA); and more.")
    doc = document_from_result(ParseResult(pages=[page]), data=b"z", name="p.pdf", fmt="pdf")
    assert decode(doc.metadata[ABBREVIATIONS_KEY]) == {"FLNA": "Frito-Lay North America"}


@pytest.mark.parametrize(
    ("question", "rows", "read"),
    [
        # the rows print the short form only: the question is read in it
        ("What was operating profit of Frito-Lay North America in 2022?", "FLNA | 2022 | $ 6,135",
         "What was operating profit of FLNA in 2022?"),
        # the rows print the long form only
        ("What was diluted EPS in 2022?", "Earnings per share - diluted | 2022 | 9.85",
         "What was diluted earnings per share in 2022?"),
        ("what was diluted eps in 2022?", "Earnings per share - diluted | 2022 | 9.85",
         "what was diluted earnings per share in 2022?"),
        # both forms, or neither, in the rows: the question stays as asked
        ("What was diluted EPS in 2022?", "Diluted EPS | 9.85 ; Earnings per share | 9.85",
         "What was diluted EPS in 2022?"),
        ("What was revenue of Frito-Lay North America?", "Net revenue | 86,392",
         "What was revenue of Frito-Lay North America?"),
    ],
)  # fmt: skip
def test_as_written_reads_the_question_in_the_evidence_form(
    question: str, rows: str, read: str
) -> None:
    assert as_written(question, PAIRS, rows, standard={}) == read
    assert as_written(question, {}, rows, standard={}) == question


def test_standard_abbreviations_are_read_in_full_against_rows_in_full() -> None:
    rows = "Depreciation and amortization | 2022 | 2,763 ; Research and development | 2022 | 771"
    assert as_written("What was D&A in 2022?", {}, rows) == (
        "What was depreciation and amortization in 2022?"
    )
    # one way only: a question in full stays in full against rows printing "R&D"
    assert as_written("What was research and development in 2022?", {}, "R&D | 771") == (
        "What was research and development in 2022?"
    )
