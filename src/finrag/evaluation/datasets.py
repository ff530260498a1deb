"""Evaluation datasets as files: FinQA, TAT-QA, ConvFinQA and FinanceBench questions.

Loaders read any file of the dataset's schema (so a user with the full FinQA or TAT-QA files gets
the full numbers) and yield :class:`QAExample` items. Documents are built separately: FinQA,
TAT-QA and ConvFinQA examples name their record (``record_key``), FinanceBench examples their
filing (``doc_name``, the PDF's file name without ``.pdf``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from finrag.errors import EvaluationError

__all__ = ["DATASETS", "QAExample", "load_examples", "load_records"]

DATASETS = ("finqa", "tatqa", "convfinqa", "financebench")


@dataclass(frozen=True, slots=True)
class QAExample:
    """One question with its gold answer and gold evidence."""

    id: str
    dataset: str
    question: str
    record_key: str
    gold_answer: float | str | None
    gold_program: str | None = None
    gold_scale: str = ""
    answer_type: str = "arithmetic"
    gold_facts: tuple[str, ...] = ()
    gold_pages: tuple[int, ...] = ()
    history: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


def load_records(path: Path) -> list[dict[str, Any]]:
    """A JSON list of records (FinQA, TAT-QA, ConvFinQA) or JSON lines (FinanceBench)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise EvaluationError(f"cannot read dataset file {path}: {exc}") from exc
    try:
        if path.suffix == ".jsonl":
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise EvaluationError(f"{path} is not valid JSON ({exc}); expected a dataset file") from exc
    if not isinstance(data, list):
        raise EvaluationError(f"{path}: expected a JSON list of records, got {type(data).__name__}")
    return data


def load_examples(dataset: str, paths: Sequence[Path]) -> list[QAExample]:
    """All examples of ``dataset`` in ``paths``, in file order."""
    loaders = {
        "finqa": _finqa,
        "tatqa": _tatqa,
        "convfinqa": _convfinqa,
        "financebench": _financebench,
    }
    if dataset not in loaders:
        raise EvaluationError(f"unknown dataset {dataset!r}; expected one of {', '.join(DATASETS)}")
    examples: list[QAExample] = []
    for path in paths:
        records = load_records(path)
        try:
            examples.extend(loaders[dataset](records))
        except (KeyError, TypeError) as exc:
            raise EvaluationError(
                f"{path} does not look like a {dataset} file: missing {exc}"
            ) from exc
    return examples


def _finqa(records: list[dict[str, Any]]) -> Iterator[QAExample]:
    for rec in records:
        qa = rec["qa"]
        yield QAExample(
            id=rec["id"],
            dataset="finqa",
            question=qa["question"],
            record_key=rec["id"],
            gold_answer=qa["exe_ans"],
            gold_program=qa["program"],
            gold_facts=tuple(qa.get("gold_inds", {})),
            extra={"answer_text": qa.get("answer", "")},
        )


def _tatqa(records: list[dict[str, Any]]) -> Iterator[QAExample]:
    for ctx in records:
        key = ctx["table"]["uid"]
        by_uid = {p["uid"]: p["order"] for p in ctx["paragraphs"]}
        for q in ctx["questions"]:
            yield QAExample(
                id=q["uid"],
                dataset="tatqa",
                question=q["question"],
                record_key=key,
                gold_answer=q["answer"]
                if not isinstance(q["answer"], list)
                else json.dumps(q["answer"]),
                gold_program=q.get("derivation") or None,
                gold_scale=q.get("scale", ""),
                answer_type=q["answer_type"],
                gold_facts=tuple(
                    f"paragraph_{by_uid.get(u, u)}" for u in q.get("rel_paragraphs", [])
                ),
                extra={"answer_from": q.get("answer_from", "")},
            )


def _convfinqa(records: list[dict[str, Any]]) -> Iterator[QAExample]:
    for rec in records:
        ann = rec["annotation"]
        questions = ann["dialogue_break"]
        for turn, question in enumerate(questions):
            yield QAExample(
                id=f"{rec['id']}#turn{turn}",
                dataset="convfinqa",
                question=question,
                record_key=rec["id"],
                gold_answer=ann["exe_ans_list"][turn],
                gold_program=ann["turn_program"][turn],
                history=tuple(questions[:turn]),
                gold_facts=tuple(rec.get("qa", {}).get("gold_inds", {})),
            )


def _financebench(records: list[dict[str, Any]]) -> Iterator[QAExample]:
    for rec in records:
        pages = tuple(sorted({e["evidence_page_num"] + 1 for e in rec["evidence"]}))
        yield QAExample(
            id=rec["financebench_id"],
            dataset="financebench",
            question=rec["question"],
            record_key=rec["doc_name"],
            gold_answer=rec["answer"],
            answer_type=rec.get("question_reasoning") or rec.get("question_type", ""),
            gold_pages=pages,
            extra={"justification": rec.get("justification", "")},
        )
