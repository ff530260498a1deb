"""Prompt canary: deterministic assignment by request id, routing, metrics split by version."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from finrag.config import Settings
from finrag.errors import PlanningError
from finrag.planning.base import Plan, PlanRequest
from finrag.service.canary import CanaryPlanner, InstrumentedPlanner, bucket, choose_version
from finrag.service.repositories.prompts import Rollout
from finrag.testing.openai_server import OpenAIServer
from finrag.testing.scripted_planner import ScriptedPlanner
from service.service_support import Harness, revenue_csv

LLM_PROGRAM = json.dumps({
    "steps": [{"op": "subtract", "args": [5829, 5735]},
              {"op": "divide", "args": [{"step": 0}, 5735]}],
    "answer_kind": "percent",
})  # fmt: skip


def test_bucket_is_deterministic_and_uniform() -> None:
    assert bucket("req-1") == bucket("req-1")
    assert 0.0 <= bucket("req-1") < 1.0
    rollout = Rollout(stable="v2", candidate="v1", share=0.2)
    picks = Counter(choose_version(rollout, f"request-{i}") for i in range(4000))
    assert abs(picks["v1"] / 4000 - 0.2) < 0.03
    assert choose_version(Rollout(stable="v2", candidate="v1", share=0.0), "x") == "v2"
    assert choose_version(Rollout(stable="v2"), "x") == "v2"


def test_canary_planner_routes_by_version_and_rereads_state() -> None:
    planners = {
        v: ScriptedPlanner([Plan(program=None, planner="llm", prompt_version=v)] * 50)
        for v in ("v1", "v2")
    }
    state = {"rollout": Rollout(stable="v2", candidate="v1", share=0.5)}
    canary = CanaryPlanner(planners.__getitem__, lambda: state["rollout"], ttl=0.0)
    ids = [f"r{i}" for i in range(40)]
    versions = [canary.plan(PlanRequest("q", (), request_id=i)).prompt_version for i in ids]
    assert versions == [choose_version(state["rollout"], i) for i in ids]
    assert {"v1", "v2"} == set(versions)
    state["rollout"] = Rollout(stable="v1")
    assert canary.plan(PlanRequest("q", (), request_id="r0")).prompt_version == "v1"


def test_instrumented_planner_counts_failures_by_class() -> None:
    from finrag.observability.metrics import PLANNER_FAILURES

    planner = InstrumentedPlanner(ScriptedPlanner([PlanningError("endpoint down")], name="boom"))
    before = PLANNER_FAILURES.labels("boom", "PlanningError")._value.get()
    with pytest.raises(PlanningError):
        planner.plan(PlanRequest("q", ()))
    assert PLANNER_FAILURES.labels("boom", "PlanningError")._value.get() == before + 1


@pytest.fixture
def llm_app(tmp_path: Path) -> Callable[..., Harness]:
    made: list[TestClient] = []

    def build(server: OpenAIServer, chain: str = "{llm}") -> Harness:
        settings = Settings(
            data_dir=tmp_path / "data",
            embedder="hash",
            planner=chain.format(llm=f"openai-compatible:test-model@{server.url}"),
            llm={"api_key": "test", "max_attempts": 1, "max_repairs": 0, "backoff": 0},
        )
        from finrag.service.app import create_app

        client = TestClient(create_app(settings))
        client.__enter__()
        made.append(client)
        return Harness(client)

    yield build
    for client in made:
        client.__exit__(None, None, None)


def test_canary_through_the_api_splits_answers_and_metrics(
    llm_app: Callable[[OpenAIServer], Harness],
) -> None:
    with OpenAIServer() as server:
        harness = llm_app(server)
        harness.ingest(revenue_csv())
        admin = harness.headers("admin", tenant="default")
        response = harness.client.post("/api/v1/prompts/promote", headers=admin,
                                       json={"version": "v1", "share": 0.5})  # fmt: skip
        assert response.status_code == 200
        for _ in range(24):
            server.reply(LLM_PROGRAM)
        answers = [harness.ask(f"net revenue change {i}?").json() for i in range(24)]
        versions = Counter(a["prompt_version"] for a in answers)
        assert set(versions) == {"v1", "v2"}, versions
        rollout = Rollout(stable="v2", candidate="v1", share=0.5)
        assert all(a["prompt_version"] == choose_version(rollout, a["id"]) for a in answers)
        systems = {r["messages"][0]["content"] for r in server.chat_requests}
        assert len(systems) == 2  # the two versions' system prompts were both used
        text = harness.client.get("/metrics").text
        for version in ("v1", "v2"):
            assert f'prompt_version="{version}"' in text
        assert 'finrag_llm_tokens_total{direction="prompt"' in text
        harness.client.post("/api/v1/prompts/rollback", headers=admin)
        server.reply(LLM_PROGRAM)
        assert harness.ask("net revenue change again?").json()["prompt_version"] == "v2"


def test_a_chain_with_a_checked_llm_follows_the_rollout(
    llm_app: Callable[..., Harness],
) -> None:
    """FINRAG_PLANNER=offline:1|check:<llm>: the prompt versions of the rollout reach the LLM
    inside the chain, and its answers carry the offline planner's reading."""
    with OpenAIServer() as server:
        harness = llm_app(server, "offline:1|check:{llm}")
        harness.ingest(revenue_csv())
        admin = harness.headers("admin", tenant="default")
        promoted = harness.client.post("/api/v1/prompts/promote", headers=admin,
                                       json={"version": "v1", "share": 1.0})  # fmt: skip
        assert promoted.status_code == 200
        server.reply(LLM_PROGRAM)
        answer = harness.ask("What was the percentage change in net revenue?").json()
        assert not answer["abstained"], answer["abstain_reason"]
        assert answer["prompt_version"] == "v1" and answer["planner"].startswith("openai")
        assert answer["cross_check"]["planner"] == "offline:0"
        assert any(e.startswith("offline:1 abstained") for e in answer["errors"])
