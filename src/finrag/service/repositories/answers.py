"""Conversations and the answer history, scoped by tenant."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, select

from finrag.answering.answer import Answer
from finrag.errors import NotFoundError
from finrag.service.db import answers, conversations, now_iso

__all__ = [
    "ConversationRecord",
    "create_conversation",
    "get_answer",
    "get_conversation",
    "list_answers",
    "list_conversation_answers",
    "list_conversations",
    "save_answer",
]


@dataclass(frozen=True, slots=True)
class ConversationRecord:
    """A conversation row."""

    id: str
    tenant: str
    title: str
    created_at: str


def create_conversation(
    engine: Engine, tenant: str, title: str, created_by: str | None
) -> ConversationRecord:
    """A new, empty conversation."""
    row = {
        "id": uuid.uuid4().hex,
        "tenant": tenant,
        "title": title,
        "created_at": now_iso(),
        "created_by": created_by,
    }
    with engine.begin() as conn:
        conn.execute(conversations.insert().values(**row))
    return _conversation(row)


def get_conversation(engine: Engine, tenant: str, conversation_id: str) -> ConversationRecord:
    """One of the tenant's conversations; NotFoundError otherwise."""
    query = select(conversations).where(
        conversations.c.id == conversation_id, conversations.c.tenant == tenant
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise NotFoundError(f"no conversation {conversation_id!r} in tenant {tenant!r}")
    return _conversation(dict(row._mapping))


def list_conversations(engine: Engine, tenant: str, limit: int = 100) -> list[ConversationRecord]:
    """The tenant's conversations, newest first."""
    query = (
        select(conversations)
        .where(conversations.c.tenant == tenant)
        .order_by(conversations.c.created_at.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        return [_conversation(dict(r._mapping)) for r in conn.execute(query)]


def save_answer(
    engine: Engine | Connection, tenant: str, answer: Answer, key_id: str | None
) -> None:
    """Store an answer in the tenant's history (in ``engine``'s own or a given transaction)."""
    row: dict[str, Any] = {
        "id": answer.id,
        "tenant": tenant,
        "conversation_id": answer.conversation_id,
        "key_id": key_id,
        "question": answer.question,
        "abstained": answer.abstained,
        "planner": answer.planner,
        "prompt_version": answer.prompt_version,
        "answer_json": answer.model_dump_json(by_alias=True),
        "created_at": now_iso(),
    }
    if isinstance(engine, Connection):
        engine.execute(answers.insert(), row)
        return
    with engine.begin() as conn:
        conn.execute(answers.insert(), row)


def get_answer(engine: Engine, tenant: str, answer_id: str) -> Answer:
    """One of the tenant's answers; NotFoundError otherwise (also for another tenant's)."""
    query = select(answers.c.answer_json).where(
        answers.c.id == answer_id, answers.c.tenant == tenant
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise NotFoundError(f"no answer {answer_id!r} in tenant {tenant!r}")
    return Answer.model_validate(json.loads(row[0]))


def list_answers(engine: Engine, tenant: str, *, limit: int = 50, offset: int = 0) -> list[Answer]:
    """The tenant's answers, newest first."""
    query = (
        select(answers.c.answer_json)
        .where(answers.c.tenant == tenant)
        .order_by(answers.c.created_at.desc(), answers.c.id)
        .limit(limit)
        .offset(offset)
    )
    with engine.connect() as conn:
        return [Answer.model_validate(json.loads(r[0])) for r in conn.execute(query)]


def list_conversation_answers(engine: Engine, tenant: str, conversation_id: str) -> list[Answer]:
    """A conversation's answers (its turns), oldest first."""
    query = (
        select(answers.c.answer_json)
        .where(answers.c.tenant == tenant, answers.c.conversation_id == conversation_id)
        .order_by(answers.c.created_at, answers.c.id)
    )
    with engine.connect() as conn:
        return [Answer.model_validate(json.loads(r[0])) for r in conn.execute(query)]


def _conversation(row: dict[str, Any]) -> ConversationRecord:
    return ConversationRecord(
        id=row["id"], tenant=row["tenant"], title=row["title"], created_at=row["created_at"]
    )
