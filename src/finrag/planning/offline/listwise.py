"""A listwise ranker: softmax over a question's candidates plus a "none of them" option.

``P(candidate i) = exp(s_i) / (1 + sum_j exp(s_j))`` with ``s = x @ w``; the ``1`` is a null
candidate with score 0, so a question whose candidates all look wrong puts its mass on "none"
(the confidence model, :mod:`.confidence`, reads that mass and the best answers' probabilities).
Trained by L-BFGS on the log-likelihood of the correct candidates with an L2 penalty.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = ["answer_key", "answer_probs", "fit_listwise", "listwise_probs"]

F = NDArray[np.float64]


def listwise_probs(scores: F) -> F:
    """Probabilities of each candidate of one question (the null option takes the rest)."""
    if scores.size == 0:
        return scores
    m = max(float(scores.max()), 0.0)
    e = np.exp(scores - m)
    return np.asarray(e / (np.exp(-m) + e.sum()), dtype=np.float64)


def answer_probs(probs: F, values: Sequence[float]) -> F:
    """Each candidate's probability summed over the candidates giving the same answer.

    Programs are a means; the answer is what is scored. The same number often sits in a table
    cell and in a sentence, and ``a / b`` may be reached by several fills, so candidate-level
    probabilities split the mass of one answer; marginalising over answers (values rounded to
    6 significant digits) gives a confidence that measures the answer itself.
    """
    keys = [answer_key(v) for v in values]
    totals: dict[float, float] = {}
    for key, p in zip(keys, probs, strict=True):
        totals[key] = totals.get(key, 0.0) + float(p)
    return np.array([totals[k] for k in keys])


def answer_key(value: float) -> float:
    """Two answers are the same when they agree to 6 significant digits."""
    return float(f"{value:.6g}")


def fit_listwise(x: F, y: NDArray[np.int_], qid: NDArray[np.int_], w: F, l2: float = 1.0) -> F:
    """Weights maximising the (question-weighted) log-probability of the correct candidates."""
    from scipy.optimize import minimize

    order = np.argsort(qid, kind="stable")
    x, y, qid = x[order], y[order], qid[order]
    starts = np.flatnonzero(np.r_[True, qid[1:] != qid[:-1]])
    qw = w[order][starts]
    group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(qid)]))
    has_pos = np.bincount(group, weights=y.astype(float)) > 0

    def objective(theta: F) -> tuple[float, F]:
        s = x @ theta
        m = np.maximum(np.maximum.reduceat(s, starts), 0.0)
        e = np.exp(s - m[group])
        z = np.exp(-m) + np.add.reduceat(e, starts)
        pos = np.add.reduceat(e * y, starts)
        # questions without a correct candidate learn to prefer the null option
        num = np.where(has_pos, pos, np.exp(-m))
        loss = -np.sum(qw * (np.log(num + 1e-300) - np.log(z))) + l2 * theta @ theta
        p_all = e / z[group]
        p_pos = np.where(has_pos[group], e * y / (num[group] + 1e-300), 0.0)
        grad = x.T @ (qw[group] * (p_all - p_pos)) + 2 * l2 * theta
        return float(loss), grad

    result = minimize(
        objective, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 500}
    )
    return np.asarray(result.x, dtype=np.float64)
