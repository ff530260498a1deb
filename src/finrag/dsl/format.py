"""Formatting for people: values (``14.1%``, ``$1,577 million``, ``2.3x``, ``yes``) and the
calculation in plain language (``(5,829 - 5,735) / 5,735 = 1.6%``), built from the trace.

Rounding: percent 1 decimal; money up to 2 decimals with trailing zeros trimmed; per-share
amounts 2 decimals; ratios up to 2 decimals; counts and shares up to 2 decimals with thousands
separators; plain numbers up to 2 decimals (4 below 1 in magnitude).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from finrag.dsl.ast import Const, Literal, Op, Ref, RowName, StepRef
from finrag.dsl.executor import Operand, Result, StepTrace
from finrag.dsl.units import Kind, Quantity, Scale

__all__ = ["explain", "format_number", "format_quantity", "format_result"]

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}
_SINGULAR = {
    Scale.UNITS: "",
    Scale.THOUSANDS: "thousand",
    Scale.MILLIONS: "million",
    Scale.BILLIONS: "billion",
}
_SIGNS = {Op.ADD: "+", Op.SUBTRACT: "-", Op.MULTIPLY: "×", Op.DIVIDE: "/", Op.EXP: "^"}
_SIGNS[Op.GREATER] = ">"
_PRECEDENCE = {Op.GREATER: 0, Op.ADD: 1, Op.SUBTRACT: 1, Op.MULTIPLY: 2, Op.DIVIDE: 2, Op.EXP: 3}
_TABLE_WORDS = {
    Op.TABLE_SUM: "sum",
    Op.TABLE_AVERAGE: "average",
    Op.TABLE_MAX: "max",
    Op.TABLE_MIN: "min",
}


def format_number(value: float, decimals: int = 2) -> str:
    """Thousands separators, at most ``decimals`` decimals (half up), trailing zeros trimmed."""
    if not math.isfinite(value):
        return repr(value)
    rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    text = f"{rounded:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _with_scale(number: str, scale: Scale) -> str:
    word = _SINGULAR[scale]
    return f"{number} {word}" if word else number


def _money(q: Quantity, decimals: int = 2, fixed: bool = False) -> str:
    magnitude = abs(q.value)
    number = format_number(magnitude, decimals)
    if fixed and "." not in number:
        number += "." + "0" * decimals
    elif fixed:
        number = number.ljust(number.index(".") + decimals + 1, "0")
    symbol = _SYMBOLS.get(q.currency or "", f"{q.currency} " if q.currency else "")
    sign = "-" if q.value < 0 and number.strip("0.,") else ""
    return f"{sign}{symbol}{_with_scale(number, q.scale)}"


def format_quantity(q: Quantity) -> str:
    """A value as a person reads it, by kind."""
    kind = q.kind
    if kind is Kind.BOOLEAN:
        return "yes" if q.value else "no"
    if kind is Kind.PERCENT:
        return f"{format_number(q.value * 100, 1)}%"
    if kind is Kind.RATIO:
        return f"{format_number(q.value, 2)}x"
    if kind is Kind.MONEY:
        return _money(q)
    if kind is Kind.PER_SHARE:
        return _money(q, fixed=True) + " per share"
    if kind is Kind.SHARES:
        return _with_scale(format_number(q.value), q.scale) + " shares"
    if kind is Kind.YEARS:
        return f"{format_number(q.value, 1)} years"
    decimals = 4 if abs(q.value) < 1 else 2
    return _with_scale(format_number(q.value, decimals), q.scale)


def format_result(result: Result) -> str:
    """The final answer of a program, formatted by its answer kind. A difference of two
    percentages is a change in percentage points: 21.6% - 24.6% is "-3 percentage points",
    not a 3% fall."""
    if _points(result):
        return f"{format_number(result.quantity.value * 100, 1)} percentage points"
    return format_quantity(result.quantity)


def _points(result: Result) -> bool:
    last = result.trace[-1] if result.trace else None
    return (
        last is not None
        and last.op is Op.SUBTRACT
        and result.quantity.kind is Kind.PERCENT
        and all(q.kind is Kind.PERCENT for q in last.inputs)
    )


def _operand_text(operand: Operand, exprs: list[str]) -> str:
    arg, q = operand.arg, operand.quantity
    if isinstance(arg, StepRef):
        return exprs[arg.index]
    if isinstance(arg, Literal) and arg.percent:
        return f"{format_number(arg.value, 4)}%"
    if isinstance(arg, Const):
        return format_number(arg.value)
    if q.kind is Kind.PERCENT:
        return f"{format_number(q.value * 100, 2)}%"
    text = _with_scale(format_number(q.value, 4), q.scale)
    if operand.rescaled_from is not None:
        stated = operand.quantity.value * q.scale.factor / operand.rescaled_from.factor
        text += f" ({_with_scale(format_number(stated, 4), operand.rescaled_from)})"
    return text


def _needs_parens(child: StepTrace | None, parent: Op, right: bool) -> bool:
    if child is None or child.op not in _PRECEDENCE:
        return False
    inner, outer = _PRECEDENCE[child.op], _PRECEDENCE[parent]
    if parent is Op.EXP:
        return True
    return inner < outer or (inner == outer and right and parent in (Op.SUBTRACT, Op.DIVIDE))


def _step_text(step: StepTrace, exprs: list[str], traces: tuple[StepTrace, ...]) -> str:
    if step.op in _TABLE_WORDS:
        arg = step.operands[0].arg
        name = (
            arg.name if isinstance(arg, RowName) else f"@{arg.id}" if isinstance(arg, Ref) else ""
        )
        return f"{_TABLE_WORDS[step.op]} of {name}"
    parts = []
    for position, operand in enumerate(step.operands):
        text = _operand_text(operand, exprs)
        arg = operand.arg
        child = traces[arg.index] if isinstance(arg, StepRef) else None
        if _needs_parens(child, step.op, right=position == 1):
            text = f"({text})"
        parts.append(text)
    return f" {_SIGNS[step.op]} ".join(parts)


def explain(result: Result) -> str:
    """The calculation in plain language, e.g. ``(5,829 - 5,735) / 5,735 = 1.6%``."""
    exprs: list[str] = []
    for step in result.trace:
        exprs.append(_step_text(step, exprs, result.trace))
    return f"{exprs[-1]} = {format_result(result)}"
