"""Read the offline planner's out-of-fold mistakes on the training questions.

``python -m finrag.planning.offline.diagnose [--data-dir ../shared/data] [--source finqa]``
cross-validates as ``finrag train offline`` does (the committed fold assignment, evidence from
out-of-fold rerankers) and prints every training question whose top candidate is wrong: the
question, its gold answer, the candidate chosen with its answer probability, and the first
correct candidate with its rank, or "no correct candidate" (a miss of grounding, retrieval or
the sketch catalogue rather than of the ranker). A summary counts right answers, misses
without a correct candidate and correct candidates by rank.

Training data only: the FinQA dev sample is never read here, so what is learned from these
lists does not leak the held-out figures.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from .train import EVIDENCE_K, Ranked, cross_validate, load_examples

__all__ = ["main", "mistakes"]


def mistakes(
    data_dir: Path, k: int = 5, evidence_k: int | None = EVIDENCE_K
) -> list[tuple[str, str, str, Ranked]]:
    """(source, question, gold, ranked candidates) of every training question, out of fold."""
    loaded, _, _ = load_examples(data_dir, evidence_k, lambda _: None, k)
    examples = [e for e in loaded if not e.operand_only]
    lookups = [e for e in loaded if e.operand_only]
    orders: dict[int, Ranked] = {}
    cross_validate(examples, lookups, k, orders=orders)
    return [
        (e.source, e.info.text, f"{e.gold.answer:.6g} ({e.gold.sketch})", orders.get(i, []))
        for i, e in enumerate(examples)
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--source", choices=("finqa", "tatqa"), default="finqa")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    summary: Counter[str] = Counter()
    for source, question, gold, ranked in mistakes(args.data_dir, args.folds):
        if source != args.source:
            continue
        if ranked and ranked[0][1]:
            summary["right"] += 1
            continue
        first = next((r for r, (_, ok, _) in enumerate(ranked) if ok), None)
        summary["no correct candidate" if first is None else f"correct at rank {first + 1}"] += 1
        print(f"Q {question}\n   gold {gold}")
        if ranked:
            p, _, desc = ranked[0]
            print(f"   got  {desc}  (p={p:.2f})")
        if first is not None:
            p, _, desc = ranked[first]
            print(f"   ok   rank {first + 1}: {desc}  (p={p:.2f})")
        else:
            print("   ok   no correct candidate")
    total = sum(summary.values())
    print(f"\n{args.source}: {total} questions")
    for name, n in sorted(summary.items(), key=lambda t: -t[1]):
        print(f"  {name}: {n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
