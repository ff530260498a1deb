"""Retrieval evaluation: FinQA evidence recall, FinanceBench page recall, warm latency.

* **FinQA** (``recall_at_k``): each record's page is ingested as one document and retrieval is
  scoped to it, as in FinQA's retriever task. A gold fact (``gold_inds`` key ``table_i`` or
  ``text_j``, mapped to a chunk by :func:`finrag.retrieval.labels.finqa_gold`) is a hit when it
  is among the top ``k``. Recall@k is the mean over questions of (gold facts in top k / gold
  facts); ``all_gold_at_k`` is the share of questions with every gold fact in the top k.
* **FinanceBench** (``page_recall_at_k``): the six sample filings go into one store; a question
  is a hit when a chunk from one of its gold evidence pages is in the top ``k``. The data's
  page numbers are 0-based, ours 1-based, so gold page ``n`` is our page ``n + 1``. Retrieval
  is scoped to the question's own filing (the headline); the unscoped figure searches all six.
* **Latency**: p50/p95 per query on the six-filing corpus after a warm-up pass (model loaded,
  vector matrix cached), with the query-vector LRU cleared, so embedding the question with
  MiniLM is included in every timed query.

The six-filing store is cached in a SQLite file keyed by the PDFs' bytes, the embedder and the
source of the parsing/chunking code, so repeated runs skip parsing and embedding.
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from finrag.documents.chunking import chunk_document
from finrag.documents.datasets import finqa_document
from finrag.embeddings.base import Embedder
from finrag.errors import EvaluationError
from finrag.evaluation.report import git_revision, percentile
from finrag.retrieval.hybrid import HybridRetriever
from finrag.retrieval.indexing import cached_embedder, index_document, index_paths
from finrag.retrieval.labels import finqa_gold
from finrag.store.base import Store

if TYPE_CHECKING:
    from finrag.store.sqlite import SQLiteStore

__all__ = [
    "FinanceBenchQuestion",
    "cache_dir",
    "corpus_key",
    "embedding_cache",
    "eval_store_url",
    "evaluate_financebench",
    "evaluate_finqa",
    "financebench_questions",
    "index_financebench",
    "parser_fingerprint",
    "time_queries",
    "write_retrieval_report",
]

Progress = Callable[[str, int, int], None]
FINQA_TENANT = "eval-finqa"
FINANCEBENCH_TENANT = "eval-financebench"


def _silent(_: str, __: int, ___: int) -> None:
    return None


def cache_dir() -> Path:
    """Where cached evaluation stores live (``$FINRAG_CACHE_DIR`` or ``~/.cache/finrag``)."""
    root = Path(os.environ.get("FINRAG_CACHE_DIR", Path.home() / ".cache" / "finrag"))
    path = root / "retrieval"
    path.mkdir(parents=True, exist_ok=True)
    return path


def parser_fingerprint() -> str:
    """A short hash of the parsing and chunking source code.

    Stores are idempotent by document id, so a store built by older parsing code would keep
    serving its chunks; cached evaluation stores put this in their name instead.
    """
    digest = hashlib.sha256()
    code = Path(chunk_document.__code__.co_filename).parent
    for source in sorted(code.glob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()[:12]


def reranker_training_store_url(embedder_name: str) -> str:
    """The cached SQLite store of the reranker's training corpus. The parser fingerprint is in
    the name: the store is idempotent by document id, so a store built by older parsing code
    would otherwise keep serving its old chunks."""
    name = f"reranker-training-{embedder_name}-{parser_fingerprint()}.db"
    return f"sqlite:///{cache_dir() / name}"


def eval_store_url(name: str) -> str:
    """The cached SQLite store ``<name>-<parser fingerprint>.db`` under :func:`cache_dir`."""
    return f"sqlite:///{cache_dir().parent / f'{name}-{parser_fingerprint()}.db'}"


def embedding_cache() -> SQLiteStore:
    """A persistent embedding cache shared by evaluation stores of every parser version."""
    from finrag.store.sqlite import SQLiteStore

    return SQLiteStore(cache_dir().parent / "embedding-cache.db")


def corpus_key(files: Sequence[Path], embedder: Embedder) -> str:
    """A short hash of the files' bytes, the embedder and the parsing/chunking source code."""
    digest = hashlib.sha256(embedder.name.encode())
    for path in sorted(files):
        digest.update(path.name.encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    digest.update(parser_fingerprint().encode())
    return digest.hexdigest()[:16]


# -- FinQA ------------------------------------------------------------------------------------


def _recall_rows(
    ranked: Sequence[str], facts: Sequence[frozenset[str]], ks: Sequence[int]
) -> dict[str, float]:
    row: dict[str, float] = {}
    for k in ks:
        top = set(ranked[:k])
        found = sum(1 for fact in facts if fact & top)
        row[f"recall_at_{k}"] = found / len(facts)
        row[f"all_at_{k}"] = float(found == len(facts))
    return row


def evaluate_finqa(
    paths: Sequence[Path],
    store: Store,
    retriever: HybridRetriever,
    *,
    limit: int | None = None,
    ks: Sequence[int] = (1, 3, 5),
    progress: Progress = _silent,
) -> dict[str, Any]:
    """FinQA evidence recall@k, each question scoped to its own record's document.

    Every record is indexed before the first question is asked: FTS5's BM25 statistics span
    the whole store, so asking each question right after indexing its record scored it against
    the records indexed so far on a fresh store and against all of them on a warm one (the
    third decimal of recall moved between a first run and a rerun of the same code)."""
    records = [r for p in paths for r in json.loads(Path(p).read_text(encoding="utf-8"))]
    records = records[:limit] if limit else records
    embedder = cached_embedder(retriever.embedder, embedding_cache())
    indexed = []
    for n, record in enumerate(records, start=1):
        doc = finqa_document(record)
        chunks = chunk_document(doc)
        index_document(store, FINQA_TENANT, doc, chunks, embedder)
        indexed.append((record, doc, chunks))
        progress("finqa index", n, len(records))
    rows, misses = [], []
    for n, (record, doc, chunks) in enumerate(indexed, start=1):
        facts = finqa_gold(record, chunks)
        if facts:
            question = str(record["qa"]["question"])
            hits = retriever.retrieve(FINQA_TENANT, question, doc_ids=[doc.id], k=max(ks))
            ranked = [h.id for h in hits]
            row = _recall_rows(ranked, facts, ks)
            rows.append(row)
            if row.get("recall_at_3", 1.0) < 1.0:
                misses.append({"id": record.get("id"), "question": question, "top3": ranked[:3]})
        progress("finqa", n, len(records))
    if not rows:
        raise EvaluationError("no FinQA question with gold facts was evaluated")
    out: dict[str, Any] = {"questions": len(rows), "records": len(records)}
    for key in rows[0]:
        out[key] = statistics.fmean(row[key] for row in rows)
    out["misses_at_3"] = misses
    return out


# -- FinanceBench -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FinanceBenchQuestion:
    """One FinanceBench question with its filing and 1-based gold pages."""

    id: str
    doc_name: str
    question: str
    pages: frozenset[int]


def financebench_questions(directory: Path) -> list[FinanceBenchQuestion]:
    """Questions of ``questions_sample.jsonl`` (gold pages converted to 1-based)."""
    path = directory / "questions_sample.jsonl"
    if not path.exists():
        raise EvaluationError(f"{path} not found; point --financebench at the FinanceBench folder")
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        pages = frozenset(int(e["evidence_page_num"]) + 1 for e in item.get("evidence", []))
        out.append(
            FinanceBenchQuestion(item["financebench_id"], item["doc_name"], item["question"], pages)
        )
    return out


def index_financebench(
    directory: Path, store: Store, embedder: Embedder, *, progress: Progress = _silent
) -> dict[str, str]:
    """Ingest the folder's PDFs (skipping those held); returns ``{doc_name: doc_id}``."""
    pdfs = sorted((directory / "pdfs").glob("*.pdf"))
    if not pdfs:
        raise EvaluationError(f"no PDFs under {directory / 'pdfs'}")
    done: set[str] = set()

    def on_progress(p: Any) -> None:
        if p.stage == "embed":
            progress(f"embed {p.source}", p.done, p.total)
        elif p.stage in {"skip", "store"} and p.done == p.total:
            done.add(p.source)
            progress("filings", len(done), len(pdfs))

    report, results = index_paths(store, FINANCEBENCH_TENANT, pdfs, embedder, progress=on_progress)
    if report.failed:
        failed = ", ".join(f"{f.source}: {f.error}" for f in report.failed)
        raise EvaluationError(f"FinanceBench PDFs failed to parse: {failed}")
    return {Path(r.source).stem: r.doc_id for r in results}


def evaluate_financebench(
    questions: Sequence[FinanceBenchQuestion],
    doc_ids: dict[str, str],
    retriever: HybridRetriever,
    *,
    ks: Sequence[int] = (5, 10),
    scoped: bool = True,
    progress: Progress = _silent,
) -> dict[str, Any]:
    """Page recall@k: share of questions with a gold-page chunk of their filing in the top k;
    ``misses_at_<min k>`` lists the questions without one (first gold rank, pages shown)."""
    rows = []
    misses: list[dict[str, Any]] = []
    for n, q in enumerate(questions, start=1):
        doc_id = doc_ids.get(q.doc_name)
        if doc_id is None:
            raise EvaluationError(f"filing {q.doc_name} of {q.id} was not ingested")
        scope = [doc_id] if scoped else None
        hits = retriever.retrieve(FINANCEBENCH_TENANT, q.question, doc_ids=scope, k=max(ks))
        pages = [h.chunk.page for h in hits if h.chunk.doc_id == doc_id]
        ranked = [(h.chunk.doc_id, h.chunk.page) for h in hits]
        row: dict[str, float | None] = {}
        for k in ks:
            top = {page for d, page in ranked[:k] if d == doc_id}
            row[f"page_recall_at_{k}"] = float(bool(top & q.pages))
            row[f"page_coverage_at_{k}"] = len(top & q.pages) / len(q.pages)
        row["first_gold_rank"] = next(
            (i for i, page in enumerate(pages, start=1) if page in q.pages), None
        )
        rows.append(row)
        if not row[f"page_recall_at_{min(ks)}"]:
            misses.append(
                {
                    "id": q.id,
                    "filing": q.doc_name,
                    "question": q.question,
                    "gold_pages": sorted(q.pages),
                    # rank of the first chunk from a gold page within the top max(ks), else None
                    "first_gold_rank": row["first_gold_rank"],
                    f"top{min(ks)}_pages": [page for _, page in ranked[: min(ks)]],
                }
            )
        progress("financebench" + ("" if scoped else " (unscoped)"), n, len(questions))
    out: dict[str, Any] = {"questions": len(rows)}
    for key in rows[0]:
        if key != "first_gold_rank":
            out[key] = statistics.fmean(float(r[key] or 0.0) for r in rows)
    out[f"misses_at_{min(ks)}"] = misses
    return out


def time_queries(
    retriever: HybridRetriever,
    tenant: str,
    queries: Sequence[tuple[str, Sequence[str] | None]],
    *,
    passes: int = 3,
    k: int = 10,
) -> dict[str, float]:
    """Warm per-query latency (ms): one untimed pass, then ``passes`` timed passes.

    The query-vector LRU is cleared before each timed query, so the MiniLM embedding of the
    question is part of every measurement; ``cached_*`` repeats with the vector cached.
    ``cpu_*`` is the process CPU time of the uncached query (all threads): on a shared
    machine neighbours stretch wall time, not the CPU a query needs.
    """
    for question, scope in queries:
        retriever.retrieve(tenant, question, doc_ids=scope, k=k)
    cold, cached, cpu = [], [], []
    for _ in range(passes):
        for question, scope in queries:
            retriever.query_vectors.clear()
            cpu_started = time.process_time()
            started = time.perf_counter()
            retriever.retrieve(tenant, question, doc_ids=scope, k=k)
            cold.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
            started = time.perf_counter()
            retriever.retrieve(tenant, question, doc_ids=scope, k=k)
            cached.append((time.perf_counter() - started) * 1000)
    return {
        "queries": len(cold),
        "p50_ms": round(percentile(cold, 50), 2),
        "p95_ms": round(percentile(cold, 95), 2),
        "cached_p50_ms": round(percentile(cached, 50), 2),
        "cached_p95_ms": round(percentile(cached, 95), 2),
        "cpu_p50_ms": round(percentile(cpu, 50), 2),
        "cpu_p95_ms": round(percentile(cpu, 95), 2),
    }


def write_retrieval_report(report: dict[str, Any], dataset: str, out_dir: Path) -> Path:
    """Write ``<out_dir>/<date>_<rev>_<dataset>.json`` and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    date = time.strftime("%Y-%m-%d", time.gmtime())
    path = out_dir / f"{date}_{git_revision()}_{dataset}.json"
    path.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    return path
