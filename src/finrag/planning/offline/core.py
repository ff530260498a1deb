"""The scoring pipeline shared by the planner and by training.

question -> :class:`~.text.QuestionInfo` -> sketch probabilities; evidence -> operands with
operand probabilities; both -> filled candidate programs -> ranker probabilities.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from finrag.documents.model import Chunk

from .candidates import OPERAND_FEATURES, Operand, operand_features, operands_from, rows_from
from .linear import LinearModel
from .listwise import answer_probs, listwise_probs
from .programs import Candidate, generate
from .text import QuestionInfo

__all__ = ["Scored", "operand_matrix", "operand_probs", "score"]


@dataclass(frozen=True, slots=True)
class Scored:
    """Candidates best first with the ranker probability of their answer (summed over the
    candidates computing the same value, :func:`~.listwise.answer_probs`)."""

    candidates: tuple[Candidate, ...]
    probs: tuple[float, ...]
    candidate_probs: tuple[float, ...]  # each candidate's own ranker probability
    sketch_probs: dict[str, float]
    operands: tuple[Operand, ...]
    operand_x: np.ndarray  # the operands' feature rows (the lookup model reads them too)

    @property
    def n_operands(self) -> int:
        return len(self.operands)


def operand_probs(
    model: LinearModel, operands: Sequence[Operand], info: QuestionInfo
) -> np.ndarray:
    """Probability that each operand is used by the answer."""
    if not operands:
        return np.zeros(0)
    return model.proba_dense(operand_matrix(operands, info))


def operand_matrix(operands: Sequence[Operand], info: QuestionInfo) -> np.ndarray:
    """The feature rows of ``operands`` (:data:`~.candidates.OPERAND_FEATURES` columns)."""
    return np.array([operand_features(o, info) for o in operands]).reshape(
        -1, len(OPERAND_FEATURES)
    )


def score(
    info: QuestionInfo,
    evidence: Sequence[Chunk],
    sketch_probs: dict[str, float],
    operand_model: LinearModel,
    ranker: LinearModel | None,
) -> Scored:
    """Generate candidates and rank them (unranked, in generation order, if ``ranker`` is None)."""
    operands = tuple(operands_from(evidence, info))
    x = operand_matrix(operands, info)
    probs = operand_model.proba_dense(x) if operands else np.zeros(0)
    candidates = generate(
        info, sketch_probs, operands, [float(p) for p in probs], rows_from(evidence)
    )
    if not candidates or ranker is None:
        zeros = (0.0,) * len(candidates)
        return Scored(tuple(candidates), zeros, zeros, sketch_probs, operands, x)
    p = listwise_probs(np.vstack([c.features for c in candidates]) @ ranker.coef[0])
    m = answer_probs(p, [c.value.value for c in candidates])
    order = sorted(range(len(candidates)), key=lambda i: (-m[i], -p[i], i))
    return Scored(
        tuple(candidates[i] for i in order),
        tuple(float(m[i]) for i in order),
        tuple(float(p[i]) for i in order),
        sketch_probs,
        operands,
        x,
    )
