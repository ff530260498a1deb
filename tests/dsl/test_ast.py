"""AST nodes validate themselves."""

from __future__ import annotations

import pytest

from finrag.dsl import Const, Kind, Literal, Op, Program, Ref, RowName, Step, StepRef
from finrag.errors import ProgramError

pytestmark = pytest.mark.unit


def test_nodes_are_frozen_and_hashable() -> None:
    step = Step(Op.ADD, (Literal(1.0), Const("const_2")))
    assert hash(Program((step,))) == hash(Program((Step(Op.ADD, (Literal(1), Const("const_2"))),)))
    with pytest.raises(AttributeError):
        step.op = Op.SUBTRACT  # type: ignore[misc]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Program(()), "at least one step"),
        (lambda: Step(Op.ADD, (Literal(1.0),)), "add takes 2 argument"),
        (lambda: Step(Op.TABLE_SUM, (Literal(1.0),)), "table_sum expects a row name"),
        (lambda: Step(Op.ADD, (Literal(1.0), RowName("x"))), "add expects a number"),
        (lambda: StepRef(-1), "n >= 0"),
        (lambda: Ref("has space"), "bad reference id"),
        (lambda: RowName("   "), "empty"),
        (lambda: Literal(float("nan")), "not a finite number"),
        (lambda: Literal(1.0, kind=Kind.PERCENT), "write a percent literal as 23.6%"),
        (lambda: Literal(1.0, currency="USD"), "needs kind money"),
        (lambda: Literal(1.0, kind=Kind.MONEY, currency="usd"), "3-letter code"),
        (lambda: Const("const_"), "unknown constant"),
    ],
)
def test_invalid_nodes_raise_program_error(build: object, message: str) -> None:
    with pytest.raises(ProgramError, match=message):
        build()  # type: ignore[operator]


def test_op_properties() -> None:
    assert Op.TABLE_MIN.is_table and Op.TABLE_MIN.arity == 1
    assert not Op.GREATER.is_table and Op.GREATER.arity == 2
    assert Op.parse(" Divide ") is Op.DIVIDE
