"""Executor: every operation, constants, references, table rows, limits and the trace."""

from __future__ import annotations

import pytest

from finrag.dsl import (
    ExecutionContext,
    Kind,
    Limits,
    Literal,
    Quantity,
    Scale,
    SourcedQuantity,
    execute,
    parse_json,
    parse_program,
)
from finrag.dsl.ast import Op, Ref, RowName, StepRef
from finrag.errors import ExecutionError, ProgramError

pytestmark = pytest.mark.unit


def run(text: str, context: ExecutionContext | None = None) -> float:
    return execute(parse_program(text), context).value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("add(5829, 5735)", 11564.0),
        ("subtract(5829, 5735)", 94.0),
        ("multiply(1.5, -4)", -6.0),
        ("divide(94, 5735)", 94 / 5735),
        ("exp(1.05, 10)", 1.05**10),
        ("exp(8, 0.5)", 8**0.5),
        ("multiply(200, 23.6%)", 200 * (23.6 / 100.0)),
        ("multiply(2, const_m1)", -2.0),
        ("divide(1577, const_1000)", 1.577),
        ("multiply(3, const_1000000)", 3_000_000.0),
        ("subtract(5829, 5735), divide(#0, 5735), multiply(#1, const_100)", 94 / 5735 * 100),
    ],
)
def test_arithmetic_matches_plain_float_arithmetic(text: str, expected: float) -> None:
    assert run(text) == expected


def test_greater_gives_a_boolean() -> None:
    yes = execute(parse_program("greater(3, 2)"))
    no = execute(parse_program("greater(2, 3)"))
    assert yes.is_boolean and yes.value == 1.0 and yes.answer_kind is Kind.BOOLEAN
    assert no.value == 0.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("divide(1, 0)", "division by zero"),
        ("subtract(2, 2), divide(1, #0)", "division by zero"),
        ("exp(0, -1)", "0 raised to a negative power"),
        ("exp(-8, 0.5)", "not a real number"),
        ("greater(1, 2), add(#0, 1)", "yes/no result"),
    ],
)
def test_program_errors(text: str, message: str) -> None:
    with pytest.raises(ProgramError, match=message):
        run(text)


def test_magnitude_and_step_limits_are_execution_errors() -> None:
    with pytest.raises(ExecutionError, match="below 1e\\+15"):
        run("multiply(100000000, 100000000)")
    with pytest.raises(ExecutionError, match="finite"):
        run("exp(10, 400)")
    long = ", ".join(["add(1, 1)"] * 33)
    with pytest.raises(ExecutionError, match="33 steps; the limit is 32"):
        execute(parse_program(long))
    with pytest.raises(ExecutionError, match="limit is 1"):
        execute(parse_program("add(1, 1), add(#0, 1)"), limits=Limits(max_steps=1))


def _context() -> ExecutionContext:
    revenue = Quantity(4.2, Kind.MONEY, Scale.MILLIONS, "USD")
    cost = Quantity(1350.0, Kind.MONEY, Scale.THOUSANDS, "USD")
    return ExecutionContext(
        refs={
            "d1:t0:r1:c1": SourcedQuantity(revenue, "d1:t0:r1:c1", "4.2", "revenue 2023"),
            "d1:t0:r2:c1": SourcedQuantity(cost, "d1:t0:r2:c1", "1,350", "cost 2023"),
            "d1:p2:s4:n0": SourcedQuantity(Quantity(0.25, Kind.PERCENT), "d1:p2:s4:n0", "25%"),
        },
        rows={"Net Revenue": [Quantity(10.0), Quantity(20.0), Quantity(60.0)]},
    )


def test_references_resolve_with_unit_guard_rescaling_in_the_trace() -> None:
    program = parse_json(
        {
            "steps": [
                {"op": "subtract", "args": [{"ref": "d1:t0:r1:c1"}, {"ref": "d1:t0:r2:c1"}]},
                {"op": "divide", "args": [{"step": 0}, {"ref": "d1:t0:r1:c1"}]},
            ],
            "answer_kind": "percent",
        }
    )
    result = execute(program, _context())
    assert result.value == pytest.approx((4200 - 1350) / 4200)
    assert result.answer_kind is Kind.PERCENT and result.quantity.kind is Kind.PERCENT
    first = result.trace[0]
    assert first.op is Op.SUBTRACT
    revenue, cost = first.operands
    assert revenue.origin == "ref" and revenue.source is not None
    assert revenue.source.label == "revenue 2023" and revenue.source.text == "4.2"
    assert revenue.rescaled_from is Scale.MILLIONS
    assert revenue.quantity == Quantity(4200.0, Kind.MONEY, Scale.THOUSANDS, "USD")
    assert cost.rescaled_from is None
    assert first.result == Quantity(2850.0, Kind.MONEY, Scale.THOUSANDS, "USD")
    assert result.trace[1].operands[0].origin == "step"
    assert result.trace[1].operands[0].arg == StepRef(0)


def test_trace_records_origin_of_literals_and_constants() -> None:
    result = execute(parse_program("multiply(5, const_100)"))
    literal, const = result.trace[0].operands
    assert (literal.origin, const.origin) == ("literal", "constant")
    assert literal.arg == Literal(5.0) and literal.quantity.value == 5.0


def test_unknown_reference_lists_close_ids() -> None:
    with pytest.raises(ProgramError, match="unknown reference @d1:t0:r1:c9; close ids"):
        execute(parse_program("add(@d1:t0:r1:c9, 1)"), _context())
    with pytest.raises(ProgramError, match="the evidence has no ids"):
        execute(parse_program("add(@x, 1)"))


@pytest.mark.parametrize(
    ("op", "expected"),
    [("table_sum", 90.0), ("table_average", 30.0), ("table_max", 60.0), ("table_min", 10.0)],
)
def test_table_ops_with_tolerant_row_names(op: str, expected: float) -> None:
    assert run(f"{op}(net revenue, none)", _context()) == expected
    assert run(f'{op}("  NET-revenue. ")', _context()) == expected


def test_table_trace_lists_every_cell() -> None:
    result = execute(parse_program("table_sum(net revenue, none)"), _context())
    assert [o.quantity.value for o in result.trace[0].operands] == [10.0, 20.0, 60.0]
    assert all(
        o.origin == "row" and o.arg == RowName("net revenue") for o in result.trace[0].operands
    )


def test_unknown_row_lists_close_rows() -> None:
    with pytest.raises(
        ProgramError, match="unknown table row 'net revnue'; close rows: 'Net Revenue'"
    ):
        run("table_sum(net revnue, none)", _context())
    with pytest.raises(ProgramError, match="known rows: 'Net Revenue'"):
        run("table_sum(zzz, none)", _context())


def test_table_row_by_id_and_empty_rows() -> None:
    context = ExecutionContext(rows={"d1:t0:r3": [Quantity(1.0), Quantity(2.0)], "blank": []})
    assert execute(parse_program("table_max(@d1:t0:r3)"), context).value == 2.0
    with pytest.raises(ProgramError, match="has no numbers"):
        execute(parse_program("table_sum(blank)"), context)


def test_table_row_in_mixed_scales_is_rescaled() -> None:
    rows = {
        "x": [
            Quantity(1.0, Kind.MONEY, Scale.MILLIONS),
            Quantity(500.0, Kind.MONEY, Scale.THOUSANDS),
        ]
    }
    result = execute(parse_program("table_sum(x)"), ExecutionContext(rows=rows))
    assert result.quantity == Quantity(1500.0, Kind.MONEY, Scale.THOUSANDS)
    assert result.trace[0].operands[0].rescaled_from is Scale.MILLIONS


def test_declared_answer_kind_is_checked() -> None:
    context = _context()
    with pytest.raises(ProgramError, match="declares answer_kind percent but computes money"):
        execute(parse_program("add(@d1:t0:r1:c1, 1)", Kind.PERCENT), context)
    with pytest.raises(ProgramError, match="declares answer_kind boolean"):
        execute(parse_program("add(1, 1)", Kind.BOOLEAN))
    ratio = execute(parse_program("divide(@d1:t0:r1:c1, @d1:t0:r1:c1)", Kind.PERCENT), context)
    assert ratio.quantity.kind is Kind.PERCENT
    money = execute(parse_program("add(1, 2)", Kind.MONEY))
    assert money.quantity.kind is Kind.MONEY


def test_row_name_outside_table_op_cannot_be_built() -> None:
    with pytest.raises(ProgramError):
        parse_json({"steps": [{"op": "add", "args": [{"row": "x"}, 1]}]})
    assert Ref("a").id == "a"
