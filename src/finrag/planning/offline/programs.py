"""Candidate programs: fill the likely sketches with the likely operands, and describe each.

For each of the most probable sketches, slots are filled from a shortlist of the best-scored
operands (ordered pairs for ``subtract``/``divide``/``greater``, unordered sets for sums and
averages), each filled program is run with the unit guard (a unit error drops it) and turned
into one feature vector for the ranker. Features are a shared block plus a copy per sketch
family, so the ranker can learn e.g. that ``subtract`` wants the later year first while
``divide`` wants the part before the whole.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations, permutations

import numpy as np

from finrag.dsl.units import Kind, Quantity

from .candidates import Operand, RowCandidate, mention_position, month_days, period_date
from .sketches import SKETCHES, Sketch, evaluate
from .text import (
    CUE_DENOMINATOR,
    QuestionInfo,
    cue_before,
    denominator_cue,
    label_match,
    rule_families,
    table_op_named,
)

__all__ = ["FAMILIES", "N_FEATURES", "SHARED_FEATURES", "Candidate", "generate"]

FAMILIES = ("diff", "change", "ratio", "sum", "avg", "product", "greater", "table", "lookup")
SHARED_FEATURES = (
    "bias",
    "sketch_logp",
    "sketch_top",
    "op_p_mean",
    "op_p_min",
    "op_logit_min",
    "recall_min",
    "period_frac",
    "years_covered",
    "slots_eq_years",
    "same_row",
    "same_col",
    "all_table",
    "uses_question",
    "negative",
    "log_mag",
    "abs_le_1",
    "zero",
    "a_later",
    "a_earlier",
    "years_unknown",
    "a_first",
    "b_cue",
    "a_total",
    "b_total",
    "mag_ratio",
    "same_value",
    "row_recall",
    "row_precision",
    "a_year_first",
    "b_year_second",
    "same_label",
    "label_overlap",
    "q_wants_percent",
    "result_percent",
    "change_implausible",
    "op_p_max",
    "n_slots",
    "a_denominator_cue",
    "b_denominator_cue",
    "a_before_b",
    "rule_agrees",
    "rule_fired",
    "slots_eq_span",
    "row_cover",
    "skips_year",
    "ops_percent",
)
N_SHARED = len(SHARED_FEATURES)
N_FEATURES = N_SHARED * (1 + len(FAMILIES))


@dataclass(frozen=True, slots=True)
class Candidate:
    """One filled sketch, its value under the unit guard and its feature row."""

    sketch: Sketch
    fill: tuple[Operand, ...]
    row: RowCandidate | None
    value: Quantity
    features: np.ndarray


@dataclass(frozen=True, slots=True)
class _OpInfo:
    op: Operand
    p: float
    recall: float
    position: int
    period_hit: bool
    denominator: float  # denominator_cue at the operand's mention
    after_of: bool  # a denominator word just before the mention


@dataclass(frozen=True, slots=True)
class _Question:
    """What every candidate of one question shares, computed once."""

    info: QuestionInfo
    years: frozenset[int]
    wants_percent: bool
    rules: frozenset[str]
    span: int  # periods a range covers ("from 2022 to 2024": 3), 0 without a range
    row_years: dict[str, frozenset[int]]  # the years of each evidence row's cells
    dates: frozenset[tuple[int, int]]  # the (month, day) of each date the question writes


def _pair_features(a: _OpInfo, b: _OpInfo, info: QuestionInfo) -> list[float]:
    ya, yb = (a.op.years[0] if a.op.years else None), (b.op.years[0] if b.op.years else None)
    known = ya is not None and yb is not None and ya != yb
    va, vb = abs(a.op.quantity.value), abs(b.op.quantity.value)
    ratio = math.log10((va + 1e-9) / (vb + 1e-9)) if va and vb else 0.0
    return [
        float(known and ya > yb),  # type: ignore[operator]
        float(known and ya < yb),  # type: ignore[operator]
        float(not known),
        float(0 <= a.position < b.position or (a.position >= 0 > b.position)),
        float(b.after_of),
        float(a.op.is_total),
        float(b.op.is_total),
        max(-3.0, min(3.0, ratio)),
        float(va == vb),
    ]


def _order_features(ops: Sequence[_OpInfo], info: QuestionInfo) -> list[float]:
    """Whether A carries the first year the question names and B the second ("ratio of X in
    2016 to 2017" divides 2016 by 2017; "from 2016 to 2017" subtracts 2016 from 2017)."""
    if len(ops) < 2 or len(info.years) < 2:
        return [0.0, 0.0]
    first, second = info.years[0], info.years[1]
    return [float(first in ops[0].op.years), float(second in ops[1].op.years)]


def _cue_features(ops: Sequence[_OpInfo], info: QuestionInfo) -> list[float]:
    """Denominator cues before A's and B's mentions, and A named strictly before B."""
    if len(ops) < 2:
        return [0.0, 0.0, 0.0]
    return [ops[0].denominator, ops[1].denominator, float(0 <= ops[0].position < ops[1].position)]


def _label_features(ops: Sequence[_OpInfo]) -> list[float]:
    """Same metric (identical labels) and the word overlap of the first two operands' labels."""
    if len(ops) < 2:
        return [0.0, 0.0]
    a, b = set(ops[0].op.label), set(ops[1].op.label)
    if not a or not b:
        return [0.0, 0.0]
    return [float(a == b), len(a & b) / len(a | b)]


def _row_shape(ops: Sequence[_OpInfo], q: _Question) -> tuple[float, float]:
    """Whether the operands are every year of their one row ("the average of X" over a
    three-year table is all three), and whether they skip a year the row has between them
    (2019 and 2017 but not 2018)."""
    rows = {o.op.row_key for o in ops}
    if len(ops) < 2 or len(rows) != 1 or ops[0].op.source != "table":
        return 0.0, 0.0
    have = q.row_years.get(ops[0].op.row_key, frozenset())
    used = {y for o in ops for y in o.op.years}
    if len(used) < 2 or len(have) < 2:
        return 0.0, 0.0
    skipped = any(y in have and y not in used for y in range(min(used) + 1, max(used)))
    return float(used == have), float(skipped)


def _features(
    sketch: Sketch,
    ops: Sequence[_OpInfo],
    row: RowCandidate | None,
    value: Quantity,
    logp: float,
    top: bool,
    q: _Question,
) -> np.ndarray:
    info = q.info
    ps = [o.p for o in ops] or [0.5]
    q_years = q.years
    op_years = {y for o in ops for y in o.op.years}
    pmin = min(ps)
    v = value.value
    pair = _pair_features(ops[0], ops[1], info) if len(ops) >= 2 else [0.0] * 9
    extra = _order_features(ops, info) + _label_features(ops)
    row_recall, row_precision = (label_match(info, row.label)[:2]) if row else (0.0, 0.0)
    shared = [
        1.0,
        logp,
        float(top),
        sum(ps) / len(ps),
        pmin,
        math.log((pmin + 1e-6) / (1 - pmin + 1e-6)) / 5.0,
        min((o.recall for o in ops), default=row_recall),
        sum(o.period_hit for o in ops) / len(ops) if ops and q_years else 0.0,
        len(q_years & op_years) / len(q_years) if q_years else 0.0,
        float(len(q_years) == len(ops)) if q_years else 0.0,
        float(len(ops) > 1 and len({o.op.row_key for o in ops}) == 1),
        float(len(ops) > 1 and len({o.op.col for o in ops}) == 1 and ops[0].op.col >= 0),
        float(all(o.op.source == "table" for o in ops)),
        float(any(o.op.source == "question" for o in ops)),
        float(v < 0),
        math.log10(abs(v) + 1.0) / 5.0,
        float(abs(v) <= 1.0),
        float(v == 0.0),
        *pair,
        row_recall,
        row_precision,
        *extra,
        float(q.wants_percent),
        float(value.kind is Kind.PERCENT),
        float(sketch.family == "change" and not -1.0 <= v <= 10.0),
        max(ps),
        len(ops) / 3.0,
        *_cue_features(ops, info),
        float(sketch.family in q.rules),
        float(bool(q.rules)),
        # a range names its ends but covers every period between ("average from 2022 to 2024"
        # averages three values)
        float(q.span >= 3 and (len(row.values) if row else len(ops)) == q.span),
        *_row_shape(ops, q),
        # the change of a rate ("the percentage change in the WACC") is most often its
        # difference in points; per family the ranker learns how often
        float(bool(ops) and all(o.op.quantity.kind is Kind.PERCENT for o in ops)),
    ]
    out = np.zeros(N_FEATURES)
    out[:N_SHARED] = shared
    k = 1 + FAMILIES.index(sketch.family)
    out[k * N_SHARED : (k + 1) * N_SHARED] = shared
    return out


def _fills(sketch: Sketch, shortlist: Sequence[_OpInfo]) -> list[tuple[_OpInfo, ...]]:
    n = len(sketch.slots)
    if n == 1:
        return [(o,) for o in shortlist]
    pool = shortlist[: 6 if n == 3 else len(shortlist)]
    if sketch.commutative:
        fills = list(combinations(pool, n))
    elif n == 3:  # two summed parts (unordered) over a third operand
        fills = [(a, b, c) for a, b in combinations(pool, 2) for c in pool if c not in (a, b)]
    else:
        fills = list(permutations(pool, n))
    return [f for f in fills if _distinct(f)]


def _named_periods(fill: Sequence[_OpInfo], years: frozenset[int]) -> bool:
    """A comparison between two periods the question names reads those periods: with two or
    more years named ("between fiscal 2023 and Q2 of 2024"), a table cell dated another year
    (July 30, 2022) is not one side of it."""
    if len(years) < 2:
        return True
    return all(
        o.op.source != "table" or not o.op.years or bool(years & set(o.op.years)) for o in fill
    )


def _named_dates(fill: Sequence[_OpInfo], dates: frozenset[tuple[int, int]]) -> bool:
    """With two or more days named ("between the quarters ended January 26 and April 27,
    2019"), no operand is a table cell of a column dated another day (July 27, 2019): the
    year alone does not tell a 10-Q's or a quarterly table's columns apart."""
    if len(dates) < 2:
        return True
    for o in fill:
        day = period_date(o.op) if o.op.source == "table" else None
        if day is not None and day[1:] not in dates:
            return False
    return True


def _distinct(fill: Sequence[_OpInfo]) -> bool:
    """No number written twice at two scales: "66,608" in a table in millions and "66,608" in
    one whose scale was not stated are one figure read twice, not two figures to add or
    compare. The same number at the same scale stays ("21.0% - 21.0%": a rate that did not
    change; TAT-QA has ten such derivations)."""
    seen: dict[float, object] = {}
    for o in fill:
        q = o.op.quantity
        if seen.setdefault(abs(q.value), q.scale) != q.scale:
            return False
    return True


_RISE = re.compile(
    r"\b(?:increas|grow|grew|ris[ei]|rose|improv|outperform|exceed|gain)", re.IGNORECASE
)
_FALL = re.compile(r"\b(?:decreas|declin|fell|fall|drop|underperform|shrank|shrink)", re.IGNORECASE)


def _in_question_order(a: _OpInfo, b: _OpInfo, info: QuestionInfo) -> bool:
    """Whether ``greater(a, b)`` asks what the question asks (True when it cannot tell).

    "Was A greater than B", "did A outperform B": A is what the question names first. One line
    in two years: the year named before "than" ("were payments in 2008 greater than 2009?"),
    else the later year when the question asks whether it rose ("did the share increase
    between 2008 and 2009?"), the earlier when it asks whether it fell.
    """
    if a.position >= 0 and b.position >= 0 and a.position != b.position:
        return a.position < b.position
    ya: tuple[int, ...] | None = (a.op.years[0],) if len(a.op.years) == 1 else None
    yb: tuple[int, ...] | None = (b.op.years[0],) if len(b.op.years) == 1 else None
    if ya is not None and ya == yb:  # one year: the dates of the columns may still tell
        ya, yb = period_date(a.op), period_date(b.op)
    if ya is None or yb is None or ya == yb:
        return True
    text = info.text.lower()
    than = text.find(" than ")
    if than >= 0:
        before = [y for y in info.years if text.find(str(y)) < than]
        if before:
            return ya[0] == before[0]
    if _RISE.search(text):
        return ya > yb
    if _FALL.search(text):
        return ya < yb
    return not info.years or ya[0] == info.years[0]


# Words that set two things against each other ("was A greater than B", "did A outperform B");
# without them a yes/no question asks how one line moved ("did cash drop between ...?").
_AGAINST = re.compile(
    r"\bthan\b|\boutperform|\bunderperform|\bexceed|\bcompar|\bversus\b|\bvs\b|\bbeat\b",
    re.IGNORECASE,
)


def _one_line(a: _OpInfo, b: _OpInfo, info: QuestionInfo) -> bool:
    """Whether ``greater(a, b)`` reads one line at two periods, as a question that sets
    nothing against anything asks ("did cash drop between FY2023 and Q2 of FY2024?"): the same
    table row or sentence, or two cells with the same label. "Does Boeing have an improving
    gross margin profile?" is no comparison of two segments' 2022 operating margins."""
    if _AGAINST.search(info.text):
        return True
    if a.op.years and a.op.years == b.op.years and period_date(a.op) == period_date(b.op):
        return False  # one period: no movement of a line
    if a.op.row_key == b.op.row_key:
        return True
    return a.op.source == b.op.source == "table" and a.op.label == b.op.label


def generate(
    info: QuestionInfo,
    sketch_probs: dict[str, float],
    operands: Sequence[Operand],
    operand_p: Sequence[float],
    rows: Sequence[RowCandidate],
    *,
    n_sketches: int = 3,
    shortlist: int = 7,
) -> list[Candidate]:
    """Filled, unit-checked candidate programs for the top sketches."""
    ranked = sorted(
        (s for s in SKETCHES if s.name in sketch_probs),
        key=lambda s: (-sketch_probs[s.name], s.name),
    )
    rules = rule_families(info.text)
    span = max(info.years) - min(info.years) + 1 if len(info.years) >= 2 else 0
    row_years: dict[str, set[int]] = {}
    for o in operands:
        if o.source == "table":
            row_years.setdefault(o.row_key, set()).update(o.years)
    q = _Question(
        info,
        frozenset(info.years),
        wants_percent(info),
        rules,
        span,
        {k: frozenset(v) for k, v in row_years.items()},
        month_days(info.text),
    )
    # the classifier's top sketches, plus the best sketch of each family the wording names
    chosen = ranked[:n_sketches]
    named_table = table_op_named(info.text)
    for family in sorted(rules):
        in_family = [s for s in ranked if s.family == family]
        # of the table family, the operation the wording names ("minimum" -> table_min)
        extra = next((s for s in in_family if s.name == named_table), None) or next(
            iter(in_family), None
        )
        if extra is not None and extra not in chosen and len(chosen) < n_sketches + 2:
            chosen.append(extra)
    ranked = chosen
    infos = [_OpInfo(o, p, *_match(o, info)) for o, p in zip(operands, operand_p, strict=True)]
    best = sorted(range(len(infos)), key=lambda i: (-infos[i].p, i))[:shortlist]
    short = [infos[i] for i in best]
    out: list[Candidate] = []
    for rank, sketch in enumerate(ranked):
        logp = math.log(sketch_probs[sketch.name] + 1e-6)
        if sketch.is_table:
            out += _table_candidates(sketch, rows, logp, rank == 0, q)
            continue
        for fill in _fills(sketch, short):
            if not _named_dates(fill, q.dates):
                continue
            if sketch.name == "greater" and not (
                _in_question_order(fill[0], fill[1], info)
                and _named_periods(fill, q.years)
                and _one_line(fill[0], fill[1], info)
            ):
                continue
            values = {slot: o.op.quantity for slot, o in zip(sketch.slots, fill, strict=True)}
            value = evaluate(sketch, values)
            if value is None or not math.isfinite(value.value):
                continue
            feats = _features(sketch, fill, None, value, logp, rank == 0, q)
            out.append(Candidate(sketch, tuple(o.op for o in fill), None, value, feats))
    return out


def _match(op: Operand, info: QuestionInfo) -> tuple[float, int, bool, float, bool]:
    recall = label_match(info, op.label)[0]
    at = mention_position(op, info)
    return (
        recall,
        at,
        bool(set(info.years) & set(op.years)),
        denominator_cue(info, at),
        cue_before(info, at, CUE_DENOMINATOR),
    )


def _table_candidates(
    sketch: Sketch,
    rows: Sequence[RowCandidate],
    logp: float,
    top: bool,
    q: _Question,
) -> list[Candidate]:
    scored = sorted(rows, key=lambda r: (-label_match(q.info, r.label)[0], r.rank))[:4]
    out = []
    for row in scored:
        value = evaluate(sketch, {}, row.values)
        if value is None:
            continue
        feats = _features(sketch, (), row, value, logp, top, q)
        out.append(Candidate(sketch, (), row, value, feats))
    return out


_PERCENT_WORDS = frozenset({"percent", "percentage", "portion", "proportion", "pct"})


def wants_percent(info: QuestionInfo) -> bool:
    """Whether the question asks for a percentage ("what percent...", "...margin", "%")."""
    return bool(_PERCENT_WORDS & set(info.tokens)) or "%" in info.text


def answer_kind_for(sketch: Sketch, value: Quantity, info: QuestionInfo) -> Kind | None:
    """The answer kind to declare: percent for changes and shares (so a TAT-QA percent answer is
    shown x100 with the percent scale), else the kind the unit guard computed."""
    margin = sketch.family == "ratio" and "margin" in info.tokens
    percent = sketch.family == "change" or wants_percent(info) or margin
    if percent and value.kind in (Kind.NONE, Kind.RATIO, Kind.PERCENT):
        return Kind.PERCENT
    if value.kind is Kind.NONE:
        return None
    return value.kind
