"""Named ratios read by their definition ("operating margin" -> operating income / revenue)."""

from __future__ import annotations

import pytest

from finrag.demo import demo_document_path
from finrag.documents.model import Chunk
from finrag.documents.registry import parse_path
from finrag.dsl.printer import to_string
from finrag.planning.base import PlanRequest
from finrag.planning.offline import OfflinePlanner
from finrag.planning.offline.glossary import second_reading
from finrag.planning.offline.text import analyze
from finrag.retrieval.indexing import default_chunker
from support import record_chunks

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def demo_chunks() -> list[Chunk]:
    (doc,) = parse_path(demo_document_path())
    return list(default_chunker()(doc))


def _cell_value(chunks: list[Chunk], ref: str) -> float:
    for chunk in chunks:
        number = chunk.resolve(ref)
        if number is not None:
            return float(number.value)
    raise AssertionError(f"{ref} is not in the evidence")


@pytest.mark.parametrize(
    ("question", "reading"),
    [
        (
            "What was the operating margin in 2024?",
            "What was operating income as a percentage of revenue in 2024?",
        ),
        (
            "what was the return on equity in 2019?",
            "what was net income as a percentage of equity in 2019?",
        ),
        (
            "What is the current ratio in 2019?",
            "What is ratio of current assets to current liabilities in 2019?",
        ),
        (
            "what was the working capital at december 31 , 2018?",
            "what was difference between current assets and current liabilities at december 31 ,"
            " 2018?",
        ),
    ],
)
def test_named_ratio_gets_its_definition(question: str, reading: str) -> None:
    assert second_reading(analyze(question), []) == reading


@pytest.mark.parametrize(
    "question",
    [
        "what was the net revenue in 2019?",  # no named ratio
        "what was the change in operating margin from 2018 to 2019?",  # a move of the ratio
        "what was the average gross margin?",
        "what was the operating margin in 2019 and 2018?",  # two periods
    ],
)
def test_no_second_reading(question: str) -> None:
    assert second_reading(analyze(question), []) is None


def test_a_row_that_states_the_ratio_is_read_as_written() -> None:
    chunks = record_chunks(
        [
            ["", "2019", "2018"],
            ["net revenue", "$ 5,829", "$ 5,735"],
            ["gross margin", "41.2%", "40.6%"],
        ],
        record_id="TEST/2019/page_2.pdf-1",
    )
    info = analyze("what was the gross margin in 2019?")
    assert second_reading(info, chunks) is None


@pytest.mark.parametrize(
    ("question", "numerator", "denominator"),
    [
        ("What was the operating margin in 2024?", 911.0, 5829.0),
        ("What was the operating margin in 2023?", 850.0, 5735.0),
        ("What was the gross margin in 2024?", 2427.0, 5829.0),
    ],
)
def test_demo_margins_are_computed_from_their_parts(
    demo_chunks: list[Chunk],
    question: str,
    numerator: float,
    denominator: float,
) -> None:
    """The demo filing states operating income and net revenue per year and the 2024 operating
    margin (15.6%) in a sentence; the margin for any year is income over revenue. Every chunk
    is evidence here (no retrieval), so the check is the program chosen, not the cut-off; the
    demo test in tests/answering checks the answer through retrieval."""
    plan = OfflinePlanner(threshold=0.0).plan(PlanRequest(question, demo_chunks))
    assert plan.program is not None, plan.abstain_reason
    (step,) = plan.program.steps
    assert step.op.value == "divide", to_string(plan.program)
    refs = [getattr(arg, "id", "") for arg in step.args]
    assert [_cell_value(demo_chunks, ref) for ref in refs] == [numerator, denominator]


def _rate_record(*rows: list[str]) -> list[Chunk]:
    chunks = record_chunks(
        [
            ["", "2022", "2021"],
            ["income before income taxes", "$ 1,200", "$ 1,100"],
            *rows,
        ],
        pre_text=("The following table summarizes our results.",),
        record_id="TEST/2022/page_24.pdf-1",
    )
    return chunks


def test_a_stated_ratio_is_read_for_the_year_asked(planner: OfflinePlanner) -> None:
    chunks = _rate_record(["effective income tax rate", "( 0.6 ) %", "14.8 %"])
    for question, value in (
        ("What was the effective tax rate in 2022?", -0.6),
        ("What was the effective tax rate in 2021?", 14.8),
    ):
        plan = planner.plan(PlanRequest(question, chunks))
        assert plan.program is not None, plan.abstain_reason
        assert plan.program.steps[0].op.value == "multiply"  # a lookup: cell x const_1
        ref = getattr(plan.program.steps[0].args[0], "id", "")
        assert _cell_value(chunks, ref) == pytest.approx(value)
        assert plan.program.answer_kind is not None and plan.program.answer_kind.value == "percent"


def test_rows_stating_different_values_make_an_abstention(planner: OfflinePlanner) -> None:
    chunks = _rate_record(
        ["operating margin", "15.5 %", "12.4 %"], ["operating margin", "( 9.2 ) %", "5.0 %"]
    )
    plan = planner.plan(PlanRequest("What was the operating margin in 2022?", chunks))
    assert plan.abstained and "2 different values" in (plan.abstain_reason or "")


@pytest.mark.parametrize(
    ("question", "searched"),
    [
        ("What was PepsiCo's current ratio at the end of 2022?",
         ["total current assets 2022", "total current liabilities 2022"]),
        ("What was the return on assets in 2021?", ["net income 2021", "total assets 2021"]),
        # how the ratio moved or compares: the question's own evidence
        ("Does Boeing have an improving gross margin profile as of FY2022?", []),
        ("What was the change in the operating margin from 2021 to 2022?", []),
        ("What was the gross margin in 2021 and 2022?", []),
        ("What was net revenue in 2022?", []),
    ],
)  # fmt: skip
def test_the_lines_of_a_named_ratio_are_searched(question: str, searched: list[str]) -> None:
    from finrag.planning.ratios import ratio_queries

    assert [q.text for q in ratio_queries(question) if q.primary] == searched


def test_no_line_is_searched_when_a_row_states_the_ratio() -> None:
    from finrag.planning.ratios import ratio_queries

    rows = record_chunks(
        [["", "2022", "2021"], ["gross margin", "41.2%", "40.6%"]], record_id="G/1"
    )
    assert ratio_queries("What was the gross margin in 2022?", rows) == []
    assert ratio_queries("What was the gross margin in 2022?") != []
