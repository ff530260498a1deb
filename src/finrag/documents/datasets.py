"""FinQA records and TAT-QA contexts as Documents, so evaluation uses the ingestion path.

One record (FinQA) or context (TAT-QA) becomes one :class:`Document` with one page:

* FinQA (at most one header row, as the dataset has; the em dashes and quotes the dataset's
  text extraction flattened to "2014", "2019", "201c" and "201d" are restored, and so is the
  space of a day glued to its year, "december 312012"): ``pre_text`` and ``post_text`` items
  are kept one sentence each, in order, so text chunk ``<doc>:p1:s<j>`` is the dataset's
  ``text_j``; the ``table`` keeps its rows as given (row 0 is the header), so table-row chunk
  ``<doc>:t0:r<i>`` is the dataset's ``table_i``.
* TAT-QA: paragraphs in ``order``, split into sentences; the table's header rows are
  recognised like any other table's.

The document id is ``d`` + the first 16 hex digits of sha256 over ``"<dataset>:<record id>"``:
stable for a record whatever file it is read from. The record id is kept in
``metadata["record_id"]``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from finrag.documents.model import Document, Page, TextBlock
from finrag.documents.tables import build_table
from finrag.documents.text import split_sentences
from finrag.errors import EvaluationError
from finrag.lexical import unglue_dates

__all__ = [
    "finqa_document",
    "is_finqa",
    "is_tatqa",
    "iter_finqa_documents",
    "iter_tatqa_documents",
    "record_doc_id",
    "tatqa_document",
]


def record_doc_id(dataset: str, record_id: str) -> str:
    """The stable document id of a dataset record."""
    return "d" + hashlib.sha256(f"{dataset}:{record_id}".encode()).hexdigest()[:16]


def is_finqa(records: Any) -> bool:
    """Whether parsed JSON looks like a FinQA file (a list of records with pre_text/table)."""
    return (
        isinstance(records, list)
        and bool(records)
        and isinstance(records[0], dict)
        and {"pre_text", "post_text", "table"} <= records[0].keys()
    )


def is_tatqa(records: Any) -> bool:
    """Whether parsed JSON looks like a TAT-QA file (contexts with table and paragraphs)."""
    return (
        isinstance(records, list)
        and bool(records)
        and isinstance(records[0], dict)
        and {"table", "paragraphs"} <= records[0].keys()
        and isinstance(records[0]["table"], dict)
    )


def _load(source: str | Path | Iterable[dict[str, Any]]) -> tuple[list[dict[str, Any]], str]:
    if isinstance(source, str | Path):
        try:
            return json.loads(Path(source).read_text(encoding="utf-8")), str(source)
        except (OSError, json.JSONDecodeError) as exc:
            raise EvaluationError(f"cannot read dataset file {source}: {exc}") from exc
    return list(source), "<records>"


def _sha(record: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()


# FinQA's text was extracted with unicode escapes flattened to their hex digits: an em dash
# (U+2014, "nil" in a table) became "2014", a right quote (U+2019) "2019" ("company 2019s"),
# curly double quotes "201c" / "201d". Read as numbers, the dash cells are wrong operands: in
# the 300 local FinQA records, 154 data cells read "2014" and no gold program uses 2014.
_DASH_CELL = re.compile(r"\$?\s*\(?\s*2014\s*\)?")
_QUOTES = (
    # a dash glued to the next word ("2014december 31 2008", "2014including") is never a year
    (re.compile(r"\b2014(?=[a-z])"), "\u2014 "),
    (re.compile(r"(?<=[a-z]) 2019(?=s\b)"), "\u2019"),
    # ... and inside a name or a contraction: "o 2019reilly", "don 2019t"
    (re.compile(r"(?<=\b[a-z]) 2019(?=[a-z])"), "\u2019"),
    (re.compile(r"(?<=[a-z]) 2019(?=(?:t|d|ll|re|ve|m)\b)"), "\u2019"),
    (re.compile(r"\b201c\s?"), '"'),
    (re.compile(r"\s?\b201d\b"), '"'),
)


def _finqa_cell(row: int, col: int, text: str) -> str:
    """A cell with FinQA's flattened em dash restored: a data cell reading "2014" is a nil
    cell; a row label keeps its text with glued dashes and quotes restored; a day glued to
    its year ("december 312012") is parted in every cell."""
    if row > 0 and col > 0 and _DASH_CELL.fullmatch(text.strip()):
        return "\u2014"
    return _finqa_text(text) if col == 0 else unglue_dates(text)


def _finqa_text(text: str) -> str:
    for pattern, repl in _QUOTES:
        text = pattern.sub(repl, text)
    return unglue_dates(text)


def finqa_document(record: dict[str, Any], source: str = "") -> Document:
    """One FinQA record as a Document (see the module docstring for the id alignment)."""
    rid = str(record.get("id") or record.get("uid") or _sha(record)[:16])
    items = [
        _finqa_text(str(t)) for t in [*record.get("pre_text", []), *record.get("post_text", [])]
    ]
    blocks = tuple(TextBlock(page=1, text=t, sentences=(t,)) for t in items)
    grid = [
        [_finqa_cell(i, j, str(c)) for j, c in enumerate(row)]
        for i, row in enumerate(record.get("table", []))
    ]
    tables = []
    if grid:
        context = " ".join(items)
        tables.append(build_table(grid, index=0, pages=[1], max_header_rows=1, context=context))
    n_pre = len(record.get("pre_text", []))
    text = "\n".join([*items[:n_pre], *(" | ".join(r) for r in grid), *items[n_pre:]])
    page = Page(number=1, text=text, blocks=blocks, table_indices=(0,) if tables else ())
    return Document(
        id=record_doc_id("finqa", rid),
        source=source or str(record.get("filename", "")),
        format="finqa",
        title=str(record.get("filename", rid)),
        sha256=_sha(record),
        pages=(page,),
        tables=tuple(tables),
        metadata={
            "record_id": rid,
            "dataset": "finqa",
            "filename": str(record.get("filename", "")),
        },
    )


def tatqa_document(context: dict[str, Any], source: str = "") -> Document:
    """One TAT-QA context (table + paragraphs) as a Document."""
    table_obj = context.get("table") or {}
    rid = str(table_obj.get("uid") or _sha(context)[:16])
    paragraphs = sorted(context.get("paragraphs", []), key=lambda p: p.get("order", 0))
    blocks = tuple(
        TextBlock(page=1, text=str(p["text"]), sentences=tuple(split_sentences(str(p["text"]))))
        for p in paragraphs
    )
    grid = [[str(c) for c in row] for row in table_obj.get("table", [])]
    context_text = " ".join(b.text for b in blocks)
    tables = [build_table(grid, index=0, pages=[1], context=context_text)] if grid else []
    text = "\n".join([*(" | ".join(r) for r in grid), *(b.text for b in blocks)])
    page = Page(number=1, text=text, blocks=blocks, table_indices=(0,) if tables else ())
    return Document(
        id=record_doc_id("tatqa", rid),
        source=source,
        format="tatqa",
        title=rid,
        sha256=_sha(context),
        pages=(page,),
        tables=tuple(tables),
        metadata={"record_id": rid, "dataset": "tatqa"},
    )


def iter_finqa_documents(source: str | Path | Iterable[dict[str, Any]]) -> Iterator[Document]:
    """One Document per FinQA record of a file (or an iterable of records)."""
    records, name = _load(source)
    for record in records:
        yield finqa_document(record, name)


def iter_tatqa_documents(source: str | Path | Iterable[dict[str, Any]]) -> Iterator[Document]:
    """One Document per TAT-QA context of a file (or an iterable of contexts)."""
    contexts, name = _load(source)
    for context in contexts:
        yield tatqa_document(context, name)
