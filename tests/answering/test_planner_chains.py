"""LLM planners named on the runtime, the offline fast path and the cross-check, end to end.

The demo filing is parsed and stored for real; the LLM is the local OpenAI-compatible server,
scripted with the program it returns. What is checked is what a user of ``finrag ask
--planner ...`` or ``finrag eval qa --planner ...`` gets: who answered, what it cost, and
the cross-check beside an LLM's answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from finrag.answering.answer import Answer, answer_json_schema
from finrag.answering.cli import show_answer
from finrag.config import Settings
from finrag.demo import demo_document_path
from finrag.planning.llm import LLMPlanner
from finrag.planning.wrappers import CrossCheckPlanner, FallbackPlanner
from finrag.runtime import Runtime, build_runtime
from finrag.testing.hash_embedder import HashEmbedder
from finrag.testing.openai_server import OpenAIServer

pytestmark = pytest.mark.integration

QUESTION = "What was the percentage change in net revenue from 2023 to 2024?"


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Runtime:
    home = tmp_path_factory.mktemp("chains")
    settings = Settings(data_dir=home, store_url=f"sqlite:///{home / 'finrag.db'}")
    settings.llm.prompt_version = "v1"
    settings.llm.timeout = 5.0
    settings.llm.backoff = 0.01
    rt = build_runtime(settings, embedder=HashEmbedder())
    report, results = rt.index([demo_document_path()])
    assert not report.failed and results
    return rt


@pytest.fixture
def server() -> Iterator[OpenAIServer]:
    with OpenAIServer() as srv:
        yield srv


def _llm(server: OpenAIServer) -> str:
    return f"openai-compatible:gpt-4o@{server.url}"


def _ask(rt: Runtime, planner: str, question: str = QUESTION) -> Answer:
    doc = rt.store.list_documents(rt.settings.tenant)[0].id
    answer = rt.pipeline(planner).answer(question, tenant=rt.settings.tenant, doc_ids=[doc])
    jsonschema.validate(json.loads(answer.model_dump_json(by_alias=True)), answer_json_schema())
    return answer


def _revenue_change(rt: Runtime, *, reverse: bool = False) -> dict[str, Any]:
    """The LLM's reply: net revenue 2024 against 2023 (or the other way round)."""
    doc = rt.store.list_documents(rt.settings.tenant)[0].id
    chunks = rt.store.get_chunks(rt.settings.tenant, doc)
    row = next(c for c in chunks if (c.row_label or "").lower() == "net revenue")
    new, old = [cell.id for cell in row.cells if cell.number is not None][:2]
    if reverse:
        new, old = old, new
    return {
        "steps": [
            {"op": "subtract", "args": [{"ref": new}, {"ref": old}]},
            {"op": "divide", "args": [{"step": 0}, {"ref": old}]},
        ],
        "answer_kind": "percent",
    }


def test_an_llm_planner_named_on_the_runtime_takes_the_llm_settings(
    runtime: Runtime, server: OpenAIServer
) -> None:
    # `finrag ask/eval --planner openai-compatible:...` build it through Runtime.planner
    planner = runtime.planner(_llm(server))
    assert isinstance(planner, LLMPlanner)
    assert planner.settings.prompt_version == "v1" and planner.settings.timeout == 5.0
    assert planner.settings.base_url == server.url and planner.settings.model == "gpt-4o"
    server.reply(_revenue_change(runtime), usage=(900, 80))
    answer = _ask(runtime, _llm(server))
    assert answer.display == "1.6%" and answer.planner == _llm(server)
    assert answer.prompt_version == "v1" and answer.usage.llm_calls == 1
    assert answer.cross_check is None


def test_the_fast_path_answers_without_calling_the_llm(
    runtime: Runtime, server: OpenAIServer
) -> None:
    chain = f"offline:0|{_llm(server)}"
    assert isinstance(runtime.planner(chain), FallbackPlanner)
    answer = _ask(runtime, chain)
    assert not answer.abstained and answer.planner == "offline:0"
    assert answer.usage.llm_calls == 0 and server.chat_requests == []


def test_the_llm_answers_what_the_offline_planner_declines(
    runtime: Runtime, server: OpenAIServer
) -> None:
    server.reply(_revenue_change(runtime), usage=(900, 80))
    answer = _ask(runtime, f"offline:1|{_llm(server)}")
    assert answer.display == "1.6%" and answer.planner == _llm(server)
    assert answer.usage.llm_calls == 1 and len(server.chat_requests) == 1
    assert answer.prompt_version == "v1"
    # the offline planner's abstention stays in the audit trail
    assert any(e.startswith("offline:1 abstained: ") for e in answer.errors), answer.errors


def test_the_offline_planner_checks_the_llm(
    runtime: Runtime, server: OpenAIServer, capsys: pytest.CaptureFixture[str]
) -> None:
    name = f"check:{_llm(server)}"
    assert isinstance(runtime.planner(name), CrossCheckPlanner)
    server.reply(_revenue_change(runtime))
    agreed = _ask(runtime, name)
    assert agreed.display == "1.6%" and agreed.planner == _llm(server)
    check = agreed.cross_check
    assert check is not None and check.planner == "offline:0" and check.agrees is True
    assert check.display == "1.6%" and check.note.startswith("offline:0 reads the same 1.6%")
    assert check.value == pytest.approx((5829 - 5735) / 5735)
    show_answer(agreed)  # what `finrag ask --planner check:...` prints
    printed = " ".join(capsys.readouterr().out.split())
    assert "cross-check: offline:0 reads the same 1.6%" in printed, printed

    server.reply(_revenue_change(runtime, reverse=True))
    crossed = _ask(runtime, name)
    assert crossed.display == "-1.6%"  # the LLM's answer is kept
    check = crossed.cross_check
    assert check is not None and check.agrees is False
    assert "reads 1.6% instead of -1.6%" in check.note, check.note


def test_a_chain_keeps_the_cross_check_of_its_checked_llm(
    runtime: Runtime, server: OpenAIServer
) -> None:
    server.reply(_revenue_change(runtime))
    answer = _ask(runtime, f"offline:1|check:{_llm(server)}")
    assert answer.planner == _llm(server)
    assert answer.cross_check is not None and answer.cross_check.agrees is True


def test_a_new_runtime_reads_its_planner_from_settings(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, planner="offline:0.8|openai-compatible:m@http://x/v1")
    rt = build_runtime(settings, embedder=HashEmbedder())
    chain = rt.planner()
    assert isinstance(chain, FallbackPlanner) and chain.name == settings.planner
    assert isinstance(chain.fallback, LLMPlanner) and chain.fallback.settings.model == "m"
