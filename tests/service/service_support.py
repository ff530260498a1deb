"""Helpers for the service tests: a harness around the real app, documents, a slow embedder."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from fastapi.testclient import TestClient

from finrag.embeddings.hashing import HashEmbedder
from finrag.embeddings.registry import register_embedder
from finrag.service.repositories import keys as keys_repo

PROGRAM = "subtract(5829, 5735), divide(#0, 5735)"


def revenue_csv(extra_rows: int = 0, label: str = "Net revenue") -> bytes:
    """A small CSV table (plus ``extra_rows`` filler rows) as an uploaded report."""
    lines = ["Item,2019,2018", f"{label},5829,5735", "Operating income,1200,1100"]
    lines += [f"Segment {i} revenue,{1000 + i},{900 + i}" for i in range(extra_rows)]
    return ("\n".join(lines) + "\n").encode()


def revenue_html(company: str = "Acme") -> bytes:
    """A small HTML filing with one table."""
    return (
        f"<html><body><p>{company} annual report.</p><table>"
        "<tr><th>Item</th><th>2019</th><th>2018</th></tr>"
        "<tr><td>Net revenue</td><td>5,829</td><td>5,735</td></tr>"
        "</table></body></html>"
    ).encode()


@dataclass
class Harness:
    """The app under test with keys per (tenant, role)."""

    client: TestClient
    keys: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def runtime(self) -> Any:
        return self.client.app.state.runtime  # type: ignore[attr-defined]

    def key(self, role: str = "admin", tenant: str = "acme") -> str:
        """A key with ``role`` in ``tenant`` (created on first use)."""
        if (tenant, role) not in self.keys:
            _, full = keys_repo.create_key(self.runtime.engine, tenant, role, f"{role} test")
            self.keys[(tenant, role)] = full
        return self.keys[(tenant, role)]

    def headers(self, role: str = "admin", tenant: str = "acme") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key(role, tenant)}"}

    def upload(self, data: bytes, name: str = "report.csv", role: str = "analyst",
               tenant: str = "acme") -> Any:  # fmt: skip
        return self.client.post(
            "/api/v1/documents",
            headers=self.headers(role, tenant),
            files={"file": (name, data, "application/octet-stream")},
        )

    def wait_job(self, job_id: str, tenant: str = "acme", timeout: float = 60.0) -> dict[str, Any]:
        """Poll the job until it succeeded or failed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.client.get(f"/api/v1/jobs/{job_id}", headers=self.headers("viewer", tenant))
            body: dict[str, Any] = job.json()
            if body["status"] in ("succeeded", "failed"):
                return body
            time.sleep(0.05)
        raise AssertionError(f"job {job_id} did not finish in {timeout}s: {body}")

    def ingest(self, data: bytes, name: str = "report.csv", tenant: str = "acme") -> dict[str, Any]:
        """Upload and wait; returns the finished job."""
        response = self.upload(data, name, tenant=tenant)
        assert response.status_code == 202, response.text
        return self.wait_job(response.json()["job"]["id"], tenant)

    def ask(self, question: str, role: str = "analyst", tenant: str = "acme", **body: Any) -> Any:
        return self.client.post(
            "/api/v1/ask", headers=self.headers(role, tenant), json={"question": question, **body}
        )


class SlowHashEmbedder(HashEmbedder):
    """The hash embedder, sleeping per batch: makes ingestion slow enough to kill mid-way."""

    def __init__(self, delay: float = 0.4) -> None:
        super().__init__()
        self.delay = delay

    def _embed(self, texts: list[str]) -> np.ndarray:
        time.sleep(self.delay)
        return super()._embed(texts)


def register_slow_embedder() -> None:
    """Register ``slowhash`` (used by the worker subprocess of the resilience test)."""
    register_embedder("slowhash", lambda argument, **options: SlowHashEmbedder(**options))
