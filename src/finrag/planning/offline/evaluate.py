"""Development evaluation of the offline planner on a FinQA-schema file.

Runs the planner on each record's own chunks under one of three evidence conditions and scores
with the project's FinQA metrics (:mod:`finrag.dsl.metrics`):

* ``all``  -- every chunk of the record (sentences and table rows);
* ``gold`` -- only the record's gold supporting facts (``gold_inds``), i.e. perfect retrieval;
* ``topk`` -- the ``k`` chunks a simple lexical retriever ranks highest (a stand-in for the real
  hybrid retriever, which the full-pipeline ``finrag eval qa`` uses).

Usage: ``python -m finrag.planning.offline.evaluate <file.json> [--condition all] [--k 5]``.
This is for measurement only: the held-out FinQA dev sample must never be used to tune.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from finrag.documents.model import Chunk
from finrag.dsl.ast import Arg, Literal, Program, Ref, Step
from finrag.dsl.metrics import execution_match, program_match

from ..base import PlanRequest
from ..evidence import build_context
from .data import finqa_chunks
from .planner import OfflinePlanner
from .supervision import finqa_gold
from .text import stem, words

__all__ = ["evaluate_finqa", "gold_chunks", "literal_program", "topk_chunks"]


def gold_chunks(record: Mapping[str, Any], chunks: Sequence[Chunk]) -> list[Chunk]:
    """The chunks of the record's ``gold_inds``: ``table_i`` is row chunk ``<doc>:t0:r<i>``,
    ``text_j`` is sentence chunk ``<doc>:p1:s<j>`` (the official chunker's alignment)."""
    if not chunks:
        return []
    doc = chunks[0].doc_id
    wanted = set()
    for key in record["qa"].get("gold_inds", {}):
        kind, _, idx = key.partition("_")
        wanted.add(f"{doc}:t0:r{idx}" if kind == "table" else f"{doc}:p1:s{idx}")
    return [c for c in chunks if c.id in wanted]


def topk_chunks(question: str, chunks: Sequence[Chunk], k: int) -> list[Chunk]:
    """A simple idf-weighted word-overlap retriever over one record's chunks."""
    docs = [{stem(w) for w in words(c.text)} for c in chunks]
    n = len(docs)
    q = {stem(w) for w in words(question)}

    def idf(t: str) -> float:
        return math.log((n + 1) / (1 + sum(t in d for d in docs)))

    weights = {t: idf(t) for t in q}
    scores = [sum(weights[t] for t in q & d) for d in docs]
    order = sorted(range(n), key=lambda i: (-scores[i], i))[:k]
    return [chunks[i] for i in order]


def literal_program(program: Program, chunks: Sequence[Chunk]) -> Program:
    """The program with each ``@ref`` replaced by the number as the document writes it."""
    context = build_context(chunks)
    steps = []
    for step in program.steps:
        args: list[Arg] = []
        for arg in step.args:
            if isinstance(arg, Ref) and arg.id in context.ref_ids:
                q = context.resolve(arg.id).quantity
                percent = q.kind.value == "percent"
                args.append(
                    Literal(round(q.value * 100, 10) if percent else q.value, percent=percent)
                )
            else:
                args.append(arg)
        steps.append(Step(step.op, tuple(args)))
    return Program(tuple(steps), program.answer_kind)


def _evidence(
    record: Mapping[str, Any], chunks: list[Chunk], condition: str, k: int
) -> list[Chunk]:
    if condition == "gold":
        return gold_chunks(record, chunks)
    if condition == "topk":
        return topk_chunks(record["qa"]["question"], chunks, k)
    return chunks


def evaluate_finqa(
    path: Path, planner: OfflinePlanner, condition: str = "all", k: int = 5
) -> dict[str, Any]:
    """Execution and program accuracy, answered precision, latency and a split by gold sketch."""
    records = json.loads(path.read_text())
    by_sketch: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    latencies = []
    abstain_reasons: Counter[str] = Counter()
    for record in records:
        qa = record["qa"]
        chunks = finqa_chunks(record)
        evidence = _evidence(record, chunks, condition, k)
        start = time.perf_counter()
        plan = planner.plan(PlanRequest(qa["question"], evidence))
        latencies.append((time.perf_counter() - start) * 1000)
        sketch = finqa_gold(qa["program"], qa.get("exe_ans")).sketch
        row = by_sketch[sketch]
        row["n"] += 1
        totals["n"] += 1
        if plan.program is None:
            abstain_reasons[(plan.abstain_reason or "").split(":")[0][:60]] += 1
            continue
        ok = execution_match(plan.program, qa.get("exe_ans"), build_context(evidence))
        prog_ok = program_match(qa["program"], literal_program(plan.program, evidence))
        for c in (row, totals):
            c["answered"] += 1
            c["exec"] += ok
            c["prog"] += prog_ok
    return _report(path, condition, k, totals, by_sketch, latencies, abstain_reasons)


def _report(
    path: Path,
    condition: str,
    k: int,
    totals: Counter[str],
    by_sketch: Mapping[str, Counter[str]],
    latencies: list[float],
    reasons: Counter[str],
) -> dict[str, Any]:
    n = max(totals["n"], 1)
    qs = statistics.quantiles(latencies, n=20) if len(latencies) > 1 else [0.0] * 19
    return {
        "file": path.name,
        "condition": condition if condition != "topk" else f"top{k}",
        "n": totals["n"],
        "execution_accuracy": round(totals["exec"] / n, 4),
        "program_accuracy": round(totals["prog"] / n, 4),
        "answered": round(totals["answered"] / n, 4),
        "precision_answered": round(totals["exec"] / max(totals["answered"], 1), 4),
        "latency_ms_p50": round(statistics.median(latencies), 2),
        "latency_ms_p95": round(qs[18], 2),
        "by_sketch": {
            s: {"n": c["n"], "exec": c["exec"], "answered": c["answered"]}
            for s, c in sorted(by_sketch.items(), key=lambda t: -t[1]["n"])
        },
        "abstain_reasons": dict(reasons.most_common(5)),
    }


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry: print the report as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--condition", choices=("all", "gold", "topk"), default="all")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--threshold", type=float, default=None)
    args = parser.parse_args(argv)
    planner = OfflinePlanner(threshold=args.threshold)
    print(json.dumps(evaluate_finqa(args.file, planner, args.condition, args.k), indent=2))


if __name__ == "__main__":
    main()
