"""The prompt rollout state: stable version, canary candidate and its share (one row)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from finrag.service.db import now_iso, prompt_rollout

__all__ = ["Rollout", "read_rollout", "write_rollout"]


@dataclass(frozen=True, slots=True)
class Rollout:
    """Which prompt version serves traffic: ``candidate`` gets ``share`` of requests."""

    stable: str
    candidate: str | None = None
    share: float = 0.0
    previous: str | None = None
    updated_at: str = ""
    updated_by: str | None = None


def read_rollout(engine: Engine, default_stable: str) -> Rollout:
    """The stored state, or ``default_stable`` with no candidate when none was written."""
    with engine.connect() as conn:
        row = conn.execute(select(prompt_rollout).where(prompt_rollout.c.id == 1)).first()
    if row is None:
        return Rollout(stable=default_stable)
    return Rollout(
        stable=row.stable,
        candidate=row.candidate,
        share=float(row.share),
        previous=row.previous,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def write_rollout(engine: Engine, rollout: Rollout, actor: str | None) -> Rollout:
    """Replace the state; returns it with its timestamp."""
    values = {
        "stable": rollout.stable,
        "candidate": rollout.candidate,
        "share": rollout.share,
        "previous": rollout.previous,
        "updated_at": now_iso(),
        "updated_by": actor,
    }
    with engine.begin() as conn:
        result = conn.execute(
            update(prompt_rollout).where(prompt_rollout.c.id == 1).values(**values)
        )
        if result.rowcount == 0:
            try:
                conn.execute(prompt_rollout.insert().values(id=1, **values))
            except IntegrityError:
                conn.execute(
                    update(prompt_rollout).where(prompt_rollout.c.id == 1).values(**values)
                )
    return Rollout(
        stable=rollout.stable,
        candidate=rollout.candidate,
        share=rollout.share,
        previous=rollout.previous,
        updated_at=str(values["updated_at"]),
        updated_by=actor,
    )
