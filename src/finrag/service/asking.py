"""Asking questions: conversation turns in, Answer out, history and audit row written."""

from __future__ import annotations

import uuid
from typing import Any

from finrag.answering.answer import Answer
from finrag.answering.pipeline import Conversation
from finrag.observability.metrics import observe_answer
from finrag.planning.base import Turn
from finrag.service import audit
from finrag.service.repositories import answers as answers_repo
from finrag.service.runtime import Runtime
from finrag.service.schemas import AskRequest
from finrag.service.security import Principal

__all__ = ["answer_audit_payload", "ask", "conversation_turns"]


def conversation_turns(runtime: Runtime, tenant: str, conversation_id: str) -> Conversation:
    """The stored conversation (NotFoundError if not the tenant's) with its earlier turns and
    the chunks their answers cited, so a follow-up can reuse those cells."""
    answers_repo.get_conversation(runtime.engine, tenant, conversation_id)
    earlier = answers_repo.list_conversation_answers(runtime.engine, tenant, conversation_id)
    turns = [
        Turn(
            question=a.question,
            program=a.program.text if a.program else None,
            value=a.value if isinstance(a.value, float) else None,
            display=a.display,
        )
        for a in earlier
    ]
    cited = {item.id for a in earlier for item in a.evidence if item.cited}
    chunks = runtime.store.get_chunks_by_id(tenant, cited) if cited else []
    return Conversation(id=conversation_id, turns=turns, evidence={c.id: c for c in chunks})


def ask(
    runtime: Runtime, principal: Principal, body: AskRequest, request_id: str | None = None
) -> Answer:
    """Answer a question for the caller's tenant; saves it and appends an audit row."""
    tenant = principal.tenant
    conversation = (
        conversation_turns(runtime, tenant, body.conversation_id) if body.conversation_id else None
    )
    if body.doc_ids:
        for doc_id in body.doc_ids:  # unknown or foreign ids are a 404, not a silent empty search
            runtime.store.get_document_info(tenant, doc_id)
    answer = runtime.pipeline.answer(
        body.question,
        tenant=tenant,
        doc_ids=body.doc_ids,
        conversation=conversation,
        request_id=request_id or uuid.uuid4().hex,
    )
    audit.append(
        runtime.engine,
        tenant=tenant,
        actor=principal.key_id,
        action="answer",
        payload=answer_audit_payload(answer),
        also=lambda conn: answers_repo.save_answer(conn, tenant, answer, principal.key_id),
    )
    observe_answer(
        planner=answer.planner,
        prompt_version=answer.prompt_version,
        abstained=answer.abstained,
        timings_ms=answer.timings.model_dump(),
        prompt_tokens=answer.usage.prompt_tokens,
        completion_tokens=answer.usage.completion_tokens,
        cost_usd=answer.usage.cost_usd,
        attempts=answer.attempts,
        cross_check=answer.cross_check.outcome if answer.cross_check else None,
    )
    return answer


def answer_audit_payload(answer: Answer) -> dict[str, Any]:
    """What the audit log keeps of an answer."""
    return {
        "answer_id": answer.id,
        "question": answer.question,
        "conversation_id": answer.conversation_id,
        "doc_ids": answer.doc_ids,
        "evidence_ids": [e.id for e in answer.evidence],
        "cited_ids": [e.id for e in answer.evidence if e.cited],
        "program": answer.program.text if answer.program else None,
        "value": answer.value,
        "display": answer.display,
        "abstained": answer.abstained,
        "abstain_reason": answer.abstain_reason,
        "planner": answer.planner,
        "prompt_version": answer.prompt_version,
        "prompt_hash": answer.prompt_hash,
        "tokens": answer.usage.prompt_tokens + answer.usage.completion_tokens,
        "cost_usd": answer.usage.cost_usd,
        "cross_check": answer.cross_check.note if answer.cross_check else None,
    }
