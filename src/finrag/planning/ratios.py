"""The financial ratios analysts ask for by name, and the lines that compute them.

"What was the operating margin in 2024?" names a ratio whose parts a filing reports as lines
(operating income, net revenue). Two consumers read this table:

* the offline planner gives the definition to its grounding as a second reading of the
  question ("What was the operating income as a percentage of revenue in 2024?",
  :mod:`finrag.planning.offline.glossary`);
* the answering pipeline searches for the lines of the definition as well as for the
  question (:func:`ratio_queries`), as it does for a formula's terms: "What was PepsiCo's
  current ratio?" retrieves by its words a note on other current liabilities, and neither
  "Total Current Assets" nor "Total Current Liabilities" of the balance sheet.

The definitions are the textbook ones (numerator and denominator of the same period); a
filer's own definition differs at times (adjusted figures, averages of opening and closing
balances), which is why the offline planner offers the reading to its ranker rather than
imposing it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from finrag.documents.model import Chunk, ChunkKind
from finrag.planning.formulas import TermQuery, term_queries

__all__ = ["DEFINITIONS", "Definition", "asked_ratio", "ratio_queries", "stated"]


@dataclass(frozen=True, slots=True)
class Definition:
    """A named ratio: the pattern that names it in a question, its textbook reading and the
    lines it is computed from."""

    pattern: re.Pattern[str]
    reading: str  # what replaces the name, e.g. "operating income as a percentage of revenue"
    lines: tuple[str, ...]  # the lines it divides (or subtracts): "operating income", "revenue"


def _definition(name: str, reading: str, *lines: str) -> Definition:
    pattern = re.compile(rf"\b(?:the\s+)?(?:{name})s?\b", re.IGNORECASE)
    return Definition(pattern, reading, lines)


DEFINITIONS: tuple[Definition, ...] = (
    _definition(
        r"gross (?:profit )?margin",
        "gross profit as a percentage of revenue",
        "gross profit",
        "revenue",
    ),
    _definition(
        r"operating (?:profit )?margin",
        "operating income as a percentage of revenue",
        "operating income",
        "revenue",
    ),
    _definition(
        r"(?:net )?profit margin|net margin",
        "net income as a percentage of revenue",
        "net income",
        "revenue",
    ),
    _definition(
        r"effective (?:income )?tax rate",
        "income tax expense as a percentage of income before income taxes",
        "income tax expense",
        "income before income taxes",
    ),
    _definition(
        r"return on (?:average )?(?:total )?assets",
        "net income as a percentage of assets",
        "net income",
        "total assets",
    ),
    _definition(
        r"return on (?:average )?(?:(?:stockholders|shareholders)['’]? )?equity",
        "net income as a percentage of equity",
        "net income",
        "total equity",
    ),
    _definition(
        r"current ratio",
        "ratio of current assets to current liabilities",
        "total current assets",
        "total current liabilities",
    ),
    _definition(
        r"debt[- ]to[- ]equity(?: ratio)?", "ratio of debt to equity", "total debt", "total equity"
    ),
    _definition(
        r"(?:dividend )?payout ratio",
        "dividends as a percentage of net income",
        "dividends",
        "net income",
    ),
    _definition(
        r"asset turnover(?: ratio)?", "ratio of revenue to assets", "revenue", "total assets"
    ),
    _definition(
        r"(?:times )?interest (?:coverage|earned)(?: ratio)?",
        "ratio of operating income to interest expense",
        "operating income",
        "interest expense",
    ),
    _definition(
        r"book value per share",
        "ratio of equity to shares outstanding",
        "total equity",
        "shares outstanding",
    ),
    _definition(
        r"(?:net )?working capital",
        "difference between current assets and current liabilities",
        "total current assets",
        "total current liabilities",
    ),
    _definition(
        r"net debt",
        "difference between debt and cash",
        "total debt",
        "cash and cash equivalents",
    ),
)


def asked_ratio(question: str) -> tuple[Definition, re.Match[str]] | None:
    """The first ratio of :data:`DEFINITIONS` the question names, with where it names it."""
    for definition in DEFINITIONS:
        match = definition.pattern.search(question)
        if match is not None:
            return definition, match
    return None


def stated(definition: Definition, chunks: Sequence[Chunk]) -> list[Chunk]:
    """Table rows labelled with the ratio itself ("Gross margin", "Effective income tax
    rate"), which state it (TAT-QA's filers, Boeing's tax note)."""
    return [
        c
        for c in chunks
        if c.kind is ChunkKind.TABLE_ROW
        and definition.pattern.search(
            " ".join(part for part in (c.group, c.row_label or "") if part)
        )
    ]


# A question about how a ratio moved or compares ("Does Boeing have an improving gross margin
# profile?", "the change in operating margin from 2021 to 2022") needs it for two periods,
# which no program computes from the lines; its evidence is the question's own.
_MOVES = re.compile(
    r"^\s*(?:does|do|did|is|are|was|were|has|have|had|can|will)\b|\b(?:chang|increas|decreas|"
    r"grow|growth|improv|declin|deteriorat|trend|compar|versus|vs\b|average|profile)",
    re.IGNORECASE,
)


def ratio_queries(question: str, held: Sequence[Chunk] = ()) -> list[TermQuery]:
    """The searches for the lines of the ratio the question names ("total current assets
    2022", "total current liabilities 2022", under the names filings give them); empty when it
    names none, asks how it moved or compares (two years, "improving", a yes/no question), or
    when ``held`` (the evidence found so far) has a row stating the ratio."""
    asked = asked_ratio(question)
    if asked is None or stated(asked[0], held) or _MOVES.search(question):
        return []
    if len(set(re.findall(r"\b(?:19|20)\d\d\b", question))) > 1:
        return []
    return term_queries(list(asked[0].lines), question)
