"""Ingestion jobs: idempotent re-runs, recovery after a crash, and a worker killed mid-job."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from finrag.service.app import create_app
from finrag.service.jobs import ingest_upload
from finrag.service.repositories.jobs import create_upload_job, get_job, get_upload, update_job
from service.conftest import (
    Worker,
    base_settings,
    empty_database,
    production_env,
    production_settings,
    wait_for,
)
from service.service_support import Harness, revenue_csv


def _chunk_ids(harness: Harness, doc_id: str) -> list[str]:
    return [c.id for c in harness.runtime.store.get_chunks("acme", doc_id)]


def test_rerunning_a_job_does_not_duplicate_chunks(make_app: Callable[..., TestClient]) -> None:
    harness = Harness(make_app())
    job = harness.ingest(revenue_csv(extra_rows=20))
    doc_id = job["doc_ids"][0]
    before = _chunk_ids(harness, doc_id)
    assert len(before) == job["chunks"] == len(set(before))
    assert ingest_upload(harness.runtime, job["id"]).attempts == 1  # succeeded: a no-op
    update_job(harness.runtime.engine, "acme", job["id"], status="running")  # as if it crashed
    again = ingest_upload(harness.runtime, job["id"])
    assert again.status == "succeeded" and again.attempts == 2 and again.doc_ids == [doc_id]
    assert _chunk_ids(harness, doc_id) == before


def test_embedded_restart_resumes_unfinished_jobs(tmp_path: Path) -> None:
    settings = base_settings(tmp_path / "data")
    first = create_app(settings)
    runtime = first.state.runtime
    data = revenue_csv()
    path = runtime.uploads.save("acme", "u1", data)
    import hashlib

    upload = {"id": "u1", "filename": "r.csv", "format": "csv", "size_bytes": len(data),
              "sha256": hashlib.sha256(data).hexdigest(), "path": str(path), "encrypted": False}  # fmt: skip
    _, job = create_upload_job(runtime.engine, "acme", upload, None)
    update_job(runtime.engine, "acme", job.id, status="running", stage="embed")  # then a crash
    first.state.dispatcher.close()
    runtime.close()
    with TestClient(create_app(settings)) as client:
        client.app.state.dispatcher.wait(30)  # type: ignore[attr-defined]
        finished = get_job(client.app.state.runtime.engine, "acme", job.id)  # type: ignore[attr-defined]
    assert finished.status == "succeeded" and finished.attempts == 1 and finished.chunks >= 2


@pytest.mark.integration
def test_killed_worker_job_completes_after_restart(
    pg_url: str, redis_url: str, tmp_path: Path, production: dict[str, str]
) -> None:
    # A private broker db and a slow embedder, so the session worker does not take the job
    # and this one can be killed in the middle of embedding.
    env = production_env(pg_url, redis_url.rsplit("/", 1)[0] + "/3", tmp_path / "uploads",
                         embedder="slowhash")  # fmt: skip
    empty_database(pg_url)
    worker = Worker(env, tmp_path / "worker.log").start()
    settings = production_settings(env).model_copy(update={"embedder": "hash"})
    try:
        with TestClient(create_app(settings)) as client:
            harness = Harness(client)
            response = harness.upload(revenue_csv(extra_rows=1500))
            job_id = response.json()["job"]["id"]
            engine = harness.runtime.engine

            def embedding() -> bool:
                job = get_job(engine, "acme", job_id)
                return job.stage == "embed" and job.done > 0

            wait_for(embedding, 60, "the worker to start embedding")
            worker.kill()
            crashed = get_job(engine, "acme", job_id)
            assert crashed.status == "running" and crashed.progress < 1.0
            upload = get_upload(engine, "acme", crashed.upload_id)
            assert Path(upload.path).exists()
            assert harness.runtime.store.list_documents("acme") == []
            worker = Worker(env, tmp_path / "worker.log").start()
            job = harness.wait_job(job_id, timeout=90)
            assert job["status"] == "succeeded", job
            assert job["attempts"] >= 2
            ids = _chunk_ids(harness, job["doc_ids"][0])
            assert len(ids) == len(set(ids)) == job["chunks"] > 1500
            docs = harness.runtime.store.list_documents("acme")
            assert len(docs) == 1 and docs[0].chunks == len(ids)
            assert Path(upload.path).exists()
    finally:
        worker.stop()
