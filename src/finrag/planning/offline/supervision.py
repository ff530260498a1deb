"""Training supervision: gold FinQA programs and TAT-QA derivations as sketch labels.

For each training question we need the sketch name (classifier target), the gold answer (to
label filled candidates by execution, which is what the metric measures) and the gold operand
values (to label evidence operands). FinQA gives a program string; TAT-QA gives an arithmetic
``derivation`` such as ``(44.1-56.7)/56.7``, converted to a program by the project's official
converter :func:`finrag.dsl.tatqa.derivation_to_program` (the one ``finrag eval`` and
``dsl check`` use), whose shape gives the sketch.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from finrag.dsl.ast import Const, Literal, Program, RowName, Step, StepRef
from finrag.dsl.parser import parse_program
from finrag.dsl.tatqa import derivation_to_program
from finrag.errors import ProgramError

from .sketches import OTHER, SKETCHES

__all__ = ["Gold", "finqa_gold", "matches_gold", "shape_of", "tatqa_gold"]

_SHAPES = {s.shape: s.name for s in SKETCHES}
_ALIASES = {
    "divide(A,B),subtract(#0,const_1)": "pct_change",
    "add(A,B),divide(#0,const_2)": "avg2",
    "add(A,B),add(#0,C),divide(#1,const_3)": "avg3",
    "add(A,B),add(C,#0)": "sum3",
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
    name = _SHAPES.get(shape) or _ALIASES.get(shape)
    if name is None and "(A,A)" in shape:
        # two operands with the same value share a letter ("subtract(A,A)"): the sketch is
        # still the two-slot one
        name = _SHAPES.get(shape.replace("(A,A)", "(A,B)").replace("(#0,A)", "(#0,B)"))
    return name or OTHER


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

# Bare whole numbers in a derivation that are arithmetic, not evidence: the n of an average
# ("(a+b)/2") and the 1 of "a/b - 1". The official converter keeps them as literals.
_SCALAR_CONSTS = {1.0: "const_1", 2.0: "const_2", 3.0: "const_3", 4.0: "const_4", 5.0: "const_5"}


def _constants_folded(program: Program) -> Program:
    """The program with derivation scalars written as constants: the divisor of an average
    (``divide(#k, 2)``) and the 1 of ``subtract(#k, 1)``."""
    steps = []
    for step in program.steps:
        args = list(step.args)
        first, last = args[0], args[-1]
        scalar = isinstance(last, Literal) and not last.percent and last.value in _SCALAR_CONSTS
        if isinstance(first, StepRef) and scalar and step.op.value in ("divide", "subtract"):
            assert isinstance(last, Literal)
            if step.op.value == "divide" or last.value == 1.0:
                args[-1] = Const(_SCALAR_CONSTS[last.value])
        steps.append(Step(step.op, tuple(args)))
    return Program(tuple(steps), program.answer_kind)


def tatqa_gold(question: dict[str, object]) -> Gold:
    """Supervision from a TAT-QA arithmetic question, via the official derivation converter
    (:func:`finrag.dsl.tatqa.derivation_to_program`)."""
    answer_raw = question.get("answer")
    if isinstance(answer_raw, list):
        answer_raw = answer_raw[0] if answer_raw else None
    try:
        answer = float(str(answer_raw).replace(",", ""))
    except ValueError:
        answer = None
    scale = str(question.get("scale") or "")
    percent = scale == "percent"
    try:
        program = derivation_to_program(str(question.get("derivation", "")), scale)
    except ProgramError:
        return Gold(OTHER, answer, percent, (), 0.0)
    folded = _constants_folded(program)
    shape, values = shape_of(folded)
    raw = tuple(a.value for s in folded.steps for a in s.args if isinstance(a, Literal))
    operands = tuple(dict.fromkeys(values + raw))
    return Gold(_sketch_name(shape), answer, percent, operands, 0.006)


_SPAN_NUMBER = re.compile(r"[$(\-]*\s*\d[\d,]*(?:\.\d+)?\s*%?\)?")
_YEAR = re.compile(r"(?:19|20)\d\d")


def tatqa_lookup_gold(question: dict[str, object]) -> Gold | None:
    """Supervision from a TAT-QA span question whose answer is one number read from the
    evidence ("What was the amount of total sales in 2019?" -> "$1,496.5"): the operand is
    that number (a lookup). ``None`` for other spans, and for year answers ("In which year
    ...?" -> "2019"), which name a column rather than read a cell."""
    if question.get("answer_type") != "span":
        return None
    raw = question.get("answer")
    if isinstance(raw, list):
        raw = raw[0] if len(raw) == 1 else None
    text = str(raw or "").strip()
    if not _SPAN_NUMBER.fullmatch(text) or _YEAR.fullmatch(text):
        return None
    value = float(re.sub(r"[^\d.]", "", text))
    if text.startswith(("(", "-", "$(", "$ (")):
        value = -value
    percent = "%" in text or question.get("scale") == "percent"
    operands = (value, value / 100.0) if percent else (value,)
    return Gold("lookup", value, False, operands, 0.006)


def matches_gold(value: float, gold: Gold, percent_points: bool = False) -> bool:
    """Whether a computed value is the gold answer.

    TAT-QA percent answers are written x100. ``percent_points``: the value is itself a
    percentage (a cell such as "57.3%", or a difference of two), which FinQA writes either as
    a fraction (``subtract(36%, 28%)`` is 0.08) or as printed (``subtract(57.3, 59.7)``); both
    forms state the same quantity, as :func:`finrag.evaluation.scoring` accepts.
    """
    if gold.answer is None or not math.isfinite(value):
        return False
    shown = value * 100.0 if gold.percent_answer else value
    forms = (shown, value * 100.0) if percent_points and not gold.percent_answer else (shown,)
    return any(abs(f - gold.answer) <= gold.tolerance + 1e-4 * abs(gold.answer) for f in forms)
