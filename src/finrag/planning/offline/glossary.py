"""Definitions of the financial ratios analysts ask for by name.

"What was the operating margin in 2024?" names a ratio whose parts the filing reports as rows
(operating income, net revenue), not the ratio itself. The planner's grounding matches question
words against row labels and reads "X as a percentage of Y" for the order of a division, so the
definition is given to it as a second reading of the question:
"What was the operating income as a percentage of revenue in 2024?". The planner scores both
readings and keeps the more convincing one (:meth:`~.planner.OfflinePlanner.plan`).

A filing that reports the ratio itself as a table row ("Gross margin | 41.2% | 40.6%", common in
TAT-QA) is read as written: :func:`second_reading` returns None when a row label names the
metric, so "the change in gross margin" stays a difference of the stated percentages.

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

__all__ = ["DEFINITIONS", "Definition", "second_reading"]


@dataclass(frozen=True, slots=True)
class Definition:
    """A named ratio: the pattern that names it in a question and its textbook reading."""

    pattern: re.Pattern[str]
    reading: str  # what replaces the name, e.g. "operating income as a percentage of revenue"


def _definition(name: str, reading: str) -> Definition:
    return Definition(re.compile(rf"\b(?:the\s+)?(?:{name})\b", re.IGNORECASE), reading)


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


def _names_metric(chunk: Chunk, pattern: re.Pattern[str]) -> bool:
    """A table row labelled with the metric itself ("Gross margin", "Operating margin %")."""
    if chunk.kind is not ChunkKind.TABLE_ROW:
        return False
    label = " ".join(part for part in (chunk.group, chunk.row_label or "") if part)
    return bool(pattern.search(label))


# Questions about how a ratio moved ("change in operating margin from 2018 to 2019") need the
# ratio for two periods, a program outside the planner's sketches; they keep their first reading.
_MOVES = frozenset({"change", "difference", "average", "compare", "extreme"})
_MOVE_FLAGS = tuple(i for i, name in enumerate(CUE_NAMES) if name in _MOVES)


def second_reading(info: QuestionInfo, evidence: Sequence[Chunk]) -> str | None:
    """The question with a named ratio replaced by its definition, or None when it names no
    ratio of :data:`DEFINITIONS`, asks how the ratio moved (several years, a change or an
    average) or the evidence reports that ratio as a row of its own."""
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
        if any(_names_metric(c, definition.pattern) for c in evidence):
            return None
        return question[: match.start()] + definition.reading + question[match.end() :]
    return None
