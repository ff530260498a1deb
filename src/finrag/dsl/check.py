"""Reproduce dataset gold answers with the DSL: FinQA gold programs and TAT-QA derivations.

``check_paths`` loads FinQA files (a JSON list of records with ``qa.program``, ``qa.exe_ans``
and ``table``) and TAT-QA files (a JSON list of contexts with ``questions``), sniffing which is
which by content, runs every FinQA gold program and every TAT-QA arithmetic derivation, and
reports how many reproduce the gold answer under each dataset's official rule.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from finrag.dsl._cells import clean_cell
from finrag.dsl.context import ExecutionContext
from finrag.dsl.executor import execute
from finrag.dsl.metrics import answer_equal, finqa_answer
from finrag.dsl.parser import parse_program
from finrag.dsl.printer import to_string
from finrag.dsl.tatqa import derivation_to_program, tatqa_match, tatqa_value
from finrag.dsl.units import Kind, Quantity
from finrag.errors import DSLError, EvaluationError

__all__ = [
    "CheckReport",
    "Outcome",
    "check_finqa",
    "check_paths",
    "check_tatqa",
    "finqa_context",
    "sniff",
]


@dataclass(frozen=True, slots=True)
class Outcome:
    """One gold item: whether the DSL reproduced it, and why not."""

    dataset: str
    item_id: str
    program: str
    expected: object
    got: object
    ok: bool
    reason: str = ""


@dataclass(slots=True)
class CheckReport:
    """Counts per dataset and the failures."""

    outcomes: list[Outcome] = field(default_factory=list)

    def total(self, dataset: str) -> int:
        """Number of gold items checked for ``dataset``."""
        return sum(1 for o in self.outcomes if o.dataset == dataset)

    def reproduced(self, dataset: str) -> int:
        """Number of gold items of ``dataset`` the DSL reproduced."""
        return sum(1 for o in self.outcomes if o.dataset == dataset and o.ok)

    @property
    def failures(self) -> list[Outcome]:
        """Items that did not reproduce."""
        return [o for o in self.outcomes if not o.ok]

    def as_json(self) -> dict[str, Any]:
        """The ``--json`` object: totals, reproduced counts and the failures."""
        return {
            "finqa_total": self.total("finqa"),
            "finqa_reproduced": self.reproduced("finqa"),
            "tatqa_total": self.total("tatqa"),
            "tatqa_reproduced": self.reproduced("tatqa"),
            "failures": [
                {
                    "dataset": o.dataset,
                    "id": o.item_id,
                    "program": o.program,
                    "expected": o.expected,
                    "got": o.got,
                    "reason": o.reason,
                }
                for o in self.failures
            ],
        }


def finqa_context(table: Sequence[Sequence[str]]) -> ExecutionContext:
    """Rows of a FinQA table for table operations: first cell is the name, numbers follow.

    Cells that hold no number (blank, text, dashes) are skipped; percent cells become percent
    quantities (``11.4%`` is 0.114), as FinQA's own evaluation reads them.
    """
    rows: dict[str, list[Quantity]] = {}
    for row in table:
        if not row:
            continue
        values: list[Quantity] = []
        for cell in row[1:]:
            cleaned = clean_cell(str(cell))
            if cleaned is None:
                continue
            number, percent = cleaned
            values.append(Quantity(number / 100.0, Kind.PERCENT) if percent else Quantity(number))
        rows[str(row[0])] = values
    return ExecutionContext(rows=rows)


def sniff(data: object) -> str:
    """``"finqa"`` or ``"tatqa"`` from a decoded file's content."""
    if isinstance(data, list) and data and isinstance(data[0], Mapping):
        first = data[0]
        if "qa" in first and isinstance(first["qa"], Mapping):
            return "finqa"
        if "questions" in first:
            return "tatqa"
    raise EvaluationError(
        "not a FinQA file (list of records with 'qa') nor a TAT-QA file (list of contexts with "
        "'questions')"
    )


def _finqa_one(record: Mapping[str, Any]) -> Outcome:
    qa = record.get("qa", {})
    text, gold = str(qa.get("program", "")), qa.get("exe_ans")
    item = str(record.get("id", "?"))
    try:
        program = parse_program(text)
        answer = finqa_answer(execute(program, finqa_context(record.get("table", []))))
    except DSLError as exc:
        return Outcome("finqa", item, text, gold, None, False, f"{type(exc).__name__}: {exc}")
    ok = answer_equal(answer, gold)
    reason = "" if ok else f"round(result, 5) = {answer!r}, exe_ans = {gold!r}"
    return Outcome("finqa", item, text, gold, answer, ok, reason)


def check_finqa(records: Iterable[Mapping[str, Any]]) -> list[Outcome]:
    """Run every FinQA gold program against its record's table."""
    return [_finqa_one(r) for r in records]


def _tatqa_one(question: Mapping[str, Any]) -> Outcome:
    derivation, gold = str(question.get("derivation", "")), question.get("answer")
    scale = str(question.get("scale", "") or "")
    item = str(question.get("uid", "?"))
    try:
        program = derivation_to_program(derivation, scale)
        value = tatqa_value(execute(program), scale)
    except DSLError as exc:
        return Outcome("tatqa", item, derivation, gold, None, False, f"{type(exc).__name__}: {exc}")
    ok = tatqa_match(value, gold)
    reason = "" if ok else f"{to_string(program)} gives {round(value, 4)} ({scale or 'no scale'})"
    return Outcome("tatqa", item, derivation, gold, round(value, 4), ok, reason)


def check_tatqa(contexts: Iterable[Mapping[str, Any]]) -> list[Outcome]:
    """Convert and run every arithmetic TAT-QA derivation."""
    return [
        _tatqa_one(q)
        for ctx in contexts
        for q in ctx.get("questions", [])
        if q.get("answer_type") == "arithmetic"
    ]


def check_paths(paths: Iterable[Path]) -> CheckReport:
    """Load each file, sniff its dataset and check it."""
    report = CheckReport()
    for path in paths:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise EvaluationError(f"cannot read {path}: {exc}") from None
        kind = sniff(data)
        checker = check_finqa if kind == "finqa" else check_tatqa
        report.outcomes.extend(checker(data))
    return report
