"""The official FinQA metrics: execution accuracy and program accuracy."""

from __future__ import annotations

import pytest

from finrag.dsl import ExecutionContext, Quantity, parse_program
from finrag.dsl.metrics import (
    execution_accuracy,
    execution_match,
    finqa_answer,
    program_accuracy,
    program_match,
)

pytestmark = pytest.mark.unit

GOLD = "subtract(5829, 5735), divide(#0, 5735)"


def test_execution_rounds_to_five_decimals() -> None:
    assert execution_match(GOLD, 0.01639)
    assert not execution_match(GOLD, 0.0164)
    assert execution_match("divide(18, const_100), divide(1.3, #0)", 7.22222)
    assert execution_match("multiply(0.5, 100)", 50)


def test_execution_yes_no_compare_as_strings() -> None:
    assert execution_match("greater(5, 3)", "yes")
    assert execution_match("greater(3, 5)", "no")
    assert not execution_match("greater(3, 5)", "yes")
    assert not execution_match("add(1, 0)", "yes")
    assert not execution_match("greater(3, 5)", 0.0)


def test_any_error_counts_wrong() -> None:
    assert not execution_match("divide(1, 0)", 0.0)
    assert not execution_match("not a program", 0.0)
    assert not execution_match("table_sum(missing, none)", 0.0, ExecutionContext())
    assert not execution_match("add(1, 2)", None)


def test_execution_accuracy_and_finqa_answer() -> None:
    rows = ExecutionContext(rows={"sales": [Quantity(1.0), Quantity(2.0)]})
    items = [(GOLD, 0.01639, None), ("table_sum(sales, none)", 3.0, rows), ("add(1, 1)", 3, None)]
    assert execution_accuracy(items) == pytest.approx(2 / 3)
    assert execution_accuracy([]) == 0.0
    from finrag.dsl import execute

    assert finqa_answer(execute(parse_program("greater(2, 1)"))) == "yes"


@pytest.mark.parametrize(
    ("gold", "predicted", "equal"),
    [
        (GOLD, GOLD, True),
        (GOLD + " EOF", GOLD, True),
        ("add(1, 2), divide(#0, 3)", "add(2, 1), divide(#0, 3)", True),
        ("multiply(2, 3)", "multiply(3, 2)", True),
        ("subtract(5, 3)", "subtract(3, 5)", False),
        ("divide(6, 3)", "divide(3, 6)", False),
        ("add(1, 2), add(#0, 3)", "add(2, 3), add(#0, 1)", True),
        ("add(1, 2)", "add(1, 4)", False),
        ("add(1, 2)", "add(1, const_2)", False),
        ("multiply(2, const_100)", "multiply(const_100, 2)", True),
        ("add(1, 2)", "add(1, 2.0)", True),
        (
            "table_max(sales, none), subtract(#0, 5)",
            "table_max(sales, none), subtract(#0, 5)",
            True,
        ),
        (
            "table_max(sales, none), subtract(#0, 5)",
            "table_min(sales, none), subtract(#0, 5)",
            False,
        ),
        ("greater(5, 3)", "greater(5, 3)", True),
        ("greater(5, 3)", "greater(3, 5)", False),
        ("exp(2, 3)", "exp(2, 3)", True),
        ("exp(2, 3)", "exp(3, 2)", False),
        (GOLD, "garbage(", False),
        ("garbage(", GOLD, False),
        ("subtract(a1, a2)", "subtract(a1, a2)", False),
    ],
)
def test_program_match(gold: str, predicted: str, equal: bool) -> None:
    assert program_match(gold, predicted) is equal


def test_program_accuracy() -> None:
    pairs = [(GOLD, GOLD), ("add(1, 2)", "add(2, 1)"), ("add(1, 2)", "subtract(1, 2)")]
    assert program_accuracy(pairs) == pytest.approx(2 / 3)
    assert program_accuracy([]) == 0.0
