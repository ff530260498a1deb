"""``python -m finrag.worker [--beat] [--concurrency N]``: a Celery worker from FINRAG_* settings."""

from __future__ import annotations

import argparse

from finrag.config import Settings
from finrag.observability.logging import configure_logging
from finrag.worker.celery_app import make_celery

__all__ = ["main", "run_worker"]


def run_worker(
    settings: Settings, *, concurrency: int = 1, beat: bool = False, loglevel: str = "INFO"
) -> None:
    """Start a Celery worker (prefork pool) for the ingest and purge tasks; blocks."""
    configure_logging(loglevel, json_lines=settings.service.log_json)
    if settings.service.worker_metrics_port:
        from prometheus_client import start_http_server

        from finrag.observability.metrics import REGISTRY

        start_http_server(settings.service.worker_metrics_port, registry=REGISTRY)
    app = make_celery(settings)
    argv = ["worker", f"--loglevel={loglevel}", f"--concurrency={concurrency}", "--pool=prefork",
            "--without-gossip", "--without-mingle"]  # fmt: skip
    if beat:
        argv.append("--beat")
    app.worker_main(argv)


def main() -> None:
    """Parse arguments and run the worker."""
    parser = argparse.ArgumentParser(prog="python -m finrag.worker")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--beat", action="store_true")
    parser.add_argument("--loglevel", default="INFO")
    args = parser.parse_args()
    run_worker(Settings(), concurrency=args.concurrency, beat=args.beat, loglevel=args.loglevel)


if __name__ == "__main__":
    main()
