"""Ingest throughput over the six FinanceBench filings: pages/second per document and overall.

    .venv/bin/python bench/ingest_throughput.py [--runs 3] [--workers 2] [--engine pdfium]

Each run parses and chunks every PDF through ``ingest_paths`` (one shared process pool, as
``finrag ingest`` does); the figures printed are the median over runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

from finrag.documents.base import ParseOptions
from finrag.documents.ingest import ingest_paths

DATA = Path(
    os.environ.get("FINRAG_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--engine", default="pdfium", choices=["pdfium", "pdfplumber"])
    parser.add_argument("paths", nargs="*", type=Path, default=[DATA / "financebench" / "pdfs"])
    args = parser.parse_args()
    if not all(p.exists() for p in args.paths):
        print(f"data not found: {args.paths}; set FINRAG_SHARED_DATA", file=sys.stderr)
        return 1
    options = ParseOptions(workers=args.workers, pdf_engine=args.engine)
    per_doc: dict[str, list[float]] = {}
    pages: dict[str, int] = {}
    tables: dict[str, int] = {}
    overall: list[float] = []
    for run in range(args.runs):
        report = ingest_paths(args.paths, options=options)
        if report.failed:
            print(f"failed: {[(f.source, f.error) for f in report.failed]}", file=sys.stderr)
            return 1
        for f in report.files:
            name = Path(f.source).name
            per_doc.setdefault(name, []).append(f.pages / f.seconds)
            pages[name], tables[name] = f.pages, f.tables
        overall.append(report.pages_per_second)
        print(f"run {run + 1}: {report.pages} pages in {report.seconds:.1f} s", file=sys.stderr)
    print(f"{'document':34} {'pages':>6} {'tables':>7} {'pages/s':>9}")
    for name in sorted(per_doc):
        print(
            f"{name:34} {pages[name]:6d} {tables[name]:7d} {statistics.median(per_doc[name]):9.1f}"
        )
    print(
        f"{'overall (median of ' + str(args.runs) + ' runs)':34} {sum(pages.values()):6d} "
        f"{sum(tables.values()):7d} {statistics.median(overall):9.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
