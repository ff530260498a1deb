"""Grounding: evidence chunks -> candidate operands, each described for the operand scorer.

An :class:`Operand` is one number the program could use: a table cell (``Ref`` to the cell id),
a number of a sentence (``Ref`` to ``<chunk id>:n<k>``) or a number written in the question
(a ``Literal``). Each carries what the features need: the words that name it (row label and
column header, or the words around it in its sentence), the years of its period, where it sits
(row, column, chunk rank) and its quantity with kind and scale.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from finrag.documents.model import Chunk, ChunkKind, ParsedNumber
from finrag.documents.numbers import find_numbers, normalise_text
from finrag.dsl.ast import Literal, Ref
from finrag.dsl.units import Kind, Quantity, Scale
from finrag.lexical import MONTH_WORDS
from finrag.planning.evidence import aggregate_cells, is_comparison_header

from .text import (
    YEAR,
    QuestionInfo,
    asks_change,
    full_year,
    label_match,
    label_stems,
    stem,
    words,
    years_in,
)

__all__ = [
    "OPERAND_FEATURES",
    "Operand",
    "RowCandidate",
    "operand_features",
    "operands_from",
    "period_date",
    "rows_from",
]

_WINDOW_BEFORE = 10
_WINDOW_AFTER = 5


@dataclass(frozen=True, slots=True)
class Operand:
    """A number a program may use, with what grounding knows about it."""

    arg: Ref | Literal
    quantity: Quantity
    label: tuple[str, ...]
    context: tuple[str, ...]
    years: tuple[int, ...]
    row_key: str
    col: int
    source: str
    rank: float
    is_total: bool
    is_dash: bool
    text: str
    group: tuple[str, ...] = ()  # a table row's group heading (``Chunk.group``)
    comparison: bool = False  # a cell of a column comparing two others ("% change 2019 v 2018")
    heading: str = ""  # a table cell's column period or header as written ("July 29, 2023")

    @property
    def in_units(self) -> float:
        """The value in units ("$ 4,290" in millions is 4.29e9)."""
        return self.quantity.value * float(self.quantity.scale.value)


@dataclass(frozen=True, slots=True)
class RowCandidate:
    """A table row a ``table_*`` operation may aggregate."""

    ref: Ref
    label: tuple[str, ...]
    values: tuple[Quantity, ...]
    rank: float
    text: str


_MONTH_YEAR = re.compile(r"(?<!\d)(?:0?[1-9]|1[0-2])/(\d\d)(?![\d/])")


def _short_years(text: str) -> list[int]:
    """Years written month/yy, as performance-graph headers do ("12/08" is 2008)."""
    return [full_year(m.group(1)) for m in _MONTH_YEAR.finditer(text)]


def _cell_years(period: str | None, header: str, row_label: str) -> tuple[int, ...]:
    """The year of a cell: its column's period or header, or (a schedule with one row per
    year, "2014 | $ 156") its row label."""
    found = (
        years_in(period or "")
        or years_in(header)
        or _short_years(header)
        or years_in(row_label)[:1]
    )
    return tuple(found[:1])


def _table_operands(chunk: Chunk, rank: float, asked: frozenset[int]) -> list[Operand]:
    """The numbers of a table row; with ``asked`` (the lengths in months of the periods the
    question names), a cell whose column's period lasts another length is left out: "six
    months ended July 2, 2023" does not read "Three Months Ended July 2, 2023"."""
    out = []
    label = tuple(words(chunk.row_label or ""))
    group = tuple(words(chunk.group))
    is_total = bool(label) and label[0] == "total"
    for cell in chunk.cells:
        number = cell.number
        if number is None:
            continue
        lasts = durations(cell.period or "")  # a period's length, not "Up to 3 months" of age
        if asked and lasts and lasts.isdisjoint(asked):
            continue
        header_words = tuple(w for w in words(cell.header_with_period) if not w[0].isdigit())
        comparison = is_comparison_header(cell.header)
        years = _cell_years(cell.period, cell.header, chunk.row_label or "")
        if comparison:  # "Change 2021 vs. 2020" is of both years, not of 2021
            years = tuple(dict.fromkeys(years_in(cell.header))) or years
        out.append(
            Operand(
                arg=Ref(cell.id),
                quantity=number.quantity(),
                label=label,
                context=label + header_words,
                years=years,
                row_key=chunk.id,
                col=cell.col,
                source="table",
                rank=rank,
                is_total=is_total,
                is_dash=number.is_dash,
                text=f"{chunk.row_label or ''} | {cell.period or cell.header} | {cell.text}",
                group=group,
                comparison=comparison,
                heading=cell.period or cell.header,
            )
        )
    return out


# How long a period is, in months, as a heading or a question says it: a 10-Q's "Three Months
# Ended July 2, 2023" and "Six Months Ended July 2, 2023" share a year and a date.
_DURATIONS = tuple(
    (re.compile(rx, re.IGNORECASE), months)
    for rx, months in (
        (r"\b(?:three|3)[- ]months?\b|\bquarter\b|\bq[1-4]\b|\b1[34][- ]weeks?\b", 3),
        (r"\b(?:six|6)[- ]months?\b|\b(?:first|second) half\b|\b2[67][- ]weeks?\b", 6),
        (r"\b(?:nine|9)[- ]months?\b|\b39[- ]weeks?\b", 9),
        (
            r"\b(?:twelve|12)[- ]months?\b|\byears? ended\b|\bfiscal year\b|\bfull year\b"
            r"|\b5[23][- ]weeks?\b",
            12,
        ),
    )
)


# A fiscal year named by its number ("fiscal 2023", "FY2022"): twelve months, unless the
# text also names a shorter period of it ("the fourth quarter of fiscal 2023").
_FISCAL_YEAR = re.compile(r"\b(?:fiscal(?:\s+year)?|fy)\s*'?(?:19|20)?\d\d\b", re.IGNORECASE)


# What makes a fiscal year only the year a shorter period belongs to: "the fourth quarter of
# fiscal 2023", "Q4 of FY2023", "the first six months of fiscal 2023".
_PART_OF = re.compile(
    r"(?:quarter|q[1-4]|half|months?|weeks?)\s+(?:(?:of|in)\s+)?(?:the\s+)?$", re.IGNORECASE
)
# ... or a quarter named right after it: "the fiscal 2019 third quarter", "FY2023 Q4".
_QUARTER_AFTER = re.compile(
    r"^\s*(?:(?:first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter|q[1-4])\b", re.IGNORECASE
)


@lru_cache(maxsize=4096)
def durations(text: str) -> frozenset[int]:
    """The lengths in months of the periods ``text`` names ("three months ended" 3, "second
    quarter" 3, "six months ended" 6, "year ended" 12, "fiscal 2023" 12 unless it only says
    which year a quarter is of, "the fourth quarter of fiscal 2023"); empty when it names
    none. "What percent of the repurchases for FY 2023 occurred in Q4 of FY2023?" names both
    the year and its fourth quarter."""
    found = frozenset(months for rx, months in _DURATIONS if rx.search(text))
    years = [
        m
        for m in _FISCAL_YEAR.finditer(text)
        if not _PART_OF.search(text[: m.start()]) and not _QUARTER_AFTER.match(text[m.end() :])
    ]
    return found | {12} if years else found


def _numbers_of(chunk: Chunk) -> tuple[ParsedNumber, ...]:
    return chunk.numbers or tuple(find_numbers(chunk.text))


def _is_year(number: ParsedNumber) -> bool:
    """A year; also a year a header glued to "%" ("2010 2009 2008 % change": "2008 %" is no
    2,008 percent; a real one would be written "2,008%")."""
    v = number.value
    if not (v.is_integer() and 1950 <= v <= 2099):
        return False
    return number.kind is Kind.NONE or (number.kind is Kind.PERCENT and "," not in number.text)


# words after which a bare whole number refers to a place in the filing: "see note 8 on page
# 96", "goldman sachs 2017 form 10-k 61", "page 114 annual report", and the running head
# "management's discussion and analysis 114 jpmorgan chase & co./2017 annual report"
_REFERENCE = frozenset({"page", "pages", "note", "notes", "item", "exhibit", "report"})


def is_noise(number: ParsedNumber, before: Sequence[str]) -> bool:
    """Years, days of dates ("december 31"), footnote markers ("( 4 )") and references to a
    page, note or item of the filing ("see note 8 on page 96", a running foot "form 10-k 61")
    are no operands, nor is the page number of a running head ("discussion and analysis 114");
    ``before`` is the words before the number (the last two are read)."""
    if _is_year(number):
        return True
    v = number.value
    bare_int = v.is_integer() and number.kind is Kind.NONE and number.scale is Scale.UNITS
    small_int = bare_int and abs(v) <= 31
    if small_int and before and before[-1] in MONTH_WORDS:
        return True
    reference = bool(before) and (
        before[-1] in _REFERENCE
        or tuple(before[-2:]) in (("10", "k"), ("10", "q"), ("and", "analysis"))
    )
    if bare_int and 0 < v < 1000 and reference:
        return True
    return small_int and abs(v) <= 20 and number.text.lstrip().startswith("(")


def _footnote(text: str, start: int, end: int, number: ParsedNumber) -> bool:
    """A small bare integer in parentheses, "( 1 )": a footnote marker, not a value."""
    v = number.value
    if start < 0 or number.kind is not Kind.NONE or not v.is_integer() or not 0 < v <= 20:
        return False
    return text[max(0, start - 2) : start].strip().endswith("(") and text[
        end : end + 2
    ].strip().startswith(")")


_RESPECTIVELY = re.compile(r"\brespectively\b")


def sentence_years(
    text: str, spans: Sequence[tuple[int, int]]
) -> tuple[list[tuple[int, ...]], list[int]]:
    """The period year of each value at ``spans`` (character ranges) of a sentence, and the
    series each value belongs to (-1 for none).

    "... $1,436 million, $1,310 million and $1,345 million in 2010, 2009 and 2008,
    respectively": each list closed by "respectively" is paired with the sentence's years in
    order (one value per year, or blocks of k per year), and a sentence listing as many values
    as years in two separate runs pairs them too. Otherwise a value takes the nearest year
    mention, preferring one in the same clause (between semicolons); a sentence without years
    gives none. A list pairing one value per year is a *series*, one metric over the years, as
    a table row is; the values of a list of k per year name k metrics and are no series.
    """
    none: list[int] = [-1] * len(spans)
    lower = text.lower()
    years = [(m.start(), int(m.group(1))) for m in YEAR.finditer(lower)]
    years = [(at, y) for at, y in years if not any(a <= at < b for a, b in spans)]
    if not years or not spans:
        return [() for _ in spans], none
    distinct = list(dict.fromkeys(y for _, y in years))
    paired: list[tuple[int, ...]] = [()] * len(spans)
    series = none
    located = [s for s in spans if s[0] >= 0]
    if len(located) == len(spans) and len(distinct) >= 2:
        ends = [m.end() for m in _RESPECTIVELY.finditer(lower)]
        if ends:
            paired, series = _respectively(spans, ends, distinct)
        elif len(spans) == len(distinct) and (
            spans[-1][1] <= years[0][0] or years[-1][0] < spans[0][0]  # two separate runs
        ):
            return [(y,) for y in distinct], [0] * len(spans)
    clauses = [m.start() for m in re.finditer(";", lower)]

    def clause(at: int) -> int:
        return sum(c < at for c in clauses)

    year_clauses = [(clause(at), at, y) for at, y in years]  # once, not per value
    out: list[tuple[int, ...]] = []
    for k, (start, end) in enumerate(spans):
        if paired[k]:
            out.append(paired[k])
            continue
        if start < 0:
            out.append(())
            continue
        mid, own = (start + end) / 2, clause(start)
        best = min(year_clauses, key=lambda t: (t[0] != own, abs(t[1] - mid)))
        out.append((best[2],))
    return out, series


def _respectively(
    spans: Sequence[tuple[int, int]], ends: Sequence[int], years: Sequence[int]
) -> tuple[list[tuple[int, ...]], list[int]]:
    """Values of "respectively" lists paired with the sentence's years in order, and the
    series (the list's index when it pairs one value per year, else -1) of each value.

    Each "respectively" closes a list: the values since the previous one (values after the
    last one, "in 2019 and 2018, respectively, $ 5 and $ 4", form a list too). A list of as many
    values as years pairs one to one; a list of k values per year ("$ 3.60 and $ 3.68, $ 7.91
    and $ 6.07 ... respectively") pairs in blocks of k. Other values get ``()`` (the caller
    gives them the nearest year).
    """
    n = len(years)
    groups: list[list[int]] = [[] for _ in range(len(ends) + 1)]
    for i, (start, _) in enumerate(spans):
        groups[sum(e <= start for e in ends)].append(i)
    out: list[tuple[int, ...]] = [()] * len(spans)
    series = [-1] * len(spans)
    for g, members in enumerate(groups):
        if not members:
            continue
        if len(members) % n:
            continue  # a list that does not fit the years
        block = len(members) // n
        for j, i in enumerate(members):
            out[i] = (years[j // block],)
            if block == 1:
                series[i] = g
    return out, series


# A sentence number right after these states how much something moved, not its level
# ("expense increased by $603 million", "revenues rose $ 1.2 billion", "up 6%", "an increase of
# $5 million"); "increased to $5,829 million" states the level and is not one of them.
_MOVED = frozenset(
    {
        "increased", "decreased", "rose", "grew", "fell", "declined", "dropped", "improved",
        "increase", "decrease", "growth", "decline", "reduction", "drop", "rise", "change",
        "changed", "reduced", "up", "down", "higher", "lower",
    }
)  # fmt: skip
_MOVED_BARE = frozenset(
    {"increased", "decreased", "rose", "grew", "fell", "declined", "dropped", "up", "down"}
)


def states_change(before: Sequence[str]) -> bool:
    """Whether the words just before a sentence number say it is a change ("increased by",
    "a decrease of", "rose", "up"): such a number is read like a cell of a change column."""
    if not before:
        return False
    last = before[-1]
    if last in ("by", "of") and len(before) >= 2:
        return before[-2] in _MOVED
    return last in _MOVED_BARE


def _text_operands(chunk: Chunk, rank: float) -> list[Operand]:
    out = []
    text = normalise_text(chunk.text)
    lower = text.lower()
    cursor = 0
    sentence = tuple(words(text))
    found: list[tuple[int, ParsedNumber, int, int]] = []
    for k, number in enumerate(_numbers_of(chunk)):
        at = lower.find(number.text.lower(), cursor) if number.text else -1
        if at >= 0:
            cursor = at + len(number.text)
        found.append((k, number, at, cursor))
    values = [
        (k, n, at, end)
        for k, n, at, end in found
        if not is_noise(n, words(text[: max(at, 0)])[-2:] if at >= 0 else [])
        and not _footnote(text, at, end, n)
    ]
    spans = [(at, end if at >= 0 else -1) for _, _, at, end in values]
    periods, series = sentence_years(text, spans)
    # the values of one series share its words, as the cells of a table row share its label:
    # "derivative receivables ... were $ 56.5 billion and $ 64.1 billion at december 31 , 2017
    # and 2016 , respectively" names one metric twice, not one before the other
    first = {g: spans[series.index(g)][0] for g in series if g >= 0}
    last = {g: spans[len(series) - 1 - series[::-1].index(g)][1] for g in series if g >= 0}
    for i, ((k, number, at, cursor), period) in enumerate(zip(values, periods, strict=True)):
        start, end = (first[series[i]], last[series[i]]) if series[i] >= 0 else (at, cursor)
        before = words(text[: max(start, 0)])[-_WINDOW_BEFORE:] if at >= 0 else []
        after = words(text[end:])[:_WINDOW_AFTER] if at >= 0 else []
        window = tuple(before + after)
        out.append(
            Operand(
                arg=Ref(f"{chunk.id}:n{k}"),
                quantity=number.quantity(),
                label=window,
                context=sentence,
                years=period,
                row_key=chunk.id,
                col=-1,
                source="text",
                rank=rank,
                is_total=False,
                is_dash=False,
                text=number.text + " | " + text[:80],
                comparison=at >= 0 and states_change(words(text[:at])[-2:]),
            )
        )
    return out


def _question_operands(info: QuestionInfo) -> list[Operand]:
    out = []
    for i, (value, percent) in enumerate(zip(info.numbers, info.number_percent, strict=True)):
        literal = Literal(value, percent=percent)
        out.append(
            Operand(
                arg=literal,
                quantity=literal.quantity,
                label=(),
                context=(),
                years=(),
                row_key=f"question:{i}",
                col=-2,
                source="question",
                rank=0.0,
                is_total=False,
                is_dash=False,
                text=f"question number {value:g}{'%' if percent else ''}",
            )
        )
    return out


def operands_from(evidence: Sequence[Chunk], info: QuestionInfo) -> list[Operand]:
    """Every usable number of the evidence (best-ranked chunks first) and of the question."""
    out: list[Operand] = []
    n = max(len(evidence), 1)
    asked = durations(info.text)
    for i, chunk in enumerate(evidence):
        rank = i / n
        if chunk.kind is ChunkKind.TABLE_ROW:
            out += _table_operands(chunk, rank, asked)
        else:
            out += _text_operands(chunk, rank)
    return out + _question_operands(info)


def rows_from(evidence: Sequence[Chunk]) -> list[RowCandidate]:
    """Table rows with at least two numbers, for the ``table_*`` sketches."""
    out = []
    n = max(len(evidence), 1)
    for i, chunk in enumerate(evidence):
        if chunk.kind is not ChunkKind.TABLE_ROW:
            continue
        values = tuple(c.number.quantity() for c in aggregate_cells(chunk) if c.number is not None)
        if len(values) >= 2:
            out.append(
                RowCandidate(
                    Ref(chunk.id),
                    tuple(words(chunk.row_label or "")),
                    values,
                    i / n,
                    chunk.row_label or "",
                )
            )
    return out


OPERAND_FEATURES = (
    "recall",
    "precision",
    "context_recall",
    "matched",
    "q_has_years",
    "period_hit",
    "period_miss",
    "no_period",
    "is_new_year",
    "is_old_year",
    "src_table",
    "src_text",
    "src_question",
    "first_col",
    "rank",
    "is_total",
    "is_dash",
    "kind_percent",
    "kind_money",
    "q_percent_word",
    "log_mag",
    "zero",
    "pct_q_pct_operand",
    "pct_q_plain_operand",
    "header_recall",
    "is_first_year",
    "is_second_year",
    "scale_word_match",
    "label_exact",
    "group_recall",
    "group_precision",
    "label_group_gain",
    "month_hit",
    "month_miss",
    "comparison_col",
    "comparison_col_change_q",
    "header_unnamed",
)


def operand_features(op: Operand, info: QuestionInfo) -> list[float]:
    """Features of one operand against the question (order: ``OPERAND_FEATURES``)."""
    recall, precision, _ = label_match(info, op.label)
    context_recall = label_match(info, op.context)[0]
    group_recall, group_precision, _ = label_match(info, op.group) if op.group else (0, 0, 0)
    q_years = set(info.years)
    # a change between two years fits only a question about both ("Change 2021 vs. 2020" is
    # no 2021 figure for "from 2021 to 2022")
    between = op.comparison and len(op.years) > 1
    period_hit = set(op.years) <= q_years if between else bool(q_years & set(op.years))
    q_pct = any(t in ("percent", "percentage", "%") for t in info.tokens)
    v = abs(op.quantity.value)
    return [
        recall,
        precision,
        context_recall,
        float(recall > 0),
        float(bool(q_years)),
        float(period_hit),
        float(bool(q_years) and bool(op.years) and not period_hit),
        float(not op.years),
        float(info.new_year is not None and info.new_year in op.years),
        float(info.old_year is not None and info.old_year in op.years),
        float(op.source == "table"),
        float(op.source == "text"),
        float(op.source == "question"),
        float(op.col == 1),
        op.rank,
        float(op.is_total),
        float(op.is_dash),
        float(op.quantity.kind is Kind.PERCENT),
        float(op.quantity.kind is Kind.MONEY),
        float(q_pct),
        math.log10(v + 1.0) / 5.0,
        float(v == 0.0),
        float(q_pct and op.quantity.kind is Kind.PERCENT),
        float(q_pct and op.quantity.kind is not Kind.PERCENT),
        label_match(info, op.context[len(op.label) :])[0] if op.source == "table" else 0.0,
        float(bool(info.years) and info.years[0] in op.years),
        float(len(info.years) > 1 and info.years[1] in op.years),
        float(_scale_word(info) is not None and _scale_word(info) == op.quantity.scale.word),
        float(precision >= 0.99 and recall > 0),
        group_recall,
        group_precision,
        label_match(info, op.label + op.group)[0] - recall if op.group else 0.0,
        *_month_features(op, info),
        float(op.comparison),
        float(op.comparison and asks_change(info.text)),
        float(_header_unnamed(op, info)),
    ]


# Header words that date or scale a column rather than name what it holds.
_PERIOD_WORDS = frozenset(
    [
        "year",
        "years",
        "ended",
        "ending",
        "end",
        "months",
        "month",
        "quarter",
        "quarters",
        "week",
        "weeks",
        "fiscal",
        "fy",
        "three",
        "six",
        "nine",
        "twelve",
        "as",
        "at",
        "of",
        "on",
        "period",
        "periods",
        "calendar",
        "full",
        "thousands",
        "millions",
        "billions",
        "thousand",
        "million",
        "billion",
        "dollars",
        "usd",
        "except",
        "per",
        "share",
        "amounts",
        "unaudited",
        "audited",
        "restated",
        "actual",
        "reported",
    ]
)


def dates_or_scales(word: str) -> bool:
    """A word that dates or scales a figure ("six", "months", "ended", "july", "2023",
    "millions") rather than saying what it is."""
    return word in _PERIOD_WORDS or word in MONTH_WORDS or word[:1].isdigit()


def _header_unnamed(op: Operand, info: QuestionInfo) -> bool:
    """A table cell whose column header names what the column holds ("United States",
    "USCS", "Level 2", "Consolidated": not a period or scale) and the question names none of
    it: a part of a breakdown, or its total, read for a question about the whole line.
    American Express's "total revenues net of interest expense in 2021" had read the United
    States column of the geographic table over the income statement's line."""
    if op.source != "table":
        return False
    header = [
        w for w in op.context[len(op.label) :] if w not in _PERIOD_WORDS and w not in MONTH_WORDS
    ]
    stems = label_stems(header)
    return bool(stems) and stems.isdisjoint(info.content)


_MONTH_NUMBER = {
    m: i + 1
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}
_DATE = re.compile(r"\b([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2}),?\s+((?:19|20)\d\d)\b")


def period_date(op: Operand) -> tuple[int, int, int] | None:
    """(year, month, day) of a table cell whose column names a date ("July 29, 2023"), to
    order two columns of one year: a 10-Q's quarter end and the fiscal year end before it
    (Best Buy's "July 29, 2023" and "January 28, 2023"). None otherwise."""
    found = _DATE.search(op.heading)
    month = _MONTH_NUMBER.get(found.group(1).lower()) if found else None
    if found is None or month is None or not 1 <= int(found.group(2)) <= 31:
        return None
    return int(found.group(3)), month, int(found.group(2))


_MONTH_DAY = re.compile(r"\b([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2})\b(?![.,]?\d)")


def month_days(text: str) -> frozenset[tuple[int, int]]:
    """The (month, day) of every date ``text`` writes, with or without its year ("between
    quarters ended January 26 and April 27, 2019" names (1, 26) and (4, 27))."""
    out = set()
    for m in _MONTH_DAY.finditer(text):
        month = _MONTH_NUMBER.get(m.group(1).lower())
        if month is not None and 1 <= int(m.group(2)) <= 31:
            out.add((month, int(m.group(2))))
    return frozenset(out)


def _months(words: Iterable[str]) -> frozenset[str]:
    """The months named ("nov", "november" and "nov ." are all "nov")."""
    return frozenset(w[:3] for w in words if w in MONTH_WORDS)


def _asked_months(tokens: Sequence[str]) -> frozenset[str]:
    """The months a question asks about. A month written as a month ("purchased in november")
    outranks one inside a date ("for the quarter ended december 31 , 2015 ... in november"
    asks about November; the date only places the quarter). Without a bare month, the months
    of the dates count ("at june 30 , 2012" against a December column of the same year)."""
    bare: set[str] = set()
    dated: set[str] = set()
    for i, tok in enumerate(tokens):
        if tok not in MONTH_WORDS:
            continue
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        before = tokens[i - 1] if i else ""
        is_date = any(t.isdigit() and 1 <= int(t) <= 31 for t in (after, before))
        (dated if is_date else bare).add(tok[:3])
    return frozenset(bare or dated)


def _month_features(op: Operand, info: QuestionInfo) -> tuple[float, float]:
    """A table cell whose row or column names the month the question names ("shares purchased
    in november" -> the row "nov . 1 through nov . 30"), or names another month."""
    asked = _asked_months(info.tokens)
    if not asked or op.source != "table":
        return 0.0, 0.0
    has = _months(op.context)
    return float(bool(asked & has)), float(bool(has) and not asked & has)


_SCALE_WORDS = {"thousand": "thousands", "million": "millions", "billion": "billions"}


def _scale_word(info: QuestionInfo) -> str | None:
    """The scale the question asks in ("in millions"), as a ``Scale`` value."""
    for tok in info.tokens:
        key = tok.rstrip("s")
        if key in _SCALE_WORDS:
            return _SCALE_WORDS[key]
    return None


def mention_position(op: Operand, info: QuestionInfo) -> int:
    """Token position in the question of the first word naming the operand (-1 if none): the
    first specific word when the label has one in the question, else the first generic one.

    In "the ratio of total assets to total liabilities" both labels share "total", whose first
    occurrence had placed both operands at one position: neither came first, and both read
    the numerator cue of "ratio of". "assets" and "liabilities" tell them apart (and
    "liabilities" follows "to": the denominator)."""
    label = {stem(w) for w in op.label}
    generic = -1
    for i, tok in enumerate(info.tokens):
        s = stem(tok)
        if s in label and s in info.weights:
            if info.weights[s] >= 1.0:
                return i
            if generic < 0:
                generic = i
    return generic
