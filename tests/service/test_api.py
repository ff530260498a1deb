"""The HTTP API through the real app, for every route and role, on both deployments."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.conftest import base_settings
from service.service_support import Harness, revenue_csv, revenue_html

QUESTION = "What was the percentage change in net revenue from 2018 to 2019?"


def test_openapi_health_and_readiness(harness: Harness) -> None:
    client = harness.client
    spec = client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/ask", "/api/v1/documents", "/api/v1/jobs/{job_id}", "/api/v1/keys",
                 "/api/v1/audit", "/api/v1/prompts/promote", "/api/v1/evaluations"):  # fmt: skip
        assert path in spec["paths"], path
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}


def test_missing_malformed_and_unknown_keys_are_401(harness: Harness) -> None:
    client = harness.client
    assert client.get("/api/v1/documents").status_code == 401
    bad = {"Authorization": "Bearer nonsense"}
    assert client.get("/api/v1/documents", headers=bad).status_code == 401
    forged = harness.key("viewer")[:-4] + "AAAA"
    response = client.get("/api/v1/documents", headers={"X-API-Key": forged})
    assert response.status_code == 401
    assert response.json()["error"] == "AuthenticationError"


def test_upload_ingest_list_get_delete(harness: Harness) -> None:
    response = harness.upload(revenue_csv())
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert accepted["format"] == "csv" and accepted["job"]["status"] == "queued"
    job = harness.wait_job(accepted["job"]["id"])
    assert job["status"] == "succeeded", job
    assert job["progress"] == 1.0 and job["chunks"] >= 2 and len(job["doc_ids"]) == 1
    doc_id = job["doc_ids"][0]
    viewer = harness.headers("viewer")
    listed = harness.client.get("/api/v1/documents", headers=viewer).json()
    assert [d["id"] for d in listed] == [doc_id]
    got = harness.client.get(f"/api/v1/documents/{doc_id}", headers=viewer).json()
    assert got["sha256"] == accepted["sha256"]
    jobs = harness.client.get("/api/v1/jobs", headers=viewer).json()
    assert [j["id"] for j in jobs] == [job["id"]]
    assert harness.client.delete(f"/api/v1/documents/{doc_id}", headers=viewer).status_code == 403
    analyst = harness.headers("analyst")
    assert harness.client.delete(f"/api/v1/documents/{doc_id}", headers=analyst).status_code == 204
    assert harness.client.get(f"/api/v1/documents/{doc_id}", headers=viewer).status_code == 404


def test_same_upload_twice_keeps_one_copy(harness: Harness) -> None:
    first = harness.ingest(revenue_html())
    second = harness.ingest(revenue_html())
    assert first["status"] == second["status"] == "succeeded"
    assert first["doc_ids"] == second["doc_ids"] and second["chunks"] == 0
    docs = harness.client.get("/api/v1/documents", headers=harness.headers("viewer")).json()
    assert len(docs) == 1
    assert docs[0]["chunks"] == first["chunks"]


def test_viewer_cannot_upload_or_ask_but_reads(harness: Harness) -> None:
    assert harness.upload(revenue_csv(), role="viewer").status_code == 403
    response = harness.ask(QUESTION, role="viewer")
    assert response.status_code == 403 and response.json()["error"] == "AccessDeniedError"
    viewer = harness.headers("viewer")
    for path in ("/api/v1/documents", "/api/v1/answers", "/api/v1/conversations", "/api/v1/jobs"):
        assert harness.client.get(path, headers=viewer).status_code == 200, path
    response = harness.client.post("/api/v1/conversations", headers=viewer, json={})
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_admin_routes_refuse_other_roles(harness: Harness, role: str) -> None:
    headers = harness.headers(role)
    for method, path in [("get", "/api/v1/audit"), ("get", "/api/v1/audit/verify"),
                         ("get", "/api/v1/keys"), ("get", "/api/v1/prompts"),
                         ("get", "/api/v1/evaluations"), ("post", "/api/v1/prompts/rollback"),
                         ("delete", "/api/v1/keys/abc")]:  # fmt: skip
        response = getattr(harness.client, method)(path, headers=headers)
        assert response.status_code == 403, (method, path, response.text)
    response = harness.client.post("/api/v1/keys", headers=headers, json={"role": "admin"})
    assert response.status_code == 403


def test_upload_limits_and_sniffing(harness: Harness) -> None:
    response = harness.upload(b"\x00\x01\x02 binary junk \xff" * 10, name="report.csv")
    assert response.status_code == 415 and "supported formats" in response.json()["detail"]
    assert harness.upload(b"", name="empty.csv").status_code == 422
    big = b"a,b\n" + b"1,2\n" * (harness.runtime.settings.max_upload_mb * 262_144 + 1)
    response = harness.upload(big, name="big.csv")
    assert response.status_code == 413, response.text


def test_failed_job_records_why_and_keeps_upload(harness: Harness) -> None:
    response = harness.upload(b"<html><body><div></div></body></html>", name="blank.html")
    assert response.status_code == 202
    job = harness.wait_job(response.json()["job"]["id"])
    assert job["status"] == "failed" and "no extractable text" in job["error"]
    runtime = harness.runtime
    from finrag.service.repositories.jobs import get_upload

    upload = get_upload(runtime.engine, "acme", job["upload_id"])
    assert Path(upload.path).exists()
    assert runtime.uploads.load(upload.path, encrypted=upload.encrypted, sha256=upload.sha256)
    viewer, analyst = harness.headers("viewer"), harness.headers("analyst")
    path = f"/api/v1/jobs/{job['id']}/retry"
    assert harness.client.post(path, headers=viewer).status_code == 403
    other = harness.headers("analyst", tenant="globex")
    assert harness.client.post(path, headers=other).status_code == 404
    assert harness.client.post(path, headers=analyst).status_code == 202
    again = harness.wait_job(job["id"])
    assert again["status"] == "failed" and again["attempts"] == 2


def test_ask_returns_answer_saved_and_audited(harness: Harness) -> None:
    doc_id = harness.ingest(revenue_csv())["doc_ids"][0]
    response = harness.ask(QUESTION, doc_ids=[doc_id])
    assert response.status_code == 200, response.text
    answer = response.json()
    assert not answer["abstained"], answer["abstain_reason"]
    assert answer["value"] == pytest.approx((5829 - 5735) / 5735)
    assert answer["program"]["text"] and answer["evidence"] and answer["doc_ids"] == [doc_id]
    viewer = harness.headers("viewer")
    stored = harness.client.get(f"/api/v1/answers/{answer['id']}", headers=viewer).json()
    assert stored == answer
    listed = harness.client.get("/api/v1/answers", headers=viewer).json()
    assert [a["id"] for a in listed] == [answer["id"]]
    rows = harness.client.get("/api/v1/audit?action=answer", headers=harness.headers()).json()
    assert len(rows) == 1
    payload = rows[0]["payload"]
    assert payload["answer_id"] == answer["id"] and payload["question"] == QUESTION
    assert payload["evidence_ids"] == [e["id"] for e in answer["evidence"]]
    assert payload["program"] == answer["program"]["text"] and payload["planner"] == "scripted"
    assert rows[0]["actor"] == harness.key("analyst").split("_")[1]
    one = harness.client.get(f"/api/v1/audit/{rows[0]['seq']}", headers=harness.headers())
    assert one.json() == rows[0]


def test_conversations_keep_turns(harness: Harness) -> None:
    harness.ingest(revenue_csv())
    analyst = harness.headers("analyst")
    created = harness.client.post("/api/v1/conversations", headers=analyst, json={"title": "rev"})
    assert created.status_code == 201
    cid = created.json()["id"]
    for question in (QUESTION, "And what about operating income?"):
        response = harness.ask(question, conversation_id=cid)
        assert response.status_code == 200 and response.json()["conversation_id"] == cid
    detail = harness.client.get(f"/api/v1/conversations/{cid}", headers=harness.headers("viewer"))
    turns = detail.json()["turns"]
    assert [t["question"] for t in turns] == [QUESTION, "And what about operating income?"]
    listed = harness.client.get("/api/v1/conversations", headers=analyst).json()
    assert [c["id"] for c in listed] == [cid]
    assert harness.ask(QUESTION, conversation_id="nope").status_code == 404


def test_tenants_cannot_see_each_other(harness: Harness) -> None:
    job = harness.ingest(revenue_csv(), tenant="acme")
    doc_id = job["doc_ids"][0]
    answer = harness.ask(QUESTION, tenant="acme").json()
    conv = harness.client.post("/api/v1/conversations", headers=harness.headers("analyst"), json={})
    seq = harness.client.get("/api/v1/audit", headers=harness.headers()).json()[0]["seq"]
    other = harness.headers("admin", tenant="globex")
    client = harness.client
    assert client.get("/api/v1/documents", headers=other).json() == []
    assert client.get("/api/v1/answers", headers=other).json() == []
    assert client.get("/api/v1/audit", headers=other).json() == []
    for path in (f"/api/v1/documents/{doc_id}", f"/api/v1/jobs/{job['id']}",
                 f"/api/v1/answers/{answer['id']}", f"/api/v1/conversations/{conv.json()['id']}",
                 f"/api/v1/audit/{seq}"):  # fmt: skip
        assert client.get(path, headers=other).status_code == 404, path
    assert client.delete(f"/api/v1/documents/{doc_id}", headers=other).status_code == 404
    acme_key_id = harness.key("viewer", "acme").split("_")[1]
    assert client.delete(f"/api/v1/keys/{acme_key_id}", headers=other).status_code == 404
    response = harness.ask(QUESTION, tenant="globex", doc_ids=[doc_id])
    assert response.status_code == 404
    blind = harness.ask(QUESTION, tenant="globex").json()
    assert blind["evidence"] == [] and blind["abstained"]


def test_keys_shown_once_listed_hashed_and_revoked(harness: Harness) -> None:
    admin = harness.headers()
    created = harness.client.post(
        "/api/v1/keys", headers=admin, json={"role": "viewer", "name": "bot"}
    )
    assert created.status_code == 201
    body = created.json()
    key, key_id = body["key"], body["id"]
    assert key.startswith(f"frk_{key_id}_") and body["tenant"] == "acme"
    listed = harness.client.get("/api/v1/keys", headers=admin).json()
    assert key_id in {k["id"] for k in listed}
    assert key not in json.dumps(listed)
    new = {"X-API-Key": key}
    assert harness.client.get("/api/v1/documents", headers=new).status_code == 200
    revoked = harness.client.delete(f"/api/v1/keys/{key_id}", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    response = harness.client.get("/api/v1/documents", headers=new)
    assert response.status_code == 401 and "revoked" in response.json()["detail"]
    actions = [r["action"] for r in harness.client.get("/api/v1/audit", headers=admin).json()]
    assert actions[:2] == ["key.revoke", "key.create"]


def test_prompt_rollout_promote_and_rollback(harness: Harness) -> None:
    tenant_admin = harness.headers()
    for path in ("/api/v1/prompts/promote", "/api/v1/prompts/rollback"):
        response = harness.client.post(path, headers=tenant_admin, json={"version": "v1"})
        assert response.status_code == 403 and "operator tenant" in response.json()["detail"]
    admin = harness.headers("admin", tenant="default")
    state = harness.client.get("/api/v1/prompts", headers=admin).json()
    assert state["stable"] == "v2" and state["candidate"] is None
    canary = harness.client.post("/api/v1/prompts/promote", headers=admin,
                                 json={"version": "v1", "share": 0.25}).json()  # fmt: skip
    assert canary["candidate"] == "v1" and canary["share"] == 0.25
    shares = {v["version"]: v["share"] for v in canary["versions"]}
    assert shares == {"v1": 0.25, "v2": 0.75}
    back = harness.client.post("/api/v1/prompts/rollback", headers=admin).json()
    assert back["candidate"] is None and back["stable"] == "v2"
    full = harness.client.post("/api/v1/prompts/promote", headers=admin, json={"version": "v1"})
    assert full.json()["stable"] == "v1" and full.json()["previous"] == "v2"
    assert harness.client.post("/api/v1/prompts/rollback", headers=admin).json()["stable"] == "v2"
    bad = harness.client.post("/api/v1/prompts/promote", headers=admin, json={"version": "v99"})
    assert bad.status_code == 400 and "known versions" in bad.json()["detail"]


def test_evaluation_runs_listed_with_metrics(harness: Harness) -> None:
    outputs = harness.runtime.settings.service.outputs_dir
    (outputs / "finqa").mkdir(parents=True)
    report = {"dataset": "finqa", "planner": "offline", "metrics": {"execution_accuracy": 0.61}}
    (outputs / "finqa" / "2026-11-23_abc_finqa_offline.json").write_text(json.dumps(report))
    runs = harness.client.get("/api/v1/evaluations", headers=harness.headers()).json()
    assert runs == [{
        "name": "2026-11-23_abc_finqa_offline", "kind": "finqa",
        "path": "finqa/2026-11-23_abc_finqa_offline.json", "modified": runs[0]["modified"],
        "dataset": "finqa", "planner": "offline", "metrics": {"execution_accuracy": 0.61},
    }]  # fmt: skip


def test_audit_verify_and_purge_routes(harness: Harness) -> None:
    harness.ingest(revenue_csv())
    harness.ask(QUESTION)
    tenant_admin = harness.headers()
    assert harness.client.get("/api/v1/audit/verify", headers=tenant_admin).status_code == 403
    denied = harness.client.post(
        "/api/v1/audit/purge", headers=tenant_admin, json={"older_than_days": 1}
    )
    assert denied.status_code == 403
    admin = harness.headers("admin", tenant="default")
    verified = harness.client.get("/api/v1/audit/verify", headers=admin).json()
    assert verified["ok"] and verified["rows"] >= 1
    purged = harness.client.post("/api/v1/audit/purge", headers=admin, json={"older_than_days": 1})
    assert purged.json() == {"purged": 0}


def test_metrics_by_route_template_and_stage(harness: Harness) -> None:
    job = harness.ingest(revenue_csv())
    answer = harness.ask(QUESTION).json()
    harness.client.get(f"/api/v1/answers/{answer['id']}", headers=harness.headers("viewer"))
    text = harness.client.get("/metrics").text
    assert 'finrag_http_request_duration_seconds_count{method="POST",route="/api/v1/ask"}' in text
    assert 'route="/api/v1/answers/{answer_id}"' in text and answer["id"] not in text
    assert 'finrag_stage_duration_seconds_count{prompt_version="none",stage="retrieve"}' in text
    assert (
        'finrag_answers_total{outcome="answered",planner="scripted",prompt_version="none"}' in text
    )
    # ingestion ran in a thread or a Celery worker process: the API still counts it
    assert f"finrag_ingested_chunks_total {float(job['chunks'])}" in text
    assert 'finrag_ingest_jobs_total{status="succeeded"} 1.0' in text
    assert 'finrag_job_queue_depth{status="queued"} 0.0' in text


def test_a_checked_planner_records_its_cross_check(
    make_app: Callable[..., TestClient], tmp_path: Path
) -> None:
    """`FINRAG_PLANNER=check:<planner>`: the offline planner's reading beside each answer, in
    the stored answer, the audit log and the metrics."""
    settings = base_settings(tmp_path / "checked").model_copy(update={"planner": "check:scripted"})
    harness = Harness(make_app(settings))
    harness.ingest(revenue_csv())
    answer = harness.ask(QUESTION).json()
    assert answer["planner"] == "scripted" and not answer["abstained"]
    check = answer["cross_check"]
    assert check["planner"] == "offline:0" and check["agrees"] is True, check
    assert check["display"] == "1.6%"
    stored = harness.client.get(f"/api/v1/answers/{answer['id']}", headers=harness.headers())
    assert stored.json()["cross_check"] == check
    rows = harness.client.get("/api/v1/audit?action=answer", headers=harness.headers()).json()
    assert rows[0]["payload"]["cross_check"] == check["note"]
    text = harness.client.get("/metrics").text
    assert 'finrag_cross_checks_total{outcome="agree",planner="scripted"}' in text
