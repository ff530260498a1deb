"""Formulas a question states or names (EBITDA, free cash flow), read and grounded offline."""

from __future__ import annotations

import pytest

from finrag.dsl.executor import execute
from finrag.dsl.printer import to_string
from finrag.dsl.units import Kind
from finrag.planning.base import PlanRequest
from finrag.planning.evidence import build_context
from finrag.planning.formulas import (
    Term,
    asked_formula,
    parse_expression,
    render,
    retrieval_queries,
    stated_definitions,
    term_readings,
)
from finrag.planning.offline import OfflinePlanner
from finrag.planning.offline.formula_plan import asks_formula_alone
from finrag.planning.offline.text import analyze
from support import record_chunks

pytestmark = pytest.mark.unit

PEPSI_EBITDA_LESS_CAPEX = (
    "What is the FY2022 unadjusted EBITDA less capex for PepsiCo? Define unadjusted EBITDA as "
    "unadjusted operating income + depreciation and amortization [from cash flow statement]. "
    "Answer in USD millions."
)


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("a + b", "a + b"),
        (
            "operating income plus depreciation and amortization",
            "operating income + depreciation and amortization",
        ),
        ("(revenue - cost of sales) / revenue", "(revenue - cost of sales) / revenue"),
        ("total debt less cash and cash equivalents", "total debt - cash and cash equivalents"),
        ("net income divided by shares outstanding", "net income / shares outstanding"),
        ("a - b - c", "a - b - c"),
        ("a - (b - c)", "a - (b - c)"),
        ("a + b * c", "a + b * c"),
        # a parenthesis around one term is a note, not a group
        ("the operating income + D&A (from cash flow statement)", "operating income + D&A"),
    ],
)
def test_expressions_parse_with_precedence(text: str, written: str) -> None:
    expr = parse_expression(text)
    assert expr is not None
    assert render(expr) == written


@pytest.mark.parametrize(
    "text",
    [
        "operating income and depreciation",  # no operator
        "debt-to-equity ratio",  # a hyphen inside a word
        "revenue less than 600,000",  # a comparison, not a subtraction
        "a + ",  # an operator without its right term
        "(a + b",  # unbalanced
    ],
)
def test_no_expression(text: str) -> None:
    assert parse_expression(text) is None


def test_stated_definition_wins_and_the_tail_is_combined() -> None:
    formula = asked_formula(PEPSI_EBITDA_LESS_CAPEX)
    assert formula is not None
    assert formula.source == "stated"
    assert formula.name == "unadjusted EBITDA less capex"
    assert str(formula) == ("unadjusted operating income + depreciation and amortization - capex")
    assert not formula.percent


@pytest.mark.parametrize(
    ("question", "written", "percent"),
    [
        ("What was EBITDA in 2022?", "operating income + depreciation and amortization", False),
        (
            "What is the FY2022 unadjusted EBITDA % margin for PepsiCo?",
            "(operating income + depreciation and amortization) / revenue",
            True,
        ),
        (
            "What was free cash flow in 2021?",
            "net cash provided by operating activities - capital expenditures",
            False,
        ),
        (
            "What is net debt? Net debt is defined as total debt less cash and cash equivalents.",
            "total debt - cash and cash equivalents",
            False,
        ),
    ],
)
def test_named_and_stated_formulas(question: str, written: str, percent: bool) -> None:
    formula = asked_formula(question)
    assert formula is not None and str(formula) == written and formula.percent is percent


@pytest.mark.parametrize(
    "question",
    [
        "What was the adjusted EBITDA in 2019?",  # the filer's own measure: read, not computed
        "What was the Adjusted EBITDA margin in 2019?",
        "What was revenue less cost of sales in 2019?",  # no named or defined formula
        "In which year was revenue less than 600,000 thousands?",
    ],
)
def test_no_formula(question: str) -> None:
    assert asked_formula(question) is None


def test_definitions_in_later_sentences_are_found() -> None:
    defs = stated_definitions("What was X? Define gross profit as revenue minus cost of sales.")
    assert list(defs) == ["gross profit"]


def test_each_term_is_searched_under_its_usual_labels() -> None:
    queries = retrieval_queries(PEPSI_EBITDA_LESS_CAPEX)
    assert [q.text for q in queries] == [
        "operating income 2022",
        "operating profit 2022",
        "income from operations 2022",
        "earnings from operations 2022",
        "loss from operations 2022",
        "operating loss 2022",
        "depreciation and amortization 2022",
        "capital expenditures 2022",
        "capital spending 2022",
        "purchases of property and equipment 2022",
        "property, plant and equipment additions 2022",
        "additions to property and equipment 2022",
        "payments for property and equipment 2022",
    ]
    assert [q.name for q in queries if q.primary] == [
        "operating income",
        "depreciation and amortization",
        "capital expenditures",
    ]
    assert {q.usual for q in queries[:6]} == {"operating income"}
    stated = retrieval_queries("Define X as gross sales less returns. What was X in 2021?")
    assert [(q.text, q.primary) for q in stated] == [
        ("gross sales 2021", True),
        ("returns 2021", True),
    ]
    assert retrieval_queries("What was net revenue in 2022?") == []
    assert "capital spending" in term_readings(Term("capex"))
    assert "operating profit" in term_readings(Term("unadjusted operating income"))


# ---------------------------------------------------------------------------------------------
# The planner


def _statements() -> list:
    """An income statement and a cash flow statement, as two tables of one filing would give
    them (here one table: the planner sees rows, wherever they come from)."""
    return record_chunks(
        [
            ["(in millions)", "2022", "2021", "2020"],
            ["net revenue", "$ 86,392", "$ 79,474", "$ 70,372"],
            ["cost of sales", "40,576", "37,075", "31,797"],
            ["operating profit", "11,512", "11,162", "10,080"],
            ["net income", "8,978", "7,679", "7,175"],
            ["depreciation and amortization", "2,763", "2,710", "2,548"],
            ["capital spending", "(5,207)", "(4,625)", "(4,240)"],
            ["net cash provided by operating activities", "10,811", "11,616", "10,613"],
        ]
    )


@pytest.mark.parametrize(
    ("question", "value"),
    [
        (PEPSI_EBITDA_LESS_CAPEX, 11512 + 2763 - 5207),
        ("What was EBITDA in 2021?", 11162 + 2710),
        ("What was the EBITDA margin in 2022?", (11512 + 2763) / 86392),
        ("What was free cash flow in 2020?", 10613 - 4240),
    ],
)
def test_formula_questions_are_answered(
    planner: OfflinePlanner, question: str, value: float
) -> None:
    chunks = _statements()
    plan = planner.plan(PlanRequest(question=question, evidence=chunks))
    assert plan.program is not None, plan.abstain_reason
    result = execute(plan.program, build_context(chunks))
    assert result.value == pytest.approx(value)
    assert plan.confidence is not None and plan.confidence >= planner.threshold


def test_an_outflow_printed_negative_is_subtracted_by_its_size(planner: OfflinePlanner) -> None:
    plan = planner.plan(PlanRequest(question=PEPSI_EBITDA_LESS_CAPEX, evidence=_statements()))
    assert plan.program is not None
    text = to_string(plan.program)
    assert text.startswith("add(") and ", add(#0, @" in text  # "less (5,207)" is + (-5,207)


def test_a_margin_is_a_percentage(planner: OfflinePlanner) -> None:
    plan = planner.plan(
        PlanRequest(question="What was the EBITDA margin in 2022?", evidence=_statements())
    )
    assert plan.program is not None and plan.program.answer_kind is Kind.PERCENT


def test_a_stated_ebitda_line_is_read_not_recomputed(planner: OfflinePlanner) -> None:
    chunks = record_chunks(
        [
            ["", "FY19", "FY18"],
            ["operating income", "261", "250"],
            ["depreciation and amortisation", "111", "111"],
            ["EBITDA", "372", "361"],
        ]
    )
    plan = planner.plan(PlanRequest(question="What was EBITDA in FY19?", evidence=chunks))
    assert plan.program is None or len(plan.program.steps) == 1  # a lookup, not a sum


def test_a_missing_line_abstains_and_names_the_formula(planner: OfflinePlanner) -> None:
    chunks = record_chunks(
        [["(in millions)", "2022", "2021"], ["net revenue", "$ 86,392", "$ 79,474"]]
    )
    plan = planner.plan(PlanRequest(question="What was free cash flow in 2022?", evidence=chunks))
    assert plan.program is None
    assert plan.abstain_reason is not None and "free cash flow =" in plan.abstain_reason


def test_a_rounded_sentence_gives_way_to_the_cell_it_rounds(planner: OfflinePlanner) -> None:
    """Boeing: "Capital expenditures totaled $1.2 billion in 2022" and the cash flow line
    "Payments to acquire property, plant and equipment | (1,222)" are one figure; the cell is
    read, so free cash flow is 3,512 - 1,222 = 2,290 million (had been 3,512 - 1,200)."""
    chunks = record_chunks(
        [
            ["(in millions)", "2022", "2021"],
            ["net cash provided by operating activities", "3,512", "(3,416)"],
            ["payments to acquire property, plant and equipment", "(1,222)", "(980)"],
        ],
        post_text=(
            "Capital expenditures totaled $1.2 billion in 2022, compared with $1.0 billion in 2021.",
        ),
    )
    plan = planner.plan(PlanRequest(question="What was free cash flow in 2022?", evidence=chunks))
    assert plan.program is not None, plan.abstain_reason
    value = execute(plan.program, build_context(chunks)).value
    assert value == pytest.approx(2290.0)


@pytest.mark.parametrize(
    ("question", "alone"),
    [
        ("What was EBITDA in 2022?", True),
        ("What is the FY2022 unadjusted EBITDA % margin for PepsiCo?", True),
        ("What was the change in EBITDA from 2021 to 2022?", False),  # needs EBITDA twice
        ("What was EBITDA in 2022 and 2021?", False),
        ("What is the percentage of depreciation and amortisation in EBITDA in 2019?", False),
        ("What was the average EBITDA?", False),
    ],
)
def test_the_formula_path_takes_the_formula_for_one_period_only(question: str, alone: bool) -> None:
    formula = asked_formula(question)
    assert formula is not None
    assert asks_formula_alone(formula, analyze(question)) is alone


def test_lines_from_a_statement_without_dollar_signs_combine_with_money(
    planner: OfflinePlanner,
) -> None:
    """A cash flow table that prints no "$" reads as plain amounts; they still add to the
    income statement's money (the demo's "EBITDA margin" had abstained, "not in one unit")."""
    income = record_chunks(
        [
            ["(in millions)", "2024", "2023"],
            ["net revenue", "$ 5,829", "$ 5,735"],
            ["operating income", "911", "850"],
        ],
        record_id="TEST/2024/page_1.pdf-1",
    )
    cash = record_chunks(
        [
            ["(in millions)", "2024", "2023"],
            ["depreciation and amortization", "296", "281"],
            ["capital expenditures", "(412)", "(377)"],
        ],
        record_id="TEST/2024/page_2.pdf-1",
    )
    chunks = income + cash
    plan = planner.plan(
        PlanRequest(question="What was the EBITDA margin in 2024?", evidence=chunks)
    )
    assert plan.program is not None, plan.abstain_reason
    assert execute(plan.program, build_context(chunks)).value == pytest.approx((911 + 296) / 5829)


def test_reading_stays_linear_on_long_text() -> None:
    """A pasted page is read in well under a second (the lazy scans are bounded)."""
    import time

    for text in ("a" * 100_000, "is " * 30_000, "What was EBITDA " + "less capex " * 3000):
        started = time.perf_counter()
        asked_formula(text)
        assert time.perf_counter() - started < 1.0


def test_no_term_is_made_of_a_preposition() -> None:
    formula = asked_formula("What was EBITDA less  for 2022?")
    assert (
        formula is not None and str(formula) == "operating income + depreciation and amortization"
    )
    assert [q.usual for q in retrieval_queries("What was free cash flow less capex in 2022?")][
        -1
    ] == ("capital expenditures")


def test_a_line_names_a_reading_by_its_label_or_a_phrase() -> None:
    """The extra searches keep only lines that name what they searched for."""
    from finrag.documents.model import Chunk, ChunkKind
    from finrag.planning.formulas import names_line

    def row(label: str, group: str = "") -> Chunk:
        return Chunk(
            id="d:t0:r0",
            doc_id="d",
            kind=ChunkKind.TABLE_ROW,
            text=label,
            page=1,
            ordinal=0,
            row_label=label,
            group=group,
        )

    def sentence(text: str) -> Chunk:
        return Chunk(id="d:p1:s0", doc_id="d", kind=ChunkKind.TEXT, text=text, page=1, ordinal=0)

    assert names_line(row("Loss from operations"), "loss from operations")
    assert names_line(row("Operating Profit/(Loss)"), "operating profit")
    assert names_line(row("Total", group="Net revenue"), "net revenue")
    assert names_line(row("Income (loss) from operations"), "income from operations")
    assert names_line(
        row("Depreciation, depletion and amortization"), "depreciation and amortization"
    )
    assert not names_line(row("Total"), "total revenues")
    assert not names_line(row("Non-operating income"), "operating income")
    assert not names_line(row("(Loss)/income from operating investments, net"), "operating income")
    assert names_line(sentence("Operating income was $911 million."), "operating income")
    assert not names_line(sentence("Operating costs and interest income rose."), "operating income")
    assert not names_line(sentence("Non-operating income was $58 million."), "operating income")


def test_a_negated_or_scattered_name_is_not_the_line() -> None:
    """Boeing's "Non-operating postretirement income included in Other income, net was $58
    million" names no operating income, though it has both words: the sentence's $58 million
    had been added to the depreciation as Boeing's EBITDA. A sentence must name the line as
    a phrase, and a "non-" line is never it."""
    from finrag.documents.model import Chunk, ChunkKind
    from finrag.planning.offline.candidates import Operand, operands_from
    from finrag.planning.offline.formula_plan import _names

    def sentence_numbers(text: str) -> list[Operand]:
        chunk = Chunk(id="d:p1:s0", doc_id="d", kind=ChunkKind.TEXT, text=text, page=1, ordinal=0)
        info = analyze("what was operating income in 2022?")
        return [o for o in operands_from([chunk], info) if o.source == "text"]

    negated = sentence_numbers(
        "Non-operating postretirement income included in Other income, net was $58 million in 2022."
    )
    assert negated and not any(_names(o, "operating income") for o in negated)
    scattered = sentence_numbers("Operating costs rose, while interest income was $12 million.")
    assert scattered and not any(_names(o, "operating income") for o in scattered)
    stated = sentence_numbers("Operating income was $911 million in 2022.")
    assert stated and all(_names(o, "operating income") for o in stated)
