"""Fixtures for planner tests: hand-made evidence, a local OpenAI-compatible server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from finrag.documents.model import Chunk
from finrag.planning import openai_chat
from finrag.planning.base import PlanRequest
from finrag.planning.llm import LLMPlanner, LLMSettings
from finrag.testing.openai_server import OpenAIServer
from planning.planning_data import sample_evidence

PlannerMaker = Callable[..., LLMPlanner]


@pytest.fixture
def evidence() -> list[Chunk]:
    return sample_evidence()


@pytest.fixture
def request_(evidence: list[Chunk]) -> PlanRequest:
    return PlanRequest(
        question="What was the percentage change in net revenue from 2018 to 2019?",
        evidence=evidence,
    )


@pytest.fixture(autouse=True)
def _no_remote_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Like pydantic-ai's ALLOW_MODEL_REQUESTS: no test may reach a paid endpoint."""
    monkeypatch.setattr(openai_chat, "ALLOW_REMOTE_REQUESTS", False)


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    with OpenAIServer() as srv:
        yield srv


@pytest.fixture
def make_planner() -> PlannerMaker:
    """Build an LLMPlanner against a local server with fast backoff."""

    def make(srv: OpenAIServer, **options: Any) -> LLMPlanner:
        options.setdefault("model", "gpt-4o")
        options.setdefault("api_key", "sk-test-not-a-real-key")
        options.setdefault("timeout", 5.0)
        options.setdefault("backoff", 0.01)
        options.setdefault("max_backoff", 0.05)
        name = options.pop("name", None)
        return LLMPlanner(LLMSettings(base_url=srv.url, **options), name=name)

    return make
