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
from collections.abc import Iterable, Sequence

from finrag.documents.filer import name_terms
from finrag.documents.model import Chunk

from .candidates import Operand
from .text import QuestionInfo, stem, words

__all__ = [
    "adjusted_lines",
    "asks_adjusted",
    "consolidated",
    "names_more",
    "prefer_consolidated",
    "prefer_reported",
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


def consolidated(chunk: Chunk) -> bool:
    """A line of the consolidated statements (or of their summary): its section says so."""
    return "consolidated" in chunk.section.lower()


def names_more(info: QuestionInfo, metric: Iterable[str], filers: Sequence[str]) -> bool:
    """Whether the question's first words name anything besides the metric (``metric``: its
    words), the company (``filers``: the registrants in scope) and the period."""
    known = set(_GENERIC)
    known.update(stem(w) for text in metric for w in words(text))
    known.update(stem(w) for name in filers for w in name_terms(name))
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
