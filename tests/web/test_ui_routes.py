"""The UI's server side: support routes (/me, parsed tables, evaluation plots) and the SPA mount."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from finrag.config import Settings
from finrag.service.app import create_app
from finrag.service.repositories import keys as keys_repo
from finrag.service.ui import STATIC_DIR, install_ui

pytestmark = pytest.mark.unit

CSV = b"Item,2019,2018\nNet revenue,5829,5735\nOperating income,1204,1130\n"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        data_dir=tmp_path / "data", embedder="hash", planner="scripted",
        retrieval={"rerank": False},
        service={"outputs_dir": tmp_path / "outputs", "bootstrap_admin": False},
    )  # fmt: skip
    app = create_app(settings)
    install_ui(app)
    install_ui(app)  # idempotent
    with TestClient(app) as test_client:
        yield test_client


def _key(client: TestClient, role: str) -> dict[str, str]:
    engine = client.app.state.runtime.engine  # type: ignore[attr-defined]
    _, full = keys_repo.create_key(engine, "acme", role, f"{role} ui test")
    return {"Authorization": f"Bearer {full}"}


def _ingest(client: TestClient, headers: dict[str, str]) -> str:
    accepted = client.post("/api/v1/documents", headers=headers,
                           files={"file": ("report.csv", CSV, "text/csv")})  # fmt: skip
    assert accepted.status_code == 202, accepted.text
    job_id = accepted.json()["job"]["id"]
    for _ in range(400):
        job = client.get(f"/api/v1/jobs/{job_id}", headers=headers).json()
        if job["status"] in ("succeeded", "failed"):
            assert job["status"] == "succeeded", job
            return str(job["doc_ids"][0])
        time.sleep(0.025)
    raise AssertionError(f"job {job_id} did not finish")


def test_me_names_key_tenant_and_role(client: TestClient) -> None:
    body = client.get("/api/v1/me", headers=_key(client, "viewer")).json()
    assert body["tenant"] == "acme" and body["role"] == "viewer" and body["key_id"]
    assert client.get("/api/v1/me").status_code == 401


def test_parsed_tables_of_a_document(client: TestClient) -> None:
    analyst = _key(client, "analyst")
    doc_id = _ingest(client, analyst)
    viewer = _key(client, "viewer")
    tables = client.get(f"/api/v1/documents/{doc_id}/tables", headers=viewer).json()
    assert len(tables) == 1
    table = client.get(f"/api/v1/documents/{doc_id}/tables/0", headers=viewer).json()
    assert table == tables[0]
    texts = [[c["text"] for c in row] for row in table["rows"]]
    assert texts[1] == ["Net revenue", "5829", "5735"]
    assert table["rows"][1][1]["value"] == 5829.0
    assert table["scale"] in {"units", "thousands", "millions", "billions"}
    missing = client.get(f"/api/v1/documents/{doc_id}/tables/7", headers=viewer)
    assert missing.status_code == 404 and "has no table 7" in missing.json()["detail"]
    other_tenant = _key(client, "admin")  # same tenant: sees it; a foreign doc id is a 404
    assert client.get("/api/v1/documents/dnope/tables", headers=other_tenant).status_code == 404


def test_evaluation_plot(client: TestClient, tmp_path: Path) -> None:
    admin = _key(client, "admin")
    report = tmp_path / "outputs" / "qa" / "run.json"
    report.parent.mkdir(parents=True)
    report.write_text('{"metrics": {"questions": 1}}')
    report.with_suffix(".png").write_bytes(b"\x89PNG\r\n\x1a\nfake")
    ok = client.get("/api/v1/evaluations/plot", params={"path": "qa/run.json"}, headers=admin)
    assert ok.status_code == 200 and ok.headers["content-type"] == "image/png"
    for bad in ("qa/none.json", "../../etc/passwd.json"):
        r = client.get("/api/v1/evaluations/plot", params={"path": bad}, headers=admin)
        assert r.status_code == 404, bad
    analyst = client.get("/api/v1/evaluations/plot", params={"path": "qa/run.json"},
                         headers=_key(client, "analyst"))  # fmt: skip
    assert analyst.status_code == 403


@pytest.mark.skipif(not (STATIC_DIR / "index.html").is_file(), reason="UI bundle not built")
def test_spa_is_served_with_fallback_and_json_404s_under_api(client: TestClient) -> None:
    root = client.get("/")
    assert root.status_code == 200 and '<div id="root">' in root.text
    assert root.headers["cache-control"] == "no-cache"
    deep = client.get("/history")
    assert deep.status_code == 200 and deep.text == root.text
    asset = next((STATIC_DIR / "assets").glob("*.js")).name
    js = client.get(f"/assets/{asset}")
    assert js.status_code == 200 and "immutable" in js.headers["cache-control"]
    assert client.get("/assets/missing.js").status_code == 404
    api_miss = client.get("/api/v1/nothing-here")
    assert api_miss.status_code == 404 and api_miss.json()["error"] == "NotFoundError"
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/api/v1/openapi.json").status_code == 200
