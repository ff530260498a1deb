"""Checking a planner's program against its evidence before it becomes a Plan.

:func:`validate_program` runs the program with the executor against
:func:`~finrag.planning.evidence.build_context` of the evidence, which catches unknown ids
and rows, unit-guard violations (money + percent), division by zero and a wrong
``answer_kind`` as :class:`~finrag.errors.ProgramError` (repairable) and limit overruns as
:class:`~finrag.errors.ExecutionError` (terminal). With ``grounded=True`` it also rejects
literals that come from nowhere: a literal must be a number of the question, an earlier
answer of the conversation, a number of the evidence (possibly rounded), or a small constant
(an integer up to 12, or a power of ten). Anything else is a number the model made up, and
the error asks for a reference instead.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from finrag.documents.numbers import find_numbers
from finrag.dsl.ast import Literal, Program
from finrag.dsl.context import ExecutionContext
from finrag.dsl.executor import Result, execute
from finrag.errors import ProgramError
from finrag.planning.base import PlanRequest
from finrag.planning.evidence import build_context

__all__ = ["grounded_numbers", "literal_is_grounded", "validate_program"]

_SMALL_INTEGERS = 12
_POWERS_OF_TEN = frozenset(10.0**k for k in range(1, 10))


def grounded_numbers(request: PlanRequest, context: ExecutionContext) -> tuple[float, ...]:
    """Numbers a literal may repeat: the question's, the conversation's, the evidence's."""
    found: list[float] = [n.value for n in find_numbers(request.question)]
    for turn in request.conversation:
        if turn.value is not None:
            found += [turn.value, turn.value * 100.0]
        if turn.display:
            found += [n.value for n in find_numbers(turn.display)]
    for ref_id in context.ref_ids:
        sourced = context.resolve(ref_id)
        quantity = sourced.quantity
        found.append(quantity.value)
        found.append(quantity.value * 100.0)  # a percent cell 12.5% is 0.125 inside
        found += [n.value for n in find_numbers(sourced.text)]
    return tuple(found)


def _decimals(value: float) -> int:
    text = repr(abs(value))
    if "e" in text or "." not in text:
        return 0
    return min(len(text.split(".")[1].rstrip("0")), 12)


def literal_is_grounded(value: float, numbers: Iterable[float]) -> bool:
    """True when ``value`` is a small constant or (a rounding of) one of ``numbers``."""
    magnitude = abs(float(value))
    if (magnitude.is_integer() and magnitude <= _SMALL_INTEGERS) or magnitude in _POWERS_OF_TEN:
        return True
    tolerance = 0.5 * 10.0 ** -_decimals(value)
    return any(
        math.isclose(magnitude, abs(n), rel_tol=1e-9) or abs(magnitude - abs(n)) <= tolerance
        for n in numbers
    )


def _check_literals(program: Program, numbers: Sequence[float]) -> None:
    for i, step in enumerate(program.steps):
        for j, arg in enumerate(step.args):
            if isinstance(arg, Literal) and not literal_is_grounded(arg.value, numbers):
                written = f"{arg.value:g}{'%' if arg.percent else ''}"
                raise ProgramError(
                    f"steps[{i}].args[{j}]: literal {written} is not a number of the question, "
                    "the conversation or the evidence; take numbers from the evidence with "
                    '{"ref": "<id>"} instead of writing them'
                )


def validate_program(
    program: Program,
    request: PlanRequest,
    *,
    context: ExecutionContext | None = None,
    grounded: bool = True,
) -> Result:
    """Execute ``program`` against the request's evidence; return the result or raise.

    Raises ProgramError (repairable: bad id, unit guard, ungrounded literal ...) or
    ExecutionError (terminal: limits).
    """
    ctx = context if context is not None else build_context(request.evidence)
    if grounded:
        _check_literals(program, grounded_numbers(request, ctx))
    return execute(program, ctx)
