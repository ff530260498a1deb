"""Word tokens and a light stemmer, shared by retrieval features and the offline planner.

One definition so that "revenues" in a question and "revenue" in a row label meet the same way
wherever lexical overlap is measured. The stemmer is deliberately small and deterministic
(plural, possessive and verbal endings); both trained models (the reranker and the offline
planner) were fitted with it, so changing it means retraining both.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

__all__ = [
    "MONTH_NAME",
    "MONTH_WORDS",
    "NUMERIC_DATE",
    "WORD",
    "has_run",
    "spell_quarters",
    "stem",
    "stems",
    "unglue_dates",
    "words",
    "written_words",
]

#: A lower-case word or a number (with its decimals).
WORD = re.compile(r"[a-z]+|\d+(?:\.\d+)?")
#: A month's name, full or short, with an abbreviation's full stop ("dec.", "Sept").
MONTH_NAME = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
#: The months' names as words, full and short ("december", "dec", "sept").
MONTH_WORDS = frozenset((
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec"
))  # fmt: skip
#: A date written in figures, month first ("12/31/10", "12/31/2010"); group 3 is the year.
NUMERIC_DATE = re.compile(
    r"(?<![\d/.])(0?[1-9]|1[0-2])/(0?[1-9]|[12]\d|3[01])/((?:19|20)?\d\d)(?![\d/])"
)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light English stem: enough to meet plural, possessive and verbal variants."""
    if len(word) <= 3 or word.isdigit():
        return word
    for suffix, repl in (
        ("ies", "y"),
        ("sses", "ss"),
        ("ings", ""),
        ("ing", ""),
        ("ied", "y"),
        ("ed", ""),
        ("es", "e"),
        ("s", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            return word[: -len(suffix)] + repl
    return word


def words(text: str) -> list[str]:
    """Lower-case word and number tokens of ``text``."""
    return WORD.findall(text.lower())


def written_words(text: str) -> set[str]:
    """The words of ``text`` as written (case kept, "&" inside): "FLNA", "SG&A"; to find a
    short form, which lower case would confuse with a word ("CS", "PET")."""
    return set(_WRITTEN.findall(text))


def has_run(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    """Whether ``needle`` occurs in ``haystack`` as a contiguous run (of tokens)."""
    n = len(needle)
    if n == 0 or needle[0] not in haystack:
        return False
    first = needle[0]
    return any(
        haystack[i] == first and list(haystack[i : i + n]) == list(needle)
        for i in range(len(haystack) - n + 1)
    )


_WRITTEN = re.compile(r"[A-Za-z0-9&]+")


def stems(text: str) -> list[str]:
    """Stemmed word and number tokens of ``text`` (commas in numbers kept out)."""
    return [stem(tok) for tok in WORD.findall(text.lower().replace(",", ""))]


_QUARTER_SHORT = re.compile(r"\bQ([1-4])(?=\b|'|(?:19|20)\d\d\b)", re.IGNORECASE)
_ORDINALS = {"1": "first", "2": "second", "3": "third", "4": "fourth"}


def spell_quarters(text: str) -> str:
    """``text`` with each "Q4" followed by its words, "Q4 fourth quarter" (also "Q2'2023" and
    FinanceBench's glued "Q22023"): filings write "During the fourth quarter of fiscal 2022",
    which a question saying "Q4" does not otherwise meet. The short form stays for tables
    headed "Q4 2019"."""
    return _QUARTER_SHORT.sub(
        lambda m: f"{m.group(0)} {_ORDINALS[m.group(1)]} quarter ", text
    ).replace("  ", " ")


_GLUED_DATE = re.compile(
    rf"\b({MONTH_NAME}\s*(?:\.\s*)?)(3[01]|[12]\d|[1-9])((?:19|20)\d\d)\b", re.IGNORECASE
)


def unglue_dates(text: str) -> str:
    """``text`` with a day glued to its year parted again: FinQA's text extraction wrote
    "december 312012" and "dec . 282013" for "December 31, 2012" and "Dec. 28, 2013", which
    hides the year from every period reader (a table column headed so had no year)."""
    return _GLUED_DATE.sub(r"\1\2 \3", text)
