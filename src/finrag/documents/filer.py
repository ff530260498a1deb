"""Who filed a report: the registrant named on an SEC cover page, and its name in questions.

Every 10-K, 10-Q and 8-K cover page prints the filer's name on the line above "(Exact name of
registrant as specified in its charter)". :func:`registrant_of` reads it from the first pages
of a parsed document (PDF or HTML alike); ingestion stores it as ``metadata["registrant"]``.

Within one filer's documents the filer's own name says nothing about which passage answers a
question: "What was Boeing's revenue in 2022?" asks about revenue. Left in the query, the name
matches the few rows that carry it ("Boeing Capital", "Other Boeing", "Comprehensive income
attributable to PepsiCo") and pushes them above the statement rows. :func:`without_names`
removes it; the retriever applies it when every document in scope has the same registrant.

A filer goes by other names too (:func:`aliases_of`, stored as ``metadata["registrant_aliases"]``):
its trading symbols on the cover page ("AXP"), the names it defines for itself ("the terms
“American Express,” “we,” “our” or “us,” refer to ...") and the short form of an abbreviation
whose long form is its name ("International Business Machines Corporation (IBM)"). A question
may also contract a name of two words or more ("AmEx", "FedEx"). :func:`filer_words` and
:func:`without_filer` read all of them: "What was AMEX's net income?" asks about net income,
and left in the query "AMEX" finds the rows of "Amex Ventures". A symbol counts only where the
question writes it in capitals ("ALL" is Allstate's, "all" is a word).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence

__all__ = [
    "ALIASES_KEY",
    "REGISTRANT_KEY",
    "aliases_of",
    "decode_aliases",
    "encode_aliases",
    "filer_words",
    "name_terms",
    "registrant_of",
    "without_filer",
    "without_names",
]

#: The ``Document.metadata`` key holding the registrant's name as printed.
REGISTRANT_KEY = "registrant"
#: The ``Document.metadata`` key holding the other names the registrant goes by.
ALIASES_KEY = "registrant_aliases"

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
    r"\s*\(\s*(?:NASDAQ|Nasdaq|NYSE|Nyse)[A-Za-z ]*:\s*([A-Z][A-Z.]{0,5})\s*\)"
)
# A line of the cover page's table of registered securities: the class of common stock, its
# trading symbol, the exchange ("Common Stock, $5.00 Par Value BA New York Stock Exchange",
# "Common Stock, par value 1-2/3 cents per share PEP The Nasdaq Stock Market LLC"). Notes'
# symbols ("PEP24") name the notes, not the company.
_SYMBOL_LINE = re.compile(
    r"\bCommon\s+(?:Stock|Shares)\b[^\n]*?[\s|]([A-Z]{1,5}(?:\.[A-Z])?)[\s|]+(?:The\s+)?"
    r"(?:New\s+York\s+Stock\s+Exchange|NYSE\b|Nasdaq\b|NASDAQ\b|Chicago\s+Stock\s+Exchange|Cboe\b)"
)
# The names a report defines for its filer: "the terms “American Express,” “we,” “our” or “us,”
# refer to", "(herein referred to as “Boeing,” the “Company,” “we,” ...)", "references to
# “Pfizer,” “the Company,” ...".
_DEFINES = re.compile(
    r"(?:\bthe\s+terms?|\breferences\s+to|\breferred\s+to\s+as)\s+"
    r"((?:(?:the\s+)?[“\"][^”\"\n]{1,40}[”\"][\s,]*(?:and\s+|or\s+)?)+)",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[“\"]([^”\"\n]{1,40})[”\"]")
#: Names a report defines that name no one in particular.
_GENERIC_NAMES = frozenset(["company", "registrant", "corporation", "group", "issuer", "parent"])
#: Pages searched for the names a report defines for its filer (the first page of Item 1).
_DEFINITION_PAGES = 6
# A trading symbol as an alias: matched only as written, in capitals.
_SYMBOL = re.compile(r"[A-Z]{1,5}(?:\.[A-Z])?")


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
    return _without(question, [(_name_pattern(terms), re.IGNORECASE) for terms in names if terms])


def _name_pattern(terms: Sequence[str]) -> str:
    """A name's words, with an optional "the", legal suffix and possessive."""
    phrase = r"[\s\-]+".join(re.escape(t) for t in terms)
    # "net income attributable to Pfizer" is a line of its own, not Pfizer's net income: the
    # name stays there (without it the search finds "... noncontrolling interests")
    return (
        rf"(?<!attributable to )(?<![\w&])(?:the\s+)?{phrase}{_SUFFIXES}(?:['’]s|['’])?"
        rf"(?![\w&])"
    )


def _without(question: str, patterns: Iterable[tuple[str, int]]) -> str:
    """``question`` with every match of ``patterns`` (pattern, flags) removed and its spacing
    tidied; unchanged when fewer than two words would be left."""
    out = question
    for pattern, flags in patterns:
        out = re.sub(pattern, " ", out, flags=flags)
    out = " ".join(out.split())
    out = re.sub(r"\s+([?.,;:!])", r"\1", out)
    return out if len(_WORD.findall(out.lower())) >= 2 else question


def aliases_of(
    page_texts: Sequence[str], registrant: str, defined: Mapping[str, str] | None = None
) -> list[str]:
    """The other names ``registrant`` goes by in its report: the trading symbols of its common
    stock on the cover page ("AXP"; an earnings release's listing, "(NASDAQ: ULTA)"), the
    names it defines for itself ("American Express" in "the terms “American Express,” “we,”
    ... refer to") and the short forms of ``defined`` (the abbreviations the report defines,
    short form -> long form) whose long form is its name ("IBM"). In order of appearance,
    without repeats and without the registrant's own name."""
    own = name_terms(registrant)
    if not own:
        return []
    found: list[str] = []
    for text in page_texts[:_COVER_PAGES]:
        found.extend(m.group(1) for m in _SYMBOL_LINE.finditer(text))
    if not found and page_texts:
        found.extend(m.group(2) for m in _LISTED.finditer(page_texts[0]))
    for text in page_texts[:_DEFINITION_PAGES]:
        for match in _DEFINES.finditer(text):
            if not _names_registrant(_sentence(text, match.start(), match.end()), own):
                continue  # "References to “Notes” in this Form 10-Q are to the Notes ..."
            for quoted in _QUOTED.findall(match.group(1)):
                name = quoted.strip(" ,;.")
                terms = name_terms(name)
                if (
                    terms
                    and any(c.isupper() for c in name)
                    and " ".join(terms) not in _GENERIC_NAMES
                ):
                    found.append(name)
    found.extend(short for short, long in (defined or {}).items() if name_terms(long) == own)
    out = dict.fromkeys(n for n in found if name_terms(n) != own)
    return list(out)


def encode_aliases(aliases: Sequence[str]) -> str:
    """The metadata value of ``aliases`` (a JSON array)."""
    return json.dumps(list(aliases), ensure_ascii=False)


def decode_aliases(value: str | None) -> list[str]:
    """The aliases of a metadata value; ``[]`` for a missing or malformed one."""
    if not value:
        return []
    try:
        aliases = json.loads(value)
    except ValueError:
        return []
    return [a for a in aliases if isinstance(a, str)] if isinstance(aliases, list) else []


# The end of a sentence: a full stop that closes no abbreviation of a company's name.
_FULL_STOP = re.compile(r"(?<!\bInc)(?<!\bCorp)(?<!\bCo)(?<!\bLtd)(?<!\bU\.S)\.\s")


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` around ``text[start:end]``."""
    opened = max((m.end() for m in _FULL_STOP.finditer(text, 0, start)), default=0)
    stop = _FULL_STOP.search(text, end)
    return text[opened : stop.start() if stop else len(text)]


def _names_registrant(sentence: str, own: Sequence[str]) -> bool:
    """Whether ``sentence``, quotations aside, names the registrant (every word of ``own``):
    "... refer to Pfizer Inc. and its subsidiaries", "The Boeing Company, together with its
    subsidiaries (herein referred to as ...)"."""
    plain = _QUOTED.sub(" ", sentence).lower()
    return all(re.search(rf"(?<![\w&]){re.escape(t)}(?![\w&])", plain) for t in own)


def _symbol(name: str) -> bool:
    return _SYMBOL.fullmatch(name) is not None


def _contracts(word: str, terms: Sequence[str]) -> bool:
    """Whether ``word`` joins the beginnings (two letters or more each) of the first two or
    more of ``terms``: "amex" = "am(erican)" + "ex(press)", "fedex", "bestbuy"."""

    def split(rest: str, i: int) -> bool:
        if not rest:
            return i >= 2
        if i >= len(terms):
            return False
        term = terms[i]
        return any(
            rest.startswith(term[:n]) and split(rest[n:], i + 1)
            for n in range(min(len(term), len(rest)), 1, -1)
        )

    return len(terms) >= 2 and split(word, 0)


def _forms(question: str, names: Iterable[str]) -> tuple[list[tuple[str, ...]], list[str]]:
    """(term sequences matched in any case, symbols matched as written) by which ``question``
    names the filer called ``names``; contractions ("AmEx") count as one-word names."""
    phrases: list[tuple[str, ...]] = []
    symbols: list[str] = []
    for name in names:
        if _symbol(name):
            symbols.append(name)
        elif terms := name_terms(name):
            phrases.append(terms)
    letters = [t for t in phrases if len(t) >= 2 and all(w.isalpha() for w in t)]
    if letters:
        for word in set(re.findall(r"(?<![\w&])[A-Za-z]{4,}(?![\w&])", question)):
            lower = word.lower()
            if any(lower not in t and _contracts(lower, t) for t in letters):
                phrases.append((lower,))
    return phrases, symbols


def _symbol_pattern(symbol: str) -> str:
    return rf"(?<![\w&]){re.escape(symbol)}(?:['’]s|['’])?(?![\w&])"


def filer_words(question: str, names: Iterable[str]) -> set[str]:
    """The lower-case words by which ``question`` may name the filer called ``names`` (its
    registrant and aliases): every word of its names, its symbols where the question writes
    them in capitals, and the contractions of its names the question uses ("amex")."""
    phrases, symbols = _forms(question, names)
    words = {w for terms in phrases for w in terms}
    words.update(s.lower() for s in symbols if re.search(_symbol_pattern(s), question))
    return words


def without_filer(question: str, names: Iterable[str]) -> str:
    """``question`` without the names of the filer called ``names`` (:func:`without_names`
    over its registrant's and aliases' words and the contractions the question uses, and its
    symbols where written in capitals); unchanged when that would leave fewer than two words."""
    phrases, symbols = _forms(question, names)
    patterns = [(_name_pattern(terms), re.IGNORECASE) for terms in phrases]
    return _without(question, [*patterns, *((_symbol_pattern(s), 0) for s in symbols)])
