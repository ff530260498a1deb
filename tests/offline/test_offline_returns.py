"""Cumulative total returns from a performance graph (planning/offline/returns.py): the return
of one series, the difference between two series' returns, and what is not such a question.
The graph is the shape of FinQA's training records (UPS's 2010 10-K), the questions are our
own."""

from __future__ import annotations

import pytest

from finrag.documents.model import Chunk
from finrag.dsl.printer import to_string
from finrag.planning.base import PlanRequest
from finrag.planning.offline import OfflinePlanner
from finrag.planning.offline.returns import (
    asks_return,
    asks_return_difference,
    index_return,
    index_row,
    series_named,
)
from finrag.planning.offline.text import analyze
from support import plan_always, plan_value, record_chunks

pytestmark = pytest.mark.unit


def _graph() -> list[Chunk]:
    return record_chunks(
        [["", "12/31/05", "12/31/06", "12/31/07", "12/31/08", "12/31/09", "12/31/10"],
         ["united parcel service inc .", "$ 100.00", "$ 101.76", "$ 98.20", "$ 78.76",
          "$ 84.87", "$ 110.57"],
         ["standard & poor 2019s 500 index", "$ 100.00", "$ 115.79", "$ 122.16", "$ 76.96",
          "$ 97.33", "$ 111.99"],
         ["dow jones transportation average", "$ 100.00", "$ 109.82", "$ 111.38", "$ 87.52",
          "$ 103.79", "$ 131.59"]],
        pre_text=("the following performance graph compares the cumulative total shareowner return"
                  " of our class b common stock with the s&p 500 index and the dow jones"
                  " transportation average , assuming $ 100 invested on december 31 , 2005 .",),
        record_id="UPS/2010/page_33.pdf-1",
    )  # fmt: skip


def test_the_rows_of_a_performance_graph_are_index_rows() -> None:
    rows = [c for c in _graph() if c.row_label]
    assert len(rows) == 3 and all(index_row(c) for c in rows)
    statement = record_chunks([["", "2010", "2009", "2008"], ["revenue", "$ 100", "$ 90", "$ 80"]])
    assert not any(index_row(c) for c in statement)


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("what was the difference in cumulative total return between ups and the s&p 500?", True),
        ("how much more did ups return than the dow jones transportation average?", True),
        ("did ups outperform the s&p 500 in total return over the five years?", True),
        ("what was the cumulative total return of ups for the five years ended 2010?", False),
        ("what was the difference in return on equity between 2010 and 2009?", False),
        ("how much more was paid in income tax returns in 2010 than 2009?", False),
    ],
)
def test_which_questions_ask_how_two_returns_differ(question: str, asks: bool) -> None:
    assert asks_return_difference(analyze(question)) is asks


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("what was the cumulative total shareholder return on disca for the five years?", True),
        ("what is the roi of an investment in ups from 2005 to 2010?", True),
        ("what is the return on investment in ups from 2005 to 2010?", True),
        ("what was the return on average assets in 2010?", False),
        ("what was the return on total shareholders' equity in 2010?", False),
        ("how much was returned to shareholders in 2010?", False),
    ],
)
def test_which_questions_ask_about_a_return(question: str, asks: bool) -> None:
    assert asks_return(analyze(question)) is asks


def test_the_series_a_question_names_in_its_order() -> None:
    rows = [c for c in _graph() if c.row_label]
    question = "the difference in return between the s&p 500 and united parcel service inc ."
    named = series_named(analyze(question), rows)
    assert [c.row_label for c in named] == [rows[1].row_label, rows[0].row_label]


def test_the_difference_of_two_returns_reads_both_series_at_the_date_named(
    planner: OfflinePlanner,
) -> None:
    """The five-step program of FinQA: (110.57 - 100) / 100 - (111.99 - 100) / 100. The ranker
    had read two years of UPS alone (110.57 - 84.87, "2,570%")."""
    chunks = _graph()
    question = (
        "what was the difference in percentage cumulative total return between united parcel "
        "service inc . and the s&p 500 index for the five years ended 12/31/10?"
    )
    plan = planner.plan(PlanRequest(question=question, evidence=chunks))
    ups, sp = [c for c in chunks if c.row_label][:2]
    assert plan.program is not None and plan.confidence == 0.9
    assert to_string(plan.program) == (
        f"subtract(@{ups.id}:c6, const_100), divide(#0, const_100), "
        f"subtract(@{sp.id}:c6, const_100), divide(#2, const_100), subtract(#1, #3)"
    )
    assert plan_value(planner, question, chunks) == pytest.approx(-0.0142)
    # the date named; first named minus second
    earlier = (
        "how much greater was the dow jones transportation average's return than the s&p 500 "
        "index's for the three years ended 12/31/08?"
    )
    assert plan_value(planner, earlier, chunks) == pytest.approx((87.52 - 76.96) / 100)
    # no year: the last column
    plain = (
        "what is the difference in total return between the s&p 500 index and the dow jones "
        "transportation average?"
    )
    assert plan_value(planner, plain, chunks) == pytest.approx((111.99 - 131.59) / 100)


def test_a_start_other_than_the_base_date_is_no_difference_from_100() -> None:
    question = (
        "what was the difference in return between united parcel service inc . and the s&p 500 "
        "index from 2007 to 2010?"
    )
    assert index_return(analyze(question), _graph()) is None
    from_base = (
        "what was the difference in total return between united parcel service inc . and the s&p "
        "500 index from 2005 to 2010?"
    )
    assert index_return(analyze(from_base), _graph()) is not None
    # an amount invested makes another computation; three series named, no reading
    invested = (
        "what is the total return if 1000000 is invested in united parcel service inc . in 2005 "
        "and sold in 2010?"
    )
    assert index_return(analyze(invested), _graph()) is None
    three = (
        "what was the difference in return between united parcel service inc ., the s&p 500 and "
        "the dow jones transportation average?"
    )
    assert index_return(analyze(three), _graph()) is None


def test_a_difference_of_index_values_asked_as_returns_is_a_difference_of_returns(
    planner: OfflinePlanner,
) -> None:
    """With one series named, the ranker's difference of two of its index values is answered
    as the difference of their returns, (110.57 - 84.87) / 100, a percentage."""
    question = (
        "what was the difference in the cumulative total return of united parcel service inc . "
        "between 12/31/09 and 12/31/10?"
    )
    plan = plan_always(planner, question, _graph())
    assert plan.program is not None
    assert len(plan.program.steps) == 5
    assert plan_value(OfflinePlanner(planner.model, threshold=0), question, _graph()) == (
        pytest.approx((110.57 - 84.87) / 100)
    )


def test_the_return_of_one_series_is_read_from_its_base(planner: OfflinePlanner) -> None:
    """(111.99 - 100) / 100 = 11.99%, at the rule's confidence; the ranker had summed the row
    (``table_sum``) at 0.001."""
    chunks = _graph()
    question = (
        "what was the cumulative total return of the s&p 500 index for the five years ended "
        "12/31/10?"
    )
    plan = planner.plan(PlanRequest(question=question, evidence=chunks))
    sp = [c for c in chunks if c.row_label][1]
    assert plan.program is not None and plan.confidence == 0.9
    assert to_string(plan.program) == f"subtract(@{sp.id}:c6, const_100), divide(#0, const_100)"
    assert plan.program.answer_kind is not None and plan.program.answer_kind.value == "percent"
    assert plan_value(planner, question, chunks) == pytest.approx(0.1199)
    # from a later start, the relative change of the two values (FinQA's "roi of an
    # investment in s&p500 from 2014 to 2016" = (157 - 144) / 144)
    change = "what was the roi of an investment in the s&p500 index from 2009 to 2010?"
    program = index_return(analyze(change), chunks)
    assert program is not None
    assert to_string(program) == f"subtract(@{sp.id}:c6, @{sp.id}:c5), divide(#0, @{sp.id}:c5)"
    assert plan_value(planner, change, chunks) == pytest.approx(111.99 / 97.33 - 1)
