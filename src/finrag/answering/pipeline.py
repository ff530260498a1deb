"""One question end to end: retrieve, plan, execute with the unit guard, verify, answer.

The pipeline depends only on contracts: a :class:`~finrag.retrieval.base.Retriever`, a
:class:`~finrag.planning.base.Planner` and the DSL executor. It never raises for a question it
cannot answer: it returns an abstained :class:`Answer` that says why and shows the evidence.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from finrag.answering.answer import (
    Answer,
    CrossCheckItem,
    EvidenceItem,
    ProgramText,
    Timings,
    Usage,
)
from finrag.answering.trace import build_trace, chunk_id_of
from finrag.answering.verify import ungrounded_literals
from finrag.documents.model import Chunk, ChunkKind
from finrag.dsl.executor import Result, execute
from finrag.dsl.format import explain, format_result
from finrag.dsl.jsonform import to_json
from finrag.dsl.printer import to_string
from finrag.errors import DSLError, PlanningError
from finrag.planning.base import Plan, Planner, PlanRequest, Turn, abstention_from_error
from finrag.planning.evidence import build_context
from finrag.planning.formulas import names_line, retrieval_queries
from finrag.planning.ratios import ratio_queries
from finrag.retrieval.base import Retrieved, Retriever

__all__ = ["AnswerPipeline", "Conversation"]

#: Chunks retrieved for each line of a formula the question asks for (on top of the question's
#: own ``k``): "EBITDA less capex" needs operating income from the income statement and capital
#: spending from the cash flow statement, which one search seldom returns together.
TERM_K = 3


@dataclass
class Conversation:
    """The turns of one conversation; follow-up questions see the earlier answers.

    ``evidence`` keeps the chunks earlier answers cited, so a follow-up ("what is the
    difference?") can reuse their cells even when its own retrieval does not find them again.
    """

    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    turns: list[Turn] = field(default_factory=list)
    evidence: dict[str, Chunk] = field(default_factory=dict)

    def with_cited(self, chunks: Sequence[Chunk]) -> list[Chunk]:
        """``chunks`` followed by the earlier turns' cited chunks not already among them."""
        held = {c.id for c in chunks}
        return [*chunks, *(c for cid, c in self.evidence.items() if cid not in held)]

    def retrieval_query(self, question: str) -> str:
        """Follow-ups ("what percentage change does this represent?") borrow the last question."""
        if not self.turns:
            return question
        return f"{self.turns[-1].question} {question}"


class AnswerPipeline:
    """Answers questions over a tenant's documents with a retriever and a planner."""

    def __init__(self, retriever: Retriever, planner: Planner, *, k: int = 8) -> None:
        self.retriever = retriever
        self.planner = planner
        self.k = k

    def answer(
        self,
        question: str,
        *,
        tenant: str,
        doc_ids: Sequence[str] | None = None,
        conversation: Conversation | None = None,
        request_id: str | None = None,
    ) -> Answer:
        """Answer ``question``; appends the turn to ``conversation`` when one is given."""
        rid = request_id or uuid.uuid4().hex
        started = time.perf_counter()
        query = conversation.retrieval_query(question) if conversation else question
        hits = self.retriever.retrieve(tenant, query, doc_ids=doc_ids, k=self.k)
        hits = self._with_term_evidence(hits, question, tenant, doc_ids)
        retrieved = time.perf_counter()
        turns = tuple(conversation.turns) if conversation else ()
        chunks = [h.chunk for h in hits]
        if conversation is not None:
            chunks = conversation.with_cited(chunks)
        # the filers of the documents the evidence comes from: a cached lookup per document
        # (all the tenant's documents would list them again after the search's own scoping)
        held_docs = sorted({c.doc_id for c in chunks})
        filers = tuple(sorted(n for n in self.retriever.filer_names(tenant, held_docs) if n))
        request = PlanRequest(
            question=question,
            evidence=chunks,
            conversation=turns,
            request_id=rid,
            filers=filers,
            abbreviations=self.retriever.abbreviations(tenant, held_docs),
        )
        try:
            plan = self.planner.plan(request)
        except PlanningError as exc:
            plan = abstention_from_error(exc, self.planner.name)
        planned = time.perf_counter()
        answer = self._finish(question, rid, hits, chunks, plan, turns)
        done = time.perf_counter()
        answer.timings = Timings(
            retrieve_ms=_ms(started, retrieved),
            plan_ms=_ms(retrieved, planned),
            execute_ms=_ms(planned, done),
            total_ms=_ms(started, done),
        )
        answer.conversation_id = conversation.id if conversation else None
        answer.doc_ids = sorted({c.doc_id for c in chunks}) if doc_ids is None else list(doc_ids)
        if conversation is not None:
            conversation.turns.append(_turn(question, answer))
            cited = {item.id for item in answer.evidence if item.cited}
            conversation.evidence.update((c.id, c) for c in chunks if c.id in cited)
        return answer

    def _with_term_evidence(
        self, hits: list[Retrieved], question: str, tenant: str, doc_ids: Sequence[str] | None
    ) -> list[Retrieved]:
        """``hits`` followed by the best chunks for each line of a formula the question asks
        for (:func:`~finrag.planning.formulas.retrieval_queries`) or of a ratio it names
        (:func:`~finrag.planning.ratios.ratio_queries`: "current ratio" searches for total
        current assets and total current liabilities), those not already held."""
        held = {h.chunk.id for h in hits}
        out = list(hits)
        subs = retrieval_queries(question) or ratio_queries(question, [h.chunk for h in hits])
        for sub in subs:
            if not sub.primary and any(
                h.chunk.kind is ChunkKind.TABLE_ROW and names_line(h.chunk, sub.usual) for h in out
            ):
                continue  # a table row under the usual name is held (a sentence may round it)
            for hit in self.retriever.retrieve(tenant, sub.text, doc_ids=doc_ids, k=TERM_K):
                if hit.chunk.id not in held and (sub.primary or names_line(hit.chunk, sub.name)):
                    held.add(hit.chunk.id)
                    out.append(hit)
        return out

    def _finish(
        self,
        question: str,
        rid: str,
        hits: Sequence[Retrieved],
        chunks: Sequence[Chunk],
        plan: Plan,
        turns: Sequence[Turn],
    ) -> Answer:
        answer = _base_answer(question, rid, hits, chunks, plan)
        if plan.program is None:
            return _abstain(answer, plan.abstain_reason or "the planner declined to answer")
        answer.program = ProgramText(text=to_string(plan.program), json=to_json(plan.program))
        try:
            result = execute(plan.program, build_context(chunks))
        except DSLError as exc:
            return _abstain(answer, f"the program failed: {exc}")
        missing = ungrounded_literals(plan.program, chunks, turns)
        if missing:
            shown = ", ".join(f"{v:g}" for v in missing)
            return _abstain(answer, f"operand(s) {shown} are not in the evidence or conversation")
        _fill_result(answer, result, chunks)
        return answer


def _base_answer(
    question: str, rid: str, hits: Sequence[Retrieved], chunks: Sequence[Chunk], plan: Plan
) -> Answer:
    usage = plan.usage
    retrieved = {h.chunk.id for h in hits}
    carried = [_carried(c) for c in chunks if c.id not in retrieved]
    return Answer(
        id=rid,
        question=question,
        evidence=[_evidence(h) for h in hits] + carried,
        confidence=plan.confidence,
        planner=plan.planner,
        prompt_version=plan.prompt_version,
        prompt_hash=plan.prompt_hash,
        attempts=plan.attempts,
        errors=list(plan.errors),
        cross_check=_cross_check(plan),
        usage=Usage(
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            cost_usd=usage.cost_usd,
            llm_calls=usage.calls,
        ),
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def _cross_check(plan: Plan) -> CrossCheckItem | None:
    check = plan.cross_check
    return None if check is None else CrossCheckItem(**asdict(check))


def _fill_result(answer: Answer, result: Result, chunks: Sequence[Chunk]) -> None:
    answer.trace = build_trace(result, chunks)
    q = result.quantity
    answer.kind = result.answer_kind.value
    answer.value = ("yes" if q.value > 0 else "no") if result.is_boolean else q.value
    answer.display = format_result(result)
    answer.calculation = explain(result)
    cited = {chunk_id_of(op.ref_id) for step in answer.trace for op in step.operands if op.ref_id}
    for item in answer.evidence:
        item.cited = item.id in cited


def _abstain(answer: Answer, reason: str) -> Answer:
    answer.abstained = True
    answer.abstain_reason = reason
    answer.display = "No answer"
    return answer


def _evidence(hit: Retrieved) -> EvidenceItem:
    c = hit.chunk
    return EvidenceItem(
        id=c.id,
        doc_id=c.doc_id,
        page=c.page,
        kind=c.kind.value,
        text=c.text,
        score=float(hit.score),
        table_index=c.table_index,
        row_index=c.row_index,
    )


def _carried(chunk: Chunk) -> EvidenceItem:
    """Evidence an earlier turn cited, carried into this one (score 0: not retrieved now)."""
    return EvidenceItem(
        id=chunk.id,
        doc_id=chunk.doc_id,
        page=chunk.page,
        kind=chunk.kind.value,
        text=chunk.text,
        score=0.0,
        table_index=chunk.table_index,
        row_index=chunk.row_index,
    )


def _turn(question: str, answer: Answer) -> Turn:
    value = answer.value if isinstance(answer.value, float) else None
    program = answer.program.text if answer.program else None
    return Turn(question=question, program=program, value=value, display=answer.display)


def _ms(start: float, end: float) -> float:
    return round((end - start) * 1000.0, 3)
