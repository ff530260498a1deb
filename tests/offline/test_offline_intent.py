"""Questions that ask for words or for yes/no, and how the offline planner treats them."""

from __future__ import annotations

import pytest

from finrag.documents.model import Chunk
from finrag.planning.base import PlanRequest
from finrag.planning.offline import OfflinePlanner
from finrag.planning.offline.intent import asks_yes_no, compares, description_reason
from finrag.planning.offline.text import analyze
from support import record_chunks

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "question",
    [
        "Who are the primary customers of Boeing as of FY2022?",
        "What drove the increase in Ulta Beauty's merchandise inventories balance at end of FY2023?",
        "What factors drove the hotels sales improvement in the second half?",
        "What are the geographies that Pepsico primarily operates in as of FY2022?",
        "For Pfizer, which geographic region had the biggest drop in Q22023 revenues?",
        "How does Boeing's effective tax rate in FY2022 compare to FY2021?",
        "Did Ulta Beauty's wages expense as a percent of net sales increase or decrease in FY2023?",
        "Why did gross margin fall? Answer in one sentence.",
        "What is excluded from the Operating (non-GAAP) interest expense?",
        "What is included in Service delivery costs?",
    ],
)
def test_descriptions_are_recognised(question: str) -> None:
    reason = description_reason(question)
    assert reason is not None and "description" in reason


@pytest.mark.parametrize(
    "question",
    [
        "what was the percentage change in net revenue from 2018 to 2019?",
        "What were the net sales in 2019?",
        "How much did revenue increase from 2018 to 2019?",
        "How many shares were repurchased in 2019?",
        "in millions , what was the change in gross increases between 2012 and 2011?",
        "was the weighted average useful life for trademarks greater than that of technology?",
        "What are the total revenues in 2019?",
        "What is the amount included in other income in 2019?",
    ],
)
def test_numeric_questions_are_not_descriptions(question: str) -> None:
    assert description_reason(question) is None


def test_yes_no_questions() -> None:
    assert asks_yes_no("did jpmorgan chase outperform the s&p 500 over the five year period?")
    assert asks_yes_no("As of Q2'2023, is Pfizer spinning off any large business segments?")
    assert not asks_yes_no("what was the ratio of debt to equity in 2019?")


@pytest.fixture(scope="module")
def spend_chunks() -> list[Chunk]:
    chunks = record_chunks(
        [
            ["( in millions )", "2012", "2011"],
            ["advertising", "$ 288", "$ 270"],
            ["research and development", "$ 468", "$ 430"],
        ],
        record_id="TEST/2012/page_3.pdf-1",
    )
    return chunks


def test_description_abstains_with_its_reason(
    planner: OfflinePlanner, spend_chunks: list[Chunk]
) -> None:
    plan = planner.plan(PlanRequest("Who are the company's primary customers?", spend_chunks))
    assert plan.abstained and "description" in (plan.abstain_reason or "")


def test_yes_no_is_answered_by_a_comparison(spend_chunks: list[Chunk]) -> None:
    question = (
        "does the company spend more on advertising in 2012 than on research and development?"
    )
    plan = OfflinePlanner(threshold=0.0).plan(PlanRequest(question, spend_chunks))
    assert plan.program is not None, plan.abstain_reason
    assert plan.program.steps[-1].op.value == "greater"


def test_yes_no_without_a_comparison_abstains(
    planner: OfflinePlanner, spend_chunks: list[Chunk]
) -> None:
    """ "Is the business subject to cyclicality?" is not settled by comparing two numbers."""
    assert not compares("Is Boeing's business subject to cyclicality?")
    assert compares("Was there any drop in cash between FY 2023 and Q2 of FY2024?")
    plan = planner.plan(
        PlanRequest("Is the company's business subject to cyclicality?", spend_chunks)
    )
    assert plan.abstained and "compares no two numbers" in (plan.abstain_reason or "")


def test_sketches_follow_the_answer_type(planner: OfflinePlanner) -> None:
    """A yes/no question gets only the comparison; "how much did X spend" never gets it."""
    model = planner.model
    assert model.sketch_probs(analyze("did revenue exceed costs in 2019?")) == {"greater": 1.0}
    probs = model.sketch_probs(analyze("How much did Boeing spend on research in 2022?"))
    assert "greater" not in probs and probs
    assert asks_yes_no("for the year ending december 31 , 2008 , were payments greater than 2009?")
    assert not asks_yes_no("how much of a greater return , in percentage , was gained?")
