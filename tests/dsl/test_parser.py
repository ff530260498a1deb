"""String form: parsing, printing and positioned errors."""

from __future__ import annotations

import pytest

from finrag.dsl import (
    Const,
    Kind,
    Literal,
    Op,
    Program,
    Ref,
    RowName,
    Scale,
    Step,
    StepRef,
    parse_program,
    to_string,
)
from finrag.errors import ProgramError

pytestmark = pytest.mark.unit


def test_finqa_two_step_program() -> None:
    program = parse_program("subtract(5829, 5735), divide(#0, 5735)")
    assert program == Program(
        (
            Step(Op.SUBTRACT, (Literal(5829.0), Literal(5735.0))),
            Step(Op.DIVIDE, (StepRef(0), Literal(5735.0))),
        )
    )


def test_trailing_eof_and_whitespace_are_accepted() -> None:
    plain = parse_program("add(1, 2)")
    assert parse_program("  add( 1 ,2 )  EOF ") == plain
    assert parse_program("add(1, 2), EOF") == plain
    assert parse_program("add(1, 2),") == plain


def test_negative_decimal_exponent_and_percent_literals() -> None:
    step = parse_program("multiply(-3.2, 23.6%)").steps[0]
    assert step.args == (Literal(-3.2), Literal(23.6, percent=True))
    assert step.args[1].quantity.value == pytest.approx(0.236)
    assert step.args[1].quantity.kind is Kind.PERCENT
    assert parse_program("add(1e3, .5)").steps[0].args == (Literal(1000.0), Literal(0.5))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("const_1", 1),
        ("const_2", 2),
        ("const_100", 100),
        ("const_1000", 1000),
        ("const_10000", 10000),
        ("const_1000000", 1000000),
        ("const_m1", -1),
    ],
)
def test_constants(name: str, value: float) -> None:
    arg = parse_program(f"multiply({name}, 1)").steps[0].args[0]
    assert arg == Const(name)
    assert isinstance(arg, Const) and arg.value == value


def test_table_ops_take_a_row_name_and_optional_none() -> None:
    program = parse_program("table_average(net revenue, none), table_max(Total Cost)")
    assert program.steps[0] == Step(Op.TABLE_AVERAGE, (RowName("net revenue"),))
    assert program.steps[1] == Step(Op.TABLE_MAX, (RowName("Total Cost"),))
    assert to_string(program) == "table_average(net revenue, none), table_max(Total Cost, none)"


def test_quoted_row_names_round_trip() -> None:
    program = parse_program('table_sum("a, b (c)", none)')
    assert program.steps[0].args == (RowName("a, b (c)"),)
    assert parse_program(to_string(program)) == program


def test_refs_and_annotated_literals() -> None:
    program = parse_program("add(@d1a2b3:t0:r3:c1, 5[money millions USD])")
    assert program.steps[0].args == (
        Ref("d1a2b3:t0:r3:c1"),
        Literal(5.0, kind=Kind.MONEY, scale=Scale.MILLIONS, currency="USD"),
    )
    assert to_string(program) == "add(@d1a2b3:t0:r3:c1, 5[money millions USD])"


def test_answer_kind_can_be_given() -> None:
    assert parse_program("divide(1, 2)", Kind.PERCENT).answer_kind is Kind.PERCENT


def test_commas_separate_arguments_never_thousands() -> None:
    with pytest.raises(ProgramError, match="position 9: expected '\\)' closing add"):
        parse_program("add(1,234, 5)")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("subtract(5829 5735)", "position 14: expected ',' between the two arguments"),
        ("foo(1, 2)", "unknown operation 'foo'"),
        ("add(1, 2", "expected '\\)' closing add"),
        ("add(1, x)", "position 7: expected a number, #n, const_\\* or @ref, got 'x\\)'"),
        ("add(1, #1)", "step 0 \\(add\\) refers to #1"),
        ("add(1, 2), add(#1, 3)", "a step may only use earlier results #0..#0"),
        ("add(1, const_x)", "unknown constant 'const_x'"),
        ("add(1, 2[furlongs])", "unknown annotation 'furlongs'"),
        ("table_sum(, none)", "expected a row name"),
        ("table_sum(x, total)", "expected 'none'"),
        ("", "expected an operation"),
        ("add(1, 2) )", "expected an operation"),
        ("add(1, @)", "reference id after '@'"),
        ("add(1e999, 2)", "not a finite number"),
        ("add(5%[money], 1)", "cannot also have kind money"),
        ('table_sum("unterminated, none)', "unterminated"),
    ],
)
def test_parse_errors_name_position_and_expectation(text: str, message: str) -> None:
    with pytest.raises(ProgramError, match=message):
        parse_program(text)


def test_non_string_input_is_a_program_error() -> None:
    with pytest.raises(ProgramError):
        parse_program(42)  # type: ignore[arg-type]


def test_printer_writes_integers_without_decimal_point() -> None:
    program = parse_program("add(5829.0, 0.1), multiply(#0, const_100)")
    assert to_string(program) == "add(5829, 0.1), multiply(#0, const_100)"
