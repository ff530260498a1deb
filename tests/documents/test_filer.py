"""The registrant read from an SEC cover page, and its name removed from questions."""

from __future__ import annotations

import pytest

from finrag.documents.base import ParseResult
from finrag.documents.filer import (
    aliases_of,
    decode_aliases,
    encode_aliases,
    filer_words,
    name_terms,
    registrant_of,
    without_filer,
    without_names,
)
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
    listed = ParseResult(pages=[Page(number=1, text=COVER + SECURITIES)])
    doc = document_from_result(listed, data=b"z", name="boeing.pdf", fmt="pdf")
    assert decode_aliases(doc.metadata["registrant_aliases"]) == ["BA"]
    plain = ParseResult(pages=[Page(number=1, text="Quarterly results")])
    assert document_from_result(plain, data=b"y", name="q.pdf", fmt="pdf").metadata == {}


SECURITIES = (
    "Securities registered pursuant to Section 12(b) of the Act:\n"
    "Title of each class Trading Symbol(s) Name of each exchange on which registered\n"
    "Common Stock, $5.00 Par Value BA New York Stock Exchange\n"
    "0.250% Senior Notes Due 2024 BA24 New York Stock Exchange\n"
)


@pytest.mark.parametrize(
    ("pages", "registrant", "aliases"),
    [
        # the common stock's symbol, not the notes'
        ([COVER + SECURITIES], "THE BOEING COMPANY", ["BA"]),
        (
            ["Common Stock, par value 1-2/3 cents per share PEP The Nasdaq Stock Market LLC\n"
             "0.250% Senior Notes Due 2024 PEP24 The Nasdaq Stock Market LLC"],
            "PepsiCo, Inc.",
            ["PEP"],
        ),
        (["Common Shares (par value $0.20 per Share) AXP New York Stock Exchange"], "American Express Company", ["AXP"]),
        # an earnings release: the listing on its first page
        (["BOLINGBROOK, Ill.--(BUSINESS WIRE)-- Ulta Beauty, Inc. (NASDAQ: ULTA) today"], "Ulta Beauty, Inc.", ["ULTA"]),
        # the names a report defines for its filer, when the sentence names the filer
        (
            ["", "Alphabet Inc. (herein referred to as \u201cAlphabet,\u201d \u201cGoogle,\u201d"
             " the \u201cCompany,\u201d \u201cwe\u201d) is a holding company."],
            "Alphabet Inc.",
            ["Google"],
        ),
        (
            ["Throughout this report the terms \u201cAmerican Express,\u201d \u201cwe,\u201d "
             "\u201cour\u201d or \u201cus,\u201d refer to American Express Company."],
            "American Express Company",
            [],
        ),
        (["References to \u201cNotes\u201d in this Form 10-Q are to the Notes to the statements."], "PFIZER INC.", []),
        ([COVER + SECURITIES], "", []),
    ],
)  # fmt: skip
def test_aliases_of(pages: list[str], registrant: str, aliases: list[str]) -> None:
    assert aliases_of(pages, registrant) == aliases


def test_an_abbreviation_of_the_registrants_name_is_an_alias() -> None:
    defined = {"IBM": "International Business Machines Corporation", "GTS": "Global Services"}
    name = "INTERNATIONAL BUSINESS MACHINES CORPORATION"
    assert aliases_of(["Revenue"], name, defined) == ["IBM"]
    assert encode_aliases(["IBM"]) == '["IBM"]'
    assert decode_aliases('["IBM", 3]') == ["IBM"]
    assert decode_aliases("not json") == decode_aliases(None) == []


AMEX = ["American Express Company", "AXP"]


@pytest.mark.parametrize(
    ("question", "names", "searched", "words"),
    [
        ("What was AMEX's net income in 2022?", AMEX, "What was net income in 2022?", {"amex"}),
        ("What were Amex's revenues?", AMEX, "What were revenues?", {"amex"}),
        ("What was AXP's revenue in 2022?", AMEX, "What was revenue in 2022?", {"axp"}),
        ("axp revenue in 2022?", AMEX, "axp revenue in 2022?", set()),
        ("Did Americans buy more?", AMEX, "Did Americans buy more?", set()),
        ("What was FedEx's revenue?", ["FEDERAL EXPRESS CORP"], "What was revenue?", {"fedex"}),
        # a symbol that is a word counts only in capitals
        ("What was ALL's revenue for all segments?", ["The Allstate Corporation", "ALL"],
         "What was revenue for all segments?", {"all"}),
        ("Was revenue up for all segments?", ["The Allstate Corporation", "ALL"],
         "Was revenue up for all segments?", set()),
        ("AXP?", AMEX, "AXP?", {"axp"}),
    ],
)  # fmt: skip
def test_the_filers_other_names(
    question: str, names: list[str], searched: str, words: set[str]
) -> None:
    assert without_filer(question, names) == searched
    own = {w for n in names if not n.isupper() or " " in n for w in name_terms(n)}
    assert filer_words(question, names) - own == words
