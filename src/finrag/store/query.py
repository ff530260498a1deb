"""Turn a natural-language question into safe keyword-search terms.

User text never reaches a full-text engine's query parser as syntax. The question is split into
word tokens (letters and digits, diacritics removed, lower-cased), English stopwords are dropped
(unless nothing else is left), and each surviving token is quoted:

* FTS5: ``"net" OR "revenue" OR "2019"``: a quoted string is always a phrase, so ``AND``,
  ``NEAR``, ``*``, ``:``, ``(`` or ``^`` in the question are plain words or separators.
* PostgreSQL tsquery: ``'net' | 'revenue' | '2019'`` for ``to_tsquery``.

Numbers and years stay searchable ("2019", "5829"); "5,829" becomes the tokens "5" and "829",
which is exactly how FTS5's unicode61 tokenizer indexes the chunk text.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["STOPWORDS", "fts5_query", "query_terms", "tokenize", "tsquery"]

#: Small English stopword list: function words that carry no evidence in financial questions.
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
    ]
)

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_MAX_TERMS = 64


def _strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens of ``text`` without diacritics (letters and digits only)."""
    return _TOKEN.findall(_strip_diacritics(text).casefold())


def query_terms(question: str) -> list[str]:
    """Distinct search terms of a question in first-seen order, stopwords dropped.

    When every token is a stopword ("what is it?") the stopwords are kept, so the query still
    searches something. At most 64 terms are kept.
    """
    tokens = tokenize(question)
    kept = [token for token in tokens if token not in STOPWORDS] or tokens
    return list(dict.fromkeys(kept))[:_MAX_TERMS]


def fts5_query(question: str) -> str | None:
    """An FTS5 MATCH expression OR-ing the quoted terms, or None when there are no terms."""
    terms = query_terms(question)
    if not terms:
        return None
    return " OR ".join(f'"{term}"' for term in terms)


def tsquery(question: str) -> str | None:
    """A ``to_tsquery`` expression OR-ing the quoted terms, or None when there are no terms."""
    terms = query_terms(question)
    if not terms:
        return None
    return " | ".join(f"'{term}'" for term in terms)
