"""The repair loop with an in-process ChatModel (no HTTP): the backend contract in isolation."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

import pytest

from finrag.planning.base import PlanningFailedError, PlanRequest
from finrag.planning.llm import LLMPlanner, LLMSettings
from finrag.planning.openai_chat import ChatMessage, ChatModel, ChatReply, ChatRequestError
from planning.planning_data import GOOD_PROGRAM, sample_evidence

pytestmark = pytest.mark.unit


class FunctionChatModel(ChatModel):
    """Replies with whatever ``function(messages)`` returns."""

    def __init__(
        self, function: Callable[[Sequence[ChatMessage]], str], model: str = "gpt-4o-mini"
    ) -> None:
        self.function = function
        self.model = model
        self.name = f"function:{model}"
        self.calls: list[list[ChatMessage]] = []

    def complete(self, messages: Sequence[ChatMessage]) -> ChatReply:
        self.calls.append(list(messages))
        return ChatReply(self.function(messages), self.model, 100, 10)


def _planner(chat: ChatModel, **options: object) -> LLMPlanner:
    return LLMPlanner(LLMSettings(model="gpt-4o-mini", api_key="unused", **options), chat=chat)  # type: ignore[arg-type]


REQUEST = PlanRequest("What was the percentage change in net revenue?", sample_evidence())


def test_reply_depends_on_the_error_it_was_sent() -> None:
    def model(messages: Sequence[ChatMessage]) -> str:
        if len(messages) == 2:
            return '{"program": {"steps": [{"op": "divide", "args": [{"ref": "nope"}, 2]}]}}'
        assert "unknown reference @nope" in messages[-1]["content"]
        return json.dumps({"program": GOOD_PROGRAM})  # a wrapped program is accepted too

    chat = FunctionChatModel(model)
    plan = _planner(chat).plan(REQUEST)
    assert plan.attempts == 2 and plan.program is not None
    assert plan.usage.cost_usd == pytest.approx(2 * (100 * 0.15 + 10 * 0.60) / 1e6)


def test_transport_failure_keeps_the_usage_spent_so_far() -> None:
    replies = iter(["not json"])

    def model(messages: Sequence[ChatMessage]) -> str:
        try:
            return next(replies)
        except StopIteration:
            raise ChatRequestError("endpoint down", transient=True, attempts=4) from None

    with pytest.raises(PlanningFailedError, match="endpoint down") as info:
        _planner(FunctionChatModel(model)).plan(REQUEST)
    failure = info.value
    assert failure.usage.calls == 1 and failure.attempts == 1 and not failure.terminal
    assert failure.errors[-1] == "attempt 2: endpoint down"
