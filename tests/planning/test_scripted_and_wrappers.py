"""The scripted planner (a real Planner) and the fallback wrapper."""

from __future__ import annotations

import pytest

from finrag.dsl.ast import Op, Program
from finrag.dsl.parser import parse_program
from finrag.errors import PlanningError, ProgramError
from finrag.planning.base import Plan, Planner, PlanningFailedError, PlanRequest, Usage
from finrag.planning.wrappers import FallbackPlanner
from finrag.testing.scripted_planner import ScriptedPlanner, ScriptExhaustedError

pytestmark = pytest.mark.unit

REQUEST = PlanRequest(question="q?", evidence=())


def test_scripted_planner_is_a_planner() -> None:
    assert isinstance(ScriptedPlanner(), Planner)


def test_returns_programs_in_order_from_every_form() -> None:
    program = parse_program("add(1, 2)")
    planner = ScriptedPlanner(
        [
            "subtract(5829, 5735), divide(#0, 5735)",
            '{"steps": [{"op": "multiply", "args": [2, 3]}]}',
            {"steps": [{"op": "exp", "args": [2, 3]}], "answer_kind": "none"},
            [{"op": "greater", "args": [2, 3]}],
            program,
        ]
    )
    ops = [planner.plan(REQUEST).program for _ in range(5)]
    assert [p.steps[-1].op for p in ops if p] == [
        Op.DIVIDE,
        Op.MULTIPLY,
        Op.EXP,
        Op.GREATER,
        Op.ADD,
    ]
    assert ops[4] is program
    assert planner.remaining == 0
    assert len(planner.requests) == 5
    plan = ScriptedPlanner(["add(1, 2)"]).plan(REQUEST)
    assert (plan.planner, plan.prompt_version, plan.attempts) == ("scripted", None, 1)


def test_empty_queue_raises_clearly() -> None:
    planner = ScriptedPlanner(["add(1, 2)"])
    planner.plan(REQUEST)
    with pytest.raises(ScriptExhaustedError, match=r"no programs left: it answered 1 request\(s\)"):
        planner.plan(PlanRequest(question="one more?", evidence=()))


def test_bad_script_fails_where_it_is_written() -> None:
    with pytest.raises(ProgramError):
        ScriptedPlanner(["frobnicate(1, 2)"])


def test_abstentions_plans_and_exceptions_can_be_scripted() -> None:
    ready = Plan(program=parse_program("add(1, 1)"), planner="elsewhere")
    planner = ScriptedPlanner([None, ready, PlanningError("scripted failure")])
    assert planner.plan(REQUEST).abstain_reason == "scripted abstention"
    assert planner.plan(REQUEST) is ready
    with pytest.raises(PlanningError, match="scripted failure"):
        planner.plan(REQUEST)


def test_add_returns_the_planner_for_chaining() -> None:
    planner = ScriptedPlanner().add("add(1, 2)").add("add(3, 4)")
    assert planner.remaining == 2


def test_fallback_passes_a_good_primary_plan_through() -> None:
    primary = ScriptedPlanner(["add(1, 2)"], name="primary")
    fallback = ScriptedPlanner(name="fallback")
    plan = FallbackPlanner(primary, fallback).plan(REQUEST)
    assert plan.planner == "primary"
    assert fallback.requests == []


def test_fallback_after_planning_error_keeps_errors_and_usage() -> None:
    failure = PlanningFailedError(
        "gave up",
        planner="llm",
        errors=["attempt 1: bad json", "attempt 2: bad ref"],
        usage=Usage(100, 20, 0.01, 2),
    )
    primary = ScriptedPlanner([failure], name="llm")
    fallback = ScriptedPlanner(["add(1, 2)"], name="offline")
    wrapper = FallbackPlanner(primary, fallback)
    assert wrapper.name == "llm|offline"
    plan = wrapper.plan(REQUEST)
    assert plan.planner == "offline"
    assert isinstance(plan.program, Program)
    assert plan.usage == Usage(100, 20, 0.01, 2)
    assert plan.errors == ("attempt 1: bad json", "attempt 2: bad ref", "llm failed: gave up")


def test_fallback_after_abstention() -> None:
    primary = ScriptedPlanner([None], name="llm", abstain_reason="no evidence")
    plan = FallbackPlanner(primary, ScriptedPlanner(["add(1, 2)"], name="offline")).plan(REQUEST)
    assert plan.planner == "offline"
    assert plan.errors == ("llm abstained: no evidence",)


def test_fallback_failure_propagates() -> None:
    primary = ScriptedPlanner([PlanningError("one")], name="a")
    fallback = ScriptedPlanner([PlanningError("two")], name="b")
    with pytest.raises(PlanningError, match="two"):
        FallbackPlanner(primary, fallback).plan(REQUEST)


def test_fallback_does_not_swallow_other_errors() -> None:
    primary = ScriptedPlanner([RuntimeError("bug")], name="a")
    with pytest.raises(RuntimeError, match="bug"):
        FallbackPlanner(primary, ScriptedPlanner(["add(1, 2)"])).plan(REQUEST)


def test_abstention_from_error_keeps_errors_usage_and_prompt() -> None:
    from finrag.planning.base import abstention_from_error

    failure = PlanningFailedError(
        "gave up",
        planner="llm:gpt-4o",
        errors=["attempt 1: bad"],
        usage=Usage(10, 2, 0.001, 1),
        attempts=1,
        prompt_version="v2",
        prompt_hash="abc",
    )
    plan = abstention_from_error(failure, "fallback-name")
    assert plan.abstained and plan.abstain_reason == "gave up"
    assert (plan.planner, plan.prompt_version, plan.prompt_hash) == ("llm:gpt-4o", "v2", "abc")
    assert plan.errors == ("attempt 1: bad",) and plan.usage.calls == 1
    plain = abstention_from_error(PlanningError("down"), "offline")
    assert (plain.planner, plain.errors, plain.abstain_reason) == ("offline", ("down",), "down")
