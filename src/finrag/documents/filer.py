"""Who filed a report: the registrant named on an SEC cover page, and its name in questions.

Every 10-K, 10-Q and 8-K cover page prints the filer's name on the line above "(Exact name of
registrant as specified in its charter)". :func:`registrant_of` reads it from the first pages
of a parsed document (PDF or HTML alike); ingestion stores it as ``metadata["registrant"]``.

Within one filer's documents the filer's own name says nothing about which passage answers a
question: "What was Boeing's revenue in 2022?" asks about revenue. Left in the query, the name
matches the few rows that carry it ("Boeing Capital", "Other Boeing", "Comprehensive income
attributable to PepsiCo") and pushes them above the statement rows. :func:`without_names`
removes it; the retriever applies it when every document in scope has the same registrant.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

__all__ = ["REGISTRANT_KEY", "name_terms", "registrant_of", "without_names"]

#: The ``Document.metadata`` key holding the registrant's name as printed.
REGISTRANT_KEY = "registrant"

_MARKER = re.compile(
    r"\(\s*exact\s+name\s+of\s+registrants?\s+as\s+specified\s+in\s+(?:its|their)\s+charters?\s*\)",
    re.IGNORECASE,
)
#: Pages searched for the cover (a cover page can follow a short notice page).
_COVER_PAGES = 3
_MAX_NAME = 100
#: Words of a legal name that no question uses to name the company.
_LEGAL = frozenset(
    [
        "the",
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "company",
        "ltd",
        "limited",
        "plc",
        "llc",
        "lp",
    ]
)
_SUFFIXES = r"(?:,?\s+(?:" + "|".join(sorted(_LEGAL - {"the"})) + r")\b\.?)*"
_WORD = re.compile(r"[a-z0-9&]+(?:[.'’][a-z0-9]+)*")


# An issuer named with its listing, as press releases and earnings releases open: "Ulta
# Beauty, Inc. (NASDAQ: ULTA) today announced"; the name is the run of capitalized words
# (with a legal suffix) right before the parenthesis.
_LISTED = re.compile(
    r"((?:[A-Z][\w&'’.]*(?:-[\w&'’.]+)*\s+){0,5}[A-Z][\w&'’.]*(?:-[\w&'’.]+)*"
    r"(?:,?\s+(?:Inc|Corp|Corporation|Co|Company|Ltd|plc|LLC|N\.V|S\.A|AG|SE)\b\.?)?)"
    r"\s*\(\s*(?:NASDAQ|Nasdaq|NYSE|Nyse)[A-Za-z ]*:\s*[A-Z][A-Z.]{0,5}\s*\)"
)


def registrant_of(page_texts: Sequence[str]) -> str | None:
    """The registrant's name printed on the cover page, or ``None`` when there is no cover.
    A document without an SEC cover (an earnings release) names its issuer by its listing
    on the first page: "Ulta Beauty, Inc. (NASDAQ: ULTA)"."""
    cover = _cover_name(page_texts)
    if cover is not None or not page_texts:
        return cover
    match = _LISTED.search(page_texts[0])
    if match is None:
        return None
    name = " ".join(match.group(1).split())
    return name if len(name) <= _MAX_NAME and name_terms(name) else None


def _cover_name(page_texts: Sequence[str]) -> str | None:
    for text in page_texts[:_COVER_PAGES]:
        match = _MARKER.search(text)
        if match is None:
            continue
        before = [line.strip(" \t-_*|") for line in text[: match.start()].splitlines()]
        lines = [line for line in before if line]
        if not lines:
            continue
        name = " ".join(lines[-1].split())
        if len(name) <= _MAX_NAME and name_terms(name):
            return name
    return None


def name_terms(name: str) -> tuple[str, ...]:
    """The words by which questions name the company: "THE BOEING COMPANY" -> ("boeing",),
    "BEST BUY CO., INC." -> ("best", "buy")."""
    words = _WORD.findall(name.lower())
    return tuple(w for w in words if w.rstrip(".") not in _LEGAL)


def without_names(question: str, names: Iterable[Sequence[str]]) -> str:
    """``question`` with each name (a sequence of words, possibly possessive) removed.

    The question is returned unchanged when removing the names would leave fewer than two
    words (a question that is only the company's name keeps it).
    """
    out = question
    for terms in names:
        if not terms:
            continue
        phrase = r"[\s\-]+".join(re.escape(t) for t in terms)
        # "net income attributable to Pfizer" is a line of its own, not Pfizer's net income:
        # the name stays there (without it the search finds "... noncontrolling interests")
        pattern = (
            rf"(?<!attributable to )(?<![\w&])(?:the\s+)?{phrase}{_SUFFIXES}(?:['’]s|['’])?"
            rf"(?![\w&])"
        )
        out = re.sub(pattern, " ", out, flags=re.IGNORECASE)
    out = " ".join(out.split())
    out = re.sub(r"\s+([?.,;:!])", r"\1", out)
    return out if len(_WORD.findall(out.lower())) >= 2 else question
