"""Prompt canary rollout and planner instrumentation: wrappers around the Planner contract.

:class:`CanaryPlanner` sends a request to the candidate prompt version when
``bucket(request_id) < share``, where the bucket is the first 8 bytes of ``sha256(request_id)``
scaled to [0, 1): deterministic (a retried request goes to the same version) and uniform.
The rollout state comes from a callable (the service reads the database row, cached for a
second), so ``finrag prompts promote`` on one replica reaches all of them.

:class:`InstrumentedPlanner` counts planner failures by error class before re-raising them.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable

from finrag.errors import PlanningError
from finrag.observability.metrics import PLANNER_FAILURES
from finrag.planning.base import Plan, Planner, PlanRequest
from finrag.service.repositories.prompts import Rollout

__all__ = ["CanaryPlanner", "InstrumentedPlanner", "bucket", "choose_version"]


def bucket(request_id: str) -> float:
    """A deterministic number in [0, 1) from ``sha256(request_id)``."""
    digest = hashlib.sha256(request_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def choose_version(rollout: Rollout, request_id: str) -> str:
    """The prompt version that serves ``request_id`` under ``rollout``."""
    if rollout.candidate and rollout.share > 0 and bucket(request_id) < rollout.share:
        return rollout.candidate
    return rollout.stable


class CanaryPlanner:
    """Routes each request to the planner of its prompt version (see the module docstring).

    Args:
        planner_for: builds (and should cache) the planner for a prompt version.
        rollout: returns the current rollout state.
        ttl: seconds a read rollout state is reused.
    """

    def __init__(
        self,
        planner_for: Callable[[str], Planner],
        rollout: Callable[[], Rollout],
        *,
        name: str = "canary",
        ttl: float = 1.0,
    ) -> None:
        self.name = name
        self.planner_for = planner_for
        self._rollout = rollout
        self.ttl = ttl
        self._cached: tuple[float, Rollout] | None = None
        self._lock = threading.Lock()

    def rollout(self) -> Rollout:
        """The rollout state, re-read at most every ``ttl`` seconds."""
        now = time.monotonic()
        with self._lock:
            if self._cached is not None and now - self._cached[0] < self.ttl:
                return self._cached[1]
        state = self._rollout()
        with self._lock:
            self._cached = (now, state)
        return state

    def invalidate(self) -> None:
        """Forget the cached state (after a local promote or rollback)."""
        with self._lock:
            self._cached = None

    def plan(self, request: PlanRequest) -> Plan:
        """Plan with the planner of the request's version."""
        version = choose_version(self.rollout(), request.request_id)
        return self.planner_for(version).plan(request)


class InstrumentedPlanner:
    """Counts failures by error class (``finrag_planner_failures_total``), then re-raises."""

    def __init__(self, inner: Planner) -> None:
        self.inner = inner
        self.name = inner.name

    def plan(self, request: PlanRequest) -> Plan:
        """Delegate to the wrapped planner."""
        try:
            return self.inner.plan(request)
        except PlanningError as exc:
            PLANNER_FAILURES.labels(self.name, type(exc).__name__).inc()
            raise
