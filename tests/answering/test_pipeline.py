"""The answer pipeline end to end on the demo filing, with real parsing, a real store and DSL."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from finrag.answering.answer import answer_json_schema
from finrag.answering.pipeline import AnswerPipeline, Conversation
from finrag.config import Settings
from finrag.demo import demo_document_path
from finrag.runtime import Runtime, build_runtime
from finrag.testing.hash_embedder import HashEmbedder
from finrag.testing.scripted_planner import ScriptedPlanner

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def runtime(tmp_path: Path) -> Runtime:
    settings = Settings(data_dir=tmp_path, store_url=f"sqlite:///{tmp_path / 'finrag.db'}")
    settings.retrieval.rerank = False
    rt = build_runtime(settings, embedder=HashEmbedder())
    report, results = rt.index([demo_document_path()])
    assert not report.failed and results and results[0].added
    return rt


def _doc(rt: Runtime) -> str:
    return rt.store.list_documents(rt.settings.tenant)[0].id


def _row_cells(rt: Runtime, label: str) -> list[str]:
    chunks = rt.store.get_chunks(rt.settings.tenant, _doc(rt))
    row = next(c for c in chunks if (c.row_label or "").lower() == label)
    return [cell.id for cell in row.cells if cell.number is not None]


def test_answer_cites_cells_and_validates_against_schema(runtime: Runtime) -> None:
    c2024, c2023 = _row_cells(runtime, "net revenue")[:2]
    program = {
        "steps": [
            {"op": "subtract", "args": [{"ref": c2024}, {"ref": c2023}]},
            {"op": "divide", "args": [{"step": 0}, {"ref": c2023}]},
        ],
        "answer_kind": "percent",
    }
    pipeline = AnswerPipeline(runtime.retriever, ScriptedPlanner([program]), k=20)
    answer = pipeline.answer(
        "What was the percentage change in net revenue from 2023 to 2024?",
        tenant=runtime.settings.tenant,
        doc_ids=[_doc(runtime)],
    )
    assert not answer.abstained, answer.abstain_reason
    assert answer.display == "1.6%"
    assert answer.calculation == "(5,829 million - 5,735 million) / 5,735 million = 1.6%"
    first = answer.trace[0].operands[0]
    assert first.ref_id == c2024 and first.cell is not None and first.cell.column.endswith("2024")
    assert first.scale == "millions" and first.kind == "money"
    assert any(item.cited for item in answer.evidence)
    jsonschema.validate(json.loads(answer.model_dump_json(by_alias=True)), answer_json_schema())


def test_invented_literal_abstains_with_reason(runtime: Runtime) -> None:
    pipeline = AnswerPipeline(runtime.retriever, ScriptedPlanner(["divide(123457, 5735)"]), k=20)
    answer = pipeline.answer("What is it?", tenant=runtime.settings.tenant, doc_ids=[_doc(runtime)])
    assert answer.abstained
    assert "123457" in (answer.abstain_reason or "")
    assert answer.evidence, "an abstention still shows what was found"


def test_program_error_abstains_and_keeps_the_message(runtime: Runtime) -> None:
    pipeline = AnswerPipeline(runtime.retriever, ScriptedPlanner(["divide(5829, 0)"]), k=20)
    answer = pipeline.answer("ratio?", tenant=runtime.settings.tenant, doc_ids=[_doc(runtime)])
    assert answer.abstained and "zero" in (answer.abstain_reason or "").lower()


def test_follow_up_uses_the_previous_answer(runtime: Runtime) -> None:
    c2024, c2023 = _row_cells(runtime, "net revenue")[:2]
    first = {"steps": [{"op": "subtract", "args": [{"ref": c2024}, {"ref": c2023}]}]}
    planner = ScriptedPlanner([first, "divide(94, 5735)"])
    pipeline = AnswerPipeline(runtime.retriever, planner, k=20)
    conversation = Conversation()
    tenant, docs = runtime.settings.tenant, [_doc(runtime)]
    a1 = pipeline.answer(
        "What was the change in net revenue?",
        tenant=tenant,
        doc_ids=docs,
        conversation=conversation,
    )
    a2 = pipeline.answer(
        "What percentage change does this represent?",
        tenant=tenant,
        doc_ids=docs,
        conversation=conversation,
    )
    assert a1.value == pytest.approx(94.0)
    assert not a2.abstained, a2.abstain_reason
    assert a2.conversation_id == a1.conversation_id == conversation.id
    assert len(conversation.turns) == 2 and conversation.turns[0].value == pytest.approx(94.0)


def test_published_schema_is_current() -> None:
    published = json.loads((ROOT / "docs" / "answer.schema.json").read_text())
    assert published == answer_json_schema(), (
        "regenerate with: finrag schema > docs/answer.schema.json"
    )


def test_finrag_demo_runs_the_whole_path_offline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make run`'s first step: ingest the shipped filing and answer with the offline planner."""
    from typer.testing import CliRunner

    from finrag.cli import app

    monkeypatch.setenv("FINRAG_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(app, ["demo", "--json"])
    assert result.exit_code == 0, result.output
    answers = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(answers) == 5
    first = answers[0]
    assert first["planner"] == "offline"
    assert first["display"] == "1.6%", first
    margin = answers[1]  # operating margin: operating income / net revenue, by definition
    assert margin["display"] == "15.6%", margin
    free_cash_flow = answers[4]  # a named formula: operating cash flow - capital expenditures
    assert free_cash_flow["value"] == pytest.approx(1104 - 412), free_cash_flow
    for answer in answers:
        jsonschema.validate(answer, answer_json_schema())
        assert answer["abstained"] or answer["program"] is not None


def test_follow_up_can_reuse_cells_cited_earlier_even_when_not_retrieved_again(
    runtime: Runtime,
) -> None:
    c2024, c2023 = _row_cells(runtime, "net revenue")[:2]
    first = {"steps": [{"op": "subtract", "args": [{"ref": c2024}, {"ref": c2023}]}]}
    again = {
        "steps": [
            {"op": "subtract", "args": [{"ref": c2024}, {"ref": c2023}]},
            {"op": "divide", "args": [{"step": 0}, {"ref": c2023}]},
        ]
    }
    pipeline = AnswerPipeline(runtime.retriever, ScriptedPlanner([first, again]), k=20)
    conversation = Conversation()
    tenant, docs = runtime.settings.tenant, [_doc(runtime)]
    opening = pipeline.answer(
        "What was the change in net revenue?",
        tenant=tenant,
        doc_ids=docs,
        conversation=conversation,
    )
    assert not opening.abstained, opening.abstain_reason
    pipeline.k = 1  # the follow-up's own retrieval returns one chunk, not the revenue row
    follow = pipeline.answer(
        "What were cash and cash equivalents?",
        tenant=tenant,
        doc_ids=docs,
        conversation=conversation,
    )
    assert not follow.abstained, follow.abstain_reason
    assert follow.value == pytest.approx(94 / 5735)
    carried = [e for e in follow.evidence if e.score == 0.0]
    assert any(e.id == c2024.rsplit(":", 1)[0] and e.cited for e in carried)


def test_a_formula_question_also_retrieves_each_line_it_needs(runtime: Runtime) -> None:
    """ "Free cash flow" names no line: each of its lines is searched for too
    (``formulas.retrieval_queries``), so the planner sees both even when the question's own
    search returns one chunk."""
    from finrag.planning.offline import OfflinePlanner

    pipeline = AnswerPipeline(runtime.retriever, OfflinePlanner(), k=1)
    answer = pipeline.answer(
        "What was free cash flow in 2024?",
        tenant=runtime.settings.tenant,
        doc_ids=[_doc(runtime)],
    )
    labels = {e.text.split(" of ")[0].removeprefix("the ") for e in answer.evidence}
    assert "Net cash provided by operating activities" in labels
    assert "Capital expenditures" in labels
    assert not answer.abstained, answer.abstain_reason
    assert answer.value == pytest.approx(1104 - 412)


def test_a_named_ratio_also_retrieves_the_lines_it_divides(runtime: Runtime) -> None:
    """ "Gross margin" is gross profit over revenue (``ratios.ratio_queries``): both lines are
    searched for, so the planner sees them even when the question's own search returns one
    chunk. A question about how the ratio moved searches only for itself."""
    from finrag.planning.offline import OfflinePlanner

    pipeline = AnswerPipeline(runtime.retriever, OfflinePlanner(), k=1)
    tenant, docs = runtime.settings.tenant, [_doc(runtime)]
    answer = pipeline.answer("What was the gross margin in 2024?", tenant=tenant, doc_ids=docs)
    labels = {e.text.split(" of ")[0].removeprefix("the ") for e in answer.evidence}
    assert {"Gross profit", "Net revenue"} <= labels
    moved = pipeline.answer(
        "Did the gross margin improve from 2023 to 2024?", tenant=tenant, doc_ids=docs
    )
    assert len(moved.evidence) == 1
