"""DSL throughput: two-step programs executed per second on one core.

Prints two figures, each the median of several timed runs:

* execute only (parse once, execute many) -- the figure docs/dsl.md quotes against the
  50,000 programs/s target;
* parse + execute (string form each time).

Run: ``.venv/bin/python bench/dsl_throughput.py`` (``--runs``, ``--programs`` to change).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable

from finrag.dsl import execute, parse_program


def _programs(n: int, seed: int = 7) -> list[str]:
    """Two-step programs shaped like FinQA's most common one (change, then ratio)."""
    rng = random.Random(seed)
    ops = ["add", "subtract", "multiply", "divide"]
    out = []
    for _ in range(n):
        a, b = rng.randint(1, 99_999), rng.randint(1, 99_999)
        c = rng.choice([str(rng.randint(1, 9_999)), "const_100", f"{rng.randint(1, 99)}.5%"])
        out.append(f"{rng.choice(ops)}({a}, {b}), {rng.choice(ops)}(#0, {c})")
    return out


def _rate(work: Callable[[], int], runs: int) -> float:
    rates = []
    for _ in range(runs):
        start = time.perf_counter()
        count = work()
        rates.append(count / (time.perf_counter() - start))
    return statistics.median(rates)


def main() -> None:
    """Measure and print programs per second."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--programs", type=int, default=20_000)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    texts = _programs(args.programs)
    parsed = [parse_program(t) for t in texts]

    def execute_only() -> int:
        for program in parsed:
            execute(program)
        return len(parsed)

    def parse_and_execute() -> int:
        for text in texts:
            execute(parse_program(text))
        return len(texts)

    execute_only()  # warm up
    exec_rate = _rate(execute_only, args.runs)
    full_rate = _rate(parse_and_execute, args.runs)
    print(f"programs: {len(texts)} two-step programs, median of {args.runs} runs, one core")
    print(f"execute (parsed once): {exec_rate:,.0f} programs/s")
    print(f"parse + execute:       {full_rate:,.0f} programs/s")


if __name__ == "__main__":
    main()
