"""Reciprocal rank fusion, defined once for the whole project.

RRF (Cormack, Clarke and Büttcher, 2009) scores an item by summing ``1 / (k + rank)`` over every
ranked list it appears in, with ``rank`` starting at 1 and ``k = 60``. It needs no score
calibration between lists, which is why it fuses BM25 and cosine rankings well.

Ties are broken deterministically by item id (code point order, the same as ``COLLATE "C"`` in
PostgreSQL), so every backend returns the same fused order on the same rank lists. The SQLite and
memory stores call :func:`rrf`; the PostgreSQL store computes the same formula in SQL with
:data:`RRF_K` and is tested against :func:`rrf_reference`.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import TypeVar

__all__ = ["RRF_K", "rrf", "rrf_reference"]

#: The RRF constant from the original paper; shared by the Python and SQL implementations.
RRF_K = 60

IdT = TypeVar("IdT", bound=Hashable)


def rrf(rank_lists: Iterable[Sequence[IdT]], k: int = RRF_K) -> list[tuple[IdT, float]]:
    """Fuse ranked id lists (best first) into ``[(id, score), ...]``, best first.

    An id repeated within one list counts only at its best (first) position. Scores are sums of
    ``1.0 / (k + rank)`` in float64, accumulated in list order; ties sort by id ascending.
    """
    if k < 0:
        raise ValueError(f"rrf constant k must be >= 0, got {k}")
    scores: dict[IdT, float] = {}
    for ranking in rank_lists:
        seen: set[IdT] = set()
        for position, item in enumerate(ranking, start=1):
            if item in seen:
                continue
            seen.add(item)
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + position)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


def rrf_reference(rank_lists: Sequence[Sequence[str]], k: int = RRF_K) -> list[tuple[str, float]]:
    """A deliberately naive RRF used by tests to check :func:`rrf` and the SQL fusion.

    It walks every candidate id and looks up its rank in each list with ``list.index``; no
    shared code with :func:`rrf` beyond the formula.
    """
    candidates = {item for ranking in rank_lists for item in ranking}
    fused: list[tuple[str, float]] = []
    for item in candidates:
        score = 0.0
        for ranking in rank_lists:
            if item in ranking:
                score += 1.0 / (k + list(ranking).index(item) + 1)
        fused.append((item, score))
    fused.sort(key=lambda pair: pair[0])
    fused.sort(key=lambda pair: pair[1], reverse=True)
    return fused
