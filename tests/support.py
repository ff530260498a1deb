"""Helpers shared by tests: data paths and the CI rule for server tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest

from finrag.documents.model import Chunk

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("FINRAG_SHARED_DATA", ROOT.parent / "shared" / "data"))
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_shared(*parts: str) -> Path:
    """Return a path under ../shared/data or skip the test saying why."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not found at {path}; set FINRAG_SHARED_DATA to run this test")
    return path


def server_unavailable(what: str, why: str) -> None:
    """Skip loudly when a server cannot be started; in CI that is a failure, never a skip."""
    message = f"{what} unavailable: {why}"
    if IN_CI:
        pytest.fail(f"{message} (CI=true: server tests must run, not skip)")
    pytest.skip(message)


_Server = TypeVar("_Server", bound=Any)


@contextmanager
def running(
    server: _Server, what: str, unavailable: type[Exception] | tuple[type[Exception], ...]
) -> Iterator[_Server]:
    """Start a real server for a test session; stop it afterwards.

    If it cannot start (``unavailable`` raised), the test skips loudly, or fails under CI=true.
    """
    try:
        server.start()
    except unavailable as exc:
        server_unavailable(what, str(exc))
    try:
        yield server
    finally:
        server.stop()


def record_chunks(
    table: list[list[str]],
    *,
    post_text: tuple[str, ...] = (),
    pre_text: tuple[str, ...] = (),
    record_id: str = "TEST/2019/page_1.pdf-1",
) -> list[Chunk]:
    """The chunks of a FinQA-style record (a table and sentences), as ingestion chunks it."""
    from finrag.planning.offline.data import finqa_chunks

    record = {
        "id": record_id,
        "pre_text": list(pre_text),
        "post_text": list(post_text),
        "table": table,
    }
    return list(finqa_chunks(record))


def in_section(section: str, chunks: list[Chunk], group: str = "") -> list[Chunk]:
    """``chunks`` as a filing's parser gives them: under a section heading (and a row group)."""
    return [c.model_copy(update={"section": section, "group": group}) for c in chunks]


def plan_value(
    planner: Any, question: str, chunks: list[Chunk], filers: tuple[str, ...] = ()
) -> float | None:
    """The value the planner's program gives for ``question`` over ``chunks``; None when it
    abstains."""
    from finrag.dsl.executor import execute
    from finrag.planning.base import PlanRequest
    from finrag.planning.evidence import build_context

    plan = planner.plan(PlanRequest(question=question, evidence=chunks, filers=filers))
    if plan.program is None:
        return None
    return execute(plan.program, build_context(chunks)).value


def plan_always(
    planner: Any, question: str, chunks: list[Chunk], filers: tuple[str, ...] = ()
) -> Any:
    """The plan at cut-off 0 (``offline:0``): the best reading that passes the checks, however
    unsure, so a test sees which lines are read and which readings were rejected."""
    from finrag.planning.base import PlanRequest
    from finrag.planning.offline import OfflinePlanner

    return OfflinePlanner(planner.model, threshold=0).plan(
        PlanRequest(question=question, evidence=chunks, filers=filers)
    )
