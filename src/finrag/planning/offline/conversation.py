"""Follow-up questions (ConvFinQA style) answered from the conversation so far.

Three patterns, checked in order:

* **ellipsis** -- "what about in 2008?", "and in 2017?": the previous question with its years
  replaced by the new ones; the rewritten question is then planned as usual;
* **this change** -- "what percentage change does this represent?", "what is the growth
  rate?" right after a ``subtract(A, B)`` turn: the previous program extended with
  ``divide(#0, B)``;
* **the difference** -- "what is the difference?", "what was the change?" (no metric, no year
  of its own): ``subtract`` of the two previous answers, or ``add`` for "the total/sum".

Operands are taken from the earlier turns' programs: an earlier lookup's ``@ref`` is reused and
an earlier computation's steps are run again (renumbered), so the follow-up stays grounded in
the evidence with its units; only an answer given without a program is a literal.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from finrag.dsl.ast import Arg, Const, Literal, Op, Program, Ref, Step, StepRef
from finrag.dsl.parser import parse_program
from finrag.dsl.units import Kind
from finrag.errors import ProgramError

from ..base import Turn
from .text import years_in

__all__ = ["FollowUp", "resolve"]

_ELLIPSIS = re.compile(
    r"^\s*(and\s+)?(what|how)\s+about\b|^\s*and\s+(in|for|at|during)\b|^\s*(and|what)\s+(in|for)\s+((19|20)\d\d)",
    re.I,
)
_THIS = re.compile(r"\b(this|that|it|these)\b", re.I)
_PCT_CHANGE = re.compile(
    r"percent(age)?\s+(change|increase|decrease|growth|decline)|growth\s+rate|change\s+in\s+percent",
    re.I,
)
_DIFFERENCE = re.compile(r"\b(difference|change|increase|decrease|variation)\b", re.I)
_SUM = re.compile(r"\b(total|sum|combined)\b", re.I)
_BARE = re.compile(
    r"^\s*(what|how much)\s+(is|was|were|would be)\s+(the|that)\s+\w+\s*\??\s*$", re.I
)


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A resolved follow-up: a ready program, or a rewritten question to plan."""

    program: Program | None = None
    question: str | None = None
    reason: str = ""
    abstain: str = ""  # the follow-up cannot be answered, and why


Operand = tuple[tuple[Step, ...], Arg]  # steps that compute an earlier answer, and its arg


def _turn_operand(turn: Turn) -> Operand | None:
    """An earlier turn as an operand: its lookup reference; else its program's steps, so the
    follow-up keeps every cell it was computed from (units and sources in the trace); else its
    value as a literal."""
    program = None
    if turn.program:
        try:
            program = parse_program(turn.program)
        except ProgramError:
            program = None
    if program is not None:
        step = program.steps[0]
        consts = [a for a in step.args if isinstance(a, Const)]
        refs = [a for a in step.args if isinstance(a, Ref)]
        lookup = step.op is Op.MULTIPLY and refs and consts and consts[0].value == 1.0
        if len(program.steps) == 1 and lookup:
            return (), refs[0]
        return program.steps, StepRef(len(program.steps) - 1)
    if turn.value is None:
        return None
    return (), Literal(float(turn.value))


def _shifted(steps: tuple[Step, ...], offset: int) -> tuple[Step, ...]:
    """``steps`` placed after ``offset`` others: their ``#k`` become ``#k+offset``."""
    return tuple(
        Step(
            step.op,
            tuple(StepRef(a.index + offset) if isinstance(a, StepRef) else a for a in step.args),
        )
        for step in steps
    )


def _combined(op: Op, a: Operand, b: Operand) -> Program:
    """``op`` of two earlier answers, each computed again from its own steps."""
    steps_a, arg_a = a
    steps_b, arg_b = b
    offset = len(steps_a)
    if isinstance(arg_b, StepRef):
        arg_b = StepRef(arg_b.index + offset)
    steps = (*steps_a, *_shifted(steps_b, offset), Step(op, (arg_a, arg_b)))
    return Program(steps)


def _shown(arg: Arg) -> str:
    return f"@{arg.id}" if isinstance(arg, Ref) else f"{getattr(arg, 'value', arg):g}"


def _extend_change(turn: Turn) -> Program | None:
    if not turn.program:
        return None
    try:
        program = parse_program(turn.program)
    except ProgramError:
        return None
    last = program.steps[-1]
    if last.op is not Op.SUBTRACT:
        return None
    base = last.args[1]
    if isinstance(base, StepRef):
        return None
    steps = (*program.steps, Step(Op.DIVIDE, (StepRef(len(program.steps) - 1), base)))
    return Program(steps, Kind.PERCENT)


def _rewrite(question: str, previous: str) -> str | None:
    new_years = years_in(question)
    old_years = years_in(previous)
    if not new_years:
        return None
    if not old_years:
        return f"{previous.rstrip(' ?')} in {new_years[0]}?"
    text = previous
    for old, new in zip(old_years, new_years, strict=False):
        text = re.sub(rf"\b{old}\b", str(new), text)
    return text


def resolve(question: str, conversation: Sequence[Turn]) -> FollowUp | None:
    """The follow-up reading of ``question`` given earlier turns, or None if it stands alone."""
    if not conversation:
        return None
    last = conversation[-1]
    if _ELLIPSIS.search(question):
        rewritten = _rewrite(question, last.question)
        if rewritten:
            return FollowUp(question=rewritten, reason=f"follow-up of {last.question!r}")
    if _PCT_CHANGE.search(question) and (_THIS.search(question) or not years_in(question)):
        program = _extend_change(last)
        if program is not None:
            return FollowUp(program=program, reason="percentage change of the previous difference")
        if _THIS.search(question) and not last.program:
            return FollowUp(abstain="the previous answer it refers to was not given")
    bare = _BARE.match(question) or (_THIS.search(question) and not years_in(question))
    if bare and len(conversation) >= 2:
        a, b = _turn_operand(conversation[-2]), _turn_operand(last)
        if a is not None and b is not None and a == b:
            return FollowUp(
                abstain=f"the two previous answers are the same figure ({_shown(a[1])}), so "
                "combining them answers nothing; one of them was probably read from the wrong "
                "period or line"
            )
        if a is not None and b is not None:
            if _DIFFERENCE.search(question):
                return FollowUp(
                    _combined(Op.SUBTRACT, a, b), reason="difference of the two previous answers"
                )
            if _SUM.search(question):
                return FollowUp(_combined(Op.ADD, a, b), reason="sum of the two previous answers")
        if (a is None or b is None) and (_DIFFERENCE.search(question) or _SUM.search(question)):
            # "what is the difference?" names nothing of its own: planned alone, it would
            # combine whatever numbers the evidence holds
            return FollowUp(abstain="the previous answers it combines were not both given")
    return None
