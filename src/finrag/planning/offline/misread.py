"""Readings no program of the question makes, told from the operands alone.

The offline planner's ranker scores candidate programs; some candidates read lines the
question cannot mean whatever their score: one figure printed twice and subtracted from
itself, a relative change of two lines that are themselves changes, a year skipped, two
dates of one year taken in the wrong order, a ratio of lines the question does not name, a
rate's change computed from amounts of money. :func:`misread` says why, or ``None``; the
planner passes such a candidate over without spending one of its tries (planner.py), which
are left to the checks that run the program. Each rule names the question that found it
(docs/offline_planner.md, step 8).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence

from finrag.documents.model import Chunk
from finrag.documents.tables import PER_SHARE
from finrag.dsl.units import Kind
from finrag.lexical import MONTH_NAME

from .candidates import Operand, dates_or_scales, month_days, period_date
from .programs import Candidate
from .text import CUE_NAMES, QuestionInfo, cue_flags, names_metric, words

__all__ = [
    "misread",
    "one_figure_twice",
    "one_line_twice",
    "only_total",
    "unasked_per_share",
    "unasked_ratio",
]


# Sketch families whose two operands must be two figures (a difference, a change, a ratio).
_TWO_FIGURES = frozenset({"diff", "change", "ratio"})
# Sums and averages of figures two of which are one line printed twice (:func:`one_line_twice`).
_SAME_LINE_TWICE = frozenset({"sum", "avg"})


# "total revenue(s) in 2022", with no "and", "of ... and", "combined": a total row's label.
_TOTAL_ROW = re.compile(r"^(?:(?!\band\b|\bplus\b|,).)*\btotal\b(?:(?!\band\b|\bplus\b).)*$", re.I)


def misread(
    cand: Candidate, info: QuestionInfo, by_id: Mapping[str, Chunk] | None = None
) -> str | None:
    """A reading of lines that no program of the question combines this way, told from the
    operands alone (no execution): the planner passes over it without spending a try."""
    if (cand.sketch.family in _TWO_FIGURES and one_figure_twice(cand.fill)) or (
        cand.sketch.family in _SAME_LINE_TWICE and one_line_twice(cand.fill)
    ):
        a, b = cand.fill[:2]
        return f"it combines one figure with itself ({a.text[:50]}; {b.text[:50]})"
    if cand.sketch.name == "ratio" and all(o.quantity.kind is Kind.PERCENT for o in cand.fill):
        # no training program divides one rate by another; "what percent of X occurred in Q4"
        # had been answered with 4.6% / 23.9% of two unrelated lines
        return "it divides one percentage by another"
    if cand.sketch.family == "ratio" and not _all_named(cand.fill, info, by_id):
        # "What percent of Ulta Beauty's total spend on stock repurchases for FY 2023 occurred
        # in Q4?" had divided the year's repurchases by "Total stockholders' equity", which
        # shares only "total" with the question
        return "it divides by a line the question does not name"
    if cand.sketch.family == "sum" and only_total(info) and _one_line_of_two_tables(cand.fill):
        # "For the year ended December 31, 2022, what were total non-interest revenues?" had
        # added American Express's consolidated line and a segment table's
        return "it adds one line's figures of one period from two tables"
    if cand.sketch.family == "sum" and only_total(info) and not _all_named(cand.fill, info, by_id):
        # "What were total liabilities at July 29, 2023?" had added Best Buy's total current
        # liabilities and a cash flow line: a total asked by name adds lines of that name
        return "it adds lines that are not of the total asked"
    if cand.sketch.family in ("diff", "change") and _one_line_for_two(cand.fill, info):
        # "How much more were card member rewards than marketing expenses in 2022?" had
        # subtracted 2021's rewards from 2022's
        return "the question sets two lines against each other, and it reads one line twice"
    if (
        cand.sketch.family in ("diff", "change")
        and _RATE_METRIC.search(info.text)
        and all(o.quantity.kind is Kind.MONEY for o in cand.fill)
    ):
        # "the change in the gross profit rate" had subtracted two gross profits ($10 million)
        return "the question asks how a rate moved, and it subtracts amounts of money"
    if (
        cand.sketch.family == "diff"
        and all(o.quantity.kind is Kind.PERCENT for o in cand.fill)
        and not _NAMES_A_RATE.search(info.text)
    ):
        # Ulta's "What was the change in net income from fiscal 2022 to fiscal 2023?" had
        # subtracted the two years' net income as a percentage of net sales (0.8 points)
        return "the question asks how an amount moved, and it subtracts percentages"
    if cand.sketch.family in ("diff", "change") and _earlier_first(cand.fill, info):
        # "the change in cash from January 28, 2023 to July 29, 2023" had read +781 (the
        # January balance less July's): two dates of one year are ordered by the dates
        return "it subtracts the later of the two dates asked from the earlier"
    if cand.sketch.family in ("diff", "change") and _skips_a_year(cand.fill, info):
        # "What was comparable sales growth in fiscal 2023?" had subtracted fiscal 2020's rate
        # from fiscal 2022's (Ulta's highlights print three years)
        return "it compares the year asked with one that is not the year before"
    if (
        cand.sketch.family == "diff"
        and all(_states_a_change(o) for o in cand.fill)
        and cand.fill[0].years == cand.fill[1].years
        and not _COMPARES_TWO.search(info.text)
    ):
        # Best Buy's "Domestic comparable sales change for the three months" had subtracted
        # International's stated change from the Domestic one; a change of one period is
        # read, unless the question sets two against each other ("the difference between")
        return "it subtracts two changes of one period, and the question compares none"
    if cand.sketch.family == "change" and all(_states_a_change(o) for o in cand.fill):
        # Best Buy's "percentage change in revenue for the six months" had divided the
        # difference of two "Revenue % change" lines (International's and the company's)
        return "it takes the relative change of figures that are already changes"
    if any(unasked_per_share(o, info) for o in cand.fill):
        # "the difference between net income attributable to Pfizer for the six months and
        # the three months" had subtracted the lines of the same label under "Earnings per
        # common share––basic" ($1.40 - $0.41) instead of the amounts ($7,870 - $2,327 million)
        return "it reads an amount per share the question does not ask for"
    return unasked_ratio(cand, info)


def unasked_per_share(operand: Operand, info: QuestionInfo) -> bool:
    """An amount per share that only its group heading makes one ("Earnings per common
    share––basic" over "Net income attributable to Pfizer Inc. common shareholders"), for a
    question that says nothing of shares: the line's own name is an amount's."""
    return (
        operand.quantity.kind is Kind.PER_SHARE
        and not PER_SHARE.search(" ".join(operand.label))
        and not PER_SHARE.search(info.text)
        and not re.search(r"\bshares?\b|\bdividends?\b", info.text, re.IGNORECASE)
    )


def _all_named(
    fill: Sequence[Operand], info: QuestionInfo, by_id: Mapping[str, Chunk] | None = None
) -> bool:
    """Every operand's line (label, group heading, column header or its table's section; a
    sentence's words) names a content word of the question other than "total" or a month, or
    is a row labelled only "Total" or only by a period (a table of years whose caption says
    what it measures: "2014 | $156" of "the estimated amortization expense")."""

    def named(o: Operand) -> bool:
        if set(o.label) <= {"total"} or all(dates_or_scales(w) for w in o.label):
            return True
        chunk = by_id.get(o.row_key) if by_id else None
        section = words(chunk.section) if chunk is not None else []
        return names_metric(info, (*o.label, *o.group, *o.context, *section))

    return all(named(o) for o in fill)


def _one_line_of_two_tables(fill: Sequence[Operand]) -> bool:
    """Two of the operands are one row label of one period in two tables."""
    return any(
        a.label == b.label
        and a.years == b.years
        and a.row_key.rpartition(":")[0] != b.row_key.rpartition(":")[0]
        for a, b in itertools.combinations(fill, 2)
    )


def only_total(info: QuestionInfo) -> bool:
    """The question's one arithmetic cue is "total", naming a line ("total revenue in 2022"),
    with no "and", "plus" or list of things to add; a date's commas list nothing ("For the
    year ended December 31, 2022, what were total non-interest revenues?")."""
    text = _DATE_COMMAS.sub(" ", info.text)
    return _TOTAL_ROW.search(text) is not None and sum(cue_flags(info.text)[:9]) == 1


# A written date and the comma after it: "December 31, 2022,".
_DATE_COMMAS = re.compile(rf"\b{MONTH_NAME}\s+\d{{1,2}},\s*(?:19|20)\d\d,?", re.IGNORECASE)


# Cues that name a quotient: "percent", "portion of", "ratio", "margin", "per", ...
_QUOTIENT_CUES = tuple(
    i for i, name in enumerate(CUE_NAMES) if name in ("percent", "share_of", "ratio")
)


def unasked_ratio(cand: Candidate, info: QuestionInfo) -> str | None:
    """A ratio for a question that names no ratio, share or percentage ("What was the largest
    liability ...?" had been answered 0.15x). Out of fold on the training questions the ranker
    chose a ratio for such a question 9 times over two fold assignments, wrong every time,
    while 6 of the 94 gold ratios have no such word and none of those was ranked right."""
    if cand.sketch.family != "ratio":
        return None
    flags = cue_flags(info.text)
    if any(flags[i] for i in _QUOTIENT_CUES):
        return None
    return "a ratio, but the question names no ratio, share or percentage"


def one_figure_twice(fill: Sequence[Operand]) -> bool:
    """Two operands with the same value and the same period (or none): one figure read from two
    places (Boeing's 2021 net loss from the income statement and from a summary table), whose
    difference (0) or ratio (1) answers nothing; also when one of the two is the other
    rounded, with the same line's words. The same value in two periods is a real "no change"
    (TAT-QA: a tax rate of 21% in 2018 and 2019)."""
    if len(fill) != 2:
        return False
    a, b = fill
    if a.years != b.years:
        return False
    if a.quantity.value == b.quantity.value:
        return True
    # or rounded where it is printed again: "Card Member loans (billions) | 2022 | 108.0"
    # against "Card Member loans | 2022 | 107,964" (millions), whose ratio had answered "1x"
    x, y = abs(a.in_units), abs(b.in_units)
    nested = set(a.label) <= set(b.label) or set(b.label) <= set(a.label)
    return bool(a.label and b.label) and nested and x > 0 and abs(x - y) <= 0.005 * max(x, y)


# A question whose metric is a rate ("the change in the gross profit rate", "... in the
# operating margin"): its change is in percentage points, not an amount.
# A question that names a rate, a share or points: its difference may be of percentages.
_NAMES_A_RATE = re.compile(
    r"percent|%|\brates?\b|ratio|margin|yield|return|growth|proportion|\bshare\b|portion"
    r"|basis\s+points|\bpoints?\b|\bmix\b|spread|\bcomp\b|comparable|volatility"
    r"|\bro(?:e|a|ic|ce|fe|te)\b",
    re.IGNORECASE,
)
_RATE_METRIC = re.compile(
    r"\b(?:change|increase|decrease|difference|movement)\s+in\s+(?:the\s+)?(?:[\w-]+\s+){0,3}"
    r"(?:rate|margin|ratio|yield|percentage)s?\b"
    # the rate ends the metric ("... rate from 2021 to 2022?"), not an instrument's name
    # ("the change in interest rate swaps")
    r"(?=\s*(?:from|between|for|in|of|during|over|at|compared|versus|vs|\?|,|$))",
    re.IGNORECASE,
)


def _one_line_for_two(fill: Sequence[Operand], info: QuestionInfo) -> bool:
    """A question naming one year that sets two lines against each other ("How much more
    were A than B in 2022?") read as one line in two years."""
    if len(fill) != 2 or len(set(info.years)) != 1 or not _THAN.search(info.text):
        return False
    a, b = fill
    return a.label == b.label and a.years != b.years


_THAN = re.compile(r"\bthan\b", re.IGNORECASE)


def _earlier_first(fill: Sequence[Operand], info: QuestionInfo) -> bool:
    """A difference or change whose first operand is dated before its second, both in one
    year and both dates written in the question (a 10-Q's quarter end and the fiscal year end
    before it); the change runs from the earlier date to the later."""
    if len(fill) != 2 or not all(o.source == "table" for o in fill):
        return False
    first, second = period_date(fill[0]), period_date(fill[1])
    if first is None or second is None or first[0] != second[0] or first == second:
        return False
    return {first[1:], second[1:]} <= month_days(info.text) and first < second


# A question that measures a change over several years from the one it names ("since 2019").
_SINCE = re.compile(r"\bsince\b|\bover\s+the\b|\bcumulative|\bsubsequent", re.IGNORECASE)


def _skips_a_year(fill: Sequence[Operand], info: QuestionInfo) -> bool:
    """A change for a question that names one year, measured against a year that is not the
    one before it: the change "in 2023" is from 2022, not from 2021."""
    if len(set(info.years)) != 1 or len(fill) != 2 or _SINCE.search(info.text):
        return False
    (asked,) = set(info.years)
    years = [o.years for o in fill]
    if any(len(y) != 1 for y in years) or asked not in (years[0][0], years[1][0]):
        return False
    return abs(years[0][0] - years[1][0]) > 1


# A question that sets two figures against each other.
_COMPARES_TWO = re.compile(
    r"\bdifference\b|\bthan\b|\bcompared?\b|\bversus\b|\bvs\b|\bbetween\b|\bgap\b|\bexceed",
    re.IGNORECASE,
)

# A line or column that states a change ("Revenue % change", "Comparable sales growth").
_A_CHANGE = frozenset({"change", "changes", "growth", "increase", "decrease"})


def _states_a_change(operand: Operand) -> bool:
    """An operand that is itself a change: its row label says so, or its column compares two
    others ("% Change 2022 vs 2021")."""
    return operand.comparison or not _A_CHANGE.isdisjoint(operand.label)


def one_line_twice(fill: Sequence[Operand]) -> bool:
    """Two of the operands are one line: the same value, period and label, printed in two
    places (American Express's "Card Member loans | 2022 | 107,964" on pages 44 and 107),
    whose sum or average is no figure of the report; Boeing's "average total revenues from
    2020 to 2022" had added its 2020 revenues twice, from two tables."""
    return any(
        one_figure_twice((a, b)) and a.label == b.label for a, b in itertools.combinations(fill, 2)
    )
