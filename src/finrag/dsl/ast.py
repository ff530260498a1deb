"""The typed AST of DSL v2: one tree for the string form and the JSON form.

A :class:`Program` is a tuple of :class:`Step`; a step is an :class:`Op` and its arguments.
An argument is one of:

* :class:`Literal` -- a number as written (``5829``, ``-3.2``, ``23.6%``), optionally with a
  kind, scale and currency (``5829[money millions USD]`` in the string form);
* :class:`Const` -- a FinQA constant, ``const_100`` or ``const_m1`` (minus one);
* :class:`StepRef` -- ``#n``, the result of an earlier step;
* :class:`Ref` -- ``@<id>``, an evidence cell or sentence number by id
  (``d1a2b3:t0:r3:c1``, ``d1a2b3:p2:s4:n0``), resolved by the execution context;
* :class:`RowName` -- the row a table operation aggregates.

Nodes validate themselves on construction and raise :class:`~finrag.errors.ProgramError`, so a
``Program`` that exists is well formed: the right number and type of arguments per operation and
step references that point backwards only.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from enum import StrEnum

from finrag.dsl.units import Kind, Quantity, Scale
from finrag.errors import ProgramError

__all__ = [
    "Arg",
    "Const",
    "Literal",
    "Op",
    "Program",
    "Ref",
    "RowName",
    "Step",
    "StepRef",
]

REF_ID_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:/\-]*")
_CONST_PATTERN = re.compile(r"const_(m1|\d{1,16})")
_CURRENCY_PATTERN = re.compile(r"[A-Z]{3}")


class Op(StrEnum):
    """The operations of the DSL (FinQA's ten)."""

    ADD = "add"
    SUBTRACT = "subtract"
    MULTIPLY = "multiply"
    DIVIDE = "divide"
    EXP = "exp"
    GREATER = "greater"
    TABLE_SUM = "table_sum"
    TABLE_AVERAGE = "table_average"
    TABLE_MAX = "table_max"
    TABLE_MIN = "table_min"

    @property
    def is_table(self) -> bool:
        """True for the four operations that aggregate a table row."""
        return self in _TABLE_OPS

    @property
    def arity(self) -> int:
        """Number of arguments in the AST (table ops take one row; ``none`` is syntax)."""
        return 1 if self in _TABLE_OPS else 2

    @classmethod
    def parse(cls, name: str) -> Op:
        """Look up an operation by name, case-insensitively."""
        try:
            return cls(name.strip().lower())
        except ValueError:
            known = ", ".join(op.value for op in cls)
            raise ProgramError(f"unknown operation {name!r}; expected one of {known}") from None


_TABLE_OPS = frozenset({Op.TABLE_SUM, Op.TABLE_AVERAGE, Op.TABLE_MAX, Op.TABLE_MIN})


@dataclass(frozen=True, slots=True)
class Literal:
    """A number written in the program.

    ``value`` is the number as written; with ``percent`` it was written ``23.6%`` and means
    ``0.236``. ``kind``, ``scale`` and ``currency`` are optional annotations; a literal without
    them is dimensionless and combines with anything (see docs/dsl.md, unit rules).
    """

    value: float
    percent: bool = False
    kind: Kind = Kind.NONE
    scale: Scale = Scale.UNITS
    currency: str | None = None
    quantity: Quantity = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.value, float | int) or isinstance(self.value, bool):
            raise ProgramError(f"literal value must be a number, got {self.value!r}")
        if not math.isfinite(self.value):
            raise ProgramError(f"literal {self.value!r} is not a finite number")
        if self.kind is Kind.PERCENT:
            raise ProgramError("write a percent literal as 23.6% (percent=true), not kind percent")
        if self.percent and self.kind is not Kind.NONE:
            raise ProgramError(f"a percent literal cannot also have kind {self.kind.value}")
        if self.currency is not None:
            if self.kind is not Kind.MONEY:
                raise ProgramError(f"currency {self.currency!r} needs kind money")
            if not _CURRENCY_PATTERN.fullmatch(self.currency):
                raise ProgramError(f"currency {self.currency!r} must be a 3-letter code like USD")
        object.__setattr__(self, "value", float(self.value))
        if self.percent:
            q = Quantity(self.value / 100.0, Kind.PERCENT, self.scale)
        else:
            q = Quantity(self.value, self.kind, self.scale, self.currency)
        object.__setattr__(self, "quantity", q)


@dataclass(frozen=True, slots=True)
class Const:
    """A FinQA constant: ``const_<digits>`` is that number, ``const_m1`` is minus one."""

    name: str
    value: float = field(init=False, repr=False, compare=False, hash=False)
    quantity: Quantity = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        match = _CONST_PATTERN.fullmatch(self.name) if isinstance(self.name, str) else None
        if match is None:
            raise ProgramError(
                f"unknown constant {self.name!r}; constants are const_<digits> "
                "(const_1, const_100, const_1000000) or const_m1"
            )
        digits = match.group(1)
        value = -1.0 if digits == "m1" else float(int(digits))
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "quantity", Quantity(value))


@dataclass(frozen=True, slots=True)
class StepRef:
    """``#n``: the result of step ``n`` (0-based), which must come earlier."""

    index: int

    def __post_init__(self) -> None:
        if not isinstance(self.index, int) or isinstance(self.index, bool) or self.index < 0:
            raise ProgramError(f"step reference must be #<n> with n >= 0, got {self.index!r}")


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference to an evidence cell or sentence number by id."""

    id: str

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not REF_ID_PATTERN.fullmatch(self.id):
            raise ProgramError(
                f"bad reference id {self.id!r}; ids look like d1a2b3:t0:r3:c1 or d1a2b3:p2:s4:n0"
            )


@dataclass(frozen=True, slots=True)
class RowName:
    """The name of a table row, the argument of ``table_*`` operations."""

    name: str

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ProgramError("a table operation needs a row name, got an empty one")


Arg = Literal | Const | StepRef | Ref | RowName

_VALUE_ARGS = (Literal, Const, StepRef, Ref)
_ROW_ARGS = (RowName, Ref)


@dataclass(frozen=True, slots=True)
class Step:
    """One operation applied to its arguments."""

    op: Op
    args: tuple[Arg, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.op, Op):
            raise ProgramError(f"step operation must be an Op, got {self.op!r}")
        if len(self.args) != self.op.arity:
            raise ProgramError(
                f"{self.op.value} takes {self.op.arity} argument(s), got {len(self.args)}"
            )
        allowed = _ROW_ARGS if self.op.is_table else _VALUE_ARGS
        for arg in self.args:
            if not isinstance(arg, allowed):
                what = "a row name" if self.op.is_table else "a number, #n, const_* or a ref"
                raise ProgramError(f"{self.op.value} expects {what}, got {arg!r}")


@dataclass(frozen=True, slots=True)
class Program:
    """A sequence of steps; the last step's result is the answer.

    ``answer_kind`` optionally declares what the answer measures (percent, money, ...): the
    executor checks it against the computed kind and the formatter uses it for display.
    """

    steps: tuple[Step, ...]
    answer_kind: Kind | None = None

    def __post_init__(self) -> None:
        if not self.steps:
            raise ProgramError("a program needs at least one step")
        for i, step in enumerate(self.steps):
            for arg in step.args:
                if isinstance(arg, StepRef) and arg.index >= i:
                    raise ProgramError(
                        f"step {i} ({step.op.value}) refers to #{arg.index}; "
                        f"a step may only use earlier results #0..#{i - 1}"
                        if i
                        else f"step 0 ({step.op.value}) refers to #{arg.index}; "
                        "the first step has no earlier results"
                    )
