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

from collections.abc import Sequence
from dataclasses import dataclass

from finrag.documents.model import Chunk
from finrag.planning.ratios import DEFINITIONS, Definition, stated

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
    return stated(named.definition, evidence)


def second_reading(info: QuestionInfo, evidence: Sequence[Chunk]) -> str | None:
    """The question with a named ratio replaced by its definition, or None when it names no
    ratio (:func:`named_ratio`) or the evidence states the ratio in a row of its own."""
    named = named_ratio(info)
    if named is None or stating_rows(named, evidence):
        return None
    return named.reading(info.text)
