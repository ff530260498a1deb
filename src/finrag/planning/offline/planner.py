"""``OfflinePlanner``: FinRAG's embedded planner, no LLM and no network.

question (+ conversation) -> follow-up resolution -> what the question asks for (a description:
abstain; yes/no: a comparison, :mod:`.intent`) -> a formula it defines or names, each line
grounded by the lookup model (:mod:`.formula_plan`) -> a ratio named by its definition or
stated in a row (:mod:`.glossary`) -> sketch probabilities -> grounded candidate programs -> learned ranker
-> unit-guard execution check -> Plan, or an abstention whose reason names what was found. See docs/offline_planner.md for the method and its measured accuracy.

Versioning: ``Plan.prompt_version`` is ``"offline-<model version>"`` (the version in
``artifacts/metadata.json``, a hash of the model arrays), so every answer records which trained
model produced it; ``prompt_hash`` stays ``None`` (there is no prompt).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

from finrag.documents.abbreviations import as_written
from finrag.documents.model import Chunk, ChunkKind
from finrag.documents.tables import PER_SHARE, SHARE_COUNT
from finrag.dsl.ast import Arg, Program, Ref
from finrag.dsl.context import ExecutionContext
from finrag.dsl.executor import execute
from finrag.dsl.printer import to_string
from finrag.dsl.units import Kind
from finrag.errors import DSLError

from ..base import Plan, PlanRequest
from ..evidence import build_context
from ..formulas import Formula, asked_formula
from .candidates import (
    OPERAND_FEATURES,
    Operand,
    operands_from,
)
from .conversation import resolve
from .core import Scored, operand_probs, score
from .formula_plan import asks_formula_alone, ground, states_composite
from .glossary import named_ratio, stating_rows
from .intent import asks_yes_no, compares, description_reason
from .listwise import answer_probs
from .misread import misread, only_total, unasked_per_share
from .model import ARTIFACT_DIR, OfflineModel, load_model
from .programs import Candidate, answer_kind_for
from .returns import as_return_difference, index_return
from .scope import (
    adjusted_lines,
    asks_adjusted,
    consolidated,
    less_named,
    mentioned,
    prefer_balances,
    prefer_consolidated,
    prefer_reported,
    prefer_statement_lines,
    question_names,
    statement_copies,
    whole_company,
    without_parent_only,
)
from .sketches import build_program, sketch_by_name
from .text import (
    CUE_NAMES,
    QuestionInfo,
    analyze,
    cue_flags,
    label_match,
    names_metric,
    qualifies,
    stem,
)

__all__ = ["OfflinePlanner"]

_MAX_TRIES = 5
# Candidates read from lines the question does not name are passed over among this many.
_MAX_CANDIDATES = 40
_MAX_CHANGE = 50.0  # a |percent change| above 5,000% is implausible for a report
# A ratio of two reported figures outside [1e-4, 1e4] divides numbers of different scales
# (a count by an amount in millions); the training questions' ratios lie in [0.01, 9,400].
_RATIO_RANGE = (1e-4, 1e4)
# A lookup is one number read as the answer: it must be clearly named by the evidence.
_LOOKUP_FLOOR = 0.5
# A ratio read from the row that states it, for the year asked: a rule, not a model score.
_STATED_CONFIDENCE = 0.9
_COMPUTED = re.compile(
    r"\b(margin|ratio|rate|yield|(?<!weighted[- ])average|mean|change|growth|difference|longer|shorter|"
    r"more|less|if|would|combined|net of|excluding|including|remaining)\b"
)


# Words of a question that asks for a rate, a share or a percentage.
_ASKS_RATE = re.compile(
    r"percent|%|\brates?\b|ratio|margin|yield|return|growth|change|increase|decrease|decline"
    r"|proportion|\bshare\b|portion|interest|\broe\b|\broa\b|basis points|\bmix\b",
    re.IGNORECASE,
)


# "How many employees / stores / shares ...": a count, not an amount ("how many millions of
# dollars" asks for money; every TAT-QA "how many" question but one counts).
_COUNTS = re.compile(
    r"\bhow\s+many\b(?!\s+(?:of\s+)?(?:millions?|billions?|thousands?|dollars?|euros?|pounds?|"
    r"yen|\$))",
    re.IGNORECASE,
)


# Words of a row label that turn its metric into another one: "Income before income taxes"
# is no income tax, "Deferred Income Taxes" (a balance) no income taxes paid.
_TURNS = frozenset({"before", "after", "excluding", "excl", "less", "deferred"})


def _counts_shares(operand: Operand) -> bool:
    """A line that counts shares ("Weighted-average number of common shares outstanding")."""
    return bool(SHARE_COUNT.search(" ".join(operand.label)))


class _Lines(NamedTuple):
    """What the rules about which lines are read need, worked out once per question: the
    evidence by chunk id, the names the question writes (:func:`.scope.question_names`), the
    operands (by ``id``) that another table prints with more of the question's words
    (:func:`.scope.less_named`), the filers' names and the operands that are a note's line of
    a consolidated statement's label with another figure (:func:`.scope.prefer_statement_lines`:
    the fair value note's "Total assets")."""

    by_id: dict[str, Chunk]
    names: tuple[str, ...]
    less_named: frozenset[int]
    filers: tuple[str, ...]  # PlanRequest.filers
    note_copies: frozenset[int] = frozenset()

    @classmethod
    def of(
        cls,
        scored: Scored,
        evidence: Sequence[Chunk],
        info: QuestionInfo,
        names: tuple[str, ...],
        filers: tuple[str, ...] = (),
    ) -> _Lines:
        worse = less_named(scored.operands, evidence, info)
        by_id = {c.id: c for c in evidence}
        stated = {id(o) for o in prefer_statement_lines(scored.operands, evidence, info)}
        # a note's line of a statement's label with another figure (the same figure, rounded
        # or not, in a summary is the same line)
        figures: dict[tuple[str, ...], list[float]] = {}
        for o in scored.operands:
            if o.row_key in by_id and consolidated(by_id[o.row_key]):
                figures.setdefault(o.label, []).append(o.in_units)

        def copy(o: Operand) -> bool:
            return id(o) not in stated and not any(
                math.isclose(o.in_units, v, rel_tol=5e-3)
                for v in figures.get(o.label, [o.in_units])
            )

        return cls(
            by_id,
            names,
            frozenset(id(scored.operands[i]) for i in worse),
            filers,
            frozenset(id(o) for o in scored.operands if copy(o)),
        )


class Lookup(NamedTuple):
    """One number read as the answer: its program, confidence, the cut-off it must clear, the
    operand read and whether the question's words name it (:func:`_named`)."""

    program: Program
    confidence: float
    floor: float
    operand: Operand
    named: bool


class OfflinePlanner:
    """Plans with the committed offline model; deterministic and CPU-only."""

    name = "offline"

    def __init__(
        self,
        model: OfflineModel | None = None,
        *,
        artifacts: Path = ARTIFACT_DIR,
        threshold: float | None = None,
    ) -> None:
        self.model = model or load_model(artifacts)
        self.threshold = self.model.threshold if threshold is None else threshold
        self._override = threshold is not None
        if self._override:  # the audit trail shows a cut-off other than the model's
            self.name = f"offline:{self.threshold:g}"

    @property
    def version(self) -> str:
        return f"offline-{self.model.version}"

    def plan(self, request: PlanRequest) -> Plan:
        """A program for the question, or an abstention with the reason."""
        question = request.question
        follow = resolve(question, request.conversation)
        if follow is not None and follow.abstain:
            return self._abstain(follow.abstain)
        if follow is not None and follow.program is not None:
            return self._plan(follow.program, 0.9, request.evidence)
        if follow is not None and follow.question:
            question = follow.question
        if not request.evidence:
            return self._abstain("no evidence was retrieved for the question")
        # "Frito-Lay North America" is read as "FLNA" when the evidence's rows print only that
        rows = " ".join(c.text for c in request.evidence if c.kind is ChunkKind.TABLE_ROW)
        question = as_written(question, request.abbreviations, rows)
        # a segment's table is not read for a question about the company, nor the parent
        # company's own statements
        evidence = whole_company(request.evidence, question, request.abbreviations)
        evidence = without_parent_only(evidence, question)
        described = description_reason(question)
        if described is not None:
            return self._abstain(described)
        # a product, segment or place the question names must be in the evidence, and in
        # the lines read for it: "What was Eliquis revenue ...?" had read total revenues.
        # Only when the filer is known: else its own name would count as one
        names = question_names(question, request.filers) if request.filers else ()
        absent = [n for n in names if n not in mentioned(names, evidence)]
        if absent:
            return self._abstain(
                f"the question names {', '.join(absent)}, which none of the evidence mentions"
            )
        info = analyze(question)
        if asks_yes_no(question):
            if not compares(question):
                return self._abstain(
                    "a yes/no question that compares no two numbers (more, greater, exceed, "
                    "increase, ...); the offline planner answers numeric comparisons only"
                )
            return self._yes_no(info, evidence)
        # a formula the question defines or names ("EBITDA less capex"), unless the filing
        # states the named metric as a line of its own (then a lookup reads it)
        formula = asked_formula(question)
        if (
            formula is not None
            and asks_formula_alone(formula, info)
            and not states_composite(formula, evidence)
        ):
            return self._formula(formula, info, evidence, request.filers)
        # the return of a series of a performance graph, or how two series' returns differ
        # (no sketch of the classifier's catalogue computes the latter)
        returns = index_return(info, evidence)
        if returns is not None:
            return self._plan(returns, _STATED_CONFIDENCE, evidence)
        named = named_ratio(info)
        stated = stating_rows(named, evidence) if named is not None else []
        if stated and named is not None:  # a row states the ratio ("Effective income tax rate")
            metric = info.text[named.start : named.end]
            plan = self._stated(info, stated, metric, request.filers)
            if plan is not None:
                return plan
        scored = self._score(info, evidence)
        if named is not None and not stated:  # also read the ratio by its definition
            defined = analyze(named.reading(question))
            scored_defined = self._score(defined, evidence)
            if self._best(scored_defined) > self._best(scored):
                info, scored = defined, scored_defined
        lines = _Lines.of(scored, evidence, info, names, request.filers)
        lookup = self._lookup(info, scored, evidence, lines)
        if asks_one_value(info) or states_total(info, scored.operands):  # only a lookup answers
            return self._read_one(lookup, evidence)
        if self._lookup_wins(lookup, scored):
            assert lookup is not None
            return self._plan(lookup.program, lookup.confidence, evidence)
        return self._choose(info, scored, evidence, lines)

    def _read_one(self, lookup: Lookup | None, evidence: Sequence[Chunk]) -> Plan:
        """The answer to a question asking for one figure as stated: the lookup, when it
        clears its cut-off, else an abstention naming the best reading."""
        asks = "the question asks for one figure as stated, and no number of the evidence"
        if lookup is None:
            return self._abstain(f"{asks} can be read as it")
        p = lookup.confidence
        needed = self.threshold if self._override else lookup.floor
        best = lookup.operand.text[:80]
        if not lookup.named:
            return self._abstain(
                f"{asks} is named by its words: the best reading is {best}", round(p, 4)
            )
        if p >= needed:
            return self._plan(lookup.program, p, evidence)
        return self._abstain(
            f"{asks} is clearly it: the best reading, {best}, scores {p:.2f} < {needed:.2f}",
            round(p, 4),
        )

    def _score(self, info: QuestionInfo, evidence: Sequence[Chunk]) -> Scored:
        sketch_probs = self.model.sketch_probs(info)
        return score(info, evidence, sketch_probs, self.model.operand, self.model.ranker)

    def _yes_no(self, info: QuestionInfo, evidence: Sequence[Chunk]) -> Plan:
        """A yes/no answer is a comparison of two numbers (``greater``, the only sketch
        :meth:`~.model.OfflineModel.sketch_probs` gives a yes/no question) or an abstention."""
        scored = self._score(info, evidence)
        if not scored.candidates:
            return self._abstain(
                "a yes/no question: no comparison of two numbers in the evidence answers it"
            )
        return self._choose(info, scored, evidence, _Lines.of(scored, evidence, info, ()))

    def _best(self, scored: Scored) -> float:
        """The confidence of the best candidate (0 without candidates)."""
        if not scored.candidates:
            return 0.0
        return self.model.confidence_of(scored, 0)

    def _plan(self, program: Program, confidence: float, evidence: Sequence[Chunk]) -> Plan:
        return Plan(
            program, self.name, prompt_version=self.version, confidence=round(confidence, 4)
        )

    def _abstain(
        self, reason: str, confidence: float | None = None, errors: Sequence[str] = ()
    ) -> Plan:
        """No answer, saying why; ``errors`` keeps the candidates rejected on the way."""
        return Plan(
            None,
            self.name,
            prompt_version=self.version,
            confidence=confidence,
            abstain_reason=reason,
            errors=tuple(errors),
        )

    def _choose(
        self,
        info: QuestionInfo,
        scored: Scored,
        evidence: Sequence[Chunk],
        lines: _Lines,
    ) -> Plan:
        if not scored.candidates:
            what = (
                "no numbers"
                if scored.n_operands == 0
                else "no unit-compatible combination of numbers"
            )
            return self._abstain(f"the evidence has {what} for the likely programs")
        context = build_context(evidence)
        errors: list[str] = []
        tries = 0
        for i, cand in enumerate(scored.candidates[:_MAX_CANDIDATES]):
            # a reading of the wrong lines is passed over without counting as a try
            excluded = (
                misread(cand, info, lines.by_id)
                or _unnamed(cand, lines.names, lines.by_id)
                or _less_named(cand, lines.less_named)
                or _note_copy(cand, lines.note_copies)
            )
            if excluded:
                errors.append(f"{to_string(_program(cand, info))}: {excluded}")
                continue
            if tries == _MAX_TRIES:
                break
            tries += 1
            # a difference of two index values asked as a difference of returns
            program = as_return_difference(cand, info, lines.by_id) or _program(cand, info)
            problem = _check(program, cand, info, context)
            if problem:
                errors.append(f"{to_string(program)}: {problem}")
                continue
            p = self.model.confidence_of(scored, i)
            if p < self.threshold:
                reason = _low_reason(cand, p, self.threshold, scored)
                return self._abstain(reason, round(p, 4), errors)
            return Plan(
                program,
                self.name,
                prompt_version=self.version,
                confidence=round(p, 4),
                errors=tuple(errors),
            )
        return self._abstain(
            "every likely program failed the unit or plausibility check: " + "; ".join(errors[:3])
        )

    def _formula(
        self,
        formula: Formula,
        info: QuestionInfo,
        evidence: Sequence[Chunk],
        filers: Sequence[str] = (),
    ) -> Plan:
        """A formula the question defines or names (:mod:`finrag.planning.formulas`): each
        term read from the evidence (:func:`.formula_plan.ground`), the program run through
        the unit guard, answered when every term clears the lookup model's cut-off (each is a
        lookup); the answer's confidence is the product of the terms'."""
        grounded = ground(formula, info, evidence, self.model, filers)
        what = f"{formula.name} = {formula}"
        if grounded is None:
            missing = ", ".join(t.phrase for t in formula.terms)
            return self._abstain(
                f"{what}: the evidence does not show every line it needs, in one unit ({missing})"
            )
        # each line is a lookup: it must clear the lookup model's own cut-off; a cut-off the
        # caller chose (``offline:<min>``) applies to the product, the answer's confidence
        floor = self._lookup_floor
        needed = self.threshold if self._override else 0.0
        if grounded.weakest.confidence < floor or grounded.confidence < needed:
            shown = "; ".join(
                f"{t.phrase}: {t.operand.text[:60]} ({t.confidence:.2f})" for t in grounded.terms
            )
            return self._abstain(
                f"{what}: not every line is clearly identified ({shown}); each needs >= "
                f"{floor:.2f}" + (f" and their product >= {needed:.2f}" if needed else ""),
                round(grounded.confidence, 4),
            )
        try:
            execute(grounded.program, build_context(evidence))
        except DSLError as exc:
            return self._abstain(
                f"{what}: {to_string(grounded.program)} fails the unit check: {exc}"
            )
        return self._plan(grounded.program, grounded.confidence, evidence)

    def _stated(
        self,
        info: QuestionInfo,
        rows: Sequence[Chunk],
        metric: str = "",
        filers: Sequence[str] = (),
    ) -> Plan | None:
        """Read a ratio from the rows that state it ("Effective income tax rate | (0.6)%").

        With a year named, the cells of that year are the answer: one value is read with the
        fixed confidence of a rule (:data:`_STATED_CONFIDENCE`), several different values (one
        per segment) make an abstention that lists them, unless the question names only the
        metric, the company (``filers``) and the period and one value comes from the
        consolidated statements (:func:`.scope.prefer_consolidated`) and is the reported (GAAP)
        one (:func:`.scope.prefer_reported`): "What was Boeing's operating margin in 2022?" is
        the company's (5.3)%, not one of its segments' nor its "Core operating margin" (7.0)%.
        With no year, the operand model picks the column and its probability must pass the
        cut-off. None: nothing to read.
        """
        operands = [o for o in operands_from(rows, info) if o.source == "table"]
        if info.years:
            operands = [o for o in operands if set(info.years) & set(o.years)]
            confidence = _STATED_CONFIDENCE
        # the company's reported figure when only the metric, the company and the period are
        # named: not a segment's, not a non-GAAP "core" measure
        operands = prefer_reported(
            prefer_consolidated(operands, rows, info, [metric], filers), rows, info
        )
        if not operands:
            return None
        if not info.years:
            best, confidence = self._most_likely(operands, info)
            if confidence < self.threshold:
                return None
            operands = [o for o in operands if o.col == operands[best].col]
        values = {o.quantity.value for o in operands}
        if len(values) > 1:
            shown = "; ".join(_where(o, rows) for o in operands[:6])
            return self._abstain(
                f"the evidence states it with {len(values)} different values ({shown}); "
                "name the segment or line the question means"
            )
        cell = operands[0]
        kind = cell.quantity.kind if cell.quantity.kind is Kind.PERCENT else None
        return self._plan(_read(cell, kind), confidence, rows)

    def _most_likely(self, operands: Sequence[Operand], info: QuestionInfo) -> tuple[int, float]:
        """The operand the model finds most likely to be the answer (first on ties), and its
        probability."""
        probs = operand_probs(self.model.operand, operands, info)
        best = max(range(len(operands)), key=lambda i: (probs[i], -i))
        return best, float(probs[best])

    @property
    def _lookup_floor(self) -> float:
        """The confidence a number read as the answer needs: the lookup model's out-of-fold
        cut-off, never below an even chance."""
        return max(self.model.lookup_threshold, _LOOKUP_FLOOR)

    def _lookup_wins(self, lookup: Lookup | None, scored: Scored) -> bool:
        """A lookup beats the best program and is itself convincing enough."""
        if lookup is None or not lookup.named:
            return False
        if scored.probs and lookup.confidence <= scored.probs[0]:
            return False
        # the model's own cut-off has a floor for lookups; a cut-off the caller chose is kept
        return lookup.confidence >= (self.threshold if self._override else lookup.floor)

    def _lookup(
        self,
        info: QuestionInfo,
        scored: Scored,
        evidence: Sequence[Chunk],
        lines: _Lines,
    ) -> Lookup | None:
        """A single-value question ("what was X in 2019?"): no arithmetic cue, no number, at most
        one period, no computed-metric word (margin, ratio, rate, ...) unless a row's label
        carries it. "What was total revenue in 2022?" names a total row, not a sum to compute:
        its only cue is the word "total", and it reads a row labelled total. The number read
        is the lookup model's choice among the candidates, its softmax probability the
        confidence (trained on TAT-QA's one-number answers, ``train.fit_lookup``)."""
        total_row = only_total(info)
        if (any(cue_flags(info.text)[:9]) and not total_row) or info.numbers or len(info.years) > 1:
            return None
        computed = _COMPUTED.findall(info.text.lower())
        keep = [
            i
            for i, o in enumerate(scored.operands)
            if o.source != "question"
            and (not total_row or (o.source == "table" and _total_of(o, info)))
            # "net of", "rate", "yield" ... ask for a computation, unless a row's label names
            # it: "total revenues net of interest expense" is one of American Express's lines
            and (
                not computed
                or (
                    o.source == "table"
                    and _names_all(o, computed)
                    and _names_beyond(o, computed, info)
                )
            )
        ]
        if keep:
            # a line printed in two tables is read from the one that names more of the question
            keep = [i for i in keep if id(scored.operands[i]) not in lines.less_named] or keep
        if keep and lines.names:
            # the line read must be the named product's, segment's or place's
            keep = [
                i for i in keep if _mentions(scored.operands[i : i + 1], lines.names, lines.by_id)
            ]
        if keep and asks_adjusted(info):
            # "What was the adjusted cost of sales ...?": the adjusted lines, when the evidence
            # has some (Pfizer's "Non-GAAP Adjusted" row, not the income statement's line)
            marks = adjusted_lines([scored.operands[i] for i in keep], evidence)
            keep = [i for i, adj in zip(keep, marks, strict=True) if adj] or keep
        if keep and not _ASKS_RATE.search(info.text):
            # "What were total card member loans?" reads no percentage ("Reserve ... as a
            # percentage of total loans and Card Member receivables | 2.4%"): each of the 26
            # training lookups answered by a percentage names a rate, share or percent
            keep = [i for i in keep if scored.operands[i].quantity.kind is not Kind.PERCENT]
        if keep and _TURNS.isdisjoint(info.tokens):
            # "Income before income taxes" is not the income taxes asked: a label whose word
            # turns the metric into another ("before", "after", "excluding", "less") that the
            # question does not say is read only when nothing else is left
            plain = [i for i in keep if _TURNS.isdisjoint(scored.operands[i].label)]
            keep = plain or keep
        if keep and _COUNTS.search(info.text):
            # "How many employees did American Express have?" reads no amount of money
            # ("Salaries and employee benefits | 2022 | $7,252" had been read at 0.97)
            keep = [
                i
                for i in keep
                if scored.operands[i].quantity.kind not in (Kind.MONEY, Kind.PER_SHARE)
            ]
        if keep and PER_SHARE.search(info.text):
            # "What was the diluted EPS ...?" reads an amount per share when the evidence has
            # one, and never a count of shares (Pfizer's EPS note: 5,720 million diluted shares)
            per_share = [i for i in keep if scored.operands[i].quantity.kind is Kind.PER_SHARE]
            keep = per_share or [i for i in keep if not _counts_shares(scored.operands[i])]
        elif keep:
            # and an amount of a line, not the same line's amount per share under "Earnings per
            # common share", when the question says nothing of shares
            keep = [i for i in keep if not unasked_per_share(scored.operands[i], info)] or keep
        if keep:
            # a balance asked at a day is not the change over a period ending on it, and a
            # note's "Total liabilities" (those at fair value) is not the balance sheet's
            candidates = prefer_balances(
                [scored.operands[i] for i in keep], info, lines.filers, lines.by_id
            )
            candidates = prefer_statement_lines(candidates, evidence, info)
            # a line the consolidated statements print is read there, not from its copy in a
            # summary or a segment's table, when the question names nothing else
            candidates = statement_copies(candidates, evidence, info, lines.filers)
            kept = {id(o) for o in candidates}
            keep = [i for i in keep if id(scored.operands[i]) in kept]
        if not keep or self.model.lookup is None:
            return None
        operands = [scored.operands[i] for i in keep]
        probs = self.model.lookup_probs(scored.operand_x[keep])
        # one figure often sits in several places (the income statement, a summary table, a
        # sentence): the confidence is that of the value, summed over where it is read
        probs = answer_probs(probs, [o.in_units for o in operands])
        best = int(np.argmax(probs))
        # the evidence must clearly name one number: the lookup model's out-of-fold cut-off,
        # never below an even chance
        floor = self._lookup_floor
        value = operands[best].in_units
        named = any(
            _named(x) and names_metric(info, (*o.label, *o.group, *o.context))
            for x, o in zip(scored.operand_x[keep], operands, strict=True)
            if o.in_units == value
        )
        return Lookup(_read(operands[best]), float(probs[best]), floor, operands[best], named)


_NAMING = tuple(OPERAND_FEATURES.index(f) for f in ("recall", "group_recall", "header_recall"))


def _named(features: np.ndarray) -> bool:
    """Whether the question's words name an operand: some of them are in its row label (or
    the words around a sentence's number), its group heading or, for a table whose lines are
    columns (Pfizer's "Non-GAAP Adjusted | Cost of sales"), its column header. Out of fold on
    the 265 training lookups (TAT-QA questions answered by one number of the evidence) all
    214 right answers were named so; the one answer named by nothing was wrong. Those
    questions all have their answer in the evidence, so they cannot show the case this is
    for: "What was net income in 2023?" over a table of cost of sales and SI&A expenses had
    been answered with the cost of sales (0.61)."""
    return any(features[i] > 0 for i in _NAMING)


def _names_all(operand: Operand, words: Sequence[str]) -> bool:
    """Every one of ``words`` (one or two words each) is in the operand's row label."""
    label = " ".join(operand.label)
    return all(re.search(rf"\b{re.escape(w)}\b", label) for w in words)


def _names_beyond(operand: Operand, computed: Sequence[str], info: QuestionInfo) -> bool:
    """Some question word other than the computed-metric words is in the operand's row label:
    "What was the gross profit rate?" does not read Best Buy's "Effective tax rate" (0.99 once
    "rate" had left it the only candidate)."""
    said = {stem(w) for phrase in computed for w in phrase.split()}
    return bool({stem(w) for w in operand.label} & (set(info.content) - said))


def _read(operand: Operand, kind: Kind | None = None) -> Program:
    """The lookup program that reads one cell or sentence number (``multiply(@ref, const_1)``)."""
    return build_program(sketch_by_name("lookup"), {"A": operand.arg}, kind)


def _where(operand: Operand, rows: Sequence[Chunk]) -> str:
    """An operand with the section and page of its row, to tell segments apart."""
    chunk_id = operand.arg.id.rpartition(":")[0] if isinstance(operand.arg, Ref) else ""
    chunk = next((c for c in rows if c.id == chunk_id), None)
    value = operand.text.rpartition("|")[2].strip()
    if chunk is None:
        return value
    return f"{value} under {chunk.section[:50] or 'a table'!r} on page {chunk.page}"


def _program(cand: Candidate, info: QuestionInfo) -> Program:
    fill: dict[str, Arg] = {
        slot: op.arg for slot, op in zip(cand.sketch.slots, cand.fill, strict=True)
    }
    if cand.row is not None:
        fill["ROW"] = cand.row.ref
    return build_program(cand.sketch, fill, answer_kind_for(cand.sketch, cand.value, info))


def _check(
    program: Program, cand: Candidate, info: QuestionInfo, context: ExecutionContext
) -> str | None:
    """Run the program for real (unit guard, row lookup) and test plausibility."""
    try:
        result = execute(program, context)
    except DSLError as exc:
        return str(exc)
    value = result.value
    if not math.isfinite(value):
        return "the result is not a finite number"
    low, high = _RATIO_RANGE
    if cand.sketch.family == "ratio" and value != 0 and not low <= abs(value) <= high:
        return f"a ratio of {value:.3g} is implausible (the operands' scales differ)"
    if cand.sketch.family == "change" and abs(value) > _MAX_CHANGE:
        return f"a change of {value:.0%} is implausible"
    return None


# Cues that name a computation: the nine arithmetic cues, relative change, points, range and
# complement ("three" is no cue here: "three months ended" names a period).
_COMPUTATION_CUES = tuple(
    i for i, name in enumerate(CUE_NAMES) if name not in ("from_to", "yes_no", "three_periods")
)


def asks_one_value(info: QuestionInfo) -> bool:
    """A question that asks for one figure as stated ("What was Pfizer's adjusted cost of
    sales for the six months ended July 2, 2023?"): no cue naming a computation, no number of
    its own, at most one period and no word such as "margin", "would" or "excluding". Only a
    lookup answers it. Out of fold on the training questions the ranker's best computation
    for such a question was right once in 11 (FinQA 4, TAT-QA 7), below the cut-off there,
    and the one it would have answered was wrong ("What is the unrevised value of Food Care
    for 2018?", 0.34)."""
    flags = cue_flags(info.text)
    if any(flags[i] for i in _COMPUTATION_CUES) or info.numbers or len(info.years) > 1:
        return False
    return _COMPUTED.search(info.text.lower()) is None


def _mentions(
    operands: Sequence[Operand], names: Sequence[str], by_id: Mapping[str, Chunk]
) -> bool:
    """Whether the chunks the operands are read from mention every one of ``names``."""
    chunks = [by_id[o.row_key] for o in operands if o.row_key in by_id]
    return len(mentioned(names, chunks)) == len(names)


def _unnamed(cand: Candidate, names: Sequence[str], by_id: Mapping[str, Chunk]) -> str | None:
    """A program none of whose figures is read from a line mentioning a name the question
    writes ("the percentage of total revenues from Commercial Airplanes" needs one)."""
    if not names or not cand.fill or _mentions(cand.fill, names, by_id):
        return None
    return f"none of its figures is read from a line that mentions {', '.join(names)}"


def _less_named(cand: Candidate, dropped: frozenset[int]) -> str | None:
    """A program that reads a line from a table naming less of the question than another
    table printing the same line (:func:`.scope.less_named`)."""
    worse = [o for o in cand.fill if id(o) in dropped]
    if not worse:
        return None
    return f"it reads {worse[0].text[:50]} from a table that names less of the question"


def _note_copy(cand: Candidate, copies: frozenset[int]) -> str | None:
    """A program that reads a note's copy of a line the consolidated statements print for the
    same period: Pfizer's "what percent of total assets were cash and cash equivalents" had
    divided by the fair value note's "Total assets" ($46,089 million, those measured at fair
    value) instead of the balance sheet's $220,168 million."""
    copy = next((o for o in cand.fill if id(o) in copies), None)
    if copy is None:
        return None
    return f"it reads {copy.text[:50]} from a note; the consolidated statements print the line"


def _total_of(operand: Operand, info: QuestionInfo) -> bool:
    """A total row of the metric asked: "Total revenues" for "total revenues in 2022", or a
    row labelled only "Total" (what it totals is in the table's caption); "Total cash provided by operating
    activities" (under "Changes in operating assets and liabilities") is no total of
    liabilities, and Best Buy's "What were total liabilities at July 29, 2023?" had read it
    at 0.99 (its balance sheet prints no such total)."""
    if "total" not in operand.label:
        return False
    if names_metric(info, operand.label):
        # and no qualifier the question lacks: "Total current liabilities" is not the total
        # liabilities (Best Buy's 10-Q prints no such total; it had then read this at 0.95)
        return qualifies(info, operand.label) is None
    return set(operand.label) <= {"total"}  # a table's "Total" row: its caption names it


def states_total(info: QuestionInfo, operands: Sequence[Operand]) -> bool:
    """A question whose only arithmetic word is "total" ("What were total revenues net of
    interest expense in 2021?") and a table row of the evidence, labelled "Total ...", that
    names every content word of it: the filing states the total, so it is read, not summed.
    Among the training questions whose only cue is "total" (at most one year, no number of
    their own), the 18 with such a row in their evidence are all one-number answers (TAT-QA
    lookups), and none of the 17 computed ones has one; American Express's question had added
    its consolidated and EMEA revenues."""
    if not only_total(info) or info.numbers or len(info.years) > 1:
        return False
    return any(
        o.source == "table" and o.label[:1] == ("total",) and label_match(info, o.label)[0] >= 0.99
        for o in operands
    )


def _low_reason(cand: Candidate, p: float, threshold: float, scored: Scored) -> str:
    operands = "; ".join(o.text[:70] for o in cand.fill) or (cand.row.text if cand.row else "")
    top_sketch = max(scored.sketch_probs, key=lambda k: scored.sketch_probs[k])
    return (
        f"no program is convincing: the best, {cand.sketch.name} on [{operands}], scores "
        f"{p:.2f} < threshold {threshold:.2f} (most likely question type: {top_sketch} "
        f"{scored.sketch_probs[top_sketch]:.2f})"
    )
