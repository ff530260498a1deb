"""Program sketches: programs with operand slots, and how to fill and evaluate them.

A sketch is a program shape such as ``subtract(A, B), divide(#0, B)`` (``pct_change``): slots
``A``, ``B``, ``C`` take evidence operands (table cells or sentence numbers) or numbers from the
question, ``ROW`` takes a table row, constants are fixed. The classifier predicts a sketch from
the question; grounding fills its slots; the ranker scores the filled programs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from finrag.dsl import guard
from finrag.dsl.ast import Arg, Const, Op, Program, Step, StepRef
from finrag.dsl.units import Kind, Quantity
from finrag.errors import ProgramError

__all__ = [
    "OTHER",
    "SKETCHES",
    "Sketch",
    "build_program",
    "evaluate",
    "sketch_by_name",
]

OTHER = "other"


@dataclass(frozen=True, slots=True)
class Sketch:
    """A program shape. ``steps`` are (op, arg tokens); tokens are slots, ``#n`` or consts."""

    name: str
    family: str
    steps: tuple[tuple[str, tuple[str, ...]], ...]
    commutative: bool = False

    @property
    def slots(self) -> tuple[str, ...]:
        """The evidence slots in first-use order (``A``, ``B``, ``C``)."""
        seen: list[str] = []
        for _, args in self.steps:
            for a in args:
                if a in ("A", "B", "C") and a not in seen:
                    seen.append(a)
        return tuple(seen)

    @property
    def is_table(self) -> bool:
        return self.family == "table"

    @property
    def shape(self) -> str:
        """The FinQA-like string of the sketch, e.g. ``subtract(A,B),divide(#0,B)``."""
        return ",".join(f"{op}({','.join(args)})" for op, args in self.steps)


SKETCHES: tuple[Sketch, ...] = (
    Sketch("diff", "diff", (("subtract", ("A", "B")),)),
    Sketch("pct_change", "change", (("subtract", ("A", "B")), ("divide", ("#0", "B")))),
    Sketch("ratio", "ratio", (("divide", ("A", "B")),)),
    Sketch("sum2", "sum", (("add", ("A", "B")),), commutative=True),
    Sketch("sum3", "sum", (("add", ("A", "B")), ("add", ("#0", "C"))), commutative=True),
    Sketch("avg2", "avg", (("add", ("A", "B")), ("divide", ("#0", "const_2"))), commutative=True),
    Sketch(
        "avg3",
        "avg",
        (("add", ("A", "B")), ("add", ("#0", "C")), ("divide", ("#1", "const_3"))),
        commutative=True,
    ),
    Sketch("product", "product", (("multiply", ("A", "B")),), commutative=True),
    # "what percentage of the proceeds came from A and B": two parts over a whole
    Sketch("sum_ratio", "ratio", (("add", ("A", "B")), ("divide", ("#0", "C")))),
    Sketch("greater", "greater", (("greater", ("A", "B")),)),
    Sketch(
        "pct_from_100",
        "change",
        (("subtract", ("A", "const_100")), ("divide", ("#0", "const_100"))),
    ),
    Sketch("table_average", "table", (("table_average", ("ROW",)),)),
    Sketch("table_sum", "table", (("table_sum", ("ROW",)),)),
    Sketch("table_max", "table", (("table_max", ("ROW",)),)),
    Sketch("table_min", "table", (("table_min", ("ROW",)),)),
    Sketch("lookup", "lookup", (("multiply", ("A", "const_1")),)),
)

_BY_NAME = {s.name: s for s in SKETCHES}


def sketch_by_name(name: str) -> Sketch:
    """The sketch called ``name``; raises KeyError listing the known names."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown sketch {name!r}; known: {', '.join(_BY_NAME)}") from None


def _token_arg(token: str, fill: dict[str, Arg]) -> Arg:
    if token.startswith("#"):
        return StepRef(int(token[1:]))
    if token.startswith("const_"):
        return Const(token)
    return fill[token]


def build_program(sketch: Sketch, fill: dict[str, Arg], answer_kind: Kind | None) -> Program:
    """The program of ``sketch`` with its slots (and ``ROW``) filled."""
    steps = tuple(
        Step(Op.parse(op), tuple(_token_arg(t, fill) for t in args)) for op, args in sketch.steps
    )
    return Program(steps, answer_kind)


_BINARY = {
    "add": lambda a, b: guard.sum_or_difference(a, b, False),
    "subtract": lambda a, b: guard.sum_or_difference(a, b, True),
    "multiply": guard.product,
    "divide": guard.quotient,
    "greater": guard.compare,
    "exp": guard.power,
}


def evaluate(
    sketch: Sketch, values: dict[str, Quantity], row: Sequence[Quantity] = ()
) -> Quantity | None:
    """Run a filled sketch on quantities with the DSL's unit guard; ``None`` on a unit error.

    This mirrors :func:`finrag.dsl.executor.execute` step for step (same guard functions), so
    candidate values can be scored without building a context for each of them.
    """
    results: list[Quantity] = []
    try:
        for op, args in sketch.steps:
            if op.startswith("table_"):
                results.append(_aggregate(op, row))
                continue
            a, b = (_token_value(t, values, results) for t in args)
            results.append(_BINARY[op](a, b)[2])
    except (ProgramError, ZeroDivisionError, OverflowError, KeyError):
        return None
    return results[-1] if results else None


def _token_value(token: str, values: dict[str, Quantity], results: list[Quantity]) -> Quantity:
    if token.startswith("#"):
        return results[int(token[1:])]
    if token.startswith("const_"):
        return Const(token).quantity
    return values[token]


def _aggregate(op: str, row: Sequence[Quantity]) -> Quantity:
    if not row:
        raise ProgramError("empty row")
    first = row[0]
    nums = [q.value for q in row]
    if op == "table_sum":
        value = sum(nums)
    elif op == "table_average":
        value = sum(nums) / len(nums)
    elif op == "table_max":
        value = max(nums)
    else:
        value = min(nums)
    return Quantity(value, first.kind, first.scale, first.currency)
