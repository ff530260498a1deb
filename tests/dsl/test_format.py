"""Formatting values and explaining calculations."""

from __future__ import annotations

import pytest

from finrag.dsl import (
    ExecutionContext,
    Kind,
    Quantity,
    Scale,
    SourcedQuantity,
    execute,
    parse_json,
    parse_program,
)
from finrag.dsl.format import explain, format_number, format_quantity, format_result

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("quantity", "text"),
    [
        (Quantity(0.141, Kind.PERCENT), "14.1%"),
        (Quantity(-0.0164, Kind.PERCENT), "-1.6%"),
        (Quantity(1577.0, Kind.MONEY, Scale.MILLIONS, "USD"), "$1,577 million"),
        (Quantity(-12.5, Kind.MONEY, Scale.MILLIONS, "USD"), "-$12.5 million"),
        (Quantity(1234.567, Kind.MONEY, Scale.UNITS, "USD"), "$1,234.57"),
        (Quantity(3.1, Kind.MONEY, Scale.BILLIONS, "EUR"), "€3.1 billion"),
        (Quantity(3.0, Kind.MONEY, Scale.UNITS, "CHF"), "CHF 3"),
        (Quantity(2.0, Kind.MONEY), "2"),
        (Quantity(2.3, Kind.RATIO), "2.3x"),
        (Quantity(1234567.0, Kind.COUNT), "1,234,567"),
        (Quantity(12.5, Kind.SHARES, Scale.MILLIONS), "12.5 million shares"),
        (Quantity(1.2, Kind.PER_SHARE, currency="USD"), "$1.20 per share"),
        (Quantity(3.25, Kind.YEARS), "3.3 years"),
        (Quantity(1.0, Kind.BOOLEAN), "yes"),
        (Quantity(0.0, Kind.BOOLEAN), "no"),
        (Quantity(0.56197), "0.562"),
        (Quantity(16086.3333), "16,086.33"),
        (Quantity(-0.0), "0"),
        (Quantity(-0.001, Kind.MONEY, Scale.UNITS, "USD"), "$0"),
        (Quantity(2.0, Kind.PER_SHARE, currency="USD"), "$2.00 per share"),
    ],
)
def test_format_quantity(quantity: Quantity, text: str) -> None:
    assert format_quantity(quantity) == text


def test_format_number_trims() -> None:
    assert format_number(1.5) == "1.5"
    assert format_number(2.0) == "2"
    assert format_number(1234.5678, 3) == "1,234.568"


def test_explain_percent_change() -> None:
    result = execute(parse_program("subtract(5829, 5735), divide(#0, 5735)", Kind.PERCENT))
    assert explain(result) == "(5,829 - 5,735) / 5,735 = 1.6%"
    assert format_result(result) == "1.6%"


def test_a_difference_of_percentages_is_in_percentage_points() -> None:
    """American Express's effective tax rate went from 24.6% to 21.6%: 3 points, not 3%."""
    result = execute(parse_program("subtract(21.6%, 24.6%)"))
    assert format_result(result) == "-3 percentage points"
    assert explain(result) == "21.6% - 24.6% = -3 percentage points"
    # a percentage less a plain number is not a difference of two percentages
    assert format_result(execute(parse_program("subtract(21.6%, 0.1)"))) == "11.6%"


def test_explain_keeps_needed_parentheses_only() -> None:
    result = execute(parse_program("add(1, 2), subtract(10, #0), multiply(#1, #0), exp(#2, 2)"))
    assert explain(result) == "((10 - (1 + 2)) × (1 + 2)) ^ 2 = 441"
    chain = execute(parse_program("add(1, 2), add(#0, 3), divide(#1, 3)"))
    assert explain(chain) == "(1 + 2 + 3) / 3 = 2"


def test_explain_percent_literals_constants_tables_and_greater() -> None:
    result = execute(parse_program("multiply(200, 23.6%), greater(#0, const_100)"))
    assert explain(result) == "200 × 23.6% > 100 = no"
    rows = ExecutionContext(rows={"sales": [Quantity(1.0), Quantity(3.0)]})
    assert explain(execute(parse_program("table_average(sales, none)"), rows)) == (
        "average of sales = 2"
    )


def test_explain_shows_rescaled_references() -> None:
    context = ExecutionContext(
        refs={
            "d1:a": SourcedQuantity(Quantity(4.2, Kind.MONEY, Scale.MILLIONS, "USD"), "d1:a"),
            "d1:b": SourcedQuantity(Quantity(1350.0, Kind.MONEY, Scale.THOUSANDS, "USD"), "d1:b"),
        }
    )
    program = parse_json(
        {"steps": [{"op": "subtract", "args": [{"ref": "d1:a"}, {"ref": "d1:b"}]}]}
    )
    assert explain(execute(program, context)) == (
        "4,200 thousand (4.2 million) - 1,350 thousand = $2,850 thousand"
    )
