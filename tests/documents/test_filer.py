"""The registrant read from an SEC cover page, and its name removed from questions."""

from __future__ import annotations

import pytest

from finrag.documents.base import ParseResult
from finrag.documents.filer import name_terms, registrant_of, without_names
from finrag.documents.model import Page
from finrag.documents.registry import document_from_result

COVER = (
    "UNITED STATES SECURITIES AND EXCHANGE COMMISSION\n"
    "FORM 10-K\n"
    "Commission file number 1-442\n"
    "THE BOEING COMPANY\n"
    "(Exact name of registrant as specified in its charter)\n"
    "Delaware 91-0425694\n"
)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (COVER, "THE BOEING COMPANY"),
        ("File No. 1-1183\nPepsiCo, Inc.\n(Exact Name of Registrant as Specified in its Charter)", "PepsiCo, Inc."),
        ("COMMISSION FILE NUMBER 1-3619\n----\nPFIZER INC.\n( exact name of registrant as\nspecified in its charter )", "PFIZER INC."),
        ("Ulta Beauty Announces Fourth Quarter Fiscal 2022 Results\nNet Sales of $3.2 Billion", None),
        # an earnings release names its issuer by its listing on the first page
        ("Net Sales of $3.2 Billion\nBOLINGBROOK, Ill.--(BUSINESS WIRE)-- Ulta Beauty, Inc. (NASDAQ: ULTA) today announced", "Ulta Beauty, Inc."),
        ("NEW YORK, NY--Pfizer Inc. (NYSE: PFE) reported financial results", "Pfizer Inc."),
        ("(Exact name of registrant as specified in its charter)\nDelaware", None),
    ],
)  # fmt: skip
def test_registrant_from_the_cover_page(text: str, name: str | None) -> None:
    assert registrant_of([text]) == name


def test_only_the_first_pages_are_searched() -> None:
    assert registrant_of(["Notice", "", COVER]) == "THE BOEING COMPANY"
    assert registrant_of(["Notice", "", "", COVER]) is None


def test_a_listing_is_read_only_without_a_cover_and_only_on_the_first_page() -> None:
    release = "Acme Corp. (NYSE: ACM) today announced"
    assert registrant_of([COVER + release]) == "THE BOEING COMPANY"
    assert registrant_of(["Fourth Quarter Results", release]) is None


@pytest.mark.parametrize(
    ("name", "terms"),
    [
        ("THE BOEING COMPANY", ("boeing",)),
        ("BEST BUY CO., INC.", ("best", "buy")),
        ("American Express Company", ("american", "express")),
        ("AT&T Inc.", ("at&t",)),
        ("Inc.", ()),
    ],
)
def test_name_terms_drop_legal_words(name: str, terms: tuple[str, ...]) -> None:
    assert name_terms(name) == terms


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What was Boeing's revenue in 2022?", "What was revenue in 2022?"),
        ("How much did The Boeing Company spend on R&D?", "How much did spend on R&D?"),
        ("Which Best Buy Co., Inc. category grew?", "Which category grew?"),
        ("What was Boeing Capital's revenue?", "What was Capital's revenue?"),
        ("Did Boeingland grow?", "Did Boeingland grow?"),
        # a line of the income statement names the company: it stays
        (
            "What was net income attributable to Boeing in 2022?",
            "What was net income attributable to Boeing in 2022?",
        ),
        ("Boeing?", "Boeing?"),
    ],
)
def test_without_names(question: str, expected: str) -> None:
    names = [("boeing",), ("best", "buy")]
    assert without_names(question, names) == expected


def test_ingestion_records_the_registrant() -> None:
    result = ParseResult(pages=[Page(number=1, text=COVER), Page(number=2, text="Revenue")])
    doc = document_from_result(result, data=b"x", name="boeing.pdf", fmt="pdf")
    assert doc.metadata == {"registrant": "THE BOEING COMPANY"}
    plain = ParseResult(pages=[Page(number=1, text="Quarterly results")])
    assert document_from_result(plain, data=b"y", name="q.pdf", fmt="pdf").metadata == {}
