"""DSL throughput: two-step programs executed per second on one core.

Prints two figures, each the median of several timed runs, measured in CPU time of this
process (so other work on a shared machine does not count against the DSL), with the
wall-clock rate beside it:

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


def _rate(work: Callable[[], int], runs: int) -> tuple[float, float]:
    """Median programs/s over ``runs``: by this process's CPU time, and by wall-clock time."""
    cpu_rates, wall_rates = [], []
    for _ in range(runs):
        cpu, wall = time.process_time(), time.perf_counter()
        count = work()
        cpu_rates.append(count / (time.process_time() - cpu))
        wall_rates.append(count / (time.perf_counter() - wall))
    return statistics.median(cpu_rates), statistics.median(wall_rates)


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
    exec_cpu, exec_wall = _rate(execute_only, args.runs)
    full_cpu, full_wall = _rate(parse_and_execute, args.runs)
    print(f"programs: {len(texts)} two-step programs, median of {args.runs} runs, one core")
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"execute (parsed once): {exec_cpu:,.0f} programs/s  (wall clock {exec_wall:,.0f}/s)")
    print(f"parse + execute:       {full_cpu:,.0f} programs/s  (wall clock {full_wall:,.0f}/s)")


if __name__ == "__main__":
    main()
