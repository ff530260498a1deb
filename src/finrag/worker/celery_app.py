"""The Celery app: ingestion and audit-retention tasks over :mod:`finrag.service.jobs`.

Delivery is at-least-once: ``task_acks_late`` acknowledges a message only after the task
returns and ``task_reject_on_worker_lost`` re-queues it when the worker process dies, so a
killed worker's job runs again; :func:`~finrag.service.jobs.ingest_upload` is idempotent.
``worker_prefetch_multiplier=1`` keeps one long job from holding others hostage.

The worker builds its :class:`~finrag.service.runtime.Runtime` lazily in each child process
(after the fork), never at import time.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from celery import Celery

from finrag.config import Settings
from finrag.errors import ConfigError

__all__ = ["INGEST_TASK", "PURGE_TASK", "CeleryDispatcher", "make_celery", "worker_runtime"]

INGEST_TASK = "finrag.ingest_upload"
PURGE_TASK = "finrag.audit_purge"

_runtime: Any = None
_runtime_lock = threading.Lock()
_settings: Settings | None = None


def worker_runtime() -> Any:
    """This process's Runtime, built on first use from the settings given to make_celery."""
    global _runtime
    with _runtime_lock:
        if _runtime is None:
            from finrag.service.runtime import build_runtime

            _runtime = build_runtime(_settings or Settings())
        return _runtime


def _ingest(job_id: str) -> dict[str, Any]:
    from finrag.service.jobs import ingest_upload

    job = ingest_upload(worker_runtime(), job_id)
    return {"job_id": job.id, "status": job.status, "doc_ids": job.doc_ids}


def _purge() -> int:
    from finrag.service.audit import purge

    runtime = worker_runtime()
    days = runtime.settings.service.audit_retention_days
    return purge(runtime.engine, older_than=timedelta(days=days), actor="retention")


def _transport_options(visibility_timeout: float) -> dict[str, float]:
    """Redis transport options: redeliver a dead worker's job soon after the visibility timeout.

    Kombu sweeps for expired unacknowledged messages every ``interval * throttle`` seconds
    (100 s by default); with throttle 1 the sweep runs every ``interval`` seconds, one cheap
    sorted-set range query. The restore mutex expires with the timeout, so a worker killed
    while holding it does not block redelivery for five minutes.
    """
    interval = min(10.0, max(1.0, visibility_timeout / 3))
    return {
        "visibility_timeout": visibility_timeout,
        "unacked_restore_interval": interval,
        "unacked_restore_throttle": 1,
        "unacked_mutex_expire": min(300.0, max(5.0, visibility_timeout)),
    }


def make_celery(settings: Settings) -> Celery:
    """A Celery app on ``settings.service.redis_url`` with the ingest and purge tasks."""
    global _settings
    broker = settings.service.redis_url
    if not broker:
        raise ConfigError("jobs='celery' needs service.redis_url (FINRAG_SERVICE__REDIS_URL)")
    _settings = settings
    app = Celery("finrag", broker=broker, backend=None)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        broker_connection_retry_on_startup=True,
        broker_transport_options=_transport_options(settings.service.celery_visibility_timeout),
        worker_hijack_root_logger=False,
        beat_schedule={
            "audit-retention": {
                "task": PURGE_TASK,
                "schedule": settings.service.audit_purge_interval_s,
            }
        },
    )
    app.task(name=INGEST_TASK, acks_late=True, reject_on_worker_lost=True)(_ingest)
    app.task(name=PURGE_TASK, acks_late=True)(_purge)
    return app


class CeleryDispatcher:
    """Sends ingestion jobs to the Celery queue (production)."""

    def __init__(self, app: Celery) -> None:
        self.app = app

    def submit(self, job_id: str) -> None:
        """Queue the job for a worker."""
        self.app.send_task(INGEST_TASK, args=[job_id])

    def close(self) -> None:
        """Release the broker connection pool."""
        self.app.close()
