"""Grounding check: every number a program uses must come from the evidence or the conversation.

References (``@id``) are grounded by construction: the execution context holds only retrieved
evidence. Literals are the risk: a planner could invent one. A literal is grounded when it
equals (to a relative tolerance) a number in the retrieved chunks, a value of an earlier turn,
or a small structural number (years in the question are not operands; 1, 2, 100 ... are the
FinQA constants and should be written ``const_*``, but a literal 100 is allowed).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from finrag.documents.model import Chunk
from finrag.dsl.ast import Literal, Program
from finrag.planning.base import Turn

__all__ = ["ungrounded_literals"]

_STRUCTURAL = frozenset({0.0, 1.0, 2.0, 3.0, 4.0, 10.0, 12.0, 100.0, 1000.0, 1_000_000.0})


def ungrounded_literals(
    program: Program, chunks: Sequence[Chunk], turns: Sequence[Turn] = ()
) -> list[float]:
    """Literal values of ``program`` that appear nowhere in the evidence or conversation."""
    literals = [
        arg.value
        for step in program.steps
        for arg in step.args
        if isinstance(arg, Literal) and abs(arg.value) not in _STRUCTURAL
    ]
    if not literals:
        return []
    known = list(_evidence_numbers(chunks)) + [t.value for t in turns if t.value is not None]
    return [v for v in literals if not any(_close(v, k) for k in known)]


def _evidence_numbers(chunks: Iterable[Chunk]) -> Iterable[float]:
    for chunk in chunks:
        for number in chunk.numbers:
            yield number.value
        for cell in chunk.cells:
            if cell.number is not None:
                yield cell.number.value


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9) or math.isclose(
        abs(a), abs(b), rel_tol=1e-6
    )
