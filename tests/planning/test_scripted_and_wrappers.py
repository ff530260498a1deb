"""The scripted planner (a real Planner) and the fallback and cross-check wrappers."""

from __future__ import annotations

from typing import Any

import pytest

from finrag.dsl.ast import Op, Program
from finrag.dsl.parser import parse_program
from finrag.errors import PlanningError, ProgramError
from finrag.planning.base import Plan, Planner, PlanningFailedError, PlanRequest, Usage
from finrag.planning.wrappers import CrossCheckPlanner, FallbackPlanner
from finrag.testing.scripted_planner import ScriptedPlanner, ScriptExhaustedError
from planning.planning_data import GOOD_PROGRAM, REVENUE_2018, REVENUE_2019, sample_evidence

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


CHECKED = PlanRequest(question="change?", evidence=sample_evidence())
RISE = GOOD_PROGRAM  # (2019 - 2018) / 2018 of net revenue, as a percent


def _checked(primary: list[Any], checker: list[Any]) -> Plan:
    planner = CrossCheckPlanner(
        ScriptedPlanner(primary, name="llm"), ScriptedPlanner(checker, name="offline:0")
    )
    assert planner.name == "check:llm"
    return planner.plan(CHECKED)


def test_cross_check_agrees_on_the_same_value_read_another_way() -> None:
    # 1.6% from the table against 5,829 / 5,735 - 1: two programs, one value
    plan = _checked([RISE], [f"divide(@{REVENUE_2019}, @{REVENUE_2018}), subtract(#0, const_1)"])
    check = plan.cross_check
    assert plan.planner == "llm" and check is not None and check.agrees is True
    assert check.planner == "offline:0" and check.value == pytest.approx(94 / 5735)
    assert check.note.startswith("offline:0 reads the same")


def test_cross_check_disagreement_names_both_values() -> None:
    plan = _checked([RISE], [f"subtract(@{REVENUE_2019}, @{REVENUE_2018})"])
    check = plan.cross_check
    assert check is not None and check.agrees is False
    assert check.program == f"subtract(@{REVENUE_2019}, @{REVENUE_2018})"
    assert check.value == pytest.approx(94e6)  # plain units: $94 million
    assert "reads $94 million instead of 1.6%" in check.note, check.note


def test_cross_check_compares_yes_no_answers() -> None:
    more = f"greater(@{REVENUE_2019}, @{REVENUE_2018})"
    less = f"greater(@{REVENUE_2018}, @{REVENUE_2019})"
    assert _checked([more], [more]).cross_check.agrees is True  # type: ignore[union-attr]
    assert _checked([more], [less]).cross_check.agrees is False  # type: ignore[union-attr]
    assert _checked([more], [RISE]).cross_check.agrees is False  # type: ignore[union-attr]


def test_cross_check_without_a_reading_says_why() -> None:
    silent = _checked([RISE], [None]).cross_check
    assert silent is not None and silent.agrees is None
    assert silent.note == "offline:0: scripted abstention"
    failed = _checked([RISE], [PlanningError("no model")]).cross_check
    assert failed is not None and failed.agrees is None and "failed: no model" in failed.note
    broken = _checked([RISE], ["divide(@dtest:t0:r4:c2, 2)"]).cross_check  # a dash cell
    assert broken is not None and broken.agrees is None and "does not run" in broken.note


def test_cross_check_leaves_abstentions_and_errors_of_the_primary_alone() -> None:
    checker = ScriptedPlanner(name="offline:0")
    abstained = CrossCheckPlanner(ScriptedPlanner([None]), checker).plan(CHECKED)
    assert abstained.abstained and abstained.cross_check is None
    with pytest.raises(PlanningError, match="down"):
        CrossCheckPlanner(ScriptedPlanner([PlanningError("down")]), checker).plan(CHECKED)
    assert checker.requests == []  # nothing to check, nothing asked
