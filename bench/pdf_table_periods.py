"""How many table rows of the FinanceBench filings carry a period on their cells.

A cell without a period ("Depreciation and amortization | 2,763" with no year) cannot answer
"... in 2022": grounding has to guess the column. This counts, per filing, the table-row chunks
and those whose cells name a period (the chunk text says "the <label> of <period> is ..."), so a
parser change can be compared on the real filings:

    .venv/bin/python bench/pdf_table_periods.py [--pdfs DIR]

Prints one line per filing and a JSON summary on the last line.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import time
from pathlib import Path

from finrag.documents.base import ParseOptions
from finrag.documents.chunking import chunk_document
from finrag.documents.model import ChunkKind
from finrag.documents.registry import parse_path

DATA = Path(
    os.environ.get(
        "FINRAG_SHARED_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )
)
# "the Net income of 2022 is", "the Revenues of Three Months Ended July 2, 2023 is"
_WITH_PERIOD = re.compile(r" of [^;]*\b(?:19|20)\d\d\b[^;]* is ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdfs", type=Path, default=DATA / "financebench" / "pdfs")
    args = parser.parse_args()
    pdfs = sorted(args.pdfs.glob("*.pdf"))
    if not pdfs:
        raise SystemExit(f"no PDFs under {args.pdfs}")
    total_rows = total_with = 0
    started = time.perf_counter()
    for path in pdfs:
        (doc,) = parse_path(path, ParseOptions(workers=1))
        rows = [c for c in chunk_document(doc) if c.kind is ChunkKind.TABLE_ROW]
        with_period = sum(1 for c in rows if _WITH_PERIOD.search(c.text))
        total_rows += len(rows)
        total_with += with_period
        print(f"{path.name:40s} table rows {len(rows):5d}  with a period {with_period:5d}")
    print(
        json.dumps(
            {
                "filings": len(pdfs),
                "table_rows": total_rows,
                "rows_with_period": total_with,
                "share": round(total_with / max(total_rows, 1), 4),
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
