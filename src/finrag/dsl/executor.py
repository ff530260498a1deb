"""The pure executor: runs a :class:`~finrag.dsl.ast.Program` and returns a traced Result.

No ``eval``, no I/O. Bounded by :class:`Limits` (step count, magnitude). Raises
:class:`~finrag.errors.ProgramError` when the program is wrong (unknown reference or row,
kind mismatch, division by zero) and :class:`~finrag.errors.ExecutionError` when a limit is
exceeded or a result is not a finite number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from finrag.dsl import guard
from finrag.dsl.ast import Arg, Const, Literal, Op, Program, Ref, RowName, Step, StepRef
from finrag.dsl.context import EMPTY_CONTEXT, ExecutionContext, SourcedQuantity
from finrag.dsl.units import Kind, Quantity, Scale
from finrag.errors import ExecutionError, ProgramError

__all__ = ["DEFAULT_LIMITS", "Limits", "Operand", "Result", "StepTrace", "execute"]

_RATIOS = frozenset({Kind.PERCENT, Kind.RATIO})
_TABLE_OPS = frozenset(op for op in Op if op.is_table)
_UNITS = Scale.UNITS


@dataclass(frozen=True, slots=True)
class Limits:
    """Execution bounds: at most ``max_steps`` steps, every |result| below ``max_magnitude``."""

    max_steps: int = 32
    max_magnitude: float = 1e15


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True, slots=True)
class Operand:
    """One operand of a step as the step used it.

    ``arg`` says where it came from (a :class:`Literal`, :class:`Const`, ``#n``, ``@ref`` or a
    table row); ``source`` carries the evidence id, text and label for references;
    ``rescaled_from`` is the scale the value was stated in when the unit guard rescaled it.
    """

    quantity: Quantity
    arg: Arg
    source: SourcedQuantity | None = None
    rescaled_from: Scale | None = None

    @property
    def origin(self) -> str:
        """``literal``, ``constant``, ``step``, ``ref`` or ``row``."""
        return _ORIGINS[type(self.arg)]


_ORIGINS: dict[type, str] = {
    Literal: "literal",
    Const: "constant",
    StepRef: "step",
    Ref: "ref",
    RowName: "row",
}


@dataclass(frozen=True, slots=True)
class StepTrace:
    """One executed step: its operation, operands and result.

    Stored compactly (building it is on the hot path): ``args`` says where each operand came
    from (a table step repeats its row argument once per cell), ``inputs`` are the operand
    values as used, ``sources`` the evidence behind ``@ref`` operands (empty when there are
    none) and ``stated`` the operand values before the unit guard rescaled them (empty when
    nothing was rescaled). :attr:`operands` gives the same as :class:`Operand` records.
    """

    index: int
    op: Op
    args: tuple[Arg, ...]
    inputs: tuple[Quantity, ...]
    result: Quantity
    sources: tuple[SourcedQuantity | None, ...] = ()
    stated: tuple[Quantity, ...] = ()

    @property
    def operands(self) -> tuple[Operand, ...]:
        """One :class:`Operand` per input: value as used, origin, evidence, rescaling."""
        sources = self.sources or (None,) * len(self.inputs)
        stated = self.stated or self.inputs
        return tuple(
            Operand(q, arg, src, None if before is q else before.scale)
            for arg, q, src, before in zip(self.args, self.inputs, sources, stated, strict=True)
        )


@dataclass(frozen=True, slots=True)
class Result:
    """The answer of a program: final quantity, answer kind and the per-step trace."""

    quantity: Quantity
    answer_kind: Kind
    trace: tuple[StepTrace, ...]

    @property
    def value(self) -> float:
        """The final value, stated in ``quantity.scale``."""
        return self.quantity.value

    @property
    def is_boolean(self) -> bool:
        """True when the program ends in ``greater`` (a yes/no answer)."""
        return self.quantity.kind is Kind.BOOLEAN


def _quantity(arg: Arg, done: list[StepTrace], context: ExecutionContext) -> Quantity:
    if isinstance(arg, Literal | Const):
        return arg.quantity
    if isinstance(arg, StepRef):
        return done[arg.index].result
    if isinstance(arg, Ref):
        return context.resolve(arg.id).quantity
    raise ProgramError(f"a row name ({arg!r}) can only be used by table operations")


def _sources(
    args: tuple[Arg, ...], context: ExecutionContext
) -> tuple[SourcedQuantity | None, ...]:
    if not any(type(a) is Ref for a in args):
        return ()
    return tuple(context.resolve(a.id) if isinstance(a, Ref) else None for a in args)


_Binary = Callable[[Quantity, Quantity], tuple[Quantity, Quantity, Quantity]]


def _add(a: Quantity, b: Quantity) -> tuple[Quantity, Quantity, Quantity]:
    if a.kind is Kind.NONE and b.kind is Kind.NONE and a.scale is b.scale:
        return a, b, Quantity(a.value + b.value, Kind.NONE, a.scale)
    return guard.sum_or_difference(a, b, subtract=False)


def _subtract(a: Quantity, b: Quantity) -> tuple[Quantity, Quantity, Quantity]:
    if a.kind is Kind.NONE and b.kind is Kind.NONE and a.scale is b.scale:
        return a, b, Quantity(a.value - b.value, Kind.NONE, a.scale)
    return guard.sum_or_difference(a, b, subtract=True)


_BINARY: dict[Op, _Binary] = {
    Op.ADD: _add,
    Op.SUBTRACT: _subtract,
    Op.MULTIPLY: guard.product,
    Op.DIVIDE: guard.quotient,
    Op.EXP: guard.power,
    Op.GREATER: guard.compare,
}


def _binary_step(
    index: int, step: Step, done: list[StepTrace], context: ExecutionContext
) -> StepTrace:
    args = step.args
    qa = _quantity(args[0], done, context)
    qb = _quantity(args[1], done, context)
    a, b, result = _BINARY[step.op](qa, qb)
    stated = () if a is qa and b is qb else (qa, qb)
    return StepTrace(index, step.op, args, (a, b), result, _sources(args, context), stated)


def _table_step(index: int, step: Step, context: ExecutionContext) -> StepTrace:
    arg = step.args[0]
    name = arg.name if isinstance(arg, RowName) else arg.id if isinstance(arg, Ref) else ""
    actual, values = context.row(name)
    if not values:
        raise ProgramError(f"table row {actual!r} has no numbers to {step.op.value[6:]}")
    used, scale = guard.align_all(values)
    kind = Kind.NONE
    for q in used:
        kind = guard.additive_kind(kind, q.kind, step.op.value)
    currency = next((q.currency for q in used if q.currency), None)
    result = Quantity(_aggregate(step.op, [q.value for q in used]), kind, scale, currency)
    rescaled = any(u is not q for u, q in zip(used, values, strict=True))
    args = (arg,) * len(used)
    return StepTrace(index, step.op, args, tuple(used), result, (), values if rescaled else ())


def _aggregate(op: Op, numbers: list[float]) -> float:
    if op is Op.TABLE_SUM:
        return sum(numbers)
    if op is Op.TABLE_AVERAGE:
        return sum(numbers) / len(numbers)
    if op is Op.TABLE_MAX:
        return max(numbers)
    return min(numbers)


def _answer_kind(program: Program, result: Quantity) -> tuple[Quantity, Kind]:
    declared = program.answer_kind
    kind = result.kind
    if declared is None or declared is kind:
        return result, kind
    compatible = kind is Kind.NONE and declared is not Kind.BOOLEAN
    if compatible or (declared in _RATIOS and kind in _RATIOS):
        return Quantity(result.value, declared, result.scale, result.currency), declared
    raise ProgramError(
        f"the program declares answer_kind {declared.value} but computes {kind.value}; "
        "fix the steps or the answer_kind"
    )


def execute(
    program: Program,
    context: ExecutionContext | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Result:
    """Run ``program`` against ``context`` and return the traced :class:`Result`."""
    steps = program.steps
    if len(steps) > limits.max_steps:
        raise ExecutionError(f"program has {len(steps)} steps; the limit is {limits.max_steps}")
    ctx = EMPTY_CONTEXT if context is None else context
    bound = limits.max_magnitude
    done: list[StepTrace] = []
    for index, step in enumerate(steps):
        if step.op in _TABLE_OPS:
            trace = _table_step(index, step, ctx)
        else:
            trace = _binary_step(index, step, done, ctx)
        q = trace.result
        absolute = q.value if q.scale is _UNITS else q.value * q.scale.factor
        if not -bound < absolute < bound:
            raise ExecutionError(
                f"step {index} ({step.op.value}) gives {q.value!r} {q.scale.word}".rstrip()
                + f"; results must be finite and below {bound:g} in magnitude"
            )
        done.append(trace)
    final, kind = _answer_kind(program, done[-1].result)
    return Result(final, kind, tuple(done))
