"""Every FinRAG Prometheus metric, defined once, all with the ``finrag_`` prefix.

Metrics live in their own :data:`REGISTRY` (not the process-global default one), so an
embedding application or a test can build several apps without name clashes, and ``/metrics``
shows exactly FinRAG's series plus the process collector.

Ingestion throughput and queue depth are read from the job table at scrape time
(:class:`JobTableCollector`): jobs run in Celery prefork children or in other hosts, whose
in-process counters no API scrape would see, while the table is shared by all of them.

Helpers at the bottom (:func:`observe_answer`, :func:`observe_ingest`) keep label choices in
this module, so callers never spell a label name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

__all__ = [
    "ABSTENTIONS",
    "ANSWERS",
    "AUDIT_ROWS",
    "CONTENT_TYPE_LATEST",
    "CROSS_CHECKS",
    "HTTP_LATENCY",
    "HTTP_REQUESTS",
    "INGEST_SECONDS",
    "JOB_TABLE",
    "LLM_COST",
    "LLM_TOKENS",
    "PLANNER_FAILURES",
    "PLANNER_RETRIES",
    "RATE_LIMITED",
    "REGISTRY",
    "STAGE_LATENCY",
    "JobTableCollector",
    "observe_answer",
    "render",
]

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.35, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

HTTP_REQUESTS = Counter(
    "finrag_http_requests_total",
    "HTTP requests by method, route template and status code.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
HTTP_LATENCY = Histogram(
    "finrag_http_request_duration_seconds",
    "HTTP request latency by method and route template.",
    ["method", "route"],
    buckets=_LATENCY_BUCKETS,
    registry=REGISTRY,
)
STAGE_LATENCY = Histogram(
    "finrag_stage_duration_seconds",
    "Latency of one answering stage (retrieve, plan, execute) by prompt version.",
    ["stage", "prompt_version"],
    buckets=_LATENCY_BUCKETS,
    registry=REGISTRY,
)
ANSWERS = Counter(
    "finrag_answers_total",
    "Questions answered or abstained, by planner and prompt version.",
    ["planner", "prompt_version", "outcome"],
    registry=REGISTRY,
)
ABSTENTIONS = Counter(
    "finrag_abstentions_total",
    "Abstained answers by planner and prompt version.",
    ["planner", "prompt_version"],
    registry=REGISTRY,
)
LLM_TOKENS = Counter(
    "finrag_llm_tokens_total",
    "LLM tokens by model, prompt version and direction (prompt or completion).",
    ["model", "prompt_version", "direction"],
    registry=REGISTRY,
)
LLM_COST = Counter(
    "finrag_llm_cost_usd_total",
    "LLM cost in US dollars by model and prompt version.",
    ["model", "prompt_version"],
    registry=REGISTRY,
)
CROSS_CHECKS = Counter(
    "finrag_cross_checks_total",
    "Answers of a checked planner (check:<planner>) by outcome: agree, disagree, no_reading.",
    ["planner", "outcome"],
    registry=REGISTRY,
)
PLANNER_RETRIES = Counter(
    "finrag_planner_retries_total",
    "Repair attempts after the first, by planner and prompt version.",
    ["planner", "prompt_version"],
    registry=REGISTRY,
)
PLANNER_FAILURES = Counter(
    "finrag_planner_failures_total",
    "Planner failures by planner and error class.",
    ["planner", "error_class"],
    registry=REGISTRY,
)
INGEST_SECONDS = Histogram(
    "finrag_ingest_duration_seconds",
    "Wall time of one ingestion job (in the process that ran it).",
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
    registry=REGISTRY,
)


class JobTableCollector:
    """Exposes job-table totals at scrape time; ``source`` is set by the app that serves /metrics.

    ``source()`` returns ``{"queued": n, "running": n, "succeeded": n, "failed": n,
    "pages": n, "chunks": n}`` (pages and chunks of succeeded jobs, newly stored ones only).
    """

    def __init__(self) -> None:
        self.source: Callable[[], Mapping[str, int]] | None = None

    def describe(self) -> list[Metric]:
        return []  # never call the database while registering

    def collect(self) -> Iterator[Metric]:
        if self.source is None:
            return
        try:
            stats = self.source()
        except Exception:  # a scrape must not fail because the database is briefly away
            return
        depth = GaugeMetricFamily(
            "finrag_job_queue_depth", "Ingestion jobs waiting or running.", labels=["status"]
        )
        jobs = CounterMetricFamily(
            "finrag_ingest_jobs", "Ingestion jobs finished, by status.", labels=["status"]
        )
        for status in ("queued", "running"):
            depth.add_metric([status], stats.get(status, 0))
        for status in ("succeeded", "failed"):
            jobs.add_metric([status], stats.get(status, 0))
        yield depth
        yield jobs
        yield CounterMetricFamily(
            "finrag_ingested_pages", "Pages ingested into the store.", value=stats.get("pages", 0)
        )
        yield CounterMetricFamily(
            "finrag_ingested_chunks",
            "Evidence chunks ingested into the store.",
            value=stats.get("chunks", 0),
        )


JOB_TABLE = JobTableCollector()
REGISTRY.register(JOB_TABLE)

RATE_LIMITED = Counter(
    "finrag_rate_limited_total", "Requests refused by the per-key rate limiter.", registry=REGISTRY
)
AUDIT_ROWS = Counter(
    "finrag_audit_rows_total", "Audit log rows appended, by action.", ["action"], registry=REGISTRY
)


def observe_answer(
    *,
    planner: str,
    prompt_version: str | None,
    abstained: bool,
    timings_ms: dict[str, float],
    prompt_tokens: int,
    completion_tokens: int,
    cost_usd: float,
    attempts: int,
    cross_check: str | None = None,
) -> None:
    """Record one answer: stage latencies, outcome, tokens, cost, retries and the outcome of
    its cross-check (``agree``, ``disagree``, ``no reading``) when it was checked."""
    version = prompt_version or "none"
    for stage in ("retrieve", "plan", "execute"):
        STAGE_LATENCY.labels(stage, version).observe(timings_ms.get(f"{stage}_ms", 0.0) / 1000.0)
    ANSWERS.labels(planner, version, "abstained" if abstained else "answered").inc()
    if abstained:
        ABSTENTIONS.labels(planner, version).inc()
    if prompt_tokens or completion_tokens:
        LLM_TOKENS.labels(planner, version, "prompt").inc(prompt_tokens)
        LLM_TOKENS.labels(planner, version, "completion").inc(completion_tokens)
    if cost_usd:
        LLM_COST.labels(planner, version).inc(cost_usd)
    if attempts > 1:
        PLANNER_RETRIES.labels(planner, version).inc(attempts - 1)
    if cross_check is not None:  # "no reading" as a label value: no_reading
        CROSS_CHECKS.labels(planner, cross_check.replace(" ", "_")).inc()


def render() -> tuple[bytes, str]:
    """The exposition text of :data:`REGISTRY` and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
