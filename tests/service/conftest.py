"""Service fixtures: the real app on SQLite (embedded mode) and, marked ``integration``, on
PostgreSQL + Redis + a real Celery worker process started here.

The API tests take the ``harness`` fixture, parametrised over both deployments. Servers come
from :mod:`finrag.testing`; when one cannot start, ``support.server_unavailable`` skips (or
fails under CI=true).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from finrag.config import Settings
from finrag.service.app import create_app
from finrag.testing.postgres_server import PostgresServer, PostgresUnavailable
from finrag.testing.redis_server import RedisServer, RedisServerError
from service.service_support import PROGRAM, Harness
from support import running

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DEPLOYMENTS = ["embedded", pytest.param("production", marks=pytest.mark.integration)]


def base_settings(data_dir: Path, **service: Any) -> Settings:
    """Embedded settings with the hash embedder and a scripted planner (fast, offline)."""
    options = {"planner_options": {"programs": [PROGRAM] * 200}, **service}
    return Settings(
        data_dir=data_dir, embedder="hash", planner="scripted", max_upload_mb=2, service=options
    )


@pytest.fixture
def make_app(tmp_path: Path) -> Iterator[Callable[..., TestClient]]:
    """Build embedded apps with overrides; closed after the test."""
    clients: list[TestClient] = []

    def build(settings: Settings | None = None, **service: Any) -> TestClient:
        client = TestClient(create_app(settings or base_settings(tmp_path / "data", **service)))
        client.__enter__()
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.__exit__(None, None, None)


# -- production: PostgreSQL + Redis + Celery ----------------------------------------------


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    with running(PostgresServer(), "postgresql", PostgresUnavailable) as server:
        yield server.url


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    with running(RedisServer(), "redis", RedisServerError) as server:
        yield server.url


def production_env(pg: str, redis: str, uploads: Path, embedder: str = "hash") -> dict[str, str]:
    """FINRAG_* variables of the production deployment (shared by the app and the worker)."""
    return {
        "FINRAG_STORE_URL": pg,
        "FINRAG_EMBEDDER": embedder,
        "FINRAG_PLANNER": "scripted",
        "FINRAG_SERVICE__REDIS_URL": redis,
        "FINRAG_SERVICE__JOBS": "celery",
        "FINRAG_SERVICE__UPLOAD_DIR": str(uploads),
        "FINRAG_SERVICE__CELERY_VISIBILITY_TIMEOUT": "3",
        "FINRAG_DATA_DIR": str(uploads.parent / "data"),
        "FINRAG_MAX_UPLOAD_MB": "2",
    }


class Worker:
    """A Celery worker process (its own session, so the whole group can be killed)."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = {**os.environ, **env, "PYTHONPATH": str(ROOT / "tests")}
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Worker:
        code = (
            "from service.service_support import register_slow_embedder; register_slow_embedder();"
            "from finrag.config import Settings; from finrag.worker.__main__ import run_worker;"
            "run_worker(Settings(), concurrency=1, loglevel='WARNING')"
        )
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-c", code], env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True, cwd=ROOT,
            )  # fmt: skip
        return self

    def kill(self) -> None:
        """SIGKILL the worker and its pool children at once (a crash, no warm shutdown)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None


@pytest.fixture(scope="session")
def production(
    pg_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """The production env with one Celery worker running for the session."""
    root = tmp_path_factory.mktemp("production")
    env = production_env(pg_url, redis_url, root / "uploads")
    worker = Worker(env, root / "worker.log").start()
    try:
        yield env
    finally:
        worker.stop()


def empty_database(url: str) -> None:
    """Drop every row of the store and service tables (the schema stays)."""
    with psycopg.connect(url, autocommit=True) as conn:
        names = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND (tablename LIKE 'svc_%' OR tablename LIKE 'store_%') "
            "AND tablename NOT IN ('svc_migrations', 'store_alembic_version')"
        )]  # fmt: skip
        if names:
            conn.execute(f"TRUNCATE {', '.join(names)}")


def production_settings(env: dict[str, str]) -> Settings:
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        settings = Settings()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    options = {"programs": [PROGRAM] * 200}
    return settings.model_copy(
        update={"service": settings.service.model_copy(update={"planner_options": options})}
    )


@pytest.fixture(params=DEPLOYMENTS)
def harness(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Harness]:
    """The real app in one deployment, with keys made on demand."""
    if request.param == "embedded":
        settings = base_settings(tmp_path / "data", outputs_dir=tmp_path / "outputs")
    else:
        env = request.getfixturevalue("production")
        empty_database(env["FINRAG_STORE_URL"])
        settings = production_settings(env)
        settings.service.outputs_dir = tmp_path / "outputs"
    client = TestClient(create_app(settings))
    with client:
        yield Harness(client)


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
