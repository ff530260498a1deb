"""Ask a question; conversations; the answer history."""

from __future__ import annotations

from typing import Any

import anyio
import anyio.to_thread
from fastapi import APIRouter, Query, Response, status

from finrag.answering.answer import Answer
from finrag.service.api import API_PREFIX
from finrag.service.api.deps import AnalystDep, AskLimiterDep, RuntimeDep, ViewerDep
from finrag.service.asking import ask as ask_question
from finrag.service.repositories import answers as repo
from finrag.service.schemas import (
    AskRequest,
    ConversationCreate,
    ConversationDetail,
    ConversationOut,
)

__all__ = ["router"]

router = APIRouter(prefix=API_PREFIX, tags=["answers"])


def _answer_json(answer: Answer) -> dict[str, Any]:
    return answer.model_dump(mode="json", by_alias=True)


@router.post("/ask", response_class=Response, responses={200: {"model": Answer}})
async def ask(
    body: AskRequest, runtime: RuntimeDep, principal: AnalystDep, limiter: AskLimiterDep
) -> Response:
    """Answer a question over the tenant's documents; returns the Answer JSON.

    The CPU-bound work runs in a worker thread, at most ``service.max_concurrent_asks`` at
    once: extra requests wait in the event loop instead of thrashing the GIL.
    """
    answer = await anyio.to_thread.run_sync(ask_question, runtime, principal, body, limiter=limiter)
    # Serialised by pydantic directly: the hot path skips FastAPI's generic encoder.
    return Response(answer.model_dump_json(by_alias=True), media_type="application/json")


@router.get("/answers")
def answers(
    runtime: RuntimeDep,
    principal: ViewerDep,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
) -> list[dict[str, Any]]:
    """The tenant's answers, newest first."""
    found = repo.list_answers(runtime.engine, principal.tenant, limit=limit, offset=offset)
    return [_answer_json(a) for a in found]


@router.get("/answers/{answer_id}")
def answer(answer_id: str, runtime: RuntimeDep, principal: ViewerDep) -> dict[str, Any]:
    """One of the tenant's answers."""
    return _answer_json(repo.get_answer(runtime.engine, principal.tenant, answer_id))


@router.post("/conversations", status_code=status.HTTP_201_CREATED, response_model=ConversationOut)
def create_conversation(
    body: ConversationCreate, runtime: RuntimeDep, principal: AnalystDep
) -> ConversationOut:
    """Start a conversation; pass its id as ``conversation_id`` to ``/ask``."""
    record = repo.create_conversation(
        runtime.engine, principal.tenant, body.title, principal.key_id
    )
    return ConversationOut(id=record.id, title=record.title, created_at=record.created_at)


@router.get("/conversations", response_model=list[ConversationOut])
def conversations(runtime: RuntimeDep, principal: ViewerDep) -> list[ConversationOut]:
    """The tenant's conversations, newest first."""
    return [
        ConversationOut(id=c.id, title=c.title, created_at=c.created_at)
        for c in repo.list_conversations(runtime.engine, principal.tenant)
    ]


@router.get("/conversations/{conversation_id}", response_model=ConversationDetail)
def conversation(
    conversation_id: str, runtime: RuntimeDep, principal: ViewerDep
) -> ConversationDetail:
    """A conversation with its turns."""
    record = repo.get_conversation(runtime.engine, principal.tenant, conversation_id)
    turns = repo.list_conversation_answers(runtime.engine, principal.tenant, conversation_id)
    return ConversationDetail(
        id=record.id, title=record.title, created_at=record.created_at,
        turns=[_answer_json(a) for a in turns],
    )  # fmt: skip
