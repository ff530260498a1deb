"""A planner that returns scripted programs in order: a real Planner for tests and demos.

::

    planner = ScriptedPlanner(["subtract(5829, 5735), divide(#0, 5735)",
                               '{"steps": [{"op": "add", "args": [1, 2]}]}'])
    planner.plan(PlanRequest("q", evidence=())).program   # the first program

A queue item is a program in the string form, the JSON form (text, dict or list), a
:class:`~finrag.dsl.ast.Program`, a ready :class:`~finrag.planning.base.Plan`, ``None``
(abstain) or an exception instance (raised, to script failures). Items are parsed when added,
so a bad script fails where it is written. Every request is recorded in :attr:`requests`.
An empty queue raises :class:`ScriptExhaustedError` naming how many requests were answered.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any

from finrag.dsl.ast import Program
from finrag.dsl.jsonform import parse_json
from finrag.dsl.parser import parse_program
from finrag.errors import PlanningError
from finrag.planning.base import Plan, PlanRequest

__all__ = ["ScriptExhaustedError", "ScriptItem", "ScriptedPlanner"]

ScriptItem = str | Mapping[str, Any] | list[Any] | Program | Plan | BaseException | None


class ScriptExhaustedError(PlanningError):
    """The scripted planner was asked for more programs than it was given."""


def _to_entry(item: ScriptItem) -> Program | Plan | BaseException | None:
    if item is None or isinstance(item, Program | Plan | BaseException):
        return item
    if isinstance(item, str):
        text = item.strip()
        if text.startswith(("{", "[")):
            return parse_json(text)
        return parse_program(text)
    return parse_json(item)


class ScriptedPlanner:
    """Returns its queued programs in order (see the module docstring)."""

    def __init__(
        self,
        programs: Iterable[ScriptItem] = (),
        *,
        name: str = "scripted",
        abstain_reason: str = "scripted abstention",
    ) -> None:
        self.name = name
        self.abstain_reason = abstain_reason
        self.requests: list[PlanRequest] = []
        self._queue: deque[Program | Plan | BaseException | None] = deque()
        self._lock = threading.Lock()
        self.add(*programs)

    def add(self, *programs: ScriptItem) -> ScriptedPlanner:
        """Append programs (or abstentions, plans, exceptions) to the queue."""
        entries = [_to_entry(p) for p in programs]
        with self._lock:
            self._queue.extend(entries)
        return self

    @property
    def remaining(self) -> int:
        """How many scripted answers are left."""
        return len(self._queue)

    def plan(self, request: PlanRequest) -> Plan:
        """The next scripted answer."""
        with self._lock:
            self.requests.append(request)
            if not self._queue:
                raise ScriptExhaustedError(
                    f"ScriptedPlanner {self.name!r} has no programs left: it answered "
                    f"{len(self.requests) - 1} request(s) and was asked {request.question!r}; "
                    "add more with .add(...)"
                )
            entry = self._queue.popleft()
        if isinstance(entry, BaseException):
            raise entry
        if isinstance(entry, Plan):
            return entry
        if entry is None:
            return Plan(program=None, planner=self.name, abstain_reason=self.abstain_reason)
        return Plan(program=entry, planner=self.name, confidence=1.0)
