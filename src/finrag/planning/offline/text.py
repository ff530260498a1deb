"""Question analysis for the offline planner: words, periods, numbers and order cues.

Everything here is plain string work (no model): it turns a question into a
:class:`QuestionInfo` that the grounding and ranking features read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from finrag.documents.numbers import find_numbers
from finrag.lexical import MONTH_NAME, MONTH_WORDS, NUMERIC_DATE, stem, unglue_dates, words

__all__ = [
    "CUE_NAMES",
    "YEAR",
    "QuestionInfo",
    "analyze",
    "asks_change",
    "cue_flags",
    "full_year",
    "label_match",
    "label_stems",
    "names_metric",
    "qualifies",
    "rule_families",
    "stem",
    "table_op_named",
    "words",
    "years_in",
]

#: A year (1950-2099) not inside a larger number, amount or percentage.
YEAR = re.compile(r"(?<![\d.,$])(19[5-9]\d|20\d\d)(?![\d%])")
_STOP = frozenset(
    [
        "what",
        "was",
        "were",
        "is",
        "are",
        "the",
        "of",
        "in",
        "for",
        "and",
        "to",
        "from",
        "a",
        "an",
        "by",
        "on",
        "at",
        "as",
        "between",
        "did",
        "does",
        "do",
        "how",
        "much",
        "many",
        "which",
        "that",
        "this",
        "these",
        "those",
        "its",
        "it",
        "their",
        "there",
        "be",
        "been",
        "being",
        "has",
        "have",
        "had",
        "year",
        "years",
        "during",
        "over",
        "with",
        "compared",
        "than",
        "then",
        "respectively",
        "each",
        "per",
        "value",
        "amount",
        "number",
        "s",
        "approximately",
        "about",
        "ended",
        "ending",
        "end",
        "fiscal",
        "fy",
        "period",
        "if",
        "would",
        "will",
        "could",
        "should",
        "can",
        "all",
        "both",
        "percentage",
        "percent",
        "average",
        "difference",
        "ratio",
        "portion",
        "proportion",
        "increase",
        "decrease",
        "growth",
        "sum",
        "combined",
        "rate",
        "represent",
        "represents",
        "represented",
        "based",
        "what's",
        "million",
        "millions",
        "billion",
        "billions",
        "thousand",
        "thousands",
        "dollar",
        "dollars",
        "usd",
        "expressed",
        "share",
        "into",
        "out",
        "up",
        "down",
        "you",
        "we",
        "our",
        "company",
        "companies's",
    ]
)
# Words that name the arithmetic, not the metric: kept out of label matching.
_GENERIC = frozenset(
    {"net", "other", "operating", "cash", "income", "financial", "value", "total", "change"}
)
# "net" before these words belongs to the arithmetic ("net change", "net difference")
_NET_OF = frozenset({"change", "changes", "difference", "increase", "decrease", "effect", "impact"})
_MONTH_BEFORE = re.compile(rf"{MONTH_NAME}\s*$")
# a day written before its month: "as at 31 December 2019", "1 April"
_MONTH_AFTER = re.compile(rf"^\s*{MONTH_NAME}(?:\s|,|$)")
# A comparison with the period a year before the one named: "the three months ended July 2,
# 2023 compared with the prior year period", "2022 versus the previous year", "year over year".
_PRIOR_YEAR = re.compile(
    r"\b(?:compared\s+(?:with|to)|versus|vs\.?|over|from|than|against)\s+(?:the\s+)?"
    r"(?:prior|previous|preceding|last)[- ](?:fiscal\s+)?(?:year|period|quarter)"
    r"|\byear[- ]over[- ]year\b|\byear[- ]ago\b",
    re.IGNORECASE,
)

CUE_DENOMINATOR = frozenset({"of", "to", "by", "over", "against", "versus", "vs"})
# "percentage of X", "portion of X": X is the whole (the denominator); "ratio of X to Y": X is
# the numerator and Y, after "to", the denominator.
_WHOLE_BEFORE_OF = frozenset(
    {"percent", "percentage", "portion", "proportion", "share", "fraction", "among", "total"}
)
_STRICT_DENOMINATOR = frozenset({"to", "over", "against", "versus", "vs", "among", "by"})


def years_in(text: str) -> list[int]:
    """Years (1950-2099) named in ``text``, in order of first mention, without repeats; a date
    written in figures names its year ("12/31/10" is 2010, as performance graphs head their
    columns)."""
    low = text.lower()
    found = [(m.start(), int(m.group(1))) for m in YEAR.finditer(low)]
    if "/" in low:
        found.extend((m.start(3), full_year(m.group(3))) for m in NUMERIC_DATE.finditer(low))
        found.sort()
    out: list[int] = []
    for _, year in found:
        if year not in out and 1950 <= year <= 2099:
            out.append(year)
    return out


def full_year(digits: str) -> int:
    """A year from its last two digits as dates write them ("10" is 2010, "98" 1998)."""
    if len(digits) == 4:
        return int(digits)
    yy = int(digits)
    return 2000 + yy if yy < 50 else 1900 + yy


@dataclass(frozen=True, slots=True)
class QuestionInfo:
    """What the planner reads from a question."""

    text: str
    tokens: tuple[str, ...]
    content: tuple[str, ...]
    weights: dict[str, float] = field(default_factory=dict)
    years: tuple[int, ...] = ()
    numbers: tuple[float, ...] = ()
    number_percent: tuple[bool, ...] = ()

    @property
    def old_year(self) -> int | None:
        return min(self.years) if self.years else None

    @property
    def new_year(self) -> int | None:
        return max(self.years) if self.years else None


def analyze(question: str) -> QuestionInfo:
    """Tokens, content stems with weights, years and non-year numbers of a question (a day
    glued to its year, FinQA's "december 312012", is parted first). A question comparing the
    one year it names with the prior year period names that year too."""
    question = unglue_dates(question)
    tokens = tuple(words(question))
    years = tuple(years_in(question))
    if len(set(years)) == 1 and _PRIOR_YEAR.search(question):
        years = (*years, years[0] - 1)  # the year before is named too, by reference
    content: list[str] = []
    weights: dict[str, float] = {}
    for i, tok in enumerate(tokens):
        if tok in _STOP or tok[0].isdigit() or len(tok) < 2:
            continue
        if tok == "net" and i + 1 < len(tokens) and tokens[i + 1] in _NET_OF:
            continue  # "the net difference in sale of systems" names systems, not net sales
        s = stem(tok)
        if s not in weights:
            content.append(s)
            weights[s] = 0.4 if tok in _GENERIC else 1.0
    numbers, percent = [], []
    low = question.lower()
    dates = [m.span() for m in NUMERIC_DATE.finditer(low)] if "/" in low else []
    cursor = 0
    for num in find_numbers(question):
        # where this number is written (numbers come in reading order), so "8" of "July 8,
        # 2018" is looked up after "2018" of "September 30, 2018", not inside it
        at = low.find(num.text.lower(), cursor) if num.text else -1
        if at >= 0:
            cursor = at + len(num.text)
        if num.kind.value == "none" and float(num.value).is_integer() and int(num.value) in years:
            continue
        if any(a <= at < b for a, b in dates):  # "12/31/10" is a date, not 12, 31 and 10
            continue
        if num.kind.value == "none" and at > 0 and _MONTH_BEFORE.search(low[:at]):
            continue
        day = num.kind.value == "none" and float(num.value).is_integer() and 1 <= num.value <= 31
        if day and at >= 0 and _MONTH_AFTER.match(low[at + len(num.text) :]):
            continue
        numbers.append(float(num.value))
        percent.append(num.kind.value == "percent")
    return QuestionInfo(
        question, tokens, tuple(content), weights, years, tuple(numbers), tuple(percent)
    )


def label_match(info: QuestionInfo, label_words: Iterable[str]) -> tuple[float, float, int]:
    """How well a label names the question's metric.

    Returns ``(recall, precision, position)``: the weighted share of the question's content
    stems found in the label, the share of the label's content stems found in the question,
    and the token position in the question of the first matched stem (-1 if none).
    """
    label = _label_stems(tuple(label_words))
    if not label or not info.content:
        return 0.0, 0.0, -1
    total = sum(info.weights.values())
    hit = [s for s in info.content if s in label]
    recall = sum(info.weights[s] for s in hit) / total
    precision = len(label & set(hit)) / len(label)
    position = -1
    if hit:
        first = set(hit)
        position = next((i for i, t in enumerate(info.tokens) if stem(t) in first), -1)
    return recall, precision, position


def label_stems(label_words: Iterable[str]) -> frozenset[str]:
    """The content stems of a label (stop words and numbers left out)."""
    return _label_stems(tuple(label_words))


def qualifies(info: QuestionInfo, label_words: Iterable[str]) -> str | None:
    """A word of a label that qualifies the question's metric and that the question does not
    say ("current" of "Total current liabilities" for "total liabilities"); generic words
    ("net", "operating", "total") and numbers do not count. None when there is none."""
    asked = {stem(t) for t in info.tokens}
    for w in label_words:
        if w in _STOP or w in _GENERIC or w[0].isdigit() or len(w) < 2:
            continue
        if stem(w) not in asked:
            return w
    return None


def names_metric(info: QuestionInfo, words: Iterable[str]) -> bool:
    """Whether ``words`` (a row's label, group heading and column header) name the question's
    metric: one of its content words other than a month and "total". A month only dates the
    line ("Outstanding at December 31, 2022" does not answer "How many employees did PepsiCo
    have as of December 31, 2022?"), and "total" alone does not make "Total cash provided by
    operating activities" the "total liabilities" asked. A question with no other content
    word is named by any match."""
    metric = {
        s
        for t, s in zip(info.tokens, map(stem, info.tokens), strict=True)
        if s in info.weights and t != "total" and t not in MONTH_WORDS
    }
    found = _label_stems(tuple(words))
    return not metric or not metric.isdisjoint(found)


@lru_cache(maxsize=16384)
def _label_stems(label_words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(stem(w) for w in label_words if w not in _STOP and not w[0].isdigit())


def cue_before(info: QuestionInfo, position: int, cues: Sequence[str] | frozenset[str]) -> bool:
    """Whether one of ``cues`` occurs within the three tokens before ``position``."""
    if position < 0:
        return False
    window = info.tokens[max(0, position - 3) : position]
    return any(t in cues for t in window)


def denominator_cue(info: QuestionInfo, position: int) -> float:
    """+1 when the words before ``position`` mark a denominator ("to X", "percentage of X"),
    -1 when they mark a numerator ("ratio of X"), 0 otherwise."""
    if position < 0:
        return 0.0
    window = info.tokens[max(0, position - 3) : position]
    for i in range(len(window) - 1, -1, -1):
        tok = window[i]
        if tok in _STRICT_DENOMINATOR:
            return 1.0
        if tok == "of":
            before = (
                window[i - 1] if i > 0 else (info.tokens[position - 4] if position >= 4 else "")
            )
            if before in _WHOLE_BEFORE_OF or (before == "the" and "total" in window):
                return 1.0
            return -1.0 if before in ("ratio", "rate") else 0.0
    return 0.0


# words shared by the cues below and the table operation they name (``table_op_named``)
_MAX_WORDS = r"\bhighest|\bmaximum|\bpeak|\blargest"
_MIN_WORDS = r"\blowest|\bminimum|\bsmallest"
# "weighted-average shares" names a metric the filings state, not an average to compute: of
# the eleven training questions saying "weighted average", the one that averages also says
# "the average cost" on its own
_AVERAGE_WORDS = r"(?<!weighted[- ])average|\bmean\b"

_CUES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(rx))
    for name, rx in (
        ("percent", r"percent|%|\bpct\b"),
        (
            "change",
            r"\bchange|increase|decrease|grow|growth|decline|\brise|\bfell|\bdrop|\broi\b|return",
        ),
        (
            "share_of",
            r"portion|proportion|share of|percent(age)? of|% of|fraction|composed|\bof (the )?total",
        ),
        # "per" names a quotient ("revenue per employee"), but "per share" names a metric the
        # filings state ("diluted earnings per share", "dividends declared per common share")
        (
            "ratio",
            r"\bratio|\btimes\b|multiple|\bper\b(?!\s+(?:(?:basic|diluted|common|ordinary)\s+)*share)"
            r"|\bmargin|\byield\b|\bas a (percent|%)",
        ),
        ("average", _AVERAGE_WORDS),
        ("total", r"\btotal|\bsum\b|combined|aggregate|together|\bboth\b|\ball\b"),
        ("difference", r"difference|\bmore than|\bless than|\bhow much (more|less|higher|lower)"),
        (
            "compare",
            r"\bgreater|\bexceed|\bhigher than|\blower than|\bwas .* (more|less) than"
            r"|(^|, )did .*\?$",
        ),
        ("extreme", f"{_MAX_WORDS}|{_MIN_WORDS}"),
        ("from_to", r"\bfrom\b.*\bto\b|\bbetween\b.*\band\b"),
        ("yes_no", r"^(is|was|were|did|does|do|are|has|have)\b"),
        # Cues that name one sketch outright in financial writing; appended so the first nine
        # (the arithmetic cues the lookup test reads) keep their positions.
        (
            "relative_change",
            r"percent(age)?\s+(change|increase|decrease|growth|decline|rise|drop|reduction|gain)"
            r"|growth rate|rate of (growth|change|increase|decrease|decline)|\broi\b"
            r"|return on (an |the )?investment|% (change|increase|decrease)"
            r"|(change|increase|decrease|grow|decline|rise|fell|drop)[a-z]*\s+(by\s+)?"
            r"(what|how much)\s+(percent|%)|by what percent",
        ),
        ("points", r"basis points?|percentage points?|\bbps\b"),
        ("range", r"\brange\b|\bvariance\b|\bspread\b"),
        ("three_periods", r"\bthree\b|\b3[- ]year|\btriennial"),
        ("complement", r"\bnot\b|\bexcluding\b|\bother than\b|\bremaining\b|\brest of\b"),
    )
)


def cue_flags(text: str) -> list[float]:
    """Hand-built cue indicators of the arithmetic a question asks for."""
    low = text.lower()
    return [float(bool(rx.search(low))) for _, rx in _CUES]


CUE_NAMES = tuple(name for name, _ in _CUES)
_CHANGE = dict(_CUES)["change"]


@lru_cache(maxsize=1024)
def asks_change(text: str) -> bool:
    """Whether the question asks how something moved ("change", "increase", "growth")."""
    return bool(_CHANGE.search(text.lower()))


# Sketch families a cue names outright (checked in this order; several may fire).
_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("relative_change", ("change",)),
    ("share_of", ("ratio",)),
    ("ratio", ("ratio",)),
    ("average", ("avg", "table")),
    ("extreme", ("table",)),
    ("compare", ("greater",)),
    ("difference", ("diff",)),
    ("range", ("diff",)),
    ("points", ("diff",)),
    ("total", ("sum", "table")),
)


# Which table operation a cue names ("the highest balance" -> table_max): the family rule above
# says "table"; this says which of the four, checked in order.
_TABLE_OPS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("table_max", re.compile(_MAX_WORDS)),
    ("table_min", re.compile(_MIN_WORDS)),
    ("table_average", re.compile(_AVERAGE_WORDS)),
    ("table_sum", re.compile(r"\btotal|\bsum\b|combined|aggregate")),
)


def table_op_named(text: str) -> str | None:
    """The ``table_*`` sketch a question's wording names, if any."""
    low = text.lower()
    return next((name for name, rx in _TABLE_OPS if rx.search(low)), None)


def rule_families(text: str) -> frozenset[str]:
    """Sketch families the question's wording names ("growth rate" -> change, "portion of" ->
    ratio, "average" -> avg, ...): domain knowledge the ranker weighs against the classifier.
    A plain "change / increase" without a percent word names a difference."""
    flags = dict(zip(CUE_NAMES, cue_flags(text), strict=True))
    out: set[str] = set()
    for cue, families in _RULES:
        # "portion of total X" names the whole of a share, not a sum
        if flags[cue] and not (cue == "total" and flags["share_of"]):
            out.update(families)
    if flags["change"] and not flags["percent"] and not flags["relative_change"]:
        out.add("diff")
    if flags["percent"] and flags["change"] and not flags["points"]:
        out.add("change")
    return frozenset(out)
