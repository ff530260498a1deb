"""Definitions of the financial ratios analysts ask for by name.

"What was the operating margin in 2024?" names a ratio whose parts the filing reports as rows
(operating income, net revenue), not the ratio itself. The planner's grounding matches question
words against row labels and reads "X as a percentage of Y" for the order of a division, so the
definition is given to it as a second reading of the question:
"What was the operating income as a percentage of revenue in 2024?". The planner scores both
readings and keeps the more convincing one (:meth:`~.planner.OfflinePlanner.plan`).

A filing that reports the ratio itself as a table row ("Gross margin | 41.2% | 40.6%", common in
TAT-QA; "Effective income tax rate | (0.6)%") is read from that row instead
(:func:`stating_rows`, :meth:`~.planner.OfflinePlanner._stated`), and :func:`second_reading`
returns None. A question about how the ratio moved ("the change in gross margin") gets no
second reading at all (:func:`named_ratio`).

The definitions are the textbook ones (numerator / denominator of the same period); a filer's
own definition differs at times (adjusted figures, averages of opening and closing balances),
which is why the reading is offered to the ranker rather than imposed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from finrag.documents.model import Chunk, ChunkKind

from .text import CUE_NAMES, QuestionInfo, cue_flags

__all__ = [
    "DEFINITIONS",
    "Definition",
    "NamedRatio",
    "named_ratio",
    "second_reading",
    "stating_rows",
]


@dataclass(frozen=True, slots=True)
class Definition:
    """A named ratio: the pattern that names it in a question and its textbook reading."""

    pattern: re.Pattern[str]
    reading: str  # what replaces the name, e.g. "operating income as a percentage of revenue"


def _definition(name: str, reading: str) -> Definition:
    return Definition(re.compile(rf"\b(?:the\s+)?(?:{name})s?\b", re.IGNORECASE), reading)


DEFINITIONS: tuple[Definition, ...] = (
    _definition(r"gross (?:profit )?margin", "gross profit as a percentage of revenue"),
    _definition(r"operating (?:profit )?margin", "operating income as a percentage of revenue"),
    _definition(r"(?:net )?profit margin|net margin", "net income as a percentage of revenue"),
    _definition(
        r"effective (?:income )?tax rate",
        "income tax expense as a percentage of income before income taxes",
    ),
    _definition(
        r"return on (?:average )?(?:total )?assets", "net income as a percentage of assets"
    ),
    _definition(
        r"return on (?:average )?(?:(?:stockholders|shareholders)['’]? )?equity",
        "net income as a percentage of equity",
    ),
    _definition(r"current ratio", "ratio of current assets to current liabilities"),
    _definition(r"debt[- ]to[- ]equity(?: ratio)?", "ratio of debt to equity"),
    _definition(r"(?:dividend )?payout ratio", "dividends as a percentage of net income"),
    _definition(r"asset turnover(?: ratio)?", "ratio of revenue to assets"),
    _definition(
        r"(?:times )?interest (?:coverage|earned)(?: ratio)?",
        "ratio of operating income to interest expense",
    ),
    _definition(r"book value per share", "ratio of equity to shares outstanding"),
    _definition(
        r"(?:net )?working capital", "difference between current assets and current liabilities"
    ),
    _definition(r"net debt", "difference between debt and cash"),
)


@dataclass(frozen=True, slots=True)
class NamedRatio:
    """Where a question names one of :data:`DEFINITIONS`."""

    definition: Definition
    start: int
    end: int

    def reading(self, question: str) -> str:
        """The question with the name replaced by the definition."""
        return question[: self.start] + self.definition.reading + question[self.end :]


# Questions about how a ratio moved ("change in operating margin from 2018 to 2019") need the
# ratio for two periods, a program outside the planner's sketches; they keep their first reading.
_MOVES = frozenset({"change", "difference", "average", "compare", "extreme"})
_MOVE_FLAGS = tuple(i for i, name in enumerate(CUE_NAMES) if name in _MOVES)


def named_ratio(info: QuestionInfo) -> NamedRatio | None:
    """The ratio of :data:`DEFINITIONS` the question asks for, for one period: None when it
    names none, names several periods or asks how the ratio moved (a change, an average)."""
    question = info.text
    if len(info.years) > 1:
        return None
    for definition in DEFINITIONS:
        match = definition.pattern.search(question)
        if match is None:
            continue
        rest = question[: match.start()] + " " + question[match.end() :]
        if any(cue_flags(rest)[i] for i in _MOVE_FLAGS):  # "return on equity" is no change
            return None
        return NamedRatio(definition, match.start(), match.end())
    return None


def stating_rows(named: NamedRatio, evidence: Sequence[Chunk]) -> list[Chunk]:
    """Table rows labelled with the ratio itself ("Gross margin", "Effective income tax rate")."""
    pattern = named.definition.pattern
    return [
        c
        for c in evidence
        if c.kind is ChunkKind.TABLE_ROW
        and pattern.search(" ".join(part for part in (c.group, c.row_label or "") if part))
    ]


def second_reading(info: QuestionInfo, evidence: Sequence[Chunk]) -> str | None:
    """The question with a named ratio replaced by its definition, or None when it names no
    ratio (:func:`named_ratio`) or the evidence states the ratio in a row of its own."""
    named = named_ratio(info)
    if named is None or stating_rows(named, evidence):
        return None
    return named.reading(info.text)
