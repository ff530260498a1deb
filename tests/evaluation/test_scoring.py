"""Scoring rules on hand-made answers (no pipeline)."""

from __future__ import annotations

import pytest

from finrag.answering.answer import Answer, TraceStep
from finrag.evaluation.datasets import QAExample
from finrag.evaluation.scoring import score_answer

pytestmark = pytest.mark.unit


def _answer(value: float, kind: str, step_kind: str) -> Answer:
    step = TraceStep(index=0, op="subtract", operands=[], value=value, kind=step_kind, scale="")
    return Answer(id="a", question="q", value=value, kind=kind, trace=[step], planner="test")


def _finqa(gold: float) -> QAExample:
    return QAExample(id="x", dataset="finqa", question="q", record_key="r", gold_answer=gold)


def test_percentage_point_difference_matches_finqa_printed_form() -> None:
    # subtract(57.3%, 59.7%) computes -0.024 (percent); FinQA's program wrote 57.3 - 59.7
    assert score_answer(_finqa(-2.4), _answer(-0.024, "percent", "percent"), None).correct
    # ... and FinQA's fraction form of the same quantity still matches
    assert score_answer(_finqa(-0.024), _answer(-0.024, "percent", "percent"), None).correct


def test_ratio_declared_percent_is_not_read_x100() -> None:
    # a percentage change computed from money is a ratio: FinQA writes 0.0699, never 6.99
    answer = _answer(0.0699, "percent", "ratio")
    assert score_answer(_finqa(0.0699), answer, None).correct
    assert not score_answer(_finqa(6.99), answer, None).correct


def test_money_answers_compare_exactly_at_five_decimals() -> None:
    answer = _answer(1025.0, "money", "money")
    assert score_answer(_finqa(1025.0), answer, None).correct
    assert not score_answer(_finqa(102500.0), answer, None).correct
