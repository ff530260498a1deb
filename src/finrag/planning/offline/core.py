"""The scoring pipeline shared by the planner and by training.

question -> :class:`~.text.QuestionInfo` -> sketch probabilities; evidence -> operands with
operand probabilities; both -> filled candidate programs -> ranker probabilities.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from finrag.documents.model import Chunk

from .candidates import Operand, operand_features, operands_from, rows_from
from .linear import LinearModel
from .listwise import answer_probs, listwise_probs
from .programs import Candidate, generate
from .text import QuestionInfo

__all__ = ["Scored", "operand_probs", "score"]


@dataclass(frozen=True, slots=True)
class Scored:
    """Candidates best first with the ranker probability of their answer (summed over the
    candidates computing the same value, :func:`~.listwise.answer_probs`)."""

    candidates: tuple[Candidate, ...]
    probs: tuple[float, ...]
    sketch_probs: dict[str, float]
    n_operands: int


def operand_probs(
    model: LinearModel, operands: Sequence[Operand], info: QuestionInfo
) -> np.ndarray:
    """Probability that each operand is used by the answer."""
    if not operands:
        return np.zeros(0)
    x = np.array([operand_features(o, info) for o in operands])
    return model.proba_dense(x)


def score(
    info: QuestionInfo,
    evidence: Sequence[Chunk],
    sketch_probs: dict[str, float],
    operand_model: LinearModel,
    ranker: LinearModel | None,
) -> Scored:
    """Generate candidates and rank them (unranked, in generation order, if ``ranker`` is None)."""
    operands = operands_from(evidence, info)
    probs = operand_probs(operand_model, operands, info)
    candidates = generate(
        info, sketch_probs, operands, [float(p) for p in probs], rows_from(evidence)
    )
    if not candidates or ranker is None:
        return Scored(tuple(candidates), (0.0,) * len(candidates), sketch_probs, len(operands))
    p = listwise_probs(np.vstack([c.features for c in candidates]) @ ranker.coef[0])
    m = answer_probs(p, [c.value.value for c in candidates])
    order = sorted(range(len(candidates)), key=lambda i: (-m[i], -p[i], i))
    return Scored(
        tuple(candidates[i] for i in order),
        tuple(float(m[i]) for i in order),
        sketch_probs,
        len(operands),
    )
