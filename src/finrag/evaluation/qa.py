"""End-to-end QA evaluation: ingest each dataset document, then retrieve, plan, execute, score.

The harness runs the same :class:`~finrag.answering.pipeline.AnswerPipeline` as ``finrag ask``
and the service, so what it measures is what users get. Each question's retrieval is scoped to
its own document (a FinQA/TAT-QA record, a ConvFinQA record, or a FinanceBench filing).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from finrag.answering.answer import Answer
from finrag.answering.pipeline import Conversation
from finrag.documents.chunking import chunk_document
from finrag.documents.datasets import finqa_document, tatqa_document
from finrag.dsl.ast import Literal, Program, Ref, RowName, Step
from finrag.dsl.jsonform import parse_json
from finrag.dsl.printer import to_string
from finrag.dsl.tatqa import derivation_to_program
from finrag.errors import DSLError, EvaluationError
from finrag.evaluation.datasets import QAExample, load_examples, load_records
from finrag.evaluation.report import (
    ExampleResult,
    aggregate,
    by_planner,
    by_sketch,
    coverage,
    cross_checks,
    git_revision,
    program_sketch,
)
from finrag.evaluation.scoring import SCORING_VERSION, score_answer
from finrag.retrieval.indexing import index_document
from finrag.retrieval.labels import finqa_gold
from finrag.runtime import Runtime

__all__ = ["evaluate_qa", "index_records", "resolved_program"]

Progress = Callable[[str, int, int], None]


def _silent(_: str, __: int, ___: int) -> None:
    return None


def resolved_program(answer: Answer) -> str | None:
    """The answer's program with every reference replaced by the number it read (FinQA form)."""
    if answer.program is None:
        return None
    try:
        program = parse_json(answer.program.json_form)
    except DSLError:
        return None
    operands = {op.ref_id: op for step in answer.trace for op in step.operands if op.ref_id}
    steps = []
    for step in program.steps:
        args = []
        for arg in step.args:
            op = operands.get(arg.id) if isinstance(arg, Ref) else None
            if op is None or not isinstance(arg, Ref):
                args.append(arg)
            elif step.op.is_table:
                args.append(RowName(op.label.split(",")[0] or arg.id))
            elif op.kind == "percent":
                args.append(Literal(round(op.value * 100, 10), percent=True))
            else:
                args.append(Literal(op.value))
        steps.append(Step(step.op, tuple(args)))
    return to_string(Program(tuple(steps)))


def index_records(
    runtime: Runtime, dataset: str, paths: Sequence[Path], keys: set[str], tenant: str
) -> dict[str, tuple[str, Any]]:
    """Index the records the examples need; returns record key -> (doc id, chunks or record)."""
    out: dict[str, tuple[str, Any]] = {}
    for path in paths:
        for record in load_records(path):
            if dataset == "tatqa":
                key, doc = record["table"]["uid"], tatqa_document(record, source=path.name)
            else:
                key, doc = record["id"], finqa_document(record, source=path.name)
            if key not in keys or key in out:
                continue
            chunks = chunk_document(doc)
            index_document(runtime.store, tenant, doc, chunks, runtime.embedder)
            out[key] = (doc.id, (record, chunks))
    return out


def _index_filings(
    runtime: Runtime, paths: Sequence[Path], keys: set[str], tenant: str
) -> dict[str, tuple[str, Any]]:
    out: dict[str, tuple[str, Any]] = {}
    for key in sorted(keys):
        pdf = _find_pdf(paths, key)
        report, results = runtime.index([pdf], tenant=tenant)
        if report.failed or not results:
            raise EvaluationError(
                f"could not ingest {pdf}: {report.failed[0].error if report.failed else '?'}"
            )
        out[key] = (results[0].doc_id, None)
    return out


def _find_pdf(paths: Sequence[Path], doc_name: str) -> Path:
    for base in paths:
        for candidate in (
            base.parent / "pdfs" / f"{doc_name}.pdf",
            base.parent / f"{doc_name}.pdf",
        ):
            if candidate.exists():
                return candidate
    raise EvaluationError(
        f"FinanceBench filing {doc_name}.pdf not found beside {paths[0]} (expected pdfs/)"
    )


def _retrieval_hit(example: QAExample, answer: Answer, payload: Any) -> float | None:
    if example.dataset == "financebench":
        pages = {e.page for e in answer.evidence}
        return float(bool(pages & set(example.gold_pages)))
    if example.dataset in ("finqa", "convfinqa") and payload is not None:
        record, chunks = payload
        facts = finqa_gold(record, chunks)
        if not facts:
            return None
        ids = {e.id for e in answer.evidence}
        return sum(1 for fact in facts if fact & ids) / len(facts)
    return None


def _result(example: QAExample, answer: Answer, payload: Any) -> ExampleResult:
    resolved = resolved_program(answer)
    score = score_answer(example, answer, resolved)
    return ExampleResult(
        id=example.id,
        question=example.question,
        gold=example.gold_answer,
        predicted=answer.value,
        display=answer.display,
        correct=score.correct,
        answered=score.answered,
        program_correct=score.program_correct,
        program=resolved,
        gold_program=example.gold_program,
        abstain_reason=answer.abstain_reason,
        retrieval_hit=_retrieval_hit(example, answer, payload),
        latency_ms=answer.timings.total_ms,
        prompt_tokens=answer.usage.prompt_tokens,
        completion_tokens=answer.usage.completion_tokens,
        cost_usd=answer.usage.cost_usd,
        sketch=_sketch(example),
        confidence=answer.confidence,
        planner=answer.planner,
        cross_check=answer.cross_check.outcome if answer.cross_check else "",
    )


def _sketch(example: QAExample) -> str:
    """The gold program's shape; TAT-QA derivations are converted to DSL programs first."""
    if example.dataset == "financebench":
        return example.answer_type
    if example.dataset == "tatqa":
        try:
            program = derivation_to_program(example.gold_program or "", example.gold_scale)
        except DSLError:
            return "unconvertible"
        return program_sketch(to_string(program))
    return program_sketch(example.gold_program)


def evaluate_qa(
    runtime: Runtime,
    dataset: str,
    paths: Sequence[Path],
    *,
    planner: str | None = None,
    limit: int | None = None,
    arithmetic_only: bool = True,
    progress: Progress = _silent,
) -> tuple[dict[str, Any], list[ExampleResult]]:
    """Run the pipeline over the dataset's questions; returns the report and per-question results."""
    examples = load_examples(dataset, paths)
    if dataset == "tatqa" and arithmetic_only:
        examples = [e for e in examples if e.answer_type == "arithmetic"]
    examples = examples[:limit] if limit else examples
    if not examples:
        raise EvaluationError(f"no {dataset} questions found in {', '.join(map(str, paths))}")
    tenant = f"eval-{dataset}"
    keys = {e.record_key for e in examples}
    if dataset == "financebench":
        docs = _index_filings(runtime, paths, keys, tenant)
    else:
        docs = index_records(runtime, dataset, paths, keys, tenant)
    pipeline = runtime.pipeline(planner)
    results: list[ExampleResult] = []
    conversation = Conversation()
    for n, example in enumerate(examples, start=1):
        if not example.history:
            conversation = Conversation()
        doc_id, payload = docs[example.record_key]
        answer = pipeline.answer(
            example.question, tenant=tenant, doc_ids=[doc_id], conversation=conversation
        )
        results.append(_result(example, answer, payload))
        progress(dataset, n, len(examples))
    report = {
        "kind": "qa",
        "dataset": dataset,
        "files": [str(p) for p in paths],
        "planner": pipeline.planner.name,
        "date": _now(),
        "git_rev": git_revision(),
        "scoring_version": SCORING_VERSION,
        "retrieval_k": pipeline.k,
        "metrics": aggregate(dataset, results),
        "by_sketch": by_sketch(results),
    }
    for key, figures in (
        ("coverage", coverage(results)),
        ("by_planner", by_planner(results)),
        ("cross_check", cross_checks(results)),
    ):
        if figures is not None:
            report[key] = figures
    return report, results


def _now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat(timespec="seconds")


def dumps(report: dict[str, Any]) -> str:
    """The report as one JSON line (what ``--json`` prints)."""
    return json.dumps(report, default=str)
