"""Formulas a question states or names: "Define EBITDA as operating income + D&A", "EBITDA margin".

Analysts often say how a figure is computed ("Define unadjusted EBITDA as unadjusted operating
income + depreciation and amortization"), or name a metric that filings rarely report as a line
(EBITDA, EBITDA margin, free cash flow) and then combine it ("EBITDA less capex"). This module
reads such a question into a :class:`Formula`, an expression over *terms* (metric phrases a
filing reports as lines), with no model:

* a **stated definition** (:func:`stated_definitions`): "define X as <expr>", "X is defined /
  calculated as <expr>", "calculate X as <expr>", where ``<expr>`` joins terms with ``+``, ``-``,
  ``/``, ``*``, "plus", "minus", "less", "divided by", "over", "times" and parentheses;
* a **named composite** (:data:`COMPOSITES`): EBITDA (operating income + depreciation and
  amortization), EBITDA margin (EBITDA / revenue, a percentage), free cash flow (operating cash
  flow - capital expenditures). "Adjusted EBITDA" is the filer's own non-GAAP measure and is
  not computed here: it is read where the filing states it;
* then what the question asks of it (:func:`asked_formula`): the name alone, or the name
  combined with more terms ("EBITDA less capex", "free cash flow minus dividends").

The planner grounds each term in the evidence and builds the program
(:mod:`finrag.planning.offline.formula_plan`); the pipeline retrieves evidence for each term
(:func:`retrieval_queries`), since the lines of one formula often sit in two statements (the
income statement and the cash flow statement) that one search does not both bring back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Union

from finrag.documents.model import Chunk, ChunkKind
from finrag.lexical import stem, words

__all__ = [
    "COMPOSITES",
    "BinOp",
    "Formula",
    "Term",
    "TermQuery",
    "asked_formula",
    "first_sentence",
    "line_words",
    "names_line",
    "names_row",
    "parse_expression",
    "render",
    "retrieval_queries",
    "says",
    "stated_definitions",
    "term_queries",
    "term_readings",
]


@dataclass(frozen=True, slots=True)
class Term:
    """A metric phrase the filing reports as a line ("operating income")."""

    phrase: str


@dataclass(frozen=True, slots=True)
class BinOp:
    """``left <op> right`` with ``op`` one of ``+ - * /``."""

    op: str
    left: Expr
    right: Expr


Expr = Union[Term, BinOp]  # noqa: UP007 (a runtime alias: dataclass fields refer to it)


def terms_of(expr: Expr) -> list[Term]:
    """The terms of ``expr``, left to right."""
    if isinstance(expr, Term):
        return [expr]
    return terms_of(expr.left) + terms_of(expr.right)


def render(expr: Expr) -> str:
    """``expr`` written out: ``(operating income + depreciation and amortization) / revenue``."""
    if isinstance(expr, Term):
        return expr.phrase
    left, right = render(expr.left), render(expr.right)
    if isinstance(expr.left, BinOp) and _PRECEDENCE[expr.left.op] < _PRECEDENCE[expr.op]:
        left = f"({left})"
    if isinstance(expr.right, BinOp) and _PRECEDENCE[expr.right.op] <= _PRECEDENCE[expr.op]:
        right = f"({right})"
    return f"{left} {expr.op} {right}"


@dataclass(frozen=True, slots=True)
class Formula:
    """What the question asks, as an expression over terms, and how it was read."""

    name: str  # what the question calls it ("unadjusted EBITDA less capex")
    expr: Expr
    percent: bool  # a margin: the ratio is shown as a percentage
    source: str  # "stated" (the question defines it) or "named" (a composite of COMPOSITES)

    @property
    def terms(self) -> list[Term]:
        return terms_of(self.expr)

    def __str__(self) -> str:
        return render(self.expr)


_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}
_OPERATOR_WORDS = {
    "+": "+",
    "plus": "+",
    "-": "-",
    "minus": "-",
    "less": "-",
    "*": "*",
    "times": "*",
    "/": "/",
    "over": "/",
    "divided by": "/",
}
# "-" is an operator only between spaces ("debt-to-equity" is a word); "less than" compares.
_TOKEN = re.compile(
    r"\s*(\(|\)|\+|\s-\s|\*|/|\bplus\b|\bminus\b|\bless\b(?!\s+than)|\btimes\b|\bover\b"
    r"|\bdivided\s+by\b)\s*",
    re.IGNORECASE,
)
# Words around a term that name no line: articles, "the company's", "total" stays.
_FILLER = re.compile(r"^(?:the|a|an|its|their|company'?s|total of)\s+", re.IGNORECASE)
_NOTE = re.compile(r"\[[^\]]*\]")  # "[from cash flow statement]"


def parse_expression(text: str) -> Expr | None:
    """The expression ``text`` writes, or None when it joins no two terms with an operator
    (or does not parse: an operator without a term on one side, unbalanced parentheses)."""
    text = _NOTE.sub(" ", text)
    parts = [p for p in _TOKEN.split(f" {text} ") if p is not None]
    tokens: list[tuple[str, str]] = []
    for part in parts:
        word = " ".join(part.split()).lower()
        if not word:
            continue
        if word in ("(", ")"):
            tokens.append((word, word))
        elif word in _OPERATOR_WORDS or word.startswith("divided"):
            tokens.append(("op", _OPERATOR_WORDS.get(word, "/")))
        else:
            tokens.append(("term", part.strip()))
    tokens = _drop_notes(tokens)
    if not any(kind == "op" for kind, _ in tokens):
        return None
    parser = _Parser(tokens)
    expr = parser.expression()
    if expr is None or parser.pos != len(tokens):
        return None
    return expr


def _drop_notes(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Parentheses around a lone term are a note ("D&A (from cash flow statement)"), not a
    group: the note is dropped."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(tokens):
        if (
            tokens[i][0] == "("
            and i + 2 < len(tokens)
            and tokens[i + 1][0] == "term"
            and tokens[i + 2][0] == ")"
            and out
            and out[-1][0] == "term"
        ):
            i += 3
            continue
        out.append(tokens[i])
        i += 1
    return out


class _Parser:
    """Recursive descent over ``term (op term)*`` with the usual precedence."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def expression(self, level: int = 1) -> Expr | None:
        left = self.atom() if level > 2 else self.expression(level + 1)
        while left is not None:
            token = self._peek()
            if token is None or token[0] != "op" or _PRECEDENCE[token[1]] != level:
                break
            self.pos += 1
            right = self.atom() if level >= 2 else self.expression(level + 1)
            if right is None:
                return None
            left = BinOp(token[1], left, right)
        return left

    def atom(self) -> Expr | None:
        token = self._peek()
        if token is None:
            return None
        if token[0] == "(":
            self.pos += 1
            inner = self.expression()
            if inner is None or self._peek() != (")", ")"):
                return None
            self.pos += 1
            return inner
        if token[0] == "term":
            self.pos += 1
            phrase = _FILLER.sub("", " ".join(token[1].split())).strip(" ,")
            return Term(phrase) if phrase else None
        return None


@dataclass(frozen=True, slots=True)
class Composite:
    """A metric analysts name that filings seldom report as a line, and its definition."""

    pattern: re.Pattern[str]
    expr: Expr
    percent: bool = False


def _composite(name: str, definition: str, percent: bool = False) -> Composite:
    expr = parse_expression(definition)
    assert expr is not None, definition
    # "adjusted EBITDA" is the filer's own measure; "unadjusted EBITDA" is the textbook one
    pattern = re.compile(rf"(?<!\w)(?<!(?<!un)adjusted )(?:{name})(?!\w)", re.IGNORECASE)
    return Composite(pattern, expr, percent)


_EBITDA = "operating income + depreciation and amortization"

#: Named composites, most specific first (the margin before the plain name).
COMPOSITES: tuple[Composite, ...] = (
    _composite(r"(?:unadjusted )?ebitda\s*(?:%\s*)?margin", f"({_EBITDA}) / revenue", True),
    _composite(r"(?:unadjusted )?ebitda", _EBITDA),
    _composite(
        r"free cash flows?", "net cash provided by operating activities - capital expenditures"
    ),
)

# Common names of the same line, tried in turn when grounding a term (the first is the term).
_SYNONYMS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = tuple(
    (re.compile(rf"^(?:{pattern})$", re.IGNORECASE), readings)
    for pattern, readings in (
        (
            r"(?:unadjusted )?(?:operating (?:income|profit|earnings|loss)|(?:income|earnings|loss)"
            r" from operations)",
            (
                "operating income",
                "operating profit",
                "income from operations",
                "earnings from operations",
                "loss from operations",
                "operating loss",
            ),
        ),
        (r"d\s*&\s*a|depreciation (?:&|and) amortization", ("depreciation and amortization",)),
        (
            r"capex|capital expenditures?|capital spending",
            (
                "capital expenditures",
                "capital spending",
                "purchases of property and equipment",
                "property, plant and equipment additions",
                "additions to property and equipment",
                "payments for property and equipment",
            ),
        ),
        (r"(?:total |net )?revenues?", ("revenue", "net revenue", "net sales", "total revenues")),
        (r"(?:net )?sales", ("net sales", "revenue")),
        (
            r"(?:net )?cash (?:provided by|from) operati(?:ons|ng activities)|operating cash flows?",
            ("net cash provided by operating activities", "cash from operations"),
        ),
    )
)


def term_readings(term: Term) -> tuple[str, ...]:
    """The phrases a filing may label the term's line with, the term's own first."""
    phrase = " ".join(term.phrase.split())
    return tuple(dict.fromkeys((phrase, *_usual_labels(phrase))))


def _usual_labels(phrase: str) -> tuple[str, ...]:
    for pattern, readings in _SYNONYMS:
        if pattern.match(phrase):
            return readings
    return ()


_CLAUSE_END = r"(?=[.;?!]|\bthen\b|$)"
# Names and expressions are bounded (a metric's name is a few words): the lazy scans stay
# linear in the question's length instead of quadratic on a pasted page of text.
_NAME = r"[^.;?]{1,80}?"
_EXPR = r"[^.;?]{1,300}?"
_STATED = (
    re.compile(rf"\bdefine[sd]?\s+(?P<name>{_NAME})\s+as\s+(?P<expr>{_EXPR}){_CLAUSE_END}", re.I),
    re.compile(
        rf"\b(?P<name>[A-Za-z][^.;?,]{{0,80}}?)\s+(?:is|are|=)\s+"
        rf"(?:defined|calculated|computed|measured)\s+as\s+(?P<expr>{_EXPR}){_CLAUSE_END}",
        re.I,
    ),
    re.compile(rf"\bcalculate\s+(?P<name>{_NAME})\s+as\s+(?P<expr>{_EXPR}){_CLAUSE_END}", re.I),
)


def stated_definitions(question: str) -> dict[str, Expr]:
    """The definitions the question states, by the name it defines (lower case)."""
    out: dict[str, Expr] = {}
    for pattern in _STATED:
        for match in pattern.finditer(question):
            expr = parse_expression(match.group("expr"))
            name = _FILLER.sub("", " ".join(match.group("name").split())).lower()
            if expr is not None and name and name not in out:
                out[name] = expr
    return out


_SENTENCE = re.compile(r"(?<=[.?!])\s+")


def first_sentence(question: str) -> str:
    """The question proper: what precedes the instructions an analyst adds after it."""
    return _SENTENCE.split(question.strip(), maxsplit=1)[0]


# After the name: "<op> <term>" up to a preposition that starts the period or the filer.
_PREPOSITION = r"(?:for|in|of|at|during|as\s+of|from|by|on|over)\b"
_TAIL = re.compile(
    r"^\s*(?P<op>\+|-|plus|minus|less(?!\s+than)|divided\s+by|over|times)\s+"
    rf"(?!{_PREPOSITION})(?P<term>[^\s,?.;:][^,?.;:]{{0,79}}?)(?=\s+{_PREPOSITION}|[,?.;:]|$)",
    re.IGNORECASE,
)
_MAX_TAIL = 4  # "EBITDA less capex less dividends ..."


@lru_cache(maxsize=1024)
def asked_formula(question: str) -> Formula | None:
    """The formula the question asks for (its first sentence names it), or None.

    A name the question defines wins over a composite of the same name; what follows the name
    ("less capex") is combined with it, left to right."""
    first = first_sentence(question)
    stated = stated_definitions(question)
    found = _find_stated(first, stated) or _find_composite(first)
    if found is None:
        return None
    start, end, expr, percent, source = found
    rest = first[end:]
    name_end = end
    for _ in range(_MAX_TAIL):
        tail = _TAIL.match(rest)
        if tail is None:
            break
        term = parse_expression(f"x {tail.group('op')} {tail.group('term')}")
        if not isinstance(term, BinOp) or not isinstance(term.right, Term):
            break
        expr = BinOp(term.op, expr, term.right)
        rest = rest[tail.end() :]
        name_end = len(first) - len(rest)
    name = " ".join(first[start:name_end].split())
    return Formula(name, expr, percent and isinstance(expr, BinOp) and expr.op == "/", source)


def _find_stated(sentence: str, stated: dict[str, Expr]) -> tuple[int, int, Expr, bool, str] | None:
    for name, expr in sorted(stated.items(), key=lambda kv: -len(kv[0])):
        at = sentence.lower().find(name)
        if at >= 0:
            margin = re.match(r"\s*(?:%\s*)?margin\b", sentence[at + len(name) :], re.I)
            if margin:  # "EBITDA % margin" with EBITDA defined: EBITDA / revenue
                end = at + len(name) + margin.end()
                return at, end, BinOp("/", expr, Term("revenue")), True, "stated"
            return at, at + len(name), expr, False, "stated"
    return None


def _find_composite(sentence: str) -> tuple[int, int, Expr, bool, str] | None:
    for composite in COMPOSITES:
        match = composite.pattern.search(sentence)
        if match is not None:
            return match.start(), match.end(), composite.expr, composite.percent, "named"
    return None


@dataclass(frozen=True, slots=True)
class TermQuery:
    """A search for one line of a formula under one of the names filings give it."""

    text: str  # what to search: "loss from operations 2022"
    name: str  # the name searched: "loss from operations"
    primary: bool  # the line's usual name: every hit is kept, not only lines that name it
    usual: str  # the line's usual name ("operating income")


def retrieval_queries(question: str) -> list[TermQuery]:
    """The searches for the lines of the formula the question asks for, one per name a line
    may carry, with the question's years ("operating income 2022", "operating profit 2022",
    "loss from operations 2022", ...; the term itself when it has no usual names); empty when
    it asks for none. Boeing's income statement says "Loss from operations", which a search
    for "operating income" did not find. The pipeline keeps the hits of the other names only
    when they name the line (:func:`names_line`), and skips them when it already holds a table
    row under the usual name (not a sentence: "Capital expenditures totaled $1.2 billion" is
    rounded, the cash flow line is not). One search for all the other names at once found
    Boeing's segment line "(Loss)/earnings from operations", which has more of their words,
    and not the consolidated "Loss from operations"."""
    formula = asked_formula(question)
    if formula is None:
        return []
    return term_queries([term.phrase for term in formula.terms], question)


def term_queries(phrases: Sequence[str], question: str) -> list[TermQuery]:
    """The searches for lines named ``phrases``: one per name each line may carry, with the
    question's years."""
    years = " ".join(dict.fromkeys(re.findall(r"(?:19|20)\d\d", question)))
    out: dict[str, TermQuery] = {}
    for phrase in phrases:
        names = _usual_labels(" ".join(phrase.split())) or (phrase,)
        for name in names:
            text = f"{name} {years}".strip()
            out.setdefault(text, TermQuery(text, name, name == names[0], names[0]))
    return list(out.values())


_JOINERS = frozenset({"and", "of", "from", "the", "for", "in", "to", "by", "on", "at"})


def line_words(text: str) -> list[str]:
    """The stems of a line's or a reading's words, joiners ("and", "of", ...) left out."""
    return [stem(w) for w in words(text) if w not in _JOINERS]


def says(line: Sequence[str], want: Sequence[str], gap: int = 1) -> bool:
    """The reading's words in the line in their order, at most ``gap`` other words between
    two of them ("Depreciation, depletion and amortization", "Income (loss) from
    operations"), and not as a "non-" phrase ("Non-operating income"). "(Loss)/income from
    operating investments" does not say "operating income"."""
    if not want:
        return False
    for i, word in enumerate(line):
        if word != want[0] or (i > 0 and line[i - 1] == "non"):
            continue
        at, ok = i, True
        for nxt in want[1:]:
            window = line[at + 1 : at + 2 + gap]
            if nxt not in window:
                ok = False
                break
            at = at + 1 + list(window).index(nxt)
        if ok:
            return True
    return False


# A row label that only closes its group ("Total" under "Net revenue").
_CLOSING = frozenset({"total", "net", "consolidat"})


def names_row(group: str, label: str, reading: str) -> bool:
    """Whether a table row names the line: its label says the reading (:func:`says`), or it
    is the total of a group heading that does ("Net revenue" / "Total"). Not across the two:
    "Income taxes receivable" under "... operating activities" is no operating income."""
    want = line_words(reading)
    row = line_words(label)
    return says(row, want) or (set(row) <= _CLOSING and says(line_words(group), want))


def names_line(chunk: Chunk, reading: str) -> bool:
    """Whether a chunk states the line a reading names: a table row (:func:`names_row`), or a
    sentence that says it (:func:`says`)."""
    if chunk.kind is ChunkKind.TABLE_ROW:
        return names_row(chunk.group, chunk.row_label or "", reading)
    return says(line_words(chunk.text), line_words(reading))
