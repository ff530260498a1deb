"""Planner wrappers: cross-cutting behaviour around the Planner contract.

:class:`FallbackPlanner` asks a primary planner and, when it raises
:class:`~finrag.errors.PlanningError` or abstains, a fallback. The fallback's Plan records what
happened to the primary: its errors (and abstention reason) come first in ``Plan.errors``, and
its token usage is added to ``Plan.usage`` so the cost of the failed attempt is not lost. The
registry builds chains of them from names such as ``offline:0.8|openai:gpt-4o``: the offline
planner answers what it is sure of, in milliseconds and for free, and the LLM the rest.

:class:`CrossCheckPlanner` asks a primary planner and sets a second planner's reading of the
same question beside its program (:class:`~finrag.planning.base.CrossCheck`): both programs
are executed on the evidence and compared. ``check:openai:gpt-4o`` checks the LLM's programs
with the offline planner's best reading (``offline:0``, which never abstains on a low
confidence). The primary's plan is never changed: agreement and disagreement are recorded for
the audit trail and the evaluation's figures, not acted on.
"""

from __future__ import annotations

import dataclasses
import math

from finrag.dsl.ast import Program
from finrag.dsl.executor import Result, execute
from finrag.dsl.format import format_result
from finrag.dsl.printer import to_string
from finrag.errors import DSLError, PlanningError
from finrag.planning.base import (
    CrossCheck,
    Plan,
    Planner,
    PlanningFailedError,
    PlanRequest,
    Usage,
)
from finrag.planning.evidence import build_context

__all__ = ["CrossCheckPlanner", "FallbackPlanner", "same_result"]


class FallbackPlanner:
    """Use ``fallback`` when ``primary`` raises PlanningError or abstains."""

    def __init__(self, primary: Planner, fallback: Planner, *, name: str | None = None) -> None:
        self.primary = primary
        self.fallback = fallback
        self.name = name or f"{primary.name}|{fallback.name}"

    def plan(self, request: PlanRequest) -> Plan:
        """The primary's plan, or the fallback's with the primary's errors and usage."""
        try:
            first = self.primary.plan(request)
        except PlanningError as exc:
            usage = exc.usage if isinstance(exc, PlanningFailedError) else Usage()
            details = exc.errors if isinstance(exc, PlanningFailedError) else ()
            notes = (*details, f"{self.primary.name} failed: {exc}")
            return self._fall_back(request, notes, usage)
        if not first.abstained:
            return first
        reason = first.abstain_reason or "no reason given"
        notes = (*first.errors, f"{self.primary.name} abstained: {reason}")
        return self._fall_back(request, notes, first.usage)

    def _fall_back(self, request: PlanRequest, notes: tuple[str, ...], usage: Usage) -> Plan:
        second = self.fallback.plan(request)
        return dataclasses.replace(
            second, usage=usage + second.usage, errors=(*notes, *second.errors)
        )


class CrossCheckPlanner:
    """``primary``'s plan with ``checker``'s reading of the same request beside it."""

    def __init__(self, primary: Planner, checker: Planner, *, name: str | None = None) -> None:
        self.primary = primary
        self.checker = checker
        self.name = name or f"check:{primary.name}"

    def plan(self, request: PlanRequest) -> Plan:
        """The primary's plan (errors propagate), with a CrossCheck when it has a program."""
        plan = self.primary.plan(request)
        if plan.program is None:
            return plan
        check = self._check(request, plan.program)
        return dataclasses.replace(plan, cross_check=check)

    def _check(self, request: PlanRequest, program: Program) -> CrossCheck:
        who = self.checker.name
        try:
            other = self.checker.plan(request)
        except PlanningError as exc:
            return CrossCheck(who, None, note=f"{who} failed: {exc}")
        if other.program is None:
            reason = other.abstain_reason or "no reason given"
            return CrossCheck(who, None, confidence=other.confidence, note=f"{who}: {reason}")
        theirs_text = to_string(other.program)
        context = build_context(request.evidence)
        try:
            theirs = execute(other.program, context)
        except DSLError as exc:
            note = f"{who}'s program {theirs_text} does not run: {exc}"
            return CrossCheck(who, None, theirs_text, confidence=other.confidence, note=note)
        display = format_result(theirs)
        value = _value(theirs)
        try:
            mine = execute(program, context)
        except DSLError as exc:  # the pipeline abstains on it too, with this error
            note = f"the checked program does not run ({exc}); {who} reads {display}"
            return CrossCheck(who, None, theirs_text, value, display, other.confidence, note)
        agrees = same_result(mine, theirs)
        sure = "" if other.confidence is None else f", confidence {other.confidence:.2f}"
        if agrees:
            note = f"{who} reads the same {display} ({theirs_text}{sure})"
        else:
            note = f"{who} reads {display} instead of {format_result(mine)} ({theirs_text}{sure})"
        return CrossCheck(who, agrees, theirs_text, value, display, other.confidence, note)


def _value(result: Result) -> float:
    """The answer in plain units (1.0 / 0.0 for yes / no)."""
    return float(result.quantity.value > 0) if result.is_boolean else result.quantity.absolute


def same_result(a: Result, b: Result) -> bool:
    """Whether two executed programs give the same answer: the same yes/no, or values equal
    to a relative 1e-6 in plain units (the unit guard's, so "15.6%" read from a percent cell
    and 0.156 from a division agree, and so do $580 million and 580,000 thousand)."""
    if a.is_boolean or b.is_boolean:
        return a.is_boolean and b.is_boolean and _value(a) == _value(b)
    return math.isclose(_value(a), _value(b), rel_tol=1e-6, abs_tol=1e-12)
