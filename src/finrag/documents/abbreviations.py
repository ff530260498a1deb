"""Abbreviations a report defines for itself, and questions written with either form.

Filings name a thing once in full and then by its short form: "Frito-Lay North America
(FLNA)", "U.S. Consumer Services (USCS)", "earnings per share (EPS)". Their tables then print
only the short form ("FLNA | 23,291"), while an analyst asks in full ("What percentage of net
revenue came from Frito-Lay North America in 2022?"), or the other way round ("What was
diluted EPS?" over a line "Earnings per common share - diluted"). Neither keyword nor vector
search connects the two.

:func:`definitions` reads the "long form (SHORT)" pairs of a document with the algorithm of
Schwartz and Hearst (2003): the short form's letters, right to left, are found in order in the
words before the parenthesis, its first letter at the start of a word, and the long form is
the shortest run of words that holds them. Ingestion stores the pairs in
``metadata["abbreviations"]`` as a JSON object (metadata values are strings; :func:`encode`,
:func:`decode`); :func:`expand` adds the other form to a question that uses one.
Nothing here is a hand-written synonym list: every expansion is one the report itself states.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache

from finrag.lexical import has_run, written_words

__all__ = [
    "ABBREVIATIONS_KEY",
    "STANDARD",
    "as_written",
    "decode",
    "definitions",
    "encode",
    "expand",
]

#: The ``Document.metadata`` key holding ``{short form: long form}``.
ABBREVIATIONS_KEY = "abbreviations"

# A short form in brackets, "(FLNA)", "(SG&A)"; :data:`_SHORT` asks for two capitals in it.
_PAREN = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9&.\-]{1,9})\s*\)")
_SHORT = re.compile(r"^(?=(?:[^A-Z]*[A-Z]){2})[A-Za-z][A-Za-z0-9&.\-]*[A-Za-z0-9]$")
_ROMAN = re.compile(r"^[IVXLC]+$")
_WORD = re.compile(r"\S+")
_TOKEN = re.compile(r"[a-z0-9]+")
#: Where the words before a parenthesis stop belonging to its long form: a bracket, a colon or
#: a sentence's end (not the dot of "U.S. Consumer Services").
_BREAK = re.compile(r"(?<![A-Z])[.!?]\s|[()\[\];:•]")
#: Words no long form starts with ("of the Currency" is no reading of "OCC").
_LEADING = frozenset(["of", "the", "and", "or", "for", "in", "to", "a", "an", "on", "by", "with"])
_MAX_PAIRS = 500


def definitions(texts: Iterable[str]) -> dict[str, str]:
    """``{short form: long form}`` for every abbreviation the texts define.

    A short form defined with two different long forms keeps the one written most often
    (the first written on a tie); its long form is kept as first written.
    """
    seen: dict[str, Counter[str]] = {}
    written: dict[tuple[str, str], str] = {}
    for text in texts:
        for match in _PAREN.finditer(text):
            short = match.group(1).rstrip(".-")
            if not _SHORT.match(short) or _ROMAN.match(short):
                continue
            long_form = _long_form(short, text[: match.start()])
            if long_form is None:
                continue
            key = " ".join(_TOKEN.findall(long_form.lower()))
            seen.setdefault(short, Counter())[key] += 1
            written.setdefault((short, key), long_form)
            if len(seen) >= _MAX_PAIRS:
                break
    return {
        short: written[(short, counts.most_common(1)[0][0])]
        for short, counts in sorted(seen.items())
    }


def encode(pairs: Mapping[str, str]) -> str:
    """The metadata value of ``pairs`` (a JSON object, keys sorted)."""
    return json.dumps(dict(sorted(pairs.items())), ensure_ascii=False, separators=(",", ":"))


def decode(value: str | None) -> dict[str, str]:
    """The pairs of a metadata value; ``{}`` for a missing or malformed one."""
    if not value:
        return {}
    try:
        pairs = json.loads(value)
    except ValueError:
        return {}
    if not isinstance(pairs, dict):
        return {}
    return {str(k): str(v) for k, v in pairs.items() if isinstance(v, str)}


def _long_form(short: str, before: str) -> str | None:
    """The shortest run of words ending ``before`` that spells ``short`` (Schwartz-Hearst)."""
    stops = list(_BREAK.finditer(before))
    head = before[stops[-1].end() :] if stops else before
    tokens = _WORD.findall(head)
    letters = [c.lower() for c in short if c.isalnum()]
    limit = min(len(letters) + 5, 2 * len(letters))
    tokens = tokens[-limit:]
    if not tokens:
        return None
    candidate = " ".join(tokens)
    s, i = len(letters) - 1, len(candidate) - 1
    while s >= 0:
        c = letters[s]
        # the short form's first letter starts a word of the long form
        while i >= 0 and (
            candidate[i].lower() != c or (s == 0 and i > 0 and candidate[i - 1].isalnum())
        ):
            i -= 1
        if i < 0:
            return None
        i -= 1
        s -= 1
    start = candidate.rfind(" ", 0, i + 1) + 1
    long_form = candidate[start:].strip(" ,-–—")
    words = long_form.split()
    if words and words[0].lower() in _LEADING:
        return None
    # one word spelling a long short form is a coincidence of letters ("Commission" for COSO)
    if len(re.split(r"[\s\-]+", long_form)) < 2 and (
        len(letters) > 2 or len(long_form) <= len(short) + 2
    ):
        return None
    if short.lower() in (w.lower().strip(",.") for w in words):
        return None
    return long_form


def _scan(text: str) -> tuple[str, ...]:
    """Lower-case word tokens."""
    return tuple(_TOKEN.findall(text.lower()))


@lru_cache(maxsize=8192)
def _tokens(form: str) -> tuple[str, ...]:
    """The tokens of a short or long form; cached, since every query walks the same forms."""
    return _scan(form)


#: Abbreviations of accounting that filings use without defining them, and print in full in
#: their statements ("Diluted EPS" asked, "Earnings per common share - diluted" printed). Only
#: the short form is spelled out (a question in full needs no short form); a report's own
#: definition of the same short form wins.
STANDARD: dict[str, str] = {
    "EPS": "earnings per share",
    "COGS": "cost of goods sold",
    "SG&A": "selling, general and administrative",
    "R&D": "research and development",
    "D&A": "depreciation and amortization",
    "PP&E": "property, plant and equipment",
    "EBIT": "earnings before interest and taxes",
}


def expand(question: str, pairs: Mapping[str, str], standard: Mapping[str, str] = STANDARD) -> str:
    """``question`` with the other form of every abbreviation it uses appended in brackets:
    "... from Frito-Lay North America in 2022?" gains "(FLNA)", "What was diluted EPS?" gains
    "(earnings per share)". ``pairs`` are the documents' definitions, used both ways;
    ``standard`` (:data:`STANDARD`) the accounting abbreviations, spelled out only. A short
    form counts as used when the question writes it as a word in capitals; a question written
    all in lower case (FinQA's) uses one of three letters or more. A question that uses no
    such form is returned unchanged."""
    tokens = _scan(question)
    lower_only = question == question.lower()
    raw = written_words(question)

    def uses(short: str) -> bool:
        if not lower_only:
            return short.replace(".", "") in raw
        return len(short) >= 3 and has_run(tokens, _tokens(short))

    added: list[str] = []
    for short, long_form in pairs.items():
        long_tokens = _tokens(long_form)
        if not _tokens(short) or not long_tokens:
            continue
        uses_short, uses_long = uses(short), has_run(tokens, long_tokens)
        if uses_short and not uses_long:
            added.append(long_form)
        elif uses_long and not uses_short:
            added.append(short)
    for short, long_form in standard.items():
        if short not in pairs and uses(short) and not has_run(tokens, _tokens(long_form)):
            added.append(long_form)
    if not added:
        return question
    return f"{question} ({'; '.join(dict.fromkeys(added))})"


def as_written(
    question: str, pairs: Mapping[str, str], text: str, standard: Mapping[str, str] = STANDARD
) -> str:
    """``question`` with each abbreviation in the form ``text`` uses: when the question writes
    one form and ``text`` (the evidence's table rows) holds only the other, the question's form
    is replaced. "What percentage of net revenue came from Frito-Lay North America in 2022?"
    is read as "... came from FLNA in 2022?" against PepsiCo's rows "FLNA | 23,291", where the
    planner would otherwise find no row named by the question. The ``standard`` accounting
    abbreviations (:data:`STANDARD`) are only spelled out: "What was D&A in 2022?" is read
    as "What was depreciation and amortization in 2022?" against the cash flow statement."""
    if not text:
        return question
    forms = [(short, long_form, True) for short, long_form in pairs.items()]
    forms += [
        (short, long_form, False) for short, long_form in standard.items() if short not in pairs
    ]
    lower_only = question == question.lower()
    tokens = _scan(question)
    raw_text = written_words(text)
    text_tokens = _scan(text)
    out = question
    for short, long_form, both_ways in forms:
        short_tokens, long_tokens = _tokens(short), _tokens(long_form)
        if not short_tokens or not long_tokens:
            continue
        bare = short.replace(".", "")
        short_in_text = bare in raw_text
        long_in_text = has_run(text_tokens, long_tokens)
        if both_ways and short_in_text and not long_in_text and has_run(tokens, long_tokens):
            phrase = r"[^A-Za-z0-9]+".join(re.escape(t) for t in long_tokens)
            out = re.sub(rf"(?<![A-Za-z0-9]){phrase}(?![A-Za-z0-9])", short, out, flags=re.I)
        elif long_in_text and not short_in_text:
            flags = re.IGNORECASE if lower_only and len(short) >= 3 else 0
            if lower_only and not flags:
                continue
            out = re.sub(
                rf"(?<![A-Za-z0-9]){re.escape(bare)}(?![A-Za-z0-9])", long_form, out, flags=flags
            )
    return out
