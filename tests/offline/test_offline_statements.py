"""Which statement a figure is read from, found by asking the six FinanceBench filings questions
of our own (session 16): the consolidated statements over the parent company's own, over
copies of a line in summaries and notes, over the period columns for a balance, and an
amount over the same line per share. Each case is the shape of a filing's tables, reduced to
the lines that decide it."""

from __future__ import annotations

import pytest

from finrag.documents.model import Chunk
from finrag.dsl.executor import execute
from finrag.planning.evidence import build_context
from finrag.planning.offline import OfflinePlanner
from finrag.planning.offline.candidates import operands_from
from finrag.planning.offline.scope import statement_copies, without_parent_only
from finrag.planning.offline.text import analyze
from support import in_section, plan_always, plan_value, record_chunks

AMEX = ("American Express Company", "AXP")


def _balance_sheet() -> list[Chunk]:
    return in_section(
        "CONSOLIDATED BALANCE SHEETS",
        record_chunks(
            [["december 31 (millions)", "2022", "2021"],
             ["total cash and cash equivalents", "33,914", "22,028"],
             ["long-term debt", "42,573", "38,675"]],
            record_id="AXP/98",
        ),
    )  # fmt: skip


def test_the_parent_company_s_own_statements_are_not_the_company_s(
    planner: OfflinePlanner,
) -> None:
    """American Express's Note 25 prints the parent company's balance sheet: its cash, $8,188
    million, is not the company's $33,914 million."""
    parent = in_section(
        "PARENT COMPANY – CONDENSED BALANCE SHEETS",
        record_chunks(
            [["as of december 31 (millions)", "2022", "2021"],
             ["cash and cash equivalents", "$ 8,188", "$ 5,341"]],
            record_id="AXP/156",
        ),
    )  # fmt: skip
    chunks = [*parent, *_balance_sheet()]
    question = "What was cash and cash equivalents at December 31, 2022?"
    assert without_parent_only(chunks, question) == _balance_sheet()
    assert plan_value(planner, question, chunks, AMEX) == 33914.0
    # asked about the parent, the parent's statements stay
    parents = "What was the parent company's cash and cash equivalents at December 31, 2022?"
    assert without_parent_only(chunks, parents) == chunks
    # with nothing else, they are what there is
    assert without_parent_only(parent, question) == parent


def test_a_statement_line_naming_the_metric_is_read_not_its_copies(
    planner: OfflinePlanner,
) -> None:
    """A sentence on "Restricted cash and cash equivalents held by the Lending Trust" and the
    MD&A's summary had split the lookup's confidence below the cut-off."""
    sentence = record_chunks(
        [["", "2022"], ["other", "1"]],
        pre_text=(
            "restricted cash and cash equivalents held by the lending trust was $ 59 million and "
            "$ 42 million as of december 31 , 2022 and 2021 , respectively .",
        ),
        record_id="AXP/120",
    )
    summary = in_section(
        "TABLE 1: SUMMARY OF FINANCIAL PERFORMANCE",
        record_chunks(
            [["(millions)", "2022", "2021"], ["cash and cash equivalents", "33,914", "22,028"]],
            record_id="AXP/44",
        ),
    )
    sheet = _balance_sheet()
    chunks = [*sheet, *summary, *sentence]
    info = analyze("What was cash and cash equivalents at December 31, 2022?")
    kept = statement_copies(operands_from(chunks, info), chunks, info, AMEX)
    assert {o.row_key for o in kept} <= {c.id for c in sheet}
    assert plan_value(planner, info.text, chunks, AMEX) == 33914.0
    # a question naming what no statement line names keeps every line
    restricted = analyze("What was restricted cash held by the Lending Trust in 2022?")
    operands = operands_from(chunks, restricted)
    assert len(statement_copies(operands, chunks, restricted, AMEX)) == len(operands)


def test_a_balance_is_not_read_from_a_period_column(planner: OfflinePlanner) -> None:
    """The income statement's "Long-term debt and other" under "Interest expense" (the year's
    interest on it, in a table whose corner says "Year Ended December 31") and the cash flow
    statement's payments are no balance at December 31."""
    income = in_section(
        "CONSOLIDATED STATEMENTS OF INCOME",
        record_chunks(
            [["year ended december 31 (millions)", "2022", "2021"],
             ["interest expense", "", ""],
             ["long-term debt and other", "1,236", "825"]],
            record_id="AXP/96",
        ),
    )  # fmt: skip
    chunks = [*income, *_balance_sheet()]
    question = "What was long-term debt at December 31, 2022?"
    assert plan_value(planner, question, chunks, AMEX) == 42573.0
    # a line printed only for periods is still read ("net income as of December 31, 2022")
    assert plan_value(
        planner, "What was long-term debt and other at December 31, 2022?", income
    ) == (1236.0)


def test_at_the_end_of_a_fiscal_year_asks_a_balance(planner: OfflinePlanner) -> None:
    """Ulta's cash flow statement prints the change in merchandise inventories for the 52
    weeks, its balance sheet the balance at the year's last day."""
    flows = in_section(
        "Consolidated Statements of Cash Flows",
        record_chunks(
            [["", "52 Weeks Ended January 29, 2022"], ["merchandise inventories", "(331,003)"]],
            record_id="ULTA/8",
        ),
    )
    sheet = in_section(
        "Condensed Consolidated Balance Sheets",
        record_chunks(
            [["", "January 29, 2022"], ["merchandise inventories , net", "1,499,218"]],
            record_id="ULTA/7",
        ),
    )
    question = "What was inventory at the end of fiscal 2022?"
    assert plan_value(planner, question, [*flows, *sheet]) == 1499218.0


def test_an_amount_is_not_read_per_share_unless_asked(planner: OfflinePlanner) -> None:
    """Pfizer's income statement prints "Net income attributable to Pfizer Inc. common
    shareholders" as an amount and again under "Earnings per common share––basic"."""
    head = [
        "(millions, except per share data)",
        "Three Months Ended July 2, 2023",
        "Six Months Ended July 2, 2023",
    ]
    line = "net income attributable to pfizer inc. common shareholders"
    per_share = in_section(
        "CONDENSED CONSOLIDATED STATEMENTS OF INCOME",
        record_chunks(
            [head, ["earnings per common share––basic", "", ""], [line, "$ 0.41", "$ 1.40"],
             ["earnings per common share––diluted", "", ""], [line, "$ 0.41", "$ 1.38"]],
            record_id="PFE/8",
        ),
    )  # fmt: skip
    amounts = in_section(
        "Note 11. Earnings Per Common Share Attributable to Common Shareholders",
        record_chunks([head, [line, "$ 2,327", "$ 7,870"]], record_id="PFE/28"),
    )
    chunks = [*per_share, *amounts]
    question = (
        "what was the difference between net income attributable to pfizer for the six months "
        "and the three months ended july 2, 2023?"
    )
    plan = plan_always(planner, question, chunks, ("PFIZER INC.", "PFE"))
    assert plan.program is not None, plan.abstain_reason
    assert execute(plan.program, build_context(chunks)).value == pytest.approx(5543.0)
    eps = "What was basic earnings per share for the six months ended July 2, 2023?"
    assert plan_value(planner, eps, chunks, ("PFIZER INC.",)) == 1.40


def test_a_note_s_line_of_another_figure_is_not_the_statement_s(planner: OfflinePlanner) -> None:
    """Pfizer's fair value note prints "Total assets" (those measured at fair value, $46,089
    million); the balance sheet's total assets are $220,168 million."""
    head = ["(millions)", "July 2, 2023"]
    sheet = in_section(
        "CONDENSED CONSOLIDATED BALANCE SHEETS",
        record_chunks(
            [head, ["cash and cash equivalents", "$ 2,632"], ["total assets", "$ 220,168"]],
            record_id="PFE/10",
        ),
    )
    note = in_section(
        "Note 7. Financial Instruments",
        record_chunks([head, ["total assets", "$ 46,089"]], record_id="PFE/20"),
    )
    chunks = [*note, *sheet]
    question = "what percent of total assets were cash and cash equivalents as of july 2, 2023?"
    plan = plan_always(planner, question, chunks, ("PFIZER INC.",))
    assert plan.program is not None, plan.abstain_reason
    assert execute(plan.program, build_context(chunks)).value == pytest.approx(2632 / 220168)
    assert not any("46089" in e or "46,089" in e for e in plan.errors if "note" not in e)


def test_how_an_amount_moved_is_no_difference_of_percentages(planner: OfflinePlanner) -> None:
    """Ulta's income statement prints each line with its percentage of net sales beside it:
    "the change in net income" is $256,571 thousand, not 0.8 points of net sales."""
    statement = in_section(
        "Consolidated Statements of Income",
        record_chunks(
            [["(in thousands)", "fiscal 2023", "fiscal 2023", "fiscal 2022", "fiscal 2022"],
             ["net income", "$ 1,242,408", "12.2%", "$ 985,837", "11.4%"]],
            record_id="ULTA/6",
        ),
    )  # fmt: skip
    change = "What was the change in net income from fiscal 2022 to fiscal 2023?"
    plan = plan_always(planner, change, statement)
    assert plan.program is not None, plan.abstain_reason
    assert execute(plan.program, build_context(statement)).value == 256571.0
    # a question about a rate may subtract percentages
    margin = (
        "What was the change in net income as a percentage of net sales from fiscal 2022 to "
        "fiscal 2023?"
    )
    plan = plan_always(planner, margin, statement)
    assert plan.program is not None, plan.abstain_reason
    value = execute(plan.program, build_context(statement)).value
    assert value == pytest.approx(0.008)  # 12.2% - 11.4%


def test_deferred_income_taxes_are_no_income_taxes_paid(planner: OfflinePlanner) -> None:
    """PepsiCo's balance sheet prints "Deferred Income Taxes" (4,204); the taxes it paid are
    the cash flow note's "Income taxes paid, net of refunds" (2,766)."""
    sheet = in_section(
        "Consolidated Balance Sheet",
        record_chunks(
            [["(in millions)", "2022", "2021"], ["deferred income taxes", "4,204", "4,310"]],
            record_id="PEP/66",
        ),
    )
    supplemental = in_section(
        "Supplemental Cash Flow Information",
        record_chunks(
            [["(in millions)", "2022", "2021"],
             ["income taxes paid , net of refunds", "$ 2,766", "$ 1,933"]],
            record_id="PEP/111",
        ),
    )  # fmt: skip
    question = "How much did PepsiCo pay in income taxes in 2022?"
    chunks = [*sheet, *supplemental]
    plan = plan_always(planner, question, chunks, ("PepsiCo, Inc.",))
    assert plan.program is not None, plan.abstain_reason
    assert execute(plan.program, build_context(chunks)).value == 2766.0
