"""Per-question scoring rules, one small versioned function per dataset.

* FinQA / ConvFinQA: execution accuracy by the official rule (the answer rounded to 5 decimals
  equals ``exe_ans``; yes/no compare as strings) and program accuracy by the official sympy
  rule, applied to the predicted program with every reference replaced by the number it read.
  One difference of representation: our unit guard knows a "57.3%" cell is the fraction 0.573,
  while FinQA's annotators wrote such cells either way (``subtract(36%, 28%)`` = 0.08, but
  ``subtract(57.3, 59.7)`` = -2.4); an answer whose computed kind is a percentage therefore
  also matches in its printed form (x100). Ratios computed from money are not affected.
* TAT-QA: exact match of ``[answer, scale]`` as in the official script: numbers rounded to 2
  decimals, and the predicted scale must equal the gold scale.
* FinanceBench: the first number of the human gold answer against the prediction, within 1%
  relative tolerance, the prediction read in its own scale, in plain units or rescaled to
  thousands/millions/billions (the gold answers state their unit in words); not an official
  metric, so it is deliberately lenient about scale and strict about the digits.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from finrag.answering.answer import Answer
from finrag.dsl.metrics import program_match
from finrag.evaluation.datasets import QAExample

__all__ = ["SCORING_VERSION", "Score", "score_answer"]

SCORING_VERSION = "2026-11-24.1"

_SCALE_WORDS = {"units": "", "thousands": "thousand", "millions": "million", "billions": "billion"}
_FACTORS = {"": 1.0, "thousand": 1e3, "million": 1e6, "billion": 1e9}
_NUMBER = re.compile(r"-?\(?\$?\s*-?\d[\d,]*(?:\.\d+)?")


@dataclass(frozen=True, slots=True)
class Score:
    """How one answer scored. ``correct`` is the dataset's headline metric."""

    correct: bool
    answered: bool
    program_correct: bool | None = None


def score_answer(example: QAExample, answer: Answer, resolved_program: str | None) -> Score:
    """Score ``answer`` against ``example`` by its dataset's rule."""
    answered = not answer.abstained and answer.value is not None
    if not answered:
        return Score(
            correct=False,
            answered=False,
            program_correct=False if _has_program(example) else None,
        )
    if example.dataset in ("finqa", "convfinqa"):
        return _finqa(example, answer, resolved_program)
    if example.dataset == "tatqa":
        return Score(correct=_tatqa_match(example, answer), answered=True)
    return Score(correct=_financebench_match(example, answer), answered=True)


def _has_program(example: QAExample) -> bool:
    """Program accuracy is defined where gold programs are FinQA programs."""
    return example.dataset in ("finqa", "convfinqa") and bool(example.gold_program)


def _finqa(example: QAExample, answer: Answer, resolved: str | None) -> Score:
    gold = example.gold_answer
    value = answer.value
    if isinstance(value, str) or isinstance(gold, str):
        correct = str(value).lower() == str(gold).strip().lower()
    else:
        correct = value is not None and any(
            round(form, 5) == float(gold)  # type: ignore[arg-type]
            for form in _finqa_forms(float(value), answer)
        )
    program_ok = None
    if example.gold_program and resolved:
        try:
            program_ok = program_match(example.gold_program, resolved)
        except Exception:
            program_ok = False
    return Score(correct=correct, answered=True, program_correct=program_ok)


def _finqa_forms(value: float, answer: Answer) -> tuple[float, ...]:
    """The ways FinQA may write a value: as computed, and, for a quantity that is itself a
    percentage (a "57.3%" cell, a difference of two), as printed: FinQA's programs use both
    ``subtract(36%, 28%)`` = 0.08 and ``subtract(57.3, 59.7)`` = -2.4 for such cells."""
    if answer.trace and answer.trace[-1].kind == "percent":
        return (value, value * 100.0)
    return (value,)


def predicted_scale(answer: Answer) -> tuple[float, str]:
    """The prediction as TAT-QA states answers: (number, scale word)."""
    value = float(answer.value)  # type: ignore[arg-type]
    if answer.kind in ("percent",):
        return value * 100.0, "percent"
    scale = answer.trace[-1].scale if answer.trace else "units"
    return value, _SCALE_WORDS.get(scale, "")


def _tatqa_match(example: QAExample, answer: Answer) -> bool:
    if isinstance(answer.value, str):
        return str(example.gold_answer).lower() == answer.value
    gold = _to_float(example.gold_answer)
    if gold is None:
        return False
    value, scale = predicted_scale(answer)
    if example.gold_scale == "percent" and answer.kind == "ratio":
        value, scale = value * 100.0, "percent"
    return scale == example.gold_scale and round(value, 2) == round(gold, 2)


def _financebench_match(example: QAExample, answer: Answer) -> bool:
    if isinstance(answer.value, str):
        return answer.value in str(example.gold_answer).lower()
    gold = _first_number(str(example.gold_answer))
    if gold is None:
        return False
    value = float(answer.value)  # type: ignore[arg-type]
    scale = answer.trace[-1].scale if answer.trace else "units"
    absolute = value * _FACTORS[_SCALE_WORDS.get(scale, "")]
    candidates = {value, absolute, absolute / 1e3, absolute / 1e6, absolute / 1e9}
    if answer.kind in ("percent", "ratio"):
        candidates.add(value * 100.0)
    return any(math.isclose(c, gold, rel_tol=0.01) for c in candidates)


def _first_number(text: str) -> float | None:
    match = _NUMBER.search(text)
    if match is None:
        return None
    raw = match.group(0)
    negative = raw.startswith("-") or raw.startswith("(")
    digits = re.sub(r"[^\d.]", "", raw)
    try:
        number = float(digits)
    except ValueError:
        return None
    return -number if negative else number


def _to_float(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        return _first_number(value)
    return None
