"""Ingestion workers: a Celery app on a Redis broker running the same task code as embedded mode.

``python -m finrag.worker`` (or ``finrag worker``) starts a worker from ``FINRAG_*`` settings.
"""

from finrag.worker.celery_app import INGEST_TASK, PURGE_TASK, CeleryDispatcher, make_celery

__all__ = ["INGEST_TASK", "PURGE_TASK", "CeleryDispatcher", "make_celery"]
