"""Which line answers, found by asking the six FinanceBench filings questions of our own
(session 15): opening balances, counts, stated changes, the prior year, fiscal years, totals,
a figure printed twice and the names a question writes. Each case is the shape of a filing's
table, reduced to the lines that decide it."""

from __future__ import annotations

import pytest

from finrag.documents.model import Chunk
from finrag.dsl.executor import execute
from finrag.planning.base import PlanRequest
from finrag.planning.evidence import build_context
from finrag.planning.offline import OfflinePlanner
from finrag.planning.offline.candidates import durations, operands_from
from finrag.planning.offline.intent import description_reason
from finrag.planning.offline.misread import one_line_twice, only_total
from finrag.planning.offline.scope import less_named, mentioned, question_names
from finrag.planning.offline.text import analyze, names_metric, qualifies
from support import in_section, plan_always, plan_value, record_chunks


def _reason(
    planner: OfflinePlanner, question: str, chunks: list[Chunk], filers: tuple[str, ...] = ()
) -> str:
    plan = planner.plan(PlanRequest(question=question, evidence=chunks, filers=filers))
    assert plan.program is None, "expected an abstention"
    return plan.abstain_reason or ""


def test_an_opening_balance_is_not_the_balance_at_the_end(planner: OfflinePlanner) -> None:
    """American Express's cash flow statement prints the year's opening cash in the 2022
    column: it is the balance at December 31, 2021."""
    flows = record_chunks(
        [
            ["(millions)", "2022", "2021"],
            ["cash and cash equivalents at beginning of year", "22,028", "32,922"],
            ["cash and cash equivalents at end of year", "$ 33,914", "$ 22,028"],
        ],
        record_id="AXP/99",
    )
    at_end = "What was cash and cash equivalents at December 31, 2022?"
    assert plan_value(planner, at_end, flows) == 33914.0
    at_start = "What was cash and cash equivalents at the beginning of 2022?"
    assert plan_value(planner, at_start, flows) == 22028.0


def test_how_many_reads_no_amount_of_money(planner: OfflinePlanner) -> None:
    """ "How many employees" is a count: "Salaries and employee benefits" is no answer."""
    expenses = record_chunks(
        [
            ["(millions)", "2022", "2021"],
            ["salaries and employee benefits", "$ 7,252", "$ 6,240"],
            ["marketing", "5,458", "5,291"],
        ],
        record_id="AXP/49",
    )
    question = "How many employees did the company have at the end of 2022?"
    assert plan_value(planner, question, expenses) is None
    # "how many millions of dollars" asks for money
    money = "How many millions of dollars were salaries and employee benefits in 2022?"
    assert plan_value(planner, money, expenses) == 7252.0


def test_no_relative_change_of_lines_that_are_changes(planner: OfflinePlanner) -> None:
    """Best Buy's segment tables print "Revenue % change"; the percentage change of two such
    lines (International's and the company's) is no figure of the report."""
    company = record_chunks(
        [["", "six months ended july 29 , 2023"], ["revenue % change", "(9.2)%"]],
        record_id="BBY/16",
    )
    international = record_chunks(
        [["", "six months ended july 29 , 2023"], ["revenue % change", "(10.2)%"]],
        record_id="BBY/18",
    )
    question = (
        "What was the percentage change in revenue for the six months ended July 29, 2023 "
        "compared to the prior year?"
    )
    assert plan_value(planner, question, [*international, *company]) is None


def test_the_prior_year_period_is_named_by_reference() -> None:
    info = analyze(
        "What was the percentage change in total revenues for the three months ended July 2, "
        "2023 compared with the prior year period?"
    )
    assert info.years == (2023, 2022)
    assert analyze("How did sales grow year over year in 2022?").years == (2022, 2021)
    # a label's "prior period" is no comparison
    assert analyze("What were additions for tax positions of a prior period in 2019?").years == (
        2019,
    )


def test_a_change_against_the_prior_year_period(planner: OfflinePlanner) -> None:
    """Pfizer's 10-Q: the quarter against the same quarter a year before, which the question
    names only as "the prior year period"."""
    revenues = record_chunks(
        [
            ["(millions)", "three months ended july 2 , 2023", "three months ended july 3 , 2022"],
            ["revenues", "$ 12,734", "$ 27,742"],
            ["cost of sales", "3,237", "9,015"],
        ],
        record_id="PFE/38",
    )
    # the quarter's revenues again, in a table of the quarter alone (its geographic split)
    again = record_chunks(
        [["(millions)", "three months ended july 2 , 2023"], ["total revenues", "$ 12,734"]],
        record_id="PFE/39",
    )
    question = (
        "What was the percentage change in total revenues for the three months ended July 2, "
        "2023 compared with the prior year period?"
    )
    chunks = [*again, *revenues]
    assert plan_value(planner, question, chunks) == pytest.approx(12734 / 27742 - 1)


def test_a_fiscal_year_named_by_its_number_lasts_twelve_months() -> None:
    assert durations("What was diluted earnings per share for fiscal 2023?") == {12}
    assert durations("What were net sales in the fourth quarter of fiscal 2023?") == {3}
    assert durations("FY2022 revenue") == {12}
    assert durations("revenue in the fiscal 2019 third quarter") == {3}
    assert durations("Q4 FY2023 revenue") == {3}
    # the year's total and its fourth quarter
    both = "What percent of the repurchases for FY 2023 occurred in Q4 of FY2023?"
    assert durations(both) == {3, 12}
    assert durations("revenue in 2022") == frozenset()


def test_a_fiscal_year_reads_the_year_s_column_not_the_quarter_s(
    planner: OfflinePlanner,
) -> None:
    """Ulta's earnings release prints the quarter and the fiscal year side by side."""
    highlights = record_chunks(
        [
            ["(dollars in millions)", "13 Weeks Ended January 28, 2023", "52 Weeks Ended January 28, 2023"],
            ["net sales", "$ 3,226.8", "$ 10,208.6"],
            ["diluted earnings per share", "$ 6.68", "$ 24.01"],
        ],
        record_id="ULTA/1",
    )  # fmt: skip
    # FinanceBench names Ulta's year ended January 28, 2023 by its end date's year
    assert plan_value(
        planner, "What was diluted earnings per share for fiscal 2023?", highlights
    ) == (24.01)
    quarter = "What was diluted earnings per share in the fourth quarter of fiscal 2023?"
    assert plan_value(planner, quarter, highlights) == 6.68


def test_a_change_in_a_year_is_against_the_year_before(planner: OfflinePlanner) -> None:
    """Ulta's highlights print three years of comparable sales; the growth "in fiscal 2022"
    is not measured against fiscal 2020."""
    rates = record_chunks(
        [
            ["", "fiscal 2022", "fiscal 2020"],
            ["comparable sales", "15.6%", "(17.9)%"],
        ],
        record_id="ULTA/2",
    )
    assert (
        plan_value(planner, "What was the change in comparable sales in fiscal 2022?", rates)
        is None
    )


def test_metric_words_name_a_line_and_qualifiers_are_seen() -> None:
    info = analyze("How many employees did PepsiCo have as of December 31, 2022?")
    assert not names_metric(info, ("outstanding", "at", "december", "31", "2022"))
    liabilities = analyze("What were total liabilities at July 29, 2023?")
    total_cash = ("total", "cash", "provided", "by", "used", "in", "operating", "activities")
    assert not names_metric(liabilities, total_cash)
    assert names_metric(liabilities, ("total", "liabilities"))
    assert qualifies(liabilities, ("total", "current", "liabilities")) == "current"
    assert qualifies(liabilities, ("total", "liabilities")) is None


def test_a_total_is_the_total_of_the_metric_asked(planner: OfflinePlanner) -> None:
    """Best Buy's balance sheet prints no total of liabilities: neither its current
    liabilities' total nor the cash flow statement's "Total cash provided by operating
    activities" (under "Changes in operating assets and liabilities") answers."""
    sheet = record_chunks(
        [
            ["", "july 29 , 2023"],
            ["total current liabilities", "8,433"],
            ["total assets", "15,318"],
        ],
        record_id="BBY/3",
    )
    flows = record_chunks(
        [["", "july 29 , 2023"], ["total cash provided by ( used in ) operating activities", "181"]],
        record_id="BBY/6",
    )  # fmt: skip
    chunks = [*sheet, *flows]
    assert plan_value(planner, "What were total liabilities at July 29, 2023?", chunks) is None
    assert plan_value(planner, "What were total assets at July 29, 2023?", chunks) == 15318.0


def test_one_figure_rounded_where_it_is_printed_again_is_not_divided_by_itself(
    planner: OfflinePlanner,
) -> None:
    """American Express prints Card Member loans in millions and again in billions."""
    loans = record_chunks(
        [["(millions)", "2022"], ["card member loans", "107,964"]], record_id="AXP/44"
    )
    billions = record_chunks(
        [["", "2022"], ["card member loans ( billions )", "$ 108.0"]], record_id="AXP/51"
    )
    question = "What was the ratio of card member loans to total assets at December 31, 2022?"
    assert plan_value(planner, question, [*loans, *billions]) is None


def test_question_names_leave_out_months_filers_and_generic_words() -> None:
    question = "What was Eliquis revenue for the six months ended July 2, 2023, for the Company?"
    assert question_names(question, ()) == ("eliqui",)
    assert question_names("What were Boeing's revenues in 2022?", ("THE BOEING COMPANY",)) == ()
    assert question_names("What were Boeing's revenues in 2022?", ()) == ("boeing",)
    # the filer's other names: its trading symbol, a contraction of its name
    amex = ("American Express Company", "AXP")
    assert question_names("What was AMEX's net income in 2022?", amex) == ()
    assert question_names("What was AXP's net income in 2022?", amex) == ()
    assert question_names("What was Amex Ventures' net loss?", ()) == ("amex", "venture")
    assert question_names("What was COGS in 2019?", ()) == ()  # acronyms: the abbreviations
    # words that open a sentence are no names
    assert question_names("What is EBITDA? Define EBITDA as X. Answer in USD millions.", ()) == ()


PFIZER = ("PFIZER INC.",)


def test_a_named_product_must_be_in_the_line_read(planner: OfflinePlanner) -> None:
    """Pfizer's 10-Q: "What was Eliquis revenue ...?" had read total revenues (0.84) when the
    product table was retrieved alongside it; the line read must mention Eliquis."""
    totals = record_chunks(
        [["(millions)", "six months ended july 2 , 2023"], ["revenues", "$ 31,015"]],
        record_id="PFE/38",
    )
    products = record_chunks(
        [["(millions)", "six months ended july 2 , 2023"], ["eliquis", "3,636"]],
        record_id="PFE/42",
    )
    chunks = [*totals, *products]
    assert mentioned(("eliqui",), products) == {"eliqui"}
    question = "What was Eliquis revenue for the six months ended July 2, 2023?"
    assert plan_value(planner, question, chunks, PFIZER) == 3636.0
    # evidence that never mentions the product gives no figure of it
    paxlovid = "What was Paxlovid revenue for the six months ended July 2, 2023?"
    assert "paxlovid" in _reason(planner, paxlovid, chunks, PFIZER)
    # without the filer's name a capitalized word may be the company's own, so no rule
    assert plan_value(planner, paxlovid, chunks) == 31015.0


def test_a_line_printed_in_two_tables_is_read_from_the_one_naming_more(
    planner: OfflinePlanner,
) -> None:
    """Boeing prints a row per segment in its revenue table and again in a table of research
    and development by segment; "Defense, Space & Security revenues" names the first."""
    head = ["(dollars in millions)", "2022", "2021"]
    revenues = record_chunks(
        [head, ["defense , space & security", "23,162", "26,540"]], record_id="BA/24"
    )
    research = record_chunks(
        [head, ["defense , space & security", "945", "818"]], record_id="BA/28"
    )
    chunks = [*in_section("Research and Development", research), *in_section("Revenues", revenues)]
    info = analyze("What were Defense, Space & Security revenues in 2022?")
    operands = operands_from(chunks, info)
    dropped = {operands[i].in_units for i in less_named(operands, chunks, info)}
    assert dropped == {945e6, 818e6}
    question = (
        "What was the percentage change in Defense, Space & Security revenues from 2021 to 2022?"
    )
    # the two tables make it a close call (the confidence is low), but the figures read are
    # the revenues, and the research table's are rejected
    plan = plan_always(planner, question, chunks)
    assert plan.program is not None
    assert execute(plan.program, build_context(chunks)).value == pytest.approx(23162 / 26540 - 1)
    assert any("names less of the question" in e for e in plan.errors)
    # a question naming neither table's words takes no side
    plain = analyze("What was Defense, Space & Security in 2022?")
    assert less_named(operands_from(chunks, plain), chunks, plain) == set()


def test_two_dates_of_one_year_run_from_the_earlier(planner: OfflinePlanner) -> None:
    """Best Buy's 10-Q balance sheet: the quarter end and the fiscal year end before it, both
    in 2023. The change "from January 28, 2023 to July 29, 2023" is July's less January's."""
    sheet = record_chunks(
        [["", "July 29, 2023", "January 28, 2023"], ["cash and cash equivalents", "$ 1,093", "$ 1,874"]],
        record_id="BBY/8",
    )  # fmt: skip
    question = (
        "What was the change in cash and cash equivalents from January 28, 2023 to July 29, 2023?"
    )
    plan = plan_always(planner, question, sheet)
    assert plan.program is not None, plan.abstain_reason
    assert execute(plan.program, build_context(sheet)).value == -781.0


def test_an_average_adds_no_figure_twice() -> None:
    """Boeing prints its total revenues in two tables; "the average total revenues from 2020
    to 2022" had added 2020's twice (66,608 + 58,158 + 58,158)."""
    head = ["(dollars in millions)", "2022", "2021", "2020"]
    summary = record_chunks(
        [head, ["total revenues", "66,608", "62,286", "58,158"]], record_id="BA/55"
    )
    segments = record_chunks(
        [head, ["total revenues", "66,608", "62,286", "58,158"]], record_id="BA/62"
    )
    info = analyze("what was the average total revenues from 2020 to 2022?")
    ops = operands_from([*summary, *segments], info)
    by = {(o.row_key.split(":")[0], o.years): o for o in ops}
    (one, two) = sorted({k[0] for k in by})
    twice = [by[(one, (2022,))], by[(one, (2020,))], by[(two, (2020,))]]
    assert one_line_twice(twice)
    assert not one_line_twice([by[(one, (2022,))], by[(one, (2021,))], by[(two, (2020,))]])


def test_two_lines_set_against_each_other_are_not_one_line_twice(
    planner: OfflinePlanner,
) -> None:
    """ "How much more were card member rewards than marketing expenses in 2022?" had
    subtracted 2021's rewards from 2022's."""
    expenses = record_chunks(
        [
            ["(millions)", "2022", "2021"],
            ["card member rewards", "$ 14,002", "$ 11,007"],
            ["marketing", "5,458", "5,291"],
        ],
        record_id="AXP/49",
    )
    question = "How much more were card member rewards than marketing expenses in 2022?"
    plan = plan_always(planner, question, expenses)
    assert plan.program is None or execute(plan.program, build_context(expenses)).value == (
        14002 - 5458
    )
    assert any("reads one line twice" in e for e in (*plan.errors, plan.abstain_reason or ""))


def test_how_a_rate_moved_is_no_amount_of_money(planner: OfflinePlanner) -> None:
    """ "the change in the gross profit rate" had subtracted two gross profits."""
    segment = record_chunks(
        [
            ["($ in millions)", "three months ended july 29 , 2023", "three months ended july 30 , 2022"],
            ["gross profit", "$ 168", "$ 178"],
            ["gross profit as a % of revenue", "24.2%", "23.4%"],
        ],
        record_id="BBY/18",
    )  # fmt: skip
    question = (
        "What was the change in the gross profit rate for the three months ended July 29, 2023"
        " compared with the prior year period?"
    )
    plan = plan_always(planner, question, segment)
    said = (*plan.errors, plan.abstain_reason or "")
    if plan.program is not None:
        assert execute(plan.program, build_context(segment)).value == pytest.approx(0.008)
    assert any("subtracts amounts of money" in e for e in said) or plan.program is not None


def test_a_total_after_a_dated_lead_in_is_read_not_added(planner: OfflinePlanner) -> None:
    """American Express prints "Total non-interest revenues" in its income statement and in a
    segment table; "For the year ended December 31, 2022, what were total non-interest
    revenues?" had added the two (the date's commas had hidden the total)."""
    head = ["(millions)", "2022", "2021"]
    statement = record_chunks(
        [head, ["total non-interest revenues", "42,967", "34,993"]], record_id="AXP/96"
    )
    segment = record_chunks(
        [head, ["total non-interest revenues", "388", "410"]], record_id="AXP/156"
    )
    chunks = [*statement, *segment]
    info = analyze("For the year ended December 31, 2022, what were total non-interest revenues?")
    assert only_total(info)
    value = plan_value(planner, info.text, chunks)
    assert value in (42967.0, None)  # never 43,355, the sum of the two tables


def test_a_question_naming_an_amount_is_no_description() -> None:
    assert description_reason("What were customer deposits at December 31, 2022?") is None
    assert description_reason("Who are the primary customers of Boeing as of FY2022?")
    assert description_reason("What are the primary customers of Boeing?")


def test_a_label_that_turns_the_metric_is_read_last(planner: OfflinePlanner) -> None:
    """ "How much did PepsiCo pay in income taxes in 2022?" had read "Income before income
    taxes" ($10,705 million) at 0.99."""
    statement = record_chunks(
        [
            ["(millions)", "2022", "2021"],
            ["income before income taxes", "10,705", "9,385"],
            ["provision for income taxes", "1,727", "1,142"],
        ],
        record_id="PEP/62",
    )
    question = "How much did PepsiCo pay in income taxes in 2022?"
    assert plan_value(planner, question, statement) in (1727.0, None)
    # a question that says "before" reads the line
    assert plan_value(planner, "What was income before income taxes in 2022?", statement) == 10705.0
