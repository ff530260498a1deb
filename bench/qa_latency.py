"""Full-pipeline latency per question (retrieval + plan + execution), medians over repeats.

Usage: ``python bench/qa_latency.py [--file ../shared/data/finqa/dev_sample200.json]
[--planner offline] [--repeats 5]``.

``finrag eval qa`` times each question once, so one slow stretch of a shared machine moves its
p95 by half. Here every question is answered ``--repeats`` times, in rounds; before each timed
answer the retriever's query-vector LRU is cleared, so embedding the question with MiniLM is
included, as for a new question. Prints p50 / p95 of each round and the median of the rounds,
plus the load average. The records are indexed into the cached store ``finrag eval qa`` uses.
Timing does not depend on answers, so any FinQA-schema file will do.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

_DEFAULT = (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "finqa" / "dev_sample200.json"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=_DEFAULT)
    parser.add_argument("--planner", default="offline")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()
    if not args.file.exists():
        raise SystemExit(f"{args.file} not found (pass --file; ../shared/data is expected)")

    from finrag.config import Settings
    from finrag.evaluation.datasets import load_examples
    from finrag.evaluation.qa import index_records
    from finrag.evaluation.retrieval import embedding_cache, eval_store_url
    from finrag.runtime import build_runtime

    runtime = build_runtime(Settings(store_url=eval_store_url("qa-eval")), cache=embedding_cache())
    tenant = "eval-finqa"  # the tenant `finrag eval qa` indexes FinQA records under
    examples = load_examples("finqa", [args.file])[: args.limit or None]
    docs = index_records(runtime, "finqa", [args.file], {e.record_key for e in examples}, tenant)
    questions = [(e.question, docs[e.record_key][0]) for e in examples]
    pipeline = runtime.pipeline(args.planner)
    retriever = runtime.retriever
    for question, doc_id in questions:  # warm-up: caches of chunks, vectors and features
        pipeline.answer(question, tenant=tenant, doc_ids=[doc_id])
    rounds = []
    for _ in range(args.repeats):
        times = []
        for question, doc_id in questions:
            retriever.query_vectors.clear()  # type: ignore[attr-defined]
            start = time.perf_counter()
            pipeline.answer(question, tenant=tenant, doc_ids=[doc_id])
            times.append((time.perf_counter() - start) * 1000)
        rounds.append(
            {
                "p50_ms": round(statistics.median(times), 2),
                "p95_ms": round(statistics.quantiles(times, n=20)[18], 2),
            }
        )
    runtime.close()
    print(
        json.dumps(
            {
                "file": str(args.file),
                "planner": args.planner,
                "questions": len(questions),
                "load_average": list(os.getloadavg()),
                "rounds": rounds,
                "median_p50_ms": statistics.median(r["p50_ms"] for r in rounds),
                "median_p95_ms": statistics.median(r["p95_ms"] for r in rounds),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
