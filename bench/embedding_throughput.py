"""Chunks per second of the local MiniLM embedder on one thread: ONNX layouts and numpy.

Usage::

    .venv/bin/python bench/embedding_throughput.py            # 2,000 chunks (numpy: first 500)
    .venv/bin/python bench/embedding_throughput.py --chunks 500 --numpy-chunks 200

The chunks are generated (seeded) to look like FinRAG's evidence units: FinQA-style linearised
table rows ("the net revenue of 2019 is $ 5829 ; ...") and report sentences, most of them
20-60 tokens with a tail of long paragraphs. No repository-external data is read.
"""

from __future__ import annotations

import os

# Pin BLAS to one thread before numpy loads, so the numpy path is measured on one core too.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

from finrag.embeddings.minilm import MiniLMEmbedder  # noqa: E402

ROWS = ["net revenue", "total operating expenses", "cost of sales", "net income",
        "diluted earnings per share", "cash and cash equivalents", "long-term debt",
        "research and development", "income tax expense", "capital expenditures",
        "depreciation and amortization", "goodwill", "total assets", "share repurchases"]  # fmt: skip
SUBJECTS = ["Net revenue", "Operating income", "Gross margin", "Free cash flow",
            "Adjusted EBITDA", "Interest expense", "The effective tax rate", "Backlog"]  # fmt: skip
VERBS = ["increased", "decreased", "was flat", "grew", "declined"]
CAUSES = ["higher volumes in the commercial segment", "unfavourable foreign currency translation",
          "the divestiture of the consumer lending portfolio", "pricing actions in North America",
          "lower restructuring charges", "the acquisition completed in the third quarter",
          "increased investment in cloud infrastructure", "supply chain disruptions"]  # fmt: skip


def _money(rng: random.Random) -> str:
    value = rng.uniform(10, 90_000)
    return f"{value:,.1f}" if rng.random() < 0.4 else f"{int(value)}"


def table_row(rng: random.Random) -> str:
    """A linearised table row, FinQA style, over 2-4 years."""
    row = rng.choice(ROWS)
    years = range(2020 - rng.randint(2, 4), 2021)
    unit = rng.choice(["$ ", "", "$ "])
    return " ".join(f"the {row} of {y} is {unit}{_money(rng)} ;" for y in reversed(years))


def sentence(rng: random.Random) -> str:
    """A report sentence; one in ten is a long multi-sentence paragraph."""

    def one() -> str:
        return (f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.uniform(0.5, 30):.1f}% to "
                f"${_money(rng)} million in {rng.randint(2015, 2023)}, primarily due to "
                f"{rng.choice(CAUSES)}, partially offset by {rng.choice(CAUSES)}.")  # fmt: skip

    return " ".join(one() for _ in range(rng.randint(4, 8) if rng.random() < 0.1 else 1))


def make_chunks(count: int, seed: int = 7) -> list[str]:
    """``count`` chunks, about half table rows and half sentences."""
    rng = random.Random(seed)
    return [table_row(rng) if rng.random() < 0.5 else sentence(rng) for _ in range(count)]


def measure(
    embed: Callable[[list[str]], object], chunks: list[str], runs: int
) -> tuple[float, float]:
    """Median chunks/second over ``runs`` passes (after a warm-up): by wall and by CPU time.

    CPU time (of this process, all threads) is the steadier figure on a shared machine: other
    processes stretch wall time but not the CPU this one spends.
    """
    embed(chunks[:32])
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        embed(chunks)
        wall.append(len(chunks) / (time.perf_counter() - start))
        cpu.append(len(chunks) / (time.process_time() - start_cpu))
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    """Parse options, run each configuration, print one line per configuration."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chunks", type=int, default=2000)
    parser.add_argument("--numpy-chunks", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--skip-numpy", action="store_true")
    args = parser.parse_args()

    chunks = make_chunks(args.chunks)
    with tempfile.TemporaryDirectory() as cache_dir:
        configs: list[tuple[str, MiniLMEmbedder, list[str]]] = [
            (f"onnx portable (batch {args.batch_size})",
             MiniLMEmbedder(backend="onnx", layout="portable", threads=args.threads,
                            batch_size=args.batch_size, cache_dir=cache_dir), chunks),
            (f"onnx fused (batch {args.batch_size})",
             MiniLMEmbedder(backend="onnx", layout="fused", threads=args.threads,
                            batch_size=args.batch_size, cache_dir=cache_dir), chunks),
        ]  # fmt: skip
        if not args.skip_numpy:
            numpy_chunks = chunks[: args.numpy_chunks]
            embedder = MiniLMEmbedder(backend="numpy", batch_size=args.batch_size)
            configs.append((f"numpy (batch {args.batch_size})", embedder, numpy_chunks))
        counts = configs[0][1].token_counts(chunks)
        print(f"{len(chunks)} chunks, tokens per chunk: median {statistics.median(counts):.0f}, "
              f"max {max(counts)}; {args.threads} thread(s), median of {args.runs} runs")  # fmt: skip
        print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        print(f"{'configuration':<28} {'wall':>14} {'cpu time':>14}")
        for label, embedder, texts in configs:
            wall, cpu = measure(embedder.embed, texts, args.runs)
            print(f"{label:<28} {wall:7.1f} chunks/s {cpu:7.1f} chunks/s  ({len(texts)} chunks)")


if __name__ == "__main__":
    main()
