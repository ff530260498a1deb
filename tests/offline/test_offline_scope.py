"""Whose figure: the company's consolidated, reported line unless the question names more."""

from __future__ import annotations

import pytest

from finrag.documents.model import Chunk
from finrag.dsl.executor import execute
from finrag.planning.base import PlanRequest
from finrag.planning.evidence import build_context
from finrag.planning.offline import OfflinePlanner
from finrag.planning.offline.scope import names_more
from finrag.planning.offline.text import analyze
from support import in_section, record_chunks

BOEING = ("THE BOEING COMPANY",)


def _filing() -> list[Chunk]:
    """Boeing's 10-K as the planner sees it: the consolidated summary (GAAP and non-GAAP
    margins) and a segment's results, each stating an operating margin for 2022."""
    head = ["(dollars in millions)", "2022", "2021"]
    gaap = record_chunks([head, ["operating margins", "(5.3)%", "(4.4)%"]], record_id="B/1")
    core = record_chunks([head, ["core operating margins", "(7.0)%", "(6.0)%"]], record_id="B/2")
    segment = record_chunks([head, ["operating margins", "(15.3)%", "5.8%"]], record_id="B/3")
    return [
        *in_section("Consolidated Results of Operations", gaap, "GAAP"),
        *in_section("Consolidated Results of Operations", core, "Non-GAAP (1)"),
        *in_section("Results of Operations", segment),
    ]


def _answer(planner: OfflinePlanner, question: str, filers: tuple[str, ...]) -> float | None:
    chunks = _filing()
    plan = planner.plan(PlanRequest(question=question, evidence=chunks, filers=filers))
    if plan.program is None:
        return None
    return execute(plan.program, build_context(chunks)).value


def test_the_company_s_margin_is_the_consolidated_reported_one(planner: OfflinePlanner) -> None:
    """Boeing states six operating margins for 2022; the company's is the consolidated GAAP
    (5.3)%. It had abstained, listing them all."""
    assert _answer(planner, "What was Boeing's operating margin in 2022?", BOEING) == (
        pytest.approx(-0.053)
    )
    assert _answer(planner, "What was the operating margin in 2022?", ()) == pytest.approx(-0.053)
    # the non-GAAP measure when the question asks for it
    assert _answer(planner, "What was Boeing's core operating margin in 2022?", BOEING) == (
        pytest.approx(-0.07)
    )


def test_a_question_that_names_more_takes_no_preference(planner: OfflinePlanner) -> None:
    """'BDS' may be a segment: the lines are listed, not the company's figure given."""
    assert _answer(planner, "What was the operating margin of BDS in 2022?", BOEING) is None
    # without the registrant, "Boeing's" is something the question names
    assert _answer(planner, "What was Boeing's operating margin in 2022?", ()) is None


def test_names_more_ignores_the_metric_company_and_period() -> None:
    info = analyze("What was Boeing's FY2022 operating margin for the full year?")
    assert not names_more(info, ["operating margin"], BOEING)
    assert names_more(info, ["operating margin"], ())
    assert names_more(analyze("What was the operating margin in Europe?"), ["operating margin"], ())


def test_an_adjusted_figure_is_read_from_the_adjusted_line(planner: OfflinePlanner) -> None:
    """Pfizer's 10-Q states cost of sales in the income statement and, adjusted, as the last
    row of a reconciliation whose lines are columns. "adjusted cost of sales" reads the
    reconciliation's "Non-GAAP Adjusted" row; "cost of sales" the statement's line."""
    statement = record_chunks(
        [
            ["(millions)", "six months ended july 2 , 2023", "six months ended july 3 , 2022"],
            ["cost of sales", "$ 8,122", "$ 18,632"],
            ["selling , informational and administrative expenses", "6,914", "5,642"],
        ],
        record_id="P/1",
    )
    reconciliation = record_chunks(
        [
            ["(millions)", "cost of sales", "selling , informational and administrative expenses"],
            ["gaap reported", "$ 8,122", "$ 6,914"],
            ["acquisition-related items", "(233)", "(5)"],
            ["other", "(22)", "(14)"],
            ["non-gaap adjusted", "$ 7,818", "$ 6,769"],
        ],
        record_id="P/2",
    )
    chunks = [*statement, *reconciliation]
    for question, value in (
        ("What was the adjusted cost of sales for the six months ended July 2, 2023?", 7818.0),
        ("What was the cost of sales for the six months ended July 2, 2023?", 8122.0),
    ):
        plan = planner.plan(PlanRequest(question=question, evidence=chunks))
        assert plan.program is not None, plan.abstain_reason
        assert execute(plan.program, build_context(chunks)).value == value, question


def test_the_balance_sheet_line_is_read_not_the_fair_value_note(planner: OfflinePlanner) -> None:
    """Boeing prints "Total liabilities" on its balance sheet ($152,948 million) and in the
    fair value note (the $141 million measured at fair value), which had been read at 0.74."""
    from finrag.planning.offline.candidates import operands_from
    from finrag.planning.offline.scope import prefer_statement_lines

    head = ["(dollars in millions)", "2022", "2021"]
    note = record_chunks([head, ["total liabilities", "(141)", "(50)"]], record_id="B/20")
    sheet = record_chunks(
        [
            head,
            ["total current liabilities", "90,052", "81,992"],
            ["total liabilities", "152,948", "153,398"],
        ],
        record_id="B/57",
    )
    chunks = [
        *in_section("Note 20 – Fair Value Measurements", note, "Liabilities"),
        *in_section(
            "Consolidated Statements of Financial Position", sheet, "Liabilities and equity"
        ),
    ]
    question = "What were total liabilities at the end of 2022?"
    plan = planner.plan(PlanRequest(question=question, evidence=chunks, filers=BOEING))
    assert plan.program is not None, plan.abstain_reason
    assert execute(plan.program, build_context(chunks)).value == 152948.0
    # a question naming what only the note measures keeps the note's line
    info = analyze("What were total liabilities measured at fair value in 2022?")
    kept = prefer_statement_lines(operands_from(chunks, info), chunks, info)
    assert any(o.row_key.startswith(note[0].id.rpartition(":")[0]) for o in kept)


def test_a_balance_at_a_day_is_not_the_change_over_the_period_ending_it(
    planner: OfflinePlanner,
) -> None:
    """Best Buy's 10-Q prints "Merchandise inventories" under "Six Months Ended July 29, 2023"
    in the cash flow statement (the change, (508)) and under "July 29, 2023" in the balance
    sheet (5,651)."""
    flows = record_chunks(
        [
            ["", "six months ended july 29 , 2023", "six months ended july 30 , 2022"],
            ["merchandise inventories", "(508)", "(1,077)"],
        ],
        record_id="BBY/6",
    )
    sheet = record_chunks(
        [["", "july 29 , 2023", "july 30 , 2022"], ["merchandise inventories", "5,651", "6,988"]],
        record_id="BBY/3",
    )
    chunks = [*flows, *sheet]
    plan = planner.plan(
        PlanRequest(question="What was inventory at July 29, 2023?", evidence=chunks)
    )
    assert plan.program is not None, plan.abstain_reason
    assert execute(plan.program, build_context(chunks)).value == 5651.0


AMEX_PARTS = {
    "CS": "Commercial Services",
    "USCS": "U.S. Consumer Services",
    "EPS": "EARNINGS PER COMMON SHARE",
    "GAAP": "Generally Accepted Accounting Principles",
}


def _amex() -> list[Chunk]:
    """American Express's MD&A: the company's summary, then each segment's table."""
    head = ["(millions)", "2022", "2021"]
    company = record_chunks([head, ["net interest income", "9,895", "7,750"]], record_id="A/47")
    cs = record_chunks([head, ["net interest income", "1,373", "1,078"]], record_id="A/57")
    uscs = record_chunks([head, ["net interest income", "7,474", "5,996"]], record_id="A/54")
    return [
        *in_section("TABLE 11: CS SELECTED INCOME STATEMENT DATA", cs),
        *in_section("TABLE 9: USCS SELECTED INCOME STATEMENT DATA", uscs),
        *in_section("TABLE 2: TOTAL REVENUES NET OF INTEREST EXPENSE SUMMARY", company),
    ]


def test_a_segment_s_table_is_not_read_for_the_company(planner: OfflinePlanner) -> None:
    """The report defines its segments ("Commercial Services (CS)"); a question naming none of
    them reads the company's line (9,895), where Commercial Services' (1,373) had been read."""
    from finrag.planning.offline.scope import whole_company

    chunks = _amex()
    question = "What was net interest income in 2022?"
    kept = whole_company(chunks, question, AMEX_PARTS)
    assert {c.section for c in kept} == {"TABLE 2: TOTAL REVENUES NET OF INTEREST EXPENSE SUMMARY"}
    plan = planner.plan(PlanRequest(question=question, evidence=chunks, abbreviations=AMEX_PARTS))
    assert plan.program is not None, plan.abstain_reason
    assert execute(plan.program, build_context(chunks)).value == 9895.0
    # a question that names a segment, in either form, reads every table
    for named in ("What was USCS net interest income in 2022?",
                  "What was net interest income of U.S. Consumer Services in 2022?"):  # fmt: skip
        assert whole_company(chunks, named, AMEX_PARTS) == chunks
    # measures and the accounting basis are no parts; no definitions, no preference
    assert whole_company(chunks, question, {"EPS": AMEX_PARTS["EPS"]}) == chunks
    assert whole_company(chunks, question, {}) == chunks
