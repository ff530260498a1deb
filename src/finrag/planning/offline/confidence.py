"""How likely the planner's answer is right: the confidence that decides abstention.

The ranker's answer probability (:func:`~.listwise.answer_probs`) orders a question's
candidates; how far it can be trusted depends on more than its size. An answer that wins by
0.40 against a runner-up of 0.35 is shakier than one at 0.40 with nothing behind it; a ratio
is wrong more often than a percentage change at the same score; an answer whose operands the
question names by label and year is right more often than one read from a sentence far from
its words. The confidence model is a logistic regression on those answer-level signals
(:data:`CONFIDENCE_FEATURES`), fitted on the out-of-fold answers of the training questions
and their correctness (``train.fit_confidence``). Its probability is ``Plan.confidence``;
one global cut-off on it decides abstention.

It replaced a Platt scaling of the answer probability per sketch family (session 10). On the
training questions out of fold, over four fold assignments (both mappings fitted out of fold
too): FinQA AUC 0.684 -> 0.724, TAT-QA 0.875 -> 0.880; FinQA precision on the 30% most
confident answers 63.4% -> 70.8%, on the 50% most confident 60.0% -> 64.5%. (Regularisation
C = 0.03 / 0.1 / 0.3 / 1 / 3 gave FinQA AUC 0.696 / 0.704 / 0.714 / 0.724 / 0.734 and TAT-QA
0.888 / 0.885 / 0.882 / 0.880 / 0.879; C = 1 is kept.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .listwise import answer_key
from .programs import FAMILIES, SHARED_FEATURES

__all__ = ["CANDIDATE_SIGNALS", "CONFIDENCE_FEATURES", "confidence_features"]

#: the chosen candidate's own features (:data:`~.programs.SHARED_FEATURES`) the model reads
CANDIDATE_SIGNALS = (
    "sketch_logp",
    "sketch_top",
    "op_p_min",
    "op_p_mean",
    "recall_min",
    "period_frac",
    "years_covered",
    "rule_agrees",
    "rule_fired",
    "all_table",
    "uses_question",
    "n_slots",
    "row_recall",
    "label_overlap",
)
_SIGNAL_AT = tuple(SHARED_FEATURES.index(name) for name in CANDIDATE_SIGNALS)

CONFIDENCE_FEATURES = (
    "answer_logit",  # the answer's probability, summed over candidates computing it
    "runner_up_logit",  # the best other answer's
    "margin",  # the difference of the two
    "candidate_logit",  # the candidate's own probability
    "log_candidates",
    "null_mass",  # what the ranker left on "none of them"
    *(f"family_{f}" for f in FAMILIES),
    *CANDIDATE_SIGNALS,
)


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1.0 - 1e-6)
    return math.log(p / (1.0 - p))


def confidence_features(
    values: Sequence[float],
    answer_probs: Sequence[float] | np.ndarray,
    candidate_probs: Sequence[float] | np.ndarray,
    i: int,
    family: str,
    row: np.ndarray,
) -> np.ndarray:
    """The feature row of candidate ``i`` answering its question: every candidate's value,
    answer probability and own probability (any order, one entry per candidate), and candidate
    ``i``'s sketch family and ranker feature row."""
    key = answer_key(values[i])
    answer = float(answer_probs[i])
    runner_up = max(
        (float(m) for v, m in zip(values, answer_probs, strict=True) if answer_key(v) != key),
        default=0.0,
    )
    families = [0.0] * len(FAMILIES)
    families[FAMILIES.index(family)] = 1.0
    return np.array(
        [
            _logit(answer),
            _logit(runner_up),
            answer - runner_up,
            _logit(float(candidate_probs[i])),
            math.log(len(values)),
            max(0.0, 1.0 - float(sum(candidate_probs))),
            *families,
            *(float(row[k]) for k in _SIGNAL_AT),
        ]
    )
