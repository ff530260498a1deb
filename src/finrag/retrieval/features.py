"""Features of a (question, candidate chunk) pair for the evidence reranker.

Every feature is backend independent: ranks rather than raw BM25 scores (FTS5 ``bm25()`` and
PostgreSQL ``ts_rank`` live on different scales), lexical statistics computed here over the
candidate list rather than read from an index, and cosines of the question with the chunk's
and the row label's embeddings (read from the embedding cache, see
:mod:`finrag.retrieval.hybrid`). The names in :data:`FEATURE_NAMES` are
stored in the reranker artifact, so a model trained on one feature order refuses another.

Text is normalised with a light stemmer (:func:`stem`): lower case, possessives and plural or
verbal suffixes stripped, so "revenues" meets "revenue" and "increased" meets "increase".
Periods are read from the question (years, quarters, "fiscal 2019") and matched against the
chunk's column periods and headers as well as its text.

The question's *metric phrase* is its content words minus scaffolding ("change", "ratio",
"percentage", ...), years and numbers: what a row label or sentence must name. Listwise
features (gaps to the best candidate, ranks within the candidate's kind) let a pointwise
feature row see the rest of the list.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from finrag.documents.model import Chunk, ChunkKind
from finrag.lexical import stems
from finrag.retrieval.fusion import RRF_K
from finrag.store.query import STOPWORDS

__all__ = [
    "FEATURE_NAMES",
    "Candidate",
    "ChunkTerms",
    "QuestionTerms",
    "analyse_chunk",
    "analyse_question",
    "feature_matrix",
]

_NUMBER = re.compile(r"(?<![\w.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.])\d+(?:\.\d+)?")
_YEAR = re.compile(r"\b(19[6-9]\d|20[0-4]\d)\b")
_QUARTER = re.compile(r"\b(?:q([1-4])|(first|second|third|fourth) quarter)\b")
_QUARTER_WORDS = {"first": "1", "second": "2", "third": "3", "fourth": "4"}
_CHANGE = re.compile(r"\b(?:change|increase|decrease|growth|grew|declin|differen|compar)")
_RATIO = re.compile(r"\b(?:percent|percentage|ratio|portion|proportion|share of|%)")
# A question that relates a part to a whole (or adds parts up) usually needs the total row too.
_PORTION = re.compile(
    r"\b(?:percent|percentage|portion|proportion|share of|fraction|total|ratio|combined|sum)|%"
)
# Opening and closing rows of a roll-forward table: what a "change during the year" needs.
_BALANCE = re.compile(r"\b(?:beginning|end of|ending|balance|opening|closing|outstanding at)\b")
# Words that occur in nearly every financial question and chunk and so carry no evidence.
_WEAK = frozenset(
    [
        "total",
        "year",
        "years",
        "value",
        "amount",
        "million",
        "millions",
        "billion",
        "billions",
        "thousand",
        "thousands",
        "dollar",
        "dollars",
        "company",
        "percent",
        "percentage",
        "change",
    ]
)

# Question scaffolding: words that say what to compute rather than which fact to read, so the
# "metric phrase" of a question (what a row label or sentence must name) is what remains.
_SCAFFOLD = frozenset(
    stem_word
    for stem_word in (
        "average",
        "change",
        "chang",
        "difference",
        "differ",
        "ratio",
        "increase",
        "decrease",
        "growth",
        "portion",
        "proportion",
        "percent",
        "percentage",
        "rate",
        "many",
        "much",
        "approximate",
        "approximately",
        "respectively",
        "compare",
        "compar",
        "combine",
        "combin",
        "sum",
        "period",
        "end",
        "based",
        "bas",
    )
)
# Sentences that introduce a table ("... is as follows:", "the following table ...") repeat the
# question's words but hold no value.
_INTRO = re.compile(
    r"\b(?:as follows|following|table|below|summarized|summarizes|set forth)\b|:\s*\.?\s*$"
)

FEATURE_NAMES: tuple[str, ...] = (
    "kw_present",
    "kw_rr",
    "kw_log_rank",
    "vec_present",
    "vec_rr",
    "vec_log_rank",
    "rrf",
    "overlap",
    "idf_overlap",
    "bigram_overlap",
    "chunk_coverage",
    "label_in_question",
    "label_exact",
    "header_overlap",
    "q_has_year",
    "year_match",
    "year_miss",
    "quarter_match",
    "q_number_match",
    "has_numbers",
    "log_numbers",
    "is_table",
    "is_header_row",
    "log_length",
    "relative_position",
    "q_change_x_numbers",
    "q_ratio_x_numbers",
    "idf_rank",
    "idf_gap",
    "label_gap",
    "question_in_label",
    "cosine",
    "cosine_gap",
    "label_cosine",
    "label_cosine_gap",
    "metric_overlap",
    "metric_label_jaccard",
    "metric_label_cover",
    "metric_gap",
    "intro_sentence",
    "log_value_numbers",
    "q_year_count",
    "kind_cosine_rank",
    "kind_idf_rank",
    "kind_metric_rank",
    "anchor_complement",
    "anchor_metric_complement",
    "anchor_distance",
    "anchor_adjacent_row",
    "total_row",
    "total_x_portion",
    "prior_year_match",
    "label_year",
    "balance_x_change",
)


_ANCHOR_START = FEATURE_NAMES.index("anchor_complement")
_N_ANCHOR = len(FEATURE_NAMES) - _ANCHOR_START


def _content(tokens: Sequence[str]) -> list[str]:
    return [t for t in tokens if t not in STOPWORDS and len(t) > 1]


def _numbers(text: str) -> set[str]:
    out: set[str] = set()
    for raw in _NUMBER.findall(text):
        value = raw.replace(",", "")
        if "." in value:
            value = value.rstrip("0").rstrip(".")
        out.add(value)
    return out


def _quarters(text: str) -> set[str]:
    return {q or _QUARTER_WORDS[w] for q, w in _QUARTER.findall(text.lower())}


@dataclass(frozen=True, slots=True)
class QuestionTerms:
    """What the features need from a question, computed once per query."""

    terms: tuple[str, ...]
    strong: frozenset[str]
    bigrams: frozenset[tuple[str, str]]
    text: str
    years: frozenset[str]
    quarters: frozenset[str]
    numbers: frozenset[str]
    asks_change: bool
    asks_ratio: bool
    metric: frozenset[str]
    asks_portion: bool
    prior_years: frozenset[str]


@lru_cache(maxsize=4096)
def analyse_question(question: str) -> QuestionTerms:
    """Tokens, stems, periods and numbers of a question."""
    tokens = stems(question)
    content = _content(tokens)
    years = frozenset(_YEAR.findall(question))
    numbers = frozenset(n for n in _numbers(question) if n not in years)
    return QuestionTerms(
        terms=tuple(dict.fromkeys(content)),
        strong=frozenset(t for t in content if t not in _WEAK and not t.isdigit()),
        bigrams=frozenset(itertools.pairwise(content)),
        text=" " + " ".join(tokens) + " ",
        years=years,
        quarters=frozenset(_quarters(question)),
        numbers=numbers,
        asks_change=bool(_CHANGE.search(question.lower())),
        asks_ratio=bool(_RATIO.search(question.lower())),
        metric=_metric_terms(content, years),
        asks_portion=bool(_PORTION.search(question.lower())),
        prior_years=_prior_years(question, years),
    )


def _prior_years(question: str, years: frozenset[str]) -> frozenset[str]:
    """The year before the question's only year when it asks for a change ("... in 2017")."""
    if len(years) != 1 or not _CHANGE.search(question.lower()):
        return frozenset()
    return frozenset(str(int(y) - 1) for y in years)


def _metric_terms(content: Sequence[str], years: frozenset[str]) -> frozenset[str]:
    """The question's content stems minus scaffolding, weak words, years and numbers."""
    metric = {
        t
        for t in content
        if t not in _SCAFFOLD and t not in _WEAK and t not in years and not t[0].isdigit()
    }
    return frozenset(metric)


@dataclass(frozen=True, slots=True)
class ChunkTerms:
    """What the features need from a chunk; cached by chunk id (chunks are immutable)."""

    terms: frozenset[str]
    bigrams: frozenset[tuple[str, str]]
    length: int
    label: tuple[str, ...]
    headers: frozenset[str]
    years: frozenset[str]
    quarters: frozenset[str]
    numbers: frozenset[str]
    n_numbers: int
    is_table: bool
    is_header_row: bool
    is_intro: bool
    n_values: int
    label_years: frozenset[str]
    is_total: bool
    is_balance: bool


def _chunk_context(chunk: Chunk) -> tuple[str, str]:
    """The chunk's own text plus its headers and periods (for tables) as searchable text."""
    headers = " ".join(f"{cell.header} {cell.period or ''}" for cell in chunk.cells)
    return f"{chunk.row_label or ''} {chunk.text}", f"{headers} {chunk.section}"


# Chunks are immutable by id (ids derive from content hashes), so their analysis is cached.
_CHUNK_CACHE: dict[str, ChunkTerms] = {}
_CHUNK_CACHE_MAX = 200_000


def analyse_chunk(chunk: Chunk) -> ChunkTerms:
    """Tokens, periods and numbers of a chunk, including its row label and column headers."""
    key = f"{chunk.id}\x00{len(chunk.text)}"
    cached = _CHUNK_CACHE.get(key)
    if cached is not None:
        return cached
    body, extra = _chunk_context(chunk)
    content = _content(stems(body))
    header_terms = _content(stems(extra))
    label = tuple(_content(stems(chunk.row_label or "")))
    is_table = chunk.kind is ChunkKind.TABLE_ROW
    if is_table:
        number_count = sum(cell.number is not None for cell in chunk.cells)
    else:
        number_count = len(chunk.numbers) or len(_numbers(chunk.text))
    # Numbers other than years: what a sentence can contribute as a value.
    values = number_count if is_table else len(_numbers(chunk.text) - set(_YEAR.findall(body)))
    terms = ChunkTerms(
        terms=frozenset(content) | frozenset(header_terms),
        bigrams=frozenset(itertools.pairwise(content)),
        length=len(content),
        label=label,
        headers=frozenset(header_terms),
        years=frozenset(_YEAR.findall(f"{body} {extra}")),
        quarters=frozenset(_quarters(f"{body} {extra}")),
        numbers=frozenset(_numbers(chunk.text)),
        n_numbers=number_count,
        is_table=is_table,
        is_header_row=is_table and (chunk.row_index == 0 or number_count == 0),
        is_intro=not is_table and not values and bool(_INTRO.search(chunk.text.lower())),
        n_values=values,
        label_years=frozenset(_YEAR.findall(chunk.row_label or "")),
        is_total="total" in label,
        is_balance=bool(_BALANCE.search((chunk.row_label or "").lower())),
    )
    if len(_CHUNK_CACHE) >= _CHUNK_CACHE_MAX:
        _CHUNK_CACHE.clear()
    _CHUNK_CACHE[key] = terms
    return terms


@dataclass(frozen=True, slots=True)
class Candidate:
    """A chunk with the ranks it had in the keyword and vector candidate lists."""

    chunk: Chunk
    keyword_rank: int | None
    vector_rank: int | None
    fused_score: float
    cosine: float | None = None
    label_cosine: float | None = None


def _rank_features(rank: int | None, depth: int) -> tuple[float, float, float]:
    if rank is None:
        return 0.0, 0.0, math.log(depth + 1)
    return 1.0, 1.0 / rank, math.log(rank)


def _idf(question: QuestionTerms, chunks: Sequence[ChunkTerms]) -> dict[str, float]:
    n = len(chunks)
    return {
        t: math.log(1.0 + (n + 1) / (1 + sum(t in c.terms for c in chunks))) for t in question.terms
    }


def _label_features(q: QuestionTerms, c: ChunkTerms) -> tuple[float, float]:
    if not c.label:
        return 0.0, 0.0
    inside = sum(t in q.terms for t in c.label) / len(c.label)
    exact = 1.0 if f" {' '.join(c.label)} " in q.text else 0.0
    return inside, exact


def _period_features(q: QuestionTerms, c: ChunkTerms) -> tuple[float, float, float]:
    if not q.years:
        year_match, year_miss = 0.0, 0.0
    else:
        year_match = len(q.years & c.years) / len(q.years)
        year_miss = 1.0 if not (q.years & c.years) else 0.0
    quarter = 1.0 if q.quarters and q.quarters & c.quarters else 0.0
    return year_match, year_miss, quarter


def _lexical(
    q: QuestionTerms, c: ChunkTerms, idf: dict[str, float], idf_total: float
) -> tuple[float, float, float, float]:
    matched = [t for t in q.terms if t in c.terms]
    overlap = len(matched) / len(q.terms) if q.terms else 0.0
    idf_overlap = sum(idf[t] for t in matched) / idf_total if idf_total else 0.0
    bigram = len(q.bigrams & c.bigrams) / len(q.bigrams) if q.bigrams else 0.0
    coverage = sum(t in q.terms for t in c.terms) / max(len(c.terms), 1)
    return overlap, idf_overlap, bigram, coverage


def _row(
    q: QuestionTerms,
    cand: Candidate,
    c: ChunkTerms,
    idf: dict[str, float],
    idf_total: float,
    depth: int,
    position: float,
) -> list[float]:
    has_numbers = 1.0 if c.n_numbers else 0.0
    q_numbers = len(q.numbers & c.numbers) / len(q.numbers) if q.numbers else 0.0
    return [
        *_rank_features(cand.keyword_rank, depth),
        *_rank_features(cand.vector_rank, depth),
        cand.fused_score * RRF_K,
        *_lexical(q, c, idf, idf_total),
        *_label_features(q, c),
        len(q.strong & c.headers) / len(q.strong) if q.strong else 0.0,
        1.0 if q.years else 0.0,
        *_period_features(q, c),
        q_numbers,
        has_numbers,
        math.log1p(c.n_numbers),
        1.0 if c.is_table else 0.0,
        1.0 if c.is_header_row else 0.0,
        math.log1p(c.length),
        position,
        has_numbers * float(q.asks_change),
        has_numbers * float(q.asks_ratio),
        0.0,  # idf_rank, filled by the caller
        0.0,  # idf_gap, filled by the caller
        0.0,  # label_gap, filled by the caller
        len(q.strong & set(c.label)) / len(q.strong) if q.strong else 0.0,
        cand.cosine if cand.cosine is not None else 0.0,
        0.0,  # cosine_gap, filled by the caller
        cand.label_cosine if cand.label_cosine is not None else 0.0,
        0.0,  # label_cosine_gap, filled by the caller
        *_metric_features(q, c),
        0.0,  # metric_gap, filled by the caller
        1.0 if c.is_intro else 0.0,
        math.log1p(c.n_values),
        float(len(q.years)),
        0.0,  # kind_cosine_rank, filled by the caller
        0.0,  # kind_idf_rank, filled by the caller
        0.0,  # kind_metric_rank, filled by the caller
        *([0.0] * _N_ANCHOR),  # anchor features, filled by _anchor_features
    ]


def _metric_features(q: QuestionTerms, c: ChunkTerms) -> tuple[float, float, float]:
    """The metric phrase against the chunk (share found) and its row label (Jaccard, cover)."""
    if not q.metric:
        return 0.0, 0.0, 0.0
    overlap = len(q.metric & c.terms) / len(q.metric)
    label = set(c.label) - _WEAK
    if not label:
        return overlap, 0.0, 0.0
    common = len(q.metric & label)
    return overlap, common / len(q.metric | label), common / len(label)


def feature_matrix(question: str, candidates: Sequence[Candidate]) -> npt.NDArray[np.float64]:
    """The ``(len(candidates), len(FEATURE_NAMES))`` feature matrix of a candidate list."""
    q = analyse_question(question)
    if not candidates:
        return np.zeros((0, len(FEATURE_NAMES)))
    terms = [analyse_chunk(cand.chunk) for cand in candidates]
    idf = _idf(q, terms)
    idf_total = sum(idf.values())
    depth = len(candidates)
    ordinals = np.asarray([cand.chunk.ordinal for cand in candidates], dtype=np.float64)
    order = ordinals.argsort().argsort() / max(depth - 1, 1)
    rows = [
        _row(q, cand, c, idf, idf_total, depth, float(order[i]))
        for i, (cand, c) in enumerate(zip(candidates, terms, strict=True))
    ]
    matrix = np.asarray(rows, dtype=np.float64)
    idf_col = FEATURE_NAMES.index("idf_overlap")
    ranks = (-matrix[:, idf_col]).argsort(kind="stable").argsort()
    matrix[:, FEATURE_NAMES.index("idf_rank")] = 1.0 / (1.0 + ranks)
    # Listwise context: how far each candidate is from the best one in the same list.
    for source, target in (
        ("idf_overlap", "idf_gap"),
        ("label_in_question", "label_gap"),
        ("cosine", "cosine_gap"),
        ("label_cosine", "label_cosine_gap"),
        ("metric_overlap", "metric_gap"),
    ):
        column = matrix[:, FEATURE_NAMES.index(source)]
        matrix[:, FEATURE_NAMES.index(target)] = column.max() - column
    _kind_ranks(matrix)
    _anchor_features(q, candidates, terms, idf, idf_total, matrix)
    return matrix


def _anchor_features(
    q: QuestionTerms,
    candidates: Sequence[Candidate],
    terms: Sequence[ChunkTerms],
    idf: dict[str, float],
    idf_total: float,
    matrix: npt.NDArray[np.float64],
) -> None:
    """Second-fact features, relative to the anchor (the top fused candidate).

    Many questions need two facts (two rows of a table, or a row and a sentence). Given the
    candidate most likely to be the first fact, the second one covers the question terms the
    anchor lacks, sits near it, is the total a part is divided by, the prior year a change
    starts from, or the opening/closing balance of a roll-forward table.
    """
    best = max(range(len(candidates)), key=lambda i: (candidates[i].fused_score, -i))
    anchor, anchor_terms = candidates[best].chunk, terms[best].terms
    # Question terms the anchor lacks, with their IDF share and whether they are metric words.
    missing = [
        (t, idf[t] / idf_total if idf_total else 0.0, t in q.metric)
        for t in q.terms
        if t not in anchor_terms
    ]
    metric = len(q.metric) or 1
    rows = []
    for cand, c in zip(candidates, terms, strict=True):
        chunk = cand.chunk
        fresh = [(w, m) for t, w, m in missing if t in c.terms]
        adjacent = (
            chunk.table_index is not None
            and chunk.table_index == anchor.table_index
            and chunk.row_index is not None
            and anchor.row_index is not None
            and abs(chunk.row_index - anchor.row_index) == 1
        )
        rows.append(
            (
                sum(w for w, _ in fresh),
                sum(m for _, m in fresh) / metric,
                math.log1p(abs(chunk.ordinal - anchor.ordinal)),
                float(adjacent),
                float(c.is_total),
                float(c.is_total and q.asks_portion),
                float(bool(q.prior_years & c.years)),
                float(bool(q.years & c.label_years)),
                float(c.is_balance and q.asks_change),
            )
        )
    matrix[:, _ANCHOR_START:] = rows


def _kind_ranks(matrix: npt.NDArray[np.float64]) -> None:
    """Reciprocal rank of each candidate among candidates of its own kind (row or sentence).

    A question often needs one table row and one sentence; the best sentence can rank below
    several rows overall and still be the evidence, so the model sees its rank within kind.
    """
    is_table = matrix[:, FEATURE_NAMES.index("is_table")] > 0.5
    for source, target in (
        ("cosine", "kind_cosine_rank"),
        ("idf_overlap", "kind_idf_rank"),
        ("metric_overlap", "kind_metric_rank"),
    ):
        column = matrix[:, FEATURE_NAMES.index(source)]
        out = matrix[:, FEATURE_NAMES.index(target)]
        for mask in (is_table, ~is_table):
            if mask.any():
                ranks = (-column[mask]).argsort(kind="stable").argsort()
                out[mask] = 1.0 / (1.0 + ranks)
