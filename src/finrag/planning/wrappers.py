"""Planner wrappers: cross-cutting behaviour around the Planner contract.

:class:`FallbackPlanner` asks a primary planner and, when it raises
:class:`~finrag.errors.PlanningError` or abstains, a fallback. The fallback's Plan records what
happened to the primary: its errors (and abstention reason) come first in ``Plan.errors``, and
its token usage is added to ``Plan.usage`` so the cost of the failed attempt is not lost.
"""

from __future__ import annotations

import dataclasses

from finrag.errors import PlanningError
from finrag.planning.base import Plan, Planner, PlanningFailedError, PlanRequest, Usage

__all__ = ["FallbackPlanner"]


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
