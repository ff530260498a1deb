"""Unit tests for finrag.documents.numbers: cells, sentences, captions."""

from __future__ import annotations

import pytest

from finrag.documents.numbers import detect_currency, detect_scale, find_numbers, parse_number
from finrag.dsl.units import Kind, Scale

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("$ 5,829", 5829.0, Kind.MONEY),
        ("$5,829", 5829.0, Kind.MONEY),
        ("(1,234)", -1234.0, Kind.NONE),
        ("$ (45)", -45.0, Kind.MONEY),
        ("$(45.5)", -45.5, Kind.MONEY),
        ("−3.2", -3.2, Kind.NONE),
        ("–3.2", -3.2, Kind.NONE),
        ("-3.2", -3.2, Kind.NONE),
        ("12.5%", 12.5, Kind.PERCENT),
        ("(3.2)%", -3.2, Kind.PERCENT),
        ("(3.2 )%", -3.2, Kind.PERCENT),
        ("3.1x", 3.1, Kind.RATIO),
        ("1,234 (a)", 1234.0, Kind.NONE),
        ("123(1)", 123.0, Kind.NONE),
        ("45*", 45.0, Kind.NONE),
        ("(1,234) (b)", -1234.0, Kind.NONE),
        (".5", 0.5, Kind.NONE),
        ("1,234.56", 1234.56, Kind.NONE),
        ("2019", 2019.0, Kind.NONE),
        ("€ 12", 12.0, Kind.MONEY),
    ],
)
def test_parse_number_cells(text: str, value: float, kind: Kind) -> None:
    parsed = parse_number(text)
    assert parsed is not None, text
    assert parsed.value == pytest.approx(value)
    assert parsed.kind is kind
    assert parsed.text == text
    assert not parsed.is_dash


@pytest.mark.parametrize("text", ["-", "—", "–", "−", "$ —", "$—", "— %", " — "])
def test_dash_is_zero(text: str) -> None:
    parsed = parse_number(text, scale=Scale.MILLIONS)
    assert parsed is not None
    assert parsed.is_dash
    assert parsed.value == 0.0
    assert parsed.scale is Scale.MILLIONS


@pytest.mark.parametrize(
    "text", ["n/a", "N/A", "nm", "NM", "n.m.", "", "  ", "fiscal 2019", "$", "*"]
)
def test_not_numbers(text: str) -> None:
    assert parse_number(text) is None


def test_scale_and_currency_from_table() -> None:
    parsed = parse_number("1,234", scale=Scale.MILLIONS, currency="USD")
    assert parsed is not None
    assert parsed.scale is Scale.MILLIONS
    assert parsed.kind is Kind.MONEY
    assert parsed.currency == "USD"
    assert parsed.quantity().absolute == pytest.approx(1_234_000_000)


def test_scale_word_in_text_overrides_table_scale() -> None:
    parsed = parse_number("$1.2 billion", scale=Scale.MILLIONS)
    assert parsed is not None
    assert (parsed.value, parsed.scale, parsed.currency) == (1.2, Scale.BILLIONS, "USD")


def test_percent_ignores_table_scale_and_is_ratio_inside() -> None:
    parsed = parse_number("12.5%", scale=Scale.MILLIONS, currency="USD")
    assert parsed is not None
    assert parsed.scale is Scale.UNITS
    assert parsed.currency is None
    assert parsed.quantity().value == pytest.approx(0.125)


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("-1234 ( 1234 )", -1234.0, Kind.NONE),
        ("$ -9.9 ( 9.9 )", -9.9, Kind.MONEY),
        ("55% ( 55 % )", 55.0, Kind.PERCENT),
        ("12.5% ( 12.5 % )", 12.5, Kind.PERCENT),
        ("( 5 ) % (  % )", -5.0, Kind.PERCENT),
        ("$ 2457", 2457.0, Kind.MONEY),
    ],
)
def test_finqa_tokenised_cells(text: str, value: float, kind: Kind) -> None:
    parsed = parse_number(text)
    assert parsed is not None
    assert (parsed.value, parsed.kind) == (value, kind)


def test_find_numbers_in_sentence() -> None:
    found = find_numbers(
        "Net revenue increased $94 million, or 1.6%, to $5,829 million in 2019 "
        "(see Note 5) with a loss of $(12) and −3.2 percent."
    )
    got = [(n.value, n.kind, n.scale) for n in found]
    assert got == [
        (94.0, Kind.MONEY, Scale.MILLIONS),
        (1.6, Kind.PERCENT, Scale.UNITS),
        (5829.0, Kind.MONEY, Scale.MILLIONS),
        (2019.0, Kind.NONE, Scale.UNITS),
        (5.0, Kind.NONE, Scale.UNITS),
        (-12.0, Kind.MONEY, Scale.UNITS),
        (-3.2, Kind.PERCENT, Scale.UNITS),
    ]


def test_find_numbers_ranges_and_words() -> None:
    got = [n.value for n in find_numbers("fiscal 2018-2019, Q3 2023 and form 10-K item 1A")]
    assert got == [2018.0, 2019.0, 2023.0]  # a form name (10-K, 10-Q, 8-K) is not a number


def test_product_names_are_not_multiples() -> None:
    """ "777X" names an aircraft; a multiple is written with a lower-case x ("3.1x")."""
    got = find_numbers("The 777X program and net leverage of 3.1x in a Form 10-Q")
    assert [(n.value, n.kind) for n in got] == [(3.1, Kind.RATIO)]


@pytest.mark.parametrize(
    ("caption", "scale"),
    [
        ("(in millions)", Scale.MILLIONS),
        ("(In thousands, except per share data)", Scale.THOUSANDS),
        ("$ in millions", Scale.MILLIONS),
        ("(dollars in billions)", Scale.BILLIONS),
        ("(Millions of Dollars)", Scale.MILLIONS),
        ("In millions, except per share amounts", Scale.MILLIONS),
        ("Amounts in thousands", Scale.THOUSANDS),
        ("($000)", Scale.THOUSANDS),
        ("( in millions except percentages )", Scale.MILLIONS),
    ],
)
def test_detect_scale(caption: str, scale: Scale) -> None:
    assert detect_scale(caption) is scale


@pytest.mark.parametrize("text", ["Net revenue grew 5% in 2019", "Total", "Revenue was $5 million"])
def test_detect_scale_ignores_prose(text: str) -> None:
    assert detect_scale(text) is None


def test_detect_currency() -> None:
    assert detect_currency("$ in millions") == "USD"
    assert detect_currency("(dollars in billions)") == "USD"
    assert detect_currency("(€ in millions)") == "EUR"
    assert detect_currency("(in millions)") is None


@pytest.mark.parametrize(
    ("header", "scale"),
    [
        ("2019 €m", Scale.MILLIONS),
        ("£m", Scale.MILLIONS),
        ("$M", Scale.MILLIONS),
        ("2019  $’000", Scale.THOUSANDS),
        ("$'000", Scale.THOUSANDS),
        ("$ million", Scale.MILLIONS),
        ("€ million", Scale.MILLIONS),
        ("RMB'000", Scale.THOUSANDS),
        ("(in million)", Scale.MILLIONS),
        ("Appropriation of earnings (in thousand NT dollars)", Scale.THOUSANDS),
    ],
)
def test_currency_scale_headers_of_non_us_filings(header: str, scale: Scale) -> None:
    assert detect_scale(header) is scale


@pytest.mark.parametrize(
    "text", ["Net revenue increased to $5,829 million", "$ 5829", "Total $ 1,234"]
)
def test_amounts_are_not_scale_statements(text: str) -> None:
    assert detect_scale(text) is None
