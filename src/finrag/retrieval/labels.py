"""Gold evidence as chunk ids: FinQA ``gold_inds`` and TAT-QA positives.

* **FinQA**: ``gold_inds`` keys ``table_i`` and ``text_j`` name row ``i`` of the record's table
  and item ``j`` of ``pre_text + post_text``. The FinQA loader
  (:mod:`finrag.documents.datasets`) keeps that alignment, so ``table_i`` is chunk
  ``<doc>:t0:r<i>`` and ``text_j`` is ``<doc>:p1:s<j>``. When a chunker merges or splits a
  unit and the id is missing, the gold fact maps to the chunk whose text matches the gold text
  best, so a chunking change degrades the mapping gracefully instead of losing the fact.
* **TAT-QA** (training only): a text answer's positives are the sentences of its
  ``rel_paragraphs`` that contain the answer or a number of the derivation (all of the
  paragraph's sentences when none does, unless the answer's rows were found in the table: a
  table-text question's related paragraph then mostly introduces the table, "the table below
  presents ...", and holds no value); a table answer's positives are the body rows holding a
  number of the derivation or the answer itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from finrag.documents.model import Chunk, ChunkKind
from finrag.lexical import stems

__all__ = ["finqa_gold", "normalise_value", "tatqa_positives", "text_similarity"]

_NUM = re.compile(r"\d[\d,]*(?:\.\d+)?")
_SPACE = re.compile(r"\s+")


def text_similarity(a: str, b: str) -> float:
    """Token F1 between two texts (stemmed), in [0, 1]."""
    ta, tb = stems(a), stems(b)
    if not ta or not tb:
        return 0.0
    common = 0
    pool = list(tb)
    for tok in ta:
        if tok in pool:
            pool.remove(tok)
            common += 1
    if not common:
        return 0.0
    precision, recall = common / len(ta), common / len(tb)
    return 2 * precision * recall / (precision + recall)


def _best_match(text: str, chunks: Sequence[Chunk], kind: ChunkKind) -> str | None:
    pool = [c for c in chunks if c.kind is kind] or list(chunks)
    scored = [(text_similarity(text, c.text), c.id) for c in pool]
    best = max(scored, default=(0.0, ""))
    return best[1] if best[0] > 0 else None


def finqa_gold(record: dict[str, Any], chunks: Sequence[Chunk]) -> list[frozenset[str]]:
    """One set of chunk ids per gold fact of a FinQA record (empty sets are dropped).

    A fact is found when any chunk of its set is retrieved; a set has more than one id only
    when the chunker split the gold unit.
    """
    if not chunks:
        return []
    doc_id = chunks[0].doc_id
    by_id = {c.id: c for c in chunks}
    facts: list[frozenset[str]] = []
    for key, gold_text in (record.get("qa", {}).get("gold_inds") or {}).items():
        kind_name, _, index = str(key).partition("_")
        if kind_name == "table":
            wanted, kind = f"{doc_id}:t0:r{index}", ChunkKind.TABLE_ROW
        else:
            wanted, kind = f"{doc_id}:p1:s{index}", ChunkKind.TEXT
        if wanted in by_id:
            facts.append(frozenset({wanted}))
            continue
        match = _best_match(str(gold_text), chunks, kind)
        if match is not None:
            facts.append(frozenset({match}))
    return facts


def normalise_value(text: str) -> str | None:
    """A numeric cell or literal as a canonical string ("$ (1,234.50)" -> "1234.5")."""
    match = _NUM.search(text.replace("$", ""))
    if match is None:
        return None
    value = match.group(0).replace(",", "")
    if "." in value:
        value = value.rstrip("0").rstrip(".")
    return value or "0"


def _answer_values(question: dict[str, Any]) -> tuple[set[str], set[str]]:
    """Numbers of the derivation and answer, and the answer's text spans (lower-cased)."""
    answers = question.get("answer")
    spans = [str(a) for a in answers] if isinstance(answers, list) else [str(answers)]
    numbers = {normalise_value(m) for m in _NUM.findall(str(question.get("derivation") or ""))}
    numbers |= {normalise_value(s) for s in spans if _NUM.fullmatch(s.replace(",", "").strip())}
    return {n for n in numbers if n}, {_norm(s) for s in spans if s.strip()}


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip().lower()


def _row_positive(chunk: Chunk, numbers: set[str], spans: set[str]) -> bool:
    if not any(cell.number is not None for cell in chunk.cells):
        return False  # header rows hold periods, not evidence values
    if chunk.row_label and _norm(chunk.row_label) in spans:
        return True
    for cell in chunk.cells:
        if normalise_value(cell.text) in numbers or _norm(cell.text) in spans:
            return True
    return False


def _paragraph_sentences(chunks: Iterable[Chunk], paragraph: str) -> list[Chunk]:
    text = _norm(paragraph)
    return [c for c in chunks if c.kind is ChunkKind.TEXT and _norm(c.text) in text]


def tatqa_positives(
    question: dict[str, Any], context: dict[str, Any], chunks: Sequence[Chunk]
) -> set[str]:
    """Chunk ids that are evidence for one TAT-QA question (see the module docstring)."""
    numbers, spans = _answer_values(question)
    positives: set[str] = set()
    source = str(question.get("answer_from", ""))
    table_rows: set[str] = set()
    if "table" in source:
        table_rows = {
            c.id
            for c in chunks
            if c.kind is ChunkKind.TABLE_ROW and _row_positive(c, numbers, spans)
        }
        positives |= table_rows
    if "text" in source:
        orders = {str(o) for o in question.get("rel_paragraphs") or []}
        for paragraph in context.get("paragraphs", []):
            if str(paragraph.get("order")) not in orders:
                continue
            sentences = _paragraph_sentences(chunks, str(paragraph.get("text", "")))
            hits = [
                c
                for c in sentences
                if any(s in _norm(c.text) for s in spans)
                or any(n in (normalise_value(x) for x in _NUM.findall(c.text)) for n in numbers)
            ]
            if hits or not table_rows:
                positives |= {c.id for c in hits or sentences}
    return positives
