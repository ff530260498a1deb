"""Grounded literals, JSON extraction, price lookup: pure functions."""

from __future__ import annotations

import pytest

from finrag.dsl.jsonform import parse_json
from finrag.errors import ExecutionError, ProgramError
from finrag.planning.base import PlanRequest, Turn
from finrag.planning.llm import extract_json
from finrag.planning.pricing import PriceTable
from finrag.planning.validation import literal_is_grounded, validate_program
from planning.planning_data import GOOD_PROGRAM, REVENUE_2019, sample_evidence

pytestmark = pytest.mark.unit


def _request(question: str = "What changed?", turns: tuple[Turn, ...] = ()) -> PlanRequest:
    return PlanRequest(question=question, evidence=sample_evidence(), conversation=turns)


def test_valid_program_runs_against_the_evidence() -> None:
    result = validate_program(parse_json(GOOD_PROGRAM), _request())
    assert result.value == pytest.approx(94 / 5735)


def test_unknown_reference_names_close_ids() -> None:
    program = parse_json({"steps": [{"op": "add", "args": [{"ref": "dtest:t0:r3:c9"}, 1]}]})
    with pytest.raises(ProgramError, match=r"unknown reference @dtest:t0:r3:c9; close ids"):
        validate_program(program, _request())


def test_made_up_literals_are_rejected() -> None:
    program = parse_json({"steps": [{"op": "divide", "args": [{"ref": REVENUE_2019}, 4321.5]}]})
    with pytest.raises(
        ProgramError, match=r"steps\[0\]\.args\[1\]: literal 4321.5 is not a number"
    ):
        validate_program(program, _request())
    validate_program(program, _request(), grounded=False)


@pytest.mark.parametrize(
    ("value", "question", "turns"),
    [
        (5829, "", ()),  # a cell value, written out
        (1.6, "", ()),  # a sentence percent as written
        (0.016, "", ()),  # ... or as its ratio
        (5.8, "", ()),  # $5.8 billion
        (250, "What if it grew by 250?", ()),  # the question's own number
        (0.0164, "", (Turn("change?", None, 0.016390584, "1.6%"),)),  # earlier answer, rounded
        (12, "", ()),  # a small integer (months)
        (1000, "", ()),  # a power of ten
    ],
)
def test_grounded_literals_are_accepted(
    value: float, question: str, turns: tuple[Turn, ...]
) -> None:
    program = parse_json({"steps": [{"op": "add", "args": [value, 0]}]})
    validate_program(program, _request(question or "q?", turns))


def test_rounding_must_match_the_written_precision() -> None:
    assert literal_is_grounded(0.0164, [0.016390584])
    assert not literal_is_grounded(0.0170, [0.016390584])
    assert not literal_is_grounded(5900, [5829])


def test_execution_limits_are_execution_errors() -> None:
    program = parse_json(
        {"steps": [{"op": "multiply", "args": [{"ref": REVENUE_2019}, {"const": "const_1000000"}]}]}
    )
    with pytest.raises(ExecutionError):
        validate_program(program, _request())


@pytest.mark.parametrize(
    "reply",
    [
        '{"steps": []}',
        'Sure! Here is the program:\n```json\n{"steps": []}\n```',
        'The program is {"steps": []} as requested.',
    ],
)
def test_extract_json_finds_the_object(reply: str) -> None:
    assert extract_json(reply) == {"steps": []}


def test_extract_json_reports_the_decoder_error() -> None:
    with pytest.raises(
        ProgramError, match=r"not valid JSON \(Expecting .*it began 'The answer is 42'"
    ):
        extract_json("The answer is 42")


def test_price_lookup_by_longest_prefix() -> None:
    table = PriceTable()
    assert table.cost("gpt-4o", 1_000_000, 0) == pytest.approx(2.50)
    assert table.cost("gpt-4o", 0, 1_000_000) == pytest.approx(10.00)
    assert table.cost("gpt-4o-2024-08-06", 1000, 200) == pytest.approx(0.0045)
    assert table.cost("gpt-4o-mini-2024-07-18", 1_000_000, 1_000_000) == pytest.approx(0.75)
    assert table.cost("llama3.1", 10**6, 10**6) == 0.0


def test_prices_are_overridable() -> None:
    table = PriceTable({"gpt-4o": (5.0, 15.0), "llama3.1": (0.1, 0.1)})
    assert table.cost("gpt-4o", 1_000_000, 1_000_000) == pytest.approx(20.0)
    assert table.cost("llama3.1", 1_000_000, 0) == pytest.approx(0.1)
    assert table.cost("gpt-4o-mini", 1_000_000, 0) == pytest.approx(0.15)
