"""The official FinQA metrics as a library: execution accuracy and program accuracy.

* **Execution accuracy** (FinQA ``eval_program``): run the predicted program; a numeric result
  rounded to 5 decimals must equal ``exe_ans``; a yes/no result (``greater``) compares as the
  string ``"yes"``/``"no"``. Any error (parse, unknown row, division by zero, limits) is wrong.
* **Program accuracy** (FinQA ``equal_program``): every distinct argument of the gold program
  (and every whole table step, ``op(row)``) becomes a sympy symbol; every argument of the
  prediction must be one of those, and a ``#n`` must point backwards; both programs, read from
  their last step, become sympy expressions that are simplified and compared, so the argument
  order of commutative operations does not matter.

One documented difference: arguments are compared in their canonical printed form, so
``5829`` and ``5829.0`` are the same symbol (the original compares raw token text).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sympy

from finrag.dsl.ast import Arg, Program, Step, StepRef
from finrag.dsl.context import ExecutionContext
from finrag.dsl.executor import Result, execute
from finrag.dsl.parser import parse_program
from finrag.dsl.printer import arg_to_string
from finrag.dsl.units import Kind
from finrag.errors import DSLError

__all__ = [
    "answer_equal",
    "execution_accuracy",
    "execution_match",
    "finqa_answer",
    "program_accuracy",
    "program_match",
]


def finqa_answer(result: Result) -> float | str:
    """The result as FinQA's ``exe_ans``: ``"yes"``/``"no"`` or the value rounded to 5."""
    if result.quantity.kind is Kind.BOOLEAN:
        return "yes" if result.value else "no"
    return round(result.value, 5)


def answer_equal(answer: float | str, gold: object) -> bool:
    """FinQA's comparison of an answer with ``exe_ans`` (strings for yes/no, else floats)."""
    if isinstance(answer, str) or isinstance(gold, str):
        return str(answer) == str(gold).strip().lower()
    if isinstance(gold, bool) or not isinstance(gold, int | float):
        return False
    return answer == float(gold)


def execution_match(
    predicted: str | Program, exe_ans: object, context: ExecutionContext | None = None
) -> bool:
    """True when the predicted program runs and reproduces ``exe_ans`` (FinQA's rule)."""
    try:
        program = parse_program(predicted) if isinstance(predicted, str) else predicted
        return answer_equal(finqa_answer(execute(program, context)), exe_ans)
    except DSLError:
        return False


def execution_accuracy(
    items: Iterable[tuple[str | Program, object, ExecutionContext | None]],
) -> float:
    """Share of ``(predicted, exe_ans, context)`` items whose execution matches."""
    results = [execution_match(p, gold, ctx) for p, gold, ctx in items]
    return sum(results) / len(results) if results else 0.0


def _step_key(step: Step) -> str:
    return f"{step.op.value}({arg_to_string(step.args[0])})"


def _symbols(gold: Program) -> dict[str, sympy.Symbol]:
    table: dict[str, sympy.Symbol] = {}
    for step in gold.steps:
        keys = (
            [_step_key(step)]
            if step.op.is_table
            else [arg_to_string(a) for a in step.args if not isinstance(a, StepRef)]
        )
        for key in keys:
            if key not in table:
                table[key] = sympy.Symbol(f"a{len(table)}")
    return table


def _covered(program: Program, symbols: dict[str, sympy.Symbol]) -> bool:
    for step in program.steps:
        if step.op.is_table:
            if _step_key(step) not in symbols:
                return False
            continue
        for arg in step.args:
            if not isinstance(arg, StepRef) and arg_to_string(arg) not in symbols:
                return False
    return True


def _expression(program: Program, symbols: dict[str, sympy.Symbol]) -> Any:
    built: list[Any] = []
    for step in program.steps:
        if step.op.is_table:
            built.append(symbols[_step_key(step)])
            continue
        a, b = (_symbol(x, built, symbols) for x in step.args)
        built.append(_combine(step.op.value, a, b))
    return built[-1]


def _symbol(arg: Arg, built: list[Any], symbols: dict[str, sympy.Symbol]) -> Any:
    return built[arg.index] if isinstance(arg, StepRef) else symbols[arg_to_string(arg)]


def _combine(op: str, a: Any, b: Any) -> Any:
    if op == "add":
        return a + b
    if op == "subtract":
        return a - b
    if op == "multiply":
        return a * b
    if op == "divide":
        return a / b
    if op == "exp":
        return a**b
    return sympy.StrictGreaterThan(a, b)


def program_match(gold: str | Program, predicted: str | Program) -> bool:
    """FinQA program accuracy for one pair: symbolically equal over gold's arguments."""
    try:
        gold_p = parse_program(gold) if isinstance(gold, str) else gold
        pred_p = parse_program(predicted) if isinstance(predicted, str) else predicted
    except DSLError:
        return False
    symbols = _symbols(gold_p)
    if not _covered(pred_p, symbols):
        return False
    try:
        left = sympy.simplify(_expression(gold_p, symbols))
        right = sympy.simplify(_expression(pred_p, symbols))
    except (TypeError, ValueError, ZeroDivisionError, RecursionError):
        return False
    return bool(left == right)


def program_accuracy(pairs: Sequence[tuple[str | Program, str | Program]]) -> float:
    """Share of ``(gold, predicted)`` pairs that are program-equal."""
    if not pairs:
        return 0.0
    return sum(program_match(g, p) for g, p in pairs) / len(pairs)
