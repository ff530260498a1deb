"""Training supervision: gold FinQA programs and TAT-QA derivations as sketch labels.

For each training question we need the sketch name (classifier target), the gold answer (to
label filled candidates by execution, which is what the metric measures) and the gold operand
values (to label evidence operands). FinQA gives a program string; TAT-QA gives an arithmetic
``derivation`` such as ``(44.1-56.7)/56.7`` that is parsed here with Python's ``ast`` module
(parsing only, never evaluated with ``eval``).
"""

from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass

from finrag.dsl.ast import Const, Literal, Program, RowName, StepRef
from finrag.dsl.parser import parse_program
from finrag.errors import ProgramError

from .sketches import OTHER, SKETCHES

__all__ = ["Gold", "finqa_gold", "matches_gold", "shape_of", "tatqa_gold"]

_SHAPES = {s.shape: s.name for s in SKETCHES}
_ALIASES = {
    "divide(A,B),subtract(#0,const_1)": "pct_change",
    "add(A,B),divide(#0,const_2)": "avg2",
    "add(A,B),add(#0,C),divide(#1,const_3)": "avg3",
}


@dataclass(frozen=True, slots=True)
class Gold:
    """A training question's supervision."""

    sketch: str
    answer: float | None
    percent_answer: bool
    operands: tuple[float, ...]
    tolerance: float


def shape_of(program: Program) -> tuple[str, tuple[float, ...]]:
    """The sketch shape of a program (literals become ``A``, ``B``, ...) and their values."""
    letters: dict[float, str] = {}
    values: list[float] = []
    parts = []
    for step in program.steps:
        args = []
        for arg in step.args:
            if isinstance(arg, StepRef):
                args.append(f"#{arg.index}")
            elif isinstance(arg, Const):
                args.append(arg.name)
            elif isinstance(arg, RowName):
                args.append("ROW")
            elif isinstance(arg, Literal):
                value = arg.quantity.value
                if value not in letters:
                    letters[value] = "ABCDEFGH"[min(len(letters), 7)]
                    values.append(value)
                args.append(letters[value])
        parts.append(f"{step.op.value}({','.join(args)})")
    return ",".join(parts), tuple(values)


def _sketch_name(shape: str) -> str:
    return _SHAPES.get(shape) or _ALIASES.get(shape) or OTHER


def finqa_gold(program_text: str, exe_ans: object) -> Gold:
    """Supervision from a FinQA program and its ``exe_ans``."""
    try:
        program = parse_program(program_text)
    except ProgramError:
        return Gold(OTHER, None, False, (), 0.0)
    shape, values = shape_of(program)
    answer: float | None = None
    if isinstance(exe_ans, int | float) and not isinstance(exe_ans, bool):
        answer = float(exe_ans)
    elif str(exe_ans).strip().lower() in ("yes", "no"):
        answer = 1.0 if str(exe_ans).strip().lower() == "yes" else 0.0
    return Gold(_sketch_name(shape), answer, False, values, 5e-5)


# --- TAT-QA derivations -----------------------------------------------------------------------

_NUM = re.compile(r"\d[\d,]*(?:\.\d+)?%?|\.\d+%?")


_OPS: dict[type, str] = {
    ast.Add: "add",
    ast.Sub: "subtract",
    ast.Mult: "multiply",
    ast.Div: "divide",
}


class _Lower(ast.NodeVisitor):
    """Turn a parsed arithmetic expression into FinQA-style steps with literal letters."""

    def __init__(self, numbers: list[float]) -> None:
        self.numbers = numbers
        self.steps: list[str] = []
        self.letters: dict[float, str] = {}
        self.values: list[float] = []

    def arg(self, node: ast.expr) -> str:
        if isinstance(node, ast.Name):
            value = self.numbers[int(node.id[1:])]
            return self._letter(value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            if isinstance(node.operand, ast.Name):
                return self._letter(-self.numbers[int(node.operand.id[1:])])
            raise ValueError("negated expression")
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return f"const_{int(node.value)}"
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            left = self.arg(node.left)
            right = self.arg(node.right)
            self.steps.append(f"{_OPS[type(node.op)]}({left},{right})")
            return f"#{len(self.steps) - 1}"
        raise ValueError("unsupported node")

    def _letter(self, value: float) -> str:
        if value not in self.letters:
            self.letters[value] = "ABCDEFGH"[min(len(self.letters), 7)]
            self.values.append(value)
        return self.letters[value]


def _derivation_shape(derivation: str) -> tuple[str, tuple[float, ...]]:
    text = derivation.replace("$", "").replace("[", "(").replace("]", ")").replace("×", "*")
    numbers: list[float] = []

    def _name(m: re.Match[str]) -> str:
        raw = m.group(0)
        value = float(raw.rstrip("%").replace(",", ""))
        numbers.append(value / 100.0 if raw.endswith("%") else value)
        return f"n{len(numbers) - 1}"

    named = _NUM.sub(_name, text)
    # Small whole divisors (the 2 of an average) become constants, as FinQA writes them.
    named = re.sub(r"/\s*n(\d+)\b", lambda m: _const_divisor(m, numbers), named)
    tree = ast.parse(named.strip(), mode="eval")
    lower = _Lower(numbers)
    last = lower.arg(tree.body)
    if not lower.steps or last != f"#{len(lower.steps) - 1}":
        raise ValueError("not a computation")
    return ",".join(lower.steps), tuple(lower.values)


def _const_divisor(m: re.Match[str], numbers: list[float]) -> str:
    value = numbers[int(m.group(1))]
    if value in (2.0, 3.0, 4.0, 5.0):
        return f"/ {int(value)}"
    return m.group(0)


def tatqa_gold(question: dict[str, object]) -> Gold:
    """Supervision from a TAT-QA arithmetic question (answer, scale and derivation)."""
    answer_raw = question.get("answer")
    if isinstance(answer_raw, list):
        answer_raw = answer_raw[0] if answer_raw else None
    try:
        answer = float(str(answer_raw).replace(",", ""))
    except ValueError:
        answer = None
    percent = question.get("scale") == "percent"
    try:
        shape, values = _derivation_shape(str(question.get("derivation", "")))
    except (ValueError, SyntaxError, IndexError):
        return Gold(OTHER, answer, percent, (), 0.0)
    return Gold(_sketch_name(shape), answer, percent, values, 0.006)


def matches_gold(value: float, gold: Gold) -> bool:
    """Whether a computed value is the gold answer (percent answers are written x100)."""
    if gold.answer is None or not math.isfinite(value):
        return False
    shown = value * 100.0 if gold.percent_answer else value
    return abs(shown - gold.answer) <= gold.tolerance + 1e-4 * abs(gold.answer)
