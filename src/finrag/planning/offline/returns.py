"""Cumulative total returns: the indexed series of a performance graph read as returns.

A 10-K's performance graph tabulates the value of $100 invested in the company's stock and in
market indexes at a base date ("UPS | $ 100.00 | $ 101.76 | ... | $ 110.57"); the parser reads
such rows as index values (:func:`finrag.documents.tables._index_rows`). The return of a series
to a date is ``(value - 100) / 100`` (the ``pct_from_100`` sketch), and the difference between
two returns is the difference of two such returns, FinQA's five-step program::

    subtract(A, const_100), divide(#0, const_100), subtract(B, const_100),
    divide(#2, const_100), subtract(#1, #3)

No training question has that shape, so the sketch classifier never proposes it. Two rules
supply it (the first also reads the return of one series):

* a question asking for the return of one series it names, or how the returns of two
  series it names differ ("the difference in cumulative total return between UPS and the
  S&P 500 for the five years ended 12/31/10"), reads them at the date it names (the last
  one when it names none): :func:`index_return`;
* otherwise, when the ranker's difference reads two index values for a question about a
  difference in return, the planner answers with the five-step program on the same two
  values (:func:`as_return_difference`): ``subtract(A, B)`` of index values is a difference
  in index points, 100 times the difference in returns.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from finrag.documents.model import Chunk
from finrag.documents.tables import INDEX_BASE
from finrag.dsl.ast import Program
from finrag.dsl.units import Kind

from .candidates import Operand, operands_from
from .programs import Candidate
from .sketches import Sketch, build_program, sketch_by_name
from .text import QuestionInfo

__all__ = [
    "RETURN_DIFFERENCE",
    "as_return_difference",
    "asks_return",
    "asks_return_difference",
    "index_return",
    "index_row",
    "series_named",
]

#: The difference of two returns of indexed series (not in the classifier's catalogue).
RETURN_DIFFERENCE = Sketch(
    "return_difference",
    "diff",
    (
        ("subtract", ("A", "const_100")),
        ("divide", ("#0", "const_100")),
        ("subtract", ("B", "const_100")),
        ("divide", ("#2", "const_100")),
        ("subtract", ("#1", "#3")),
    ),
)

# "return(s)" as a performance graph's ("the cumulative total return on DISCA"), not a "return
# on equity / assets / capital" (ratios of their own) nor a tax return
_RETURN = re.compile(r"\breturns?\b|\broi\b|\b(?:out|under)perform")
_NOT_A_MARKET_RETURN = re.compile(
    r"\btax returns?\b|\breturns? (?:of|to) (?:capital|shareholders)"
    r"|\breturns? on (?:average |total |invested |tangible |common |the )*"
    r"(?:(?:share|stock)holders'? |shareowners'? )?(?:equity|assets|capital)\b"
)
_DIFFERENCE = re.compile(
    r"\bdifference\b|\bmore\b|\bless\b|\bhigher\b|\blower\b|\bgreater\b|\bexceed"
    r"|\boutperform|\bunderperform|\bcompared?\b|\bversus\b|\bvs\b|\brelative to\b"
)


def asks_return_difference(info: QuestionInfo) -> bool:
    """Whether the question asks how much two (cumulative total) returns differ."""
    return asks_return(info) and bool(_DIFFERENCE.search(info.text.lower()))


def index_row(chunk: Chunk | None) -> bool:
    """A table row of an indexed series: three or more plain numbers, the first the base 100
    (the parser leaves such cells without currency or scale)."""
    if chunk is None or not chunk.cells:
        return False
    numbers = [c.number for c in chunk.cells if c.number is not None and not c.number.is_dash]
    return (
        len(numbers) >= 3
        and numbers[0].value == INDEX_BASE
        and all(n.kind is Kind.NONE and n.currency is None for n in numbers)
    )


def _of_index(operand: Operand, by_id: Mapping[str, Chunk]) -> bool:
    return operand.source == "table" and index_row(by_id.get(operand.row_key))


def as_return_difference(
    cand: Candidate, info: QuestionInfo, by_id: Mapping[str, Chunk]
) -> Program | None:
    """The five-step difference of returns for a difference of two index values the question
    asks about as returns; None for any other candidate."""
    if cand.sketch.name != "diff" or not asks_return_difference(info):
        return None
    a, b = cand.fill
    if not (_of_index(a, by_id) and _of_index(b, by_id)):
        return None
    return build_program(RETURN_DIFFERENCE, {"A": a.arg, "B": b.arg}, Kind.PERCENT)


# a series' head as questions write it: "Standard & Poor's 500" (FinQA: "standard & poor
# 2019s 500") is "S&P 500"
_SP = re.compile(r"standard\s*&?\s*poor(?:['\u2019]s|\s*2019s|s)?\b", re.I)
_SERIES_WORD = re.compile(r"[a-z0-9&]+")


def _series_words(text: str) -> str:
    """Lower-cased words of a label or question, "S&P500" parted as "s&p 500"."""
    low = re.sub(r"(?<=[a-z&])(?=\d)", " ", _SP.sub("s&p", text.lower()))
    return " ".join(_SERIES_WORD.findall(low))


def series_named(info: QuestionInfo, rows: Sequence[Chunk]) -> list[Chunk]:
    """The index rows the question names, in the order it names them.

    A row is named when the question writes the first two words of its label ("united
    parcel" of "united parcel service inc .", "s&p 500"), or the whole label when it has
    one word ("disca"). Where two rows are named at one place ("s&p 500" of both "s&p 500"
    and "s&p 500 retail index"), the longer match wins, then the row whose whole label is
    written; a tie names neither.
    """
    question = _series_words(info.text).split()
    best: dict[int, list[tuple[int, bool, Chunk]]] = {}
    for row in rows:
        label = _series_words(row.row_label or "").split()
        if not label:
            continue
        for at in range(len(question)):
            k = 0
            while k < len(label) and at + k < len(question) and question[at + k] == label[k]:
                k += 1
            if k >= min(2, len(label)):
                best.setdefault(at, []).append((k, k == len(label), row))
    named: list[Chunk] = []
    for at in sorted(best):
        ranked = sorted(best[at], key=lambda m: (m[0], m[1]), reverse=True)
        if len(ranked) > 1 and ranked[0][:2] == ranked[1][:2]:
            continue
        row = ranked[0][2]
        if row not in named:
            named.append(row)
    return named


def asks_return(info: QuestionInfo) -> bool:
    """Whether the question asks about a (cumulative total) return, not a "return on" ratio
    or a tax return."""
    low = info.text.lower()
    return bool(_RETURN.search(low) and not _NOT_A_MARKET_RETURN.search(low))


class _Period(NamedTuple):
    start: Operand
    end: Operand
    from_base: bool  # the start is the series' base date (its first cell)


def _at_dates(row: Chunk, info: QuestionInfo) -> _Period | None:
    """The row's cells at the start and the end of the period the question names: the end at
    its last year (the last column when it names none), the start at its first year when it
    names two, else the series' base. None when a year named has no cell."""
    operands = [o for o in operands_from([row], info) if o.source == "table"]
    if not operands:
        return None
    base = operands[0]
    if not info.years:
        return _Period(base, operands[-1], True)
    ends = [o for o in operands if max(info.years) in o.years]
    starts = [o for o in operands if min(info.years) in o.years] if len(info.years) > 1 else [base]
    if not ends or not starts:
        return None
    return _Period(starts[0], ends[-1], starts[0] is base)


def index_return(info: QuestionInfo, evidence: Sequence[Chunk]) -> Program | None:
    """A return read from the index series the question names, over the period it names:

    * one series and no difference ("the cumulative total return of UPS for the five years
      ended 12/31/10"): ``(value - 100) / 100`` (``pct_from_100``) from the base date, the
      relative change of the two values from a later start ("the ROI of an investment in the
      S&P 500 from 2014 to 2016", ``pct_change``);
    * two series and a difference ("how much more did UPS return than the S&P 500"): the
      first named's return minus the second's (:data:`RETURN_DIFFERENCE`), from the base
      date only (two returns over part of the period have no one reading).

    None for anything else: no return asked, a number in the question (an amount invested
    is another computation), no series or more than two named.
    """
    if not asks_return(info):
        return None
    named = series_named(info, [c for c in evidence if index_row(c)])
    # the "500" of "S&P 500" names a series; any other number is an amount of the question's
    in_names = {float(n) for row in named for n in re.findall(r"\d+", row.row_label or "")}
    if set(info.numbers) - in_names:
        return None
    found = [_at_dates(row, info) for row in named]
    periods = [p for p in found if p is not None]
    if not periods or len(periods) < len(found):
        return None
    difference = asks_return_difference(info)
    if difference and len(periods) == 2:
        a, b = periods
        if a.end.heading != b.end.heading or not (a.from_base and b.from_base):
            return None
        return build_program(RETURN_DIFFERENCE, {"A": a.end.arg, "B": b.end.arg}, Kind.PERCENT)
    if not difference and len(periods) == 1:
        start, end, from_base = periods[0]
        if start is end:
            return None
        if from_base:
            return build_program(sketch_by_name("pct_from_100"), {"A": end.arg}, Kind.PERCENT)
        return build_program(
            sketch_by_name("pct_change"), {"A": end.arg, "B": start.arg}, Kind.PERCENT
        )
    return None
