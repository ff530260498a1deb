"""Latency of the offline planner per question (plan only, evidence already retrieved).

Usage: ``python bench/offline_latency.py [--file ../shared/data/finqa/train_sample100.json]``.
Prints p50/p95/max in milliseconds for two evidence conditions: every chunk of the record and
the 8 best chunks (the pipeline's default k) of a simple lexical retriever. Uses training records by default (the timing
does not depend on answers).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from finrag.planning.base import PlanRequest
from finrag.planning.offline import OfflinePlanner
from finrag.planning.offline.data import finqa_chunks
from finrag.planning.offline.evaluate import topk_chunks

_DEFAULT = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "data"
    / "finqa"
    / "train_sample100.json"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=_DEFAULT)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    records = json.loads(args.file.read_text())
    planner = OfflinePlanner()
    prepared = []
    for r in records:
        chunks = finqa_chunks(r)
        q = r["qa"]["question"]
        prepared.append((q, chunks, topk_chunks(q, chunks, 8)))
    for name, index in (("all chunks", 1), ("top-8 chunks", 2)):
        times = []
        for _ in range(args.repeat):
            for item in prepared:
                start = time.perf_counter()
                planner.plan(PlanRequest(item[0], item[index]))
                times.append((time.perf_counter() - start) * 1000)
        p95 = statistics.quantiles(times, n=20)[18]
        print(
            f"{name:13s} n={len(times):4d}  p50={statistics.median(times):6.2f} ms  p95={p95:6.2f} ms  max={max(times):6.2f} ms"
        )


if __name__ == "__main__":
    main()
