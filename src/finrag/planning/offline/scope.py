"""Whose figure the question asks for: the company's, read from its consolidated statements.

A 10-K states one metric many times: the consolidated statements, the MD&A summary, and one
table per segment (Boeing states six operating margins for 2022, and its defense segment's
"(Loss)/earnings from operations" of (3,544) million sits beside the company's "Loss from
operations" of (3,547) million). A question that names only the metric, the company and the
period ("What was Boeing's operating margin in 2022?") asks for the company's figure, which
the consolidated statements state. A question that names anything else ("... of BDS", "... in
Europe") may mean a segment, and no preference is taken: the planner then reads the lines as
before, or lists them when they disagree.

A line is consolidated when its section heading says so ("Consolidated Results of
Operations", "CONSOLIDATED STATEMENTS OF INCOME"). The company's own name is known from the
documents in scope (``PlanRequest.filers``, the registrants ingestion reads from the cover
page), so "Boeing's" is not taken for a segment.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import NamedTuple

from finrag.documents.filer import filer_words
from finrag.documents.model import Chunk, ChunkKind
from finrag.dsl.units import Kind
from finrag.lexical import MONTH_WORDS, has_run, written_words

from .candidates import Operand, dates_or_scales, durations
from .text import QuestionInfo, stem, words

__all__ = [
    "adjusted_lines",
    "asks_adjusted",
    "consolidated",
    "less_named",
    "mentioned",
    "names_more",
    "prefer_balances",
    "prefer_consolidated",
    "prefer_reported",
    "prefer_statement_lines",
    "question_names",
    "statement_copies",
    "whole_company",
    "without_parent_only",
]

# Words that name no segment: the period, the company as a whole, what was reported.
_GENERIC = frozenset(
    stem(w)
    for w in (
        "company",
        "companies",
        "fiscal",
        "fy",
        "year",
        "years",
        "total",
        "consolidated",
        "overall",
        "reported",
        "annual",
        "full",
        "end",
        "ended",
        "ending",
        # the adjusted measures (:func:`prefer_reported` tells them apart)
        "core",
        "adjusted",
        "non",
        "gaap",
        "organic",
        "underlying",
    )
)


# A capitalized word with lower-case letters, or an acronym of two or more capitals
# ("PBNA", "EMEA"), possibly possessive or plural.
_PROPER = re.compile(r"(?<![\w'’.&-])([A-Z][a-z][\w&-]*|[A-Z][A-Z&]+(?=s?\b|['’]))(?:['’]s?)?")
# Acronyms of measures, periods and currencies, which name no product, segment or place
# (a report may print them spelled out: "earnings per share").
_MEASURES = frozenset((
    "us", "usa", "uk", "eu", "fy", "yoy", "gaap", "eps", "ebit", "ebitda", "ebitdar", "roe",
    "roa", "roic", "roce", "cogs", "sg&a", "r&d", "d&a", "pp&e", "usd", "eur", "gbp", "jpy",
    "cny", "rmb", "ceo", "cfo", "ttm", "ltm", "fcf", "ocf", "capex", "opex", "nav", "aum",
    "bps", "ytd", "qtd", "h1", "h2", "q1", "q2", "q3", "q4", "ipo", "m&a", "p&l", "md&a", "sec",
    "qoq", "cagr"
))  # fmt: skip
# Capitalized words that name no one: the company, the period, how a question is written.
_NO_NAME = frozenset((
    "company", "group", "corporation", "inc", "fiscal", "year", "years", "quarter", "total",
    "net", "what", "how", "which", "who", "why", "when", "where", "the", "in", "of", "for",
    "and", "or", "as", "at", "by", "per", "non", "gross", "adjusted", "consolidated"
))  # fmt: skip


def question_names(question: str, filers: Sequence[str]) -> tuple[str, ...]:
    """The names the question writes, lower-cased: its capitalized words that open no
    sentence ("Eliquis", "Comirnaty", "Europe") and its acronyms ("PBNA", "EMEA"), without
    months, the filers' own names (their registrants' words, symbols such as "AXP",
    contractions such as "AmEx"), words such as "Company" or "Fiscal" and the acronyms of
    measures ("EPS", "COGS": a report may print them spelled out); a possessive or plural "s"
    is dropped ("Kyocera's", "Americas")."""
    found = [
        m.group(1) for m in _PROPER.finditer(question) if not _opens_sentence(question, m.start())
    ]
    known = set(_NO_NAME) | MONTH_WORDS | _MEASURES
    known.update(filer_words(question, filers))
    names = (w.lower() for w in found)
    return tuple(
        dict.fromkeys(n.rstrip("s") for n in names if n not in known and n.rstrip("s") not in known)
    )


def _opens_sentence(text: str, at: int) -> bool:
    """Whether position ``at`` starts a sentence ("Define EBITDA as ...", "Answer in USD")."""
    before = text[:at].rstrip()
    return not before or before[-1] in ".?!:;"


def mentioned(names: Sequence[str], chunks: Iterable[Chunk]) -> set[str]:
    """The ``names`` (from :func:`question_names`) that the chunks' text, section or group
    heading mention."""
    if not names:
        return set()
    text = " ".join(" ".join((c.text, c.section, c.group)) for c in chunks).lower()
    return {n for n in names if re.search(rf"\b{re.escape(n)}", text)}


def consolidated(chunk: Chunk) -> bool:
    """A line of the consolidated statements (or of their summary): its section says so."""
    return "consolidated" in chunk.section.lower()


def names_more(info: QuestionInfo, metric: Iterable[str], filers: Sequence[str]) -> bool:
    """Whether the question's first words name anything besides the metric (``metric``: its
    words), the company (``filers``: the registrants in scope) and the period."""
    known = set(_GENERIC)
    known.update(stem(w) for text in metric for w in words(text))
    known.update(stem(w) for w in filer_words(info.text, filers))
    return any(s not in known and not s[:1].isdigit() for s in info.content)


def prefer_consolidated(
    operands: Sequence[Operand],
    chunks: Sequence[Chunk],
    info: QuestionInfo,
    metric: Iterable[str],
    filers: Sequence[str],
) -> list[Operand]:
    """The operands from consolidated lines, when there are some beside others and the
    question names nothing but the metric, the company and the period; else all of them."""
    by_id = {c.id: c for c in chunks}
    kept = [o for o in operands if o.row_key in by_id and consolidated(by_id[o.row_key])]
    if not kept or len(kept) == len(operands) or names_more(info, metric, filers):
        return list(operands)
    return kept


def _metric_words(info: QuestionInfo, filers: Sequence[str]) -> frozenset[str]:
    """The stems of the question's words that name its metric: all but the company's names,
    the period (years, months, "fiscal", "end") and words such as "total" or "reported"."""
    known = _GENERIC | {stem(w) for w in filer_words(info.text, filers)}
    return frozenset(
        s for s in info.content if s not in known and s not in MONTH_WORDS and not s[:1].isdigit()
    )


def _names_every(operand: Operand, needed: frozenset[str]) -> bool:
    """Whether the operand's label and group heading name every one of ``needed``."""
    return bool(needed) and needed <= {stem(w) for w in (*operand.label, *operand.group)}


def statement_copies(
    operands: Sequence[Operand],
    chunks: Sequence[Chunk],
    info: QuestionInfo,
    filers: Sequence[str],
) -> list[Operand]:
    """The operands of the consolidated statements alone, when one of their lines names every
    word of the question but the company, the period and words such as "total" (a question
    that names nothing else asks for the company's reported line): not the copies of the line
    in the MD&A's summaries, notes or segment tables, nor a sentence. Each copy took a share
    of the lookup's confidence, and a sentence on "Restricted cash and cash equivalents held
    by the Lending Trust ... $59 million" had taken more than the balance sheet's $33,914
    million of American Express's cash and cash equivalents. Else all of them."""
    by_id = {c.id: c for c in chunks}
    needed = _metric_words(info, filers)

    def in_statements(o: Operand) -> bool:
        return o.row_key in by_id and consolidated(by_id[o.row_key])

    if not any(in_statements(o) and _names_every(o, needed) for o in operands):
        return list(operands)
    return [o for o in operands if in_statements(o)]


# The parent company's own statements (Schedule I, "Condensed Financial Information of
# Registrant"; American Express's "NOTE 25 PARENT COMPANY"): the registrant without its
# subsidiaries, never the company's consolidated figure.
_PARENT_ONLY = re.compile(
    r"\bparent[- ]company\b|\bparent[- ]only\b|"
    r"\bcondensed\s+financial\s+information\s+of\s+(?:the\s+)?registrant\b",
    re.IGNORECASE,
)


def without_parent_only(evidence: Sequence[Chunk], question: str) -> list[Chunk]:
    """``evidence`` without the parent company's own statements, unless the question asks
    about the parent company or nothing else is left: American Express's "What was cash and
    cash equivalents at December 31, 2022?" is the consolidated $33,914 million, not the
    parent's $8,188 million."""
    if re.search(r"\bparent\b|\bregistrant\b", question, re.IGNORECASE):
        return list(evidence)
    kept = [c for c in evidence if not _PARENT_ONLY.search(f"{c.section} {c.group}")]
    return kept or list(evidence)


def prefer_statement_lines(
    operands: Sequence[Operand], chunks: Sequence[Chunk], info: QuestionInfo
) -> list[Operand]:
    """The operands without the note cells a consolidated statement's cell stands for.

    A 10-K prints "Total liabilities" on its balance sheet and again in the fair value note
    (the liabilities measured at fair value: Boeing's $141 million against $152,948 million).
    A table cell outside the consolidated statements is left out when a consolidated cell of
    the same period is named by every question word that names it (in the row label, group
    heading, column header or section): "What were total liabilities at the end of 2022?"
    reads the balance sheet; "... measured at fair value" names the note's section, which the
    balance sheet does not, and keeps it."""
    by_id = {c.id: c for c in chunks}

    def statement(o: Operand) -> bool:
        return o.source == "table" and o.row_key in by_id and consolidated(by_id[o.row_key])

    lines = [o for o in operands if statement(o)]
    if not lines:
        return list(operands)
    asked = set(info.content)

    def naming(o: Operand) -> set[str]:
        return _naming(o, by_id, asked)

    named = [_Line(set(o.years), naming(o), o.in_units, o.quantity.kind) for o in lines]
    return [
        o
        for o in operands
        if o.source != "table" or statement(o) or not _dominated(o, naming(o), named)
    ]


def _naming(o: Operand, by_id: Mapping[str, Chunk], asked: set[str]) -> set[str]:
    """The question's content stems that an operand's row label, group heading, column header
    or table section say."""
    section = by_id[o.row_key].section if o.row_key in by_id else ""
    said = (*o.context, *o.group, *words(section))
    return {stem(w) for w in said if not dates_or_scales(w)} & asked


def less_named(
    operands: Sequence[Operand], chunks: Sequence[Chunk], info: QuestionInfo
) -> set[int]:
    """The indices of table cells that another table prints under the same row label, for the
    same period, with another figure, in a table that names more of the question (its section
    or headings): Boeing prints "Defense, Space & Security" for 2021 in its revenue table
    (26,540, section "Revenues") and in a table of research and development by segment (818);
    "the percentage change in Defense, Space & Security revenues" had divided the latter."""
    by_id = {c.id: c for c in chunks}
    asked = set(info.content)
    rows: dict[tuple[tuple[str, ...], tuple[int, ...], Kind], list[int]] = {}
    for i, o in enumerate(operands):
        if o.source == "table" and o.label:
            rows.setdefault((o.label, o.years, o.quantity.kind), []).append(i)
    out: set[int] = set()
    for same in rows.values():
        tables = {i: operands[i].row_key.rpartition(":")[0] for i in same}
        if len(set(tables.values())) < 2:
            continue  # one table's blocks (a year each) are the model's to tell apart
        # what the tables are about, not the period ("Fiscal 2018" heading a block)
        names = {i: _naming(operands[i], by_id, asked) - _GENERIC for i in same}
        for i in same:
            if any(
                tables[j] != tables[i]
                and names[j] > names[i]
                and operands[j].in_units != operands[i].in_units
                for j in same
            ):
                out.add(i)
    return out


class _Line(NamedTuple):
    years: set[int]
    names: set[str]
    value: float
    kind: Kind


def _dominated(operand: Operand, names: set[str], lines: Sequence[_Line]) -> bool:
    """A cell named by some question words is stood for by a line of the same period and kind
    (an amount per share is no share count) that the same words (or more) name, and that
    prints another figure (the same figure printed twice is one reading, and both places
    count for it). A cell no question word names is left to the models."""
    years = set(operand.years)
    return bool(names) and any(
        line.years == years
        and line.kind is operand.quantity.kind
        and line.names >= names
        and line.value != operand.in_units
        for line in lines
    )


class _Parts(NamedTuple):
    """The company's parts: their short forms as written, their long forms as word runs."""

    shorts: frozenset[str]
    longs: tuple[tuple[str, ...], ...]

    def named_in(self, text: str) -> bool:
        """Whether ``text`` names a part by its short form (a word as written) or its long
        form (its words in a run)."""
        if not self.shorts.isdisjoint(written_words(text)):
            return True
        said = words(text)
        present = set(said)
        return any(run[0] in present and has_run(said, run) for run in self.longs)


@lru_cache(maxsize=256)
def _parts(pairs: tuple[tuple[str, str], ...]) -> _Parts:
    """The parts of the company among the abbreviations its report defines: those whose long
    form is a proper name in title case ("USCS" = "U.S. Consumer Services", "FLNA" =
    "Frito-Lay North America"), not a measure ("EPS" = "EARNINGS PER COMMON SHARE",
    "RSUs" = "restricted stock units") or the accounting basis (GAAP, which
    :func:`prefer_reported` weighs). Cached: the pairs of a set of documents recur."""
    shorts, longs = set(), []
    for short, long_form in pairs:
        names = long_form.replace("-", " ").split()
        long_words = [w for w in names if len(w) >= 4]
        if (
            len(names) >= 2
            and long_words
            and all(w[0].isupper() for w in long_words)
            and not long_form.isupper()
            and "GAAP" not in short.upper()
        ):
            shorts.add(short.replace(".", ""))
            longs.append(tuple(words(long_form)))
    return _Parts(frozenset(shorts), tuple(run for run in longs if run))


def whole_company(
    evidence: Sequence[Chunk], question: str, pairs: Mapping[str, str]
) -> list[Chunk]:
    """The evidence without the table rows of the company's parts, when the question names
    none: American Express prints "Net interest income" for the company (9,895) and again in
    each segment's table ("TABLE 11: CS SELECTED INCOME STATEMENT DATA": 1,373), and "What was
    net interest income in 2022?" had been answered from Commercial Services'. A part is one
    the report defines as an abbreviation with a proper name (``pairs``, :func:`_parts`), and
    a row is of a part when its section, group heading or label names it. Nothing is left out
    when the question names a part, when no row would be left, or when the report defines no
    parts."""
    if not pairs:
        return list(evidence)
    parts = _parts(tuple(sorted(pairs.items())))
    if not parts.shorts or parts.named_in(question):
        return list(evidence)

    def of_part(chunk: Chunk) -> bool:
        return chunk.kind is ChunkKind.TABLE_ROW and parts.named_in(
            " ".join((chunk.section, chunk.group, chunk.row_label or ""))
        )

    rest = [c for c in evidence if not of_part(c)]
    if len(rest) == len(evidence) or not any(c.kind is ChunkKind.TABLE_ROW for c in rest):
        return list(evidence)
    return rest


# "at July 29, 2023", "as of December 31, 2022": a point in time, not a period ending on it
_AT_A_DAY = re.compile(
    r"\b(?:as\s+of|as\s+at|at)\s+(?:the\s+end\s+of\s+)?"
    r"(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b"
    r"|\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))",
    re.IGNORECASE,
)


# "At the end of fiscal 2022": a balance on the period's last day, whatever its length.
_AT_PERIOD_END = re.compile(r"\b(?:at|as\s+of)\s+the\s+(?:end|close)\s+of\b", re.IGNORECASE)


def prefer_balances(
    operands: Sequence[Operand],
    info: QuestionInfo,
    filers: Sequence[str] = (),
    by_id: Mapping[str, Chunk] | None = None,
) -> list[Operand]:
    """For a question about a point in time ("What was inventory at July 29, 2023?", "... at
    the end of fiscal 2022?"), the operands without the cells of a period ending that day when
    the same line is also printed at the day itself: a 10-Q's cash flow statement prints
    "Merchandise inventories" under "Six Months Ended July 29, 2023" (the change, $(508)
    million) and its balance sheet under "July 29, 2023" (the balance). When a balance's line
    names every word of the metric, no cell of a period column is read: American Express's
    "What were long-term debt at December 31, 2022?" is the balance sheet's $42,573 million,
    not the year's interest expense on "Long-term debt and other" ($1,236 million) nor its
    "Payments of long-term debt". A cell is of a period when its column heading or its table's
    corner heading (``by_id``: the evidence by chunk id; "Year Ended December 31" over columns
    headed "2022") says how long. A line printed only for periods keeps them ("net income as
    of December 31, 2022" still reads the year). Of the 49 training questions that ask at a
    day, none uses a cell of a period column."""
    operands = _without_openings(operands, info)
    at_end = _AT_PERIOD_END.search(info.text) is not None
    if not at_end and (_AT_A_DAY.search(info.text) is None or durations(info.text)):
        return operands
    chunks = by_id or {}

    def of_period(o: Operand) -> bool:
        chunk = chunks.get(o.row_key)
        return bool(durations(o.heading) or (chunk is not None and durations(_corner(chunk))))

    table = [o for o in operands if o.source == "table"]
    balances = [o for o in table if not of_period(o)]
    needed = _metric_words(info, filers)
    if any(_names_every(o, needed) for o in balances):
        return [o for o in operands if o.source != "table" or not of_period(o)]
    labels = {o.label for o in balances}
    return [o for o in operands if o.source != "table" or o.label not in labels or not of_period(o)]


def _corner(chunk: Chunk) -> str:
    """A table row's corner heading, as its text opens (``chunking.linearise_row``): "Year
    Ended December 31 (Millions, except per share amounts)"."""
    if not chunk.row_label:
        return ""
    marks = (f"{chunk.group} : " if chunk.group else "", f"the {chunk.row_label} ")
    at = min((i for i in (chunk.text.find(m) for m in marks if m) if i >= 0), default=-1)
    return chunk.text[:at] if at > 0 else ""


# A line of the balance a period opens with ("Cash and cash equivalents at beginning of year"),
# and a question that asks for one.
_OPENING_LINE = re.compile(r"\bbeginning\s+of\b|\bopening\b|\bstart\s+of\b", re.IGNORECASE)
_ASKS_OPENING = re.compile(r"\bbeginning\b|\bopening\b|\bstart\b|\bbegan\b", re.IGNORECASE)


def _without_openings(operands: Sequence[Operand], info: QuestionInfo) -> list[Operand]:
    """The operands without opening balances, unless the question asks for one or nothing else
    is left. An opening balance sits in the column of the period it opens, so it is the
    balance at the end of the period before: American Express's cash flow statement prints
    "Cash and cash equivalents at beginning of year | 2022 | 22,028", which is the balance at
    December 31, 2021, and "What was cash and cash equivalents at December 31, 2022?" had read
    it (0.53) instead of the year's closing $33,914 million."""
    if _ASKS_OPENING.search(info.text):
        return list(operands)
    kept = [
        o for o in operands if o.source != "table" or not _OPENING_LINE.search(" ".join(o.label))
    ]
    return kept or list(operands)


# A measure the filer adjusts: its group or label says non-GAAP, or it is "core", "adjusted",
# "organic" or "underlying".
_ADJUSTED = re.compile(r"\bnon-?gaap\b|^\s*(?:core|adjusted|organic|underlying)\b", re.IGNORECASE)
_ASKS_ADJUSTED = re.compile(r"\b(?:non-?gaap|core|adjusted|organic|underlying)\b", re.IGNORECASE)


def asks_adjusted(info: QuestionInfo) -> bool:
    """Whether the question asks for an adjusted measure ("core", "adjusted", "non-GAAP")."""
    return _ASKS_ADJUSTED.search(info.text) is not None


def adjusted_lines(operands: Sequence[Operand], chunks: Sequence[Chunk]) -> list[bool]:
    """For each operand, whether its line is an adjusted measure: its group or row label says
    non-GAAP, or starts with "core", "adjusted", "organic" or "underlying" (Pfizer's
    reconciliations end in a row "Non-GAAP Adjusted")."""
    by_id = {c.id: c for c in chunks}

    def adjusted(o: Operand) -> bool:
        chunk = by_id.get(o.row_key)
        return chunk is not None and bool(
            _ADJUSTED.search(chunk.group) or _ADJUSTED.search(chunk.row_label or "")
        )

    return [adjusted(o) for o in operands]


def prefer_reported(
    operands: Sequence[Operand], chunks: Sequence[Chunk], info: QuestionInfo
) -> list[Operand]:
    """The operands of reported (GAAP) lines when the question asks for no adjusted measure,
    of adjusted lines when it does ("core", "adjusted", "non-GAAP"), when there are some:
    Boeing's "GAAP: Operating margins | (5.3)%" for "What was Boeing's operating margin in
    2022?", its "Non-GAAP: Core operating margins | (7.0)%" for the core operating margin."""
    wanted = asks_adjusted(info)
    kept = [
        o
        for o, adj in zip(operands, adjusted_lines(operands, chunks), strict=True)
        if adj == wanted
    ]
    return kept if kept else list(operands)
