"""Reading numbers the way financial reports write them.

:func:`parse_number` reads one cell-like string ("$ 5,829", "(1,234)", "—", "12.5%", "$1.2
billion", "123(1)") into a :class:`~finrag.documents.model.ParsedNumber`, or ``None`` when the
text is not a number ("n/a", "nm", "fiscal 2019 results"). :func:`find_numbers` scans running
text for every number in it, in order, so a program can cite number *k* of a sentence.
:func:`detect_scale` and :func:`detect_currency` read captions and headers such as "(in
millions, except per share data)" or "$ in thousands".

Conventions (shared with the DSL through ``ParsedNumber``):

* ``value`` is signed and stated in ``scale``; parentheses and every minus/dash variant that
  precedes a number make it negative.
* a cell that is only a dash ("-", "–", "—", "$ —") is ``value 0.0, is_dash True``.
* percents keep the written value (``12.5`` for "12.5%") with ``kind PERCENT`` and scale UNITS,
  whatever the table's scale: "in millions" never applies to a percent.
* a scale word inside the text ("$1.2 billion") overrides the table scale passed in.
* footnote markers after a number ("1,234 (a)", "123(1)", "45*", "7¹") are dropped.
* FinQA's tokenised negatives ("-1234 ( 1234 )", "5.2% ( 5.2 % )") read as one number.
"""

from __future__ import annotations

import re
from functools import lru_cache

from finrag.documents.model import ParsedNumber
from finrag.dsl.units import Kind, Scale

__all__ = [
    "DASHES",
    "detect_currency",
    "detect_scale",
    "find_numbers",
    "normalise_text",
    "parse_number",
]

DASHES = frozenset("-‐‑‒–—―−")
_MINUS_CHARS = "‐‑‒–—―−"
_CURRENCY_SYMBOLS = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
_CURRENCY_CODES = {"usd": "USD", "eur": "EUR", "gbp": "GBP", "jpy": "JPY"}
_NOT_A_NUMBER = frozenset(
    {"n/a", "na", "n.a.", "nm", "n.m.", "nmf", "none", "nil", "*", "**", "", "n/m", "—%"}
)
_SCALE_WORDS = {
    "thousand": Scale.THOUSANDS,
    "thousands": Scale.THOUSANDS,
    "k": Scale.THOUSANDS,
    "million": Scale.MILLIONS,
    "millions": Scale.MILLIONS,
    "mn": Scale.MILLIONS,
    "mm": Scale.MILLIONS,
    "m": Scale.MILLIONS,
    "billion": Scale.BILLIONS,
    "billions": Scale.BILLIONS,
    "bn": Scale.BILLIONS,
    "b": Scale.BILLIONS,
}
_SUPERSCRIPTS = "¹²³⁴⁵⁶⁷⁸⁹⁰"

# One number as a cell writes it: optional sign/paren, currency, digits, suffix, closing paren.
_CELL_RE = re.compile(
    r"""^
    (?P<open>\()?\s*
    (?P<sign1>-)?\s*
    (?P<cur>US\$|\$|€|£|¥|usd\b|eur\b|gbp\b)?\s*
    (?P<open2>\()?\s*
    (?P<sign2>-)?\s*
    (?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)\s*
    (?P<close1>\))?\s*
    (?P<suffix>%|percent\b|x\b|bps\b|basis\ points\b|
        billions?\b|millions?\b|thousands?\b|bn\b|mn\b|mm\b|[mbk]\b)?\s*
    (?P<close2>\))?
    $""",
    re.IGNORECASE | re.VERBOSE,
)
_FOOTNOTE_TAIL = re.compile(r"(?<=[\d%)])\s*(?:\(\s*(?:[a-z]|\d{1,2})\s*\)|[*†‡§]+)$", re.I)
_FINQA_DUP = re.compile(r"^(?P<main>.+?)\s*\(\s*(?P<dup>[\d.,]*\s*%?)\s*\)\s*(?P<pct>%?)\s*$")
_SPACES = re.compile(r"[\s\u00a0\u2009\u202f\u2007]+")


def normalise_text(text: str) -> str:
    """Unify spaces and minus variants so the regexes see one alphabet."""
    out = _SPACES.sub(" ", text).strip()
    out = out.translate({ord(c): None for c in _SUPERSCRIPTS})
    return out


def _strip_footnotes(text: str) -> str:
    """Drop footnote markers after a number: "1,234 (a)", "123(1)", "45*"."""
    prev = None
    while prev != text:
        prev = text
        # "(1)" alone is a negative one, so only strip a marker that follows something.
        m = _FOOTNOTE_TAIL.search(text)
        if m and m.start() > 0 and _has_digit_before(text, m.start()):
            text = text[: m.start()].rstrip()
    return text


def _has_digit_before(text: str, end: int) -> bool:
    head = text[:end].rstrip()
    return bool(head) and (head[-1].isdigit() or head[-1] in "%)") and not _is_bare_paren(head)


def _is_bare_paren(head: str) -> bool:
    """True for "(12" style heads where the trailing ")" we saw closes a negative."""
    return head.count("(") > head.count(")")


def _fold_finqa_duplicate(text: str) -> str:
    """Read FinQA's "-1234 ( 1234 )" / "5% ( 5 % )" / "( 5 ) % ( % )" as one number."""
    m = _FINQA_DUP.match(text)
    if not m:
        return text
    main, dup = m.group("main").strip(), m.group("dup").replace(" ", "")
    main_digits = re.sub(r"[^\d.]", "", main)
    dup_digits = re.sub(r"[^\d.]", "", dup)
    if dup_digits and dup_digits != main_digits:
        return text
    if not dup_digits and "%" not in dup:
        return text
    if not main_digits:
        return text
    if "%" in dup and "%" not in main:
        main += "%"
    return main


def _is_dash(text: str) -> bool:
    core = re.sub(r"[\s$€£¥%()]", "", text)
    return bool(core) and all(c in DASHES for c in core)


def _currency_of(token: str | None) -> str | None:
    if not token:
        return None
    return _CURRENCY_SYMBOLS.get(token) or _CURRENCY_CODES.get(token.lower())


def _kind_and_scale(suffix: str, scale: Scale) -> tuple[Kind | None, Scale]:
    s = suffix.lower()
    if s in {"%", "percent"}:
        return Kind.PERCENT, Scale.UNITS
    if s == "x":
        return Kind.RATIO, Scale.UNITS
    if s in {"bps", "basis points"}:
        return Kind.NONE, Scale.UNITS
    if s in _SCALE_WORDS:
        return None, _SCALE_WORDS[s]
    return None, scale


def parse_number(
    text: str, *, scale: Scale = Scale.UNITS, currency: str | None = None
) -> ParsedNumber | None:
    """Parse one cell-like string into a :class:`ParsedNumber`, or ``None`` if it is no number.

    ``scale`` and ``currency`` are the table's (from its caption); a currency symbol or scale
    word in the text itself wins. ``currency`` given by the caller makes plain numbers MONEY.
    """
    return _parse_cached(text, scale, currency)


@lru_cache(maxsize=65536)
def _parse_cached(text: str, scale: Scale, currency: str | None) -> ParsedNumber | None:
    raw = normalise_text(text)
    if raw.lower().strip(" .") in _NOT_A_NUMBER or raw.lower() in _NOT_A_NUMBER:
        return None
    if _is_dash(raw):
        cur = currency or ("USD" if "$" in raw else None)
        kind = Kind.PERCENT if "%" in raw else (Kind.MONEY if cur else Kind.NONE)
        return ParsedNumber(value=0.0, kind=kind, scale=scale, currency=cur, text=raw, is_dash=True)
    body = raw.translate({ord(c): "-" for c in _MINUS_CHARS})
    body = _fold_finqa_duplicate(_strip_footnotes(body))
    m = _CELL_RE.match(body)
    if not m:
        return None
    return _from_match(m, raw, scale, currency)


def _from_match(
    m: re.Match[str], raw: str, scale: Scale, currency: str | None
) -> ParsedNumber | None:
    opens = bool(m.group("open")) + bool(m.group("open2"))
    closes = bool(m.group("close1")) + bool(m.group("close2"))
    # "(12" or "12)" alone is a cell split across two tokens (HTML often puts the ")" in the
    # next <td>); read it as negative. Any other imbalance is not a number.
    if opens != closes and opens + closes != 1:
        return None
    negative = opens > 0 or closes > 0 or bool(m.group("sign1") or m.group("sign2"))
    value = float(m.group("num").replace(",", ""))
    kind, num_scale = _kind_and_scale(m.group("suffix") or "", scale)
    cur = _currency_of(m.group("cur"))
    if kind is Kind.PERCENT or kind is Kind.RATIO:
        cur = None
    elif cur is None:
        cur = currency
    if kind is None:
        kind = Kind.MONEY if cur else Kind.NONE
    return ParsedNumber(
        value=-value if negative else value,
        kind=kind,
        scale=num_scale,
        currency=cur,
        text=raw,
    )


# ---------------------------------------------------------------------------------------------
# Numbers inside running text

_TEXT_NUM_RE = re.compile(
    r"""
    (?<![\w.,$])
    (?P<neg>[-−–](?=\s?[$\d.]))?
    (?P<cur>US\$|\$|€|£|¥)?\s?
    (?P<paren>\((?=\d))?
    (?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)
    (?P<close>(?(paren)\)))
    (?![\w,]*\d)
    (?!-[KQ]\b)
    (?:\s?(?P<suffix>%|percent\b|(?-i:x)\b|bps\b|basis\ points\b|
        billions?\b|millions?\b|thousands?\b|bn\b|mn\b))?
    (?![A-Za-z])
    """,
    re.IGNORECASE | re.VERBOSE,
)


def find_numbers(text: str, *, currency: str | None = None) -> list[ParsedNumber]:
    """Every number in running text, in reading order ("$1.2 billion", "12.5%", "2019").

    Parentheses only negate when they wrap a currency amount ("$(12)") or the number alone
    ("(1,234)"), since prose uses parentheses for asides; a hyphen between numbers
    ("2018-2019") is a range, not a minus.
    """
    out: list[ParsedNumber] = []
    norm = normalise_text(text)
    for m in _TEXT_NUM_RE.finditer(norm):
        num = m.group("num")
        if _is_list_marker(norm, m):
            continue
        negative = bool(m.group("neg")) or bool(m.group("paren") and m.group("close"))
        kind, scale = _kind_and_scale(m.group("suffix") or "", Scale.UNITS)
        cur = _currency_of(m.group("cur"))
        if kind is None:
            kind = Kind.MONEY if cur else Kind.NONE
        value = float(num.replace(",", ""))
        out.append(
            ParsedNumber(
                value=-value if negative else value,
                kind=kind,
                scale=scale,
                currency=cur,
                text=m.group(0).strip(),
            )
        )
    return out


def _is_list_marker(text: str, m: re.Match[str]) -> bool:
    """A "(1)" footnote reference right after a word is not a number of the sentence."""
    if not (m.group("paren") and m.group("close")) or m.group("cur") or m.group("neg"):
        return False
    before = text[: m.start()].rstrip()
    return bool(before) and before[-1].isalpha() and len(m.group("num")) <= 2


# ---------------------------------------------------------------------------------------------
# Captions and headers

_SCALE_RES = (
    re.compile(
        r"\bin\s+(?:u\.?s\.?\s+)?(?:\$\s*)?(thousands?|millions?|billions?)\b",
        re.I,
    ),
    re.compile(
        r"(?:\$|dollars|amounts|usd|€|£|euros?)\s*(?:are\s+)?(?:stated\s+)?in\s+"
        r"(thousands|millions|billions)\b",
        re.I,
    ),
    re.compile(r"\(\s*(thousands|millions|billions)\b[^)]*\)", re.I),
    re.compile(r"^\s*(thousands|millions|billions)\s+of\s+(?:u\.?s\.?\s+)?dollars\b", re.I),
    re.compile(r"\(\s*(thousands|millions|billions)\s+of\s+", re.I),
    re.compile(r"\(\s*(?:in\s+)?\$?\s*(000)['’‘]?s?\s*\)", re.I),
    re.compile(r"\(\s*\$\s*(mm|mn|m|bn|k)\s*\)", re.I),
    # A currency sign or code directly followed by a scale: "€m", "£m", "$M", "$'000", "$’000",
    # "USD ‘000" (any apostrophe or quote),
    # "$ million", "€ million", "RMB'000" (column headers of non-US and IFRS filings). A digit
    # in between ("$5 million") is an amount, not a scale statement, and does not match.
    re.compile(
        r"(?:(?:US|A|C|NT|HK|S)?\$|€|£|¥|\b(?:RMB|USD|EUR|GBP))\s*['’‘`]?\s*"
        r"(000|mm|mn|m|bn|k|thousands?|millions?|billions?)(?:(?<=000)['’‘]s)?(?![\w'’])",
        re.I,
    ),
)


def detect_scale(text: str) -> Scale | None:
    """The scale a caption or header states ("(in millions)", "$ in thousands"), if any."""
    for rx in _SCALE_RES:
        m = rx.search(text)
        if m:
            try:
                return Scale.from_word(m.group(1))
            except ValueError:
                continue
    return None


_CURRENCY_TEXT = (
    (re.compile(r"US\$|\$|\bdollars?\b|\busd\b", re.I), "USD"),
    (re.compile(r"€|\beuros?\b|\beur\b", re.I), "EUR"),
    (re.compile(r"£|\bpounds sterling\b|\bgbp\b", re.I), "GBP"),
    (re.compile(r"¥|\byen\b|\bjpy\b", re.I), "JPY"),
)


def detect_currency(text: str) -> str | None:
    """The currency a caption or header names ("$ in millions" is USD), if any."""
    for rx, code in _CURRENCY_TEXT:
        if rx.search(text):
            return code
    return None
