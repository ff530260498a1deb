"""Ground a :class:`~finrag.planning.formulas.Formula` in the evidence and write its program.

Each term ("operating income", "capex") is read like a lookup question of its own, "what was
<term> in <year>?", under each name a filing may give the line
(:func:`~finrag.planning.formulas.term_readings`: "capex" is also "capital spending"): the
lookup model (trained on TAT-QA's one-number answers, ``train.fit_lookup``) scores every number
of the evidence, a softmax over them summed over the places the same value is read is the
term's confidence, and the best-scoring reading wins. The program combines the terms' cells in
the formula's order; its confidence is the product of the terms' (they are read
independently), and each term must itself clear the lookup floor.

Cash-flow statements print outflows negative ("Capital spending | (5,207)"): "EBITDA less
capex" subtracts the outflow's size, so subtracting a term read as a negative number is written
as adding it (``add(#0, @capex)``), which the trace shows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from finrag.documents.model import Chunk, ChunkKind
from finrag.dsl.ast import Arg, Op, Program, Step, StepRef
from finrag.dsl.units import Kind
from finrag.planning.formulas import (
    COMPOSITES,
    BinOp,
    Expr,
    Formula,
    Term,
    first_sentence,
    line_words,
    names_row,
    says,
    term_readings,
)

from .candidates import Operand, operands_from
from .core import operand_matrix
from .listwise import answer_probs
from .model import OfflineModel, softmax
from .scope import prefer_consolidated
from .text import CUE_NAMES, QuestionInfo, analyze, cue_flags

__all__ = ["GroundedFormula", "asks_formula_alone", "ground", "states_composite"]

# Cues of arithmetic asked *of* the formula ("the change in EBITDA", "EBITDA as a percentage
# of revenue"): a program the formula path does not write.
_OTHER_ARITHMETIC = frozenset(
    {
        "percent",
        "change",
        "share_of",
        "ratio",
        "average",
        "difference",
        "compare",
        "extreme",
        "from_to",
    }
)
_BLOCKING = tuple(i for i, name in enumerate(CUE_NAMES) if name in _OTHER_ARITHMETIC)
_RATE = re.compile(r"%|percent|margin|rate|ratio|yield", re.IGNORECASE)
_OPS = {"+": Op.ADD, "-": Op.SUBTRACT, "*": Op.MULTIPLY, "/": Op.DIVIDE}


@dataclass(frozen=True, slots=True)
class GroundedTerm:
    """The number read for one term, under which name, and how sure."""

    phrase: str
    reading: str
    operand: Operand
    confidence: float


@dataclass(frozen=True, slots=True)
class GroundedFormula:
    """A formula's program, the terms it reads and its confidence (product of the terms')."""

    program: Program
    terms: tuple[GroundedTerm, ...]
    confidence: float

    @property
    def weakest(self) -> GroundedTerm:
        return min(self.terms, key=lambda t: t.confidence)


def asks_formula_alone(formula: Formula, info: QuestionInfo) -> bool:
    """The question asks for the formula's value for one period, not how it moved or what
    share of it something is ("the change in EBITDA from 2021 to 2022")."""
    if len(info.years) > 1:
        return False
    rest = first_sentence(info.text).replace(formula.name, " ")
    flags = cue_flags(rest)
    return not any(flags[i] for i in _BLOCKING)


def states_composite(formula: Formula, evidence: Sequence[Chunk]) -> bool:
    """A named composite the filing reports as a line of its own ("EBITDA | 372"): it is read
    there (a lookup), not recomputed from a textbook definition the filer may not use."""
    if formula.source != "named":
        return False
    patterns = [c.pattern for c in COMPOSITES]
    for chunk in evidence:
        if chunk.kind is not ChunkKind.TABLE_ROW:
            continue
        label = " ".join(p for p in (chunk.group, chunk.row_label or "") if p)
        if any(p.search(label) for p in patterns) or re.search(r"\bebitda\b", label, re.I):
            return True
    return False


def _read_term(
    term: Term,
    year: int | None,
    numbers: Sequence[Operand],
    model: OfflineModel,
    narrow: Callable[[Sequence[Operand]], list[Operand]] = list,
) -> GroundedTerm | None:
    """The term's line: each number whose line names one of the term's readings is scored by
    the lookup model under that reading (its best, when several fit), and one softmax over all
    of them, summed over the places the same value is read, picks it. ``narrow`` keeps some of
    the numbers that name the term (:func:`.scope.prefer_consolidated`: the company's lines)."""
    named: dict[str, list[Operand]] = {}
    for reading in term_readings(term):
        named[reading] = [
            o
            for o in numbers
            if _names(o, reading)
            # a line of amounts is not a percentage ("Operating income | 11,512", not the
            # operating margin beside it), unless the term names a rate
            and (o.quantity.kind is not Kind.PERCENT or _RATE.search(reading) is not None)
        ]
    union = list({id(o): o for ops in named.values() for o in ops}.values())
    kept = {id(o) for o in narrow(union)}
    scored: dict[tuple[str, float], tuple[float, Operand, str]] = {}
    for reading, found in named.items():
        operands = [o for o in found if id(o) in kept]
        if not operands:
            continue
        info = analyze(f"what was {reading} in {year}?" if year else f"what was {reading}?")
        z = model.lookup_scores(operand_matrix(operands, info))
        for op, score in zip(operands, z.tolist(), strict=True):
            key = (op.text, op.in_units)
            if key not in scored or score > scored[key][0]:
                scored[key] = (score, op, reading)
    if not scored:
        return None
    entries = list(scored.values())
    probs = answer_probs(
        softmax(np.array([e[0] for e in entries])), [e[1].in_units for e in entries]
    )
    probs = _to_precise_cells(probs, [e[1] for e in entries])
    i = int(np.argmax(probs))
    _, op, reading = entries[i]
    return GroundedTerm(term.phrase, reading, op, float(probs[i]))


def _to_precise_cells(probs: np.ndarray, operands: Sequence[Operand]) -> np.ndarray:
    """A sentence's rounded figure and a table cell it rounds ("Capital expenditures totaled
    $1.2 billion" and "Payments to acquire property, plant and equipment | (1,222)") are one
    figure: the sentence's probability goes to the cell, the precise one (Boeing's free cash
    flow had been 3,512 - 1,200 million)."""
    out = probs.copy()
    for i, text in enumerate(operands):
        half = _half_unit(text) if text.source == "text" else None
        if half is None:
            continue
        cells = [
            j
            for j, cell in enumerate(operands)
            if cell.source == "table"
            and cell.in_units != text.in_units
            and abs(abs(cell.in_units) - abs(text.in_units)) <= half
        ]
        if cells:
            best = max(cells, key=lambda j: out[j])
            out[best] += out[i]
            out[i] = 0.0
    return out


_DECIMALS = re.compile(r"\d[\d,]*(?:\.(\d+))?")


def _half_unit(o: Operand) -> float | None:
    """Half of the last digit a sentence's number states, in units ("$1.2 billion": 0.05
    billion), or None when it states no scale (a bare figure is not a rounding)."""
    if o.quantity.scale.factor == 1:
        return None
    found = _DECIMALS.search(o.text.split("|")[0])
    decimals = len(found.group(1) or "") if found else 0
    return 0.5 * 10.0**-decimals * o.quantity.scale.factor


def _names(o: Operand, reading: str) -> bool:
    """Whether the number's line names the reading (:func:`~finrag.planning.formulas.says`):
    a table row's group heading and label, or its column header when the label names none of
    the reading's words (a table with the metrics across the top); the words near a number in
    a sentence. "Profit at the commencement of sales-type leases" is no operating profit,
    "(Loss)/income from operating investments" no operating income, and "Non-operating
    postretirement income ... was $58 million" none either: Boeing's EBITDA had added that
    $58 million to the depreciation."""
    want = line_words(reading)
    if o.source != "table":
        return says(line_words(" ".join(o.label)), want)
    if names_row(" ".join(o.group), " ".join(o.label), reading):
        return True
    header = line_words(" ".join(o.context[len(o.label) :]))
    return not set(want) & set(line_words(" ".join(o.label))) and says(header, want)


def ground(
    formula: Formula,
    info: QuestionInfo,
    evidence: Sequence[Chunk],
    model: OfflineModel,
    filers: Sequence[str] = (),
) -> GroundedFormula | None:
    """The formula's program over the evidence's cells, or None when a term is not found.
    ``filers``: the registrants in scope, so the company's name is not taken for a segment."""
    year = info.years[0] if info.years else None
    # the evidence's numbers (those of the question left out) do not depend on the reading
    numbers = [o for o in operands_from(evidence, info) if o.source != "question"]
    asked = analyze(first_sentence(info.text))
    metric = [formula.name, *(r for t in formula.terms for r in term_readings(t))]

    def narrow(found: Sequence[Operand]) -> list[Operand]:
        return prefer_consolidated(found, evidence, asked, metric, filers)

    read: dict[str, GroundedTerm] = {}
    for term in formula.terms:
        if term.phrase not in read:
            found = _read_term(term, year, numbers, model, narrow)
            if found is None:
                return None
            read[term.phrase] = found
    # the lines of one formula are amounts of one kind (a table whose rows print no "$" reads
    # as plain amounts, which are money beside money); a count or a per-share figure among
    # them is not the line the term names
    kinds = {
        Kind.MONEY if t.operand.quantity.kind is Kind.NONE else t.operand.quantity.kind
        for t in read.values()
        if not _RATE.search(t.reading)
    }
    if len(kinds) > 1:
        return None
    steps: list[Step] = []

    def emit(expr: Expr) -> Arg:
        if isinstance(expr, Term):
            return read[expr.phrase].operand.arg
        left, right = emit(expr.left), emit(expr.right)
        op = _OPS[expr.op]
        if (
            op is Op.SUBTRACT
            and isinstance(expr.right, Term)
            and read[expr.right.phrase].operand.quantity.value < 0
        ):
            op = Op.ADD  # "less capex" with capex printed as an outflow, (5,207)
        steps.append(Step(op, (left, right)))
        return StepRef(len(steps) - 1)

    root = formula.expr
    if not isinstance(root, BinOp):
        return None
    emit(root)
    terms = tuple(read.values())
    confidence = float(np.prod([t.confidence for t in terms]))
    kind = Kind.PERCENT if formula.percent else None
    return GroundedFormula(Program(tuple(steps), kind), terms, confidence)
