"""Print an AST back to the string form.

``parse_program(to_string(p)) == p`` for every program ``p`` (tested with hypothesis).
Plain literals print as FinQA writes them (``5829``, ``-3.2``, ``23.6%``); annotated literals
carry their annotation (``5829[money millions USD]``); row names that the bare grammar cannot
hold (commas, parentheses, quotes, edge whitespace) are printed as JSON strings.
"""

from __future__ import annotations

import json
import re

from finrag.dsl.ast import Arg, Const, Literal, Program, Ref, Step, StepRef
from finrag.dsl.units import Kind, Scale

__all__ = ["arg_to_string", "number_text", "step_to_string", "to_string"]

_SAFE_ROW = re.compile(r'[^,()"@\s][^,()"]*')


def number_text(value: float) -> str:
    """Shortest exact text of a number: ``5829`` rather than ``5829.0``."""
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def _literal(arg: Literal) -> str:
    text = number_text(arg.value) + ("%" if arg.percent else "")
    words = []
    if arg.kind is not Kind.NONE:
        words.append(arg.kind.value)
    if arg.scale is not Scale.UNITS:
        words.append(arg.scale.name.lower())
    if arg.currency is not None:
        words.append(arg.currency)
    return f"{text}[{' '.join(words)}]" if words else text


def arg_to_string(arg: Arg) -> str:
    """The string form of one argument."""
    if isinstance(arg, Literal):
        return _literal(arg)
    if isinstance(arg, StepRef):
        return f"#{arg.index}"
    if isinstance(arg, Const):
        return arg.name
    if isinstance(arg, Ref):
        return f"@{arg.id}"
    name = arg.name
    if name == name.strip() and _SAFE_ROW.fullmatch(name):
        return name
    return json.dumps(name)


def step_to_string(step: Step) -> str:
    """The string form of one step; table operations get FinQA's trailing ``none``."""
    args = [arg_to_string(a) for a in step.args]
    if step.op.is_table:
        args.append("none")
    return f"{step.op.value}({', '.join(args)})"


def to_string(program: Program) -> str:
    """The FinQA string form, steps separated by ``", "``."""
    return ", ".join(step_to_string(s) for s in program.steps)
