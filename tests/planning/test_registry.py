"""Planners by name: built-ins, plugins, lazy offline, errors listing known names."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from finrag.errors import ConfigError
from finrag.planning import registry
from finrag.planning.base import PlanningFailedError, PlanRequest
from finrag.planning.llm import LLMPlanner, LLMSettings
from finrag.planning.registry import (
    get_planner,
    known_planners,
    llm_options,
    register_planner,
    uses_prompts,
)
from finrag.planning.wrappers import CrossCheckPlanner, FallbackPlanner
from finrag.testing.scripted_planner import ScriptedPlanner

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in (
        "OPENAI_API_KEY",
        "FINRAG_LLM__API_KEY",
        "FINRAG_LLM__BASE_URL",
        "FINRAG_LLM__MODEL",
    ):
        monkeypatch.delenv(var, raising=False)


def test_known_names() -> None:
    names = known_planners()
    for name in (
        "offline[:<min confidence>]",
        "scripted",
        "openai:<model>",
        "openai-compatible:<model>@<base_url>",
        "check:<planner>",
    ):
        assert name in names


def test_unknown_name_lists_known_names() -> None:
    with pytest.raises(
        ConfigError, match=r"unknown planner 'gpt5'; known planners: .*offline.*scripted"
    ):
        get_planner("gpt5")


def test_scripted_by_name() -> None:
    planner = get_planner("scripted", programs=["add(1, 2)"])
    assert isinstance(planner, ScriptedPlanner)
    assert planner.plan(PlanRequest("q", ())).program is not None
    with pytest.raises(ConfigError, match="takes no"):
        get_planner("scripted:extra")


def test_openai_reads_the_key_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        get_planner("openai:gpt-4o")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    planner = get_planner("openai:gpt-4o-mini")
    assert isinstance(planner, LLMPlanner)
    assert planner.name == "openai:gpt-4o-mini"
    assert planner.settings.model == "gpt-4o-mini"
    assert planner.settings.structured_output == "json_schema"
    assert planner.settings.resolved_api_key() == "sk-env"


def test_finrag_key_wins_and_stays_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    monkeypatch.setenv("FINRAG_LLM__API_KEY", "sk-finrag")
    planner = get_planner("openai:gpt-4o")
    assert isinstance(planner, LLMPlanner)
    assert planner.settings.resolved_api_key() == "sk-finrag"
    assert "sk-finrag" not in repr(planner.settings)


def test_openai_needs_a_model() -> None:
    with pytest.raises(ConfigError, match="name the model"):
        get_planner("openai")


def test_remote_requests_are_blocked_in_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    planner = get_planner("openai:gpt-4o")
    with pytest.raises(PlanningFailedError, match="remote model requests are disabled") as info:
        planner.plan(PlanRequest("q", ()))
    assert info.value.terminal


def test_openai_compatible_parses_model_and_url() -> None:
    planner = get_planner("openai-compatible:llama3.1@http://localhost:11434/v1", timeout=5)
    assert isinstance(planner, LLMPlanner)
    assert planner.name == "openai-compatible:llama3.1@http://localhost:11434/v1"
    assert planner.settings.model == "llama3.1"
    assert planner.settings.base_url == "http://localhost:11434/v1"
    assert planner.settings.structured_output == "auto"
    assert planner.settings.resolved_api_key() == "unused"
    with pytest.raises(ConfigError, match=r"<model>@<base_url>"):
        get_planner("openai-compatible:llama3.1")


def test_bad_options_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="invalid LLM planner settings"):
        get_planner("openai-compatible:m@http://localhost:1/v1", max_repairs=-1)


def test_offline_takes_a_minimum_confidence() -> None:
    default = get_planner("offline")
    strict = get_planner("offline:0.75")
    assert default.name == "offline" and strict.name == "offline:0.75"
    assert strict.threshold == 0.75 != default.threshold  # type: ignore[attr-defined]
    for bad in ("offline:high", "offline:1.5", "offline:-0.1"):
        with pytest.raises(ConfigError, match="between 0 and 1"):
            get_planner(bad)


def test_offline_unavailable_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "finrag.planning.offline", None)  # import now fails
    with pytest.raises(
        ConfigError, match=r"planner 'offline' is not available yet.*known planners"
    ):
        get_planner("offline")


def test_plugins_register_through_the_same_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_FACTORIES", dict(registry._FACTORIES))

    def factory(argument: str, **options: Any) -> ScriptedPlanner:
        return ScriptedPlanner([f"add({argument}, 1)"], name=f"mine:{argument}")

    register_planner("mine", factory, "mine:<n>")
    assert "mine:<n>" in known_planners()
    planner = get_planner("MINE:41")
    assert planner.name == "mine:41"


def test_import_path_factories_are_lazy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_FACTORIES", dict(registry._FACTORIES))
    register_planner("later", "finrag.planning.not_written_yet:make")
    assert "later" in known_planners()
    with pytest.raises(ConfigError, match=r"planner 'later' is registered but not available"):
        get_planner("later")
    register_planner("lazy", "finrag.planning.registry:scripted_factory")
    assert isinstance(get_planner("lazy", programs=["add(1, 2)"]), ScriptedPlanner)


@pytest.mark.parametrize("prefix", ["", "a:b"])
def test_bad_prefixes(prefix: str) -> None:
    with pytest.raises(ConfigError):
        register_planner(prefix, registry.scripted_factory)
    with pytest.raises(ConfigError, match="import path"):
        register_planner("x", "no_colon_here")


@pytest.mark.parametrize(
    ("name", "llm"),
    [
        ("offline", False),
        ("offline:0.8|scripted", False),
        ("openai:gpt-4o", True),
        ("check:openai-compatible:m@http://h/v1", True),
        ("check:offline", False),
        ("offline:0.8 | openai:gpt-4o", True),
    ],
)
def test_uses_prompts_reads_chains_and_checks(name: str, llm: bool) -> None:
    assert uses_prompts(name) is llm


def test_a_chain_gives_its_llm_settings_to_its_llm_planners_only() -> None:
    chain = get_planner("offline:0.8 | openai-compatible:m@http://h/v1|scripted", timeout=3.0)
    assert isinstance(chain, FallbackPlanner) and isinstance(chain.fallback, FallbackPlanner)
    assert chain.name == "offline:0.8|openai-compatible:m@http://h/v1|scripted"
    llm = chain.fallback.primary
    assert isinstance(llm, LLMPlanner) and llm.settings.timeout == 3.0
    assert isinstance(chain.fallback.fallback, ScriptedPlanner)


def test_chain_errors_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="empty part"):
        get_planner("offline||openai:gpt-4o")
    with pytest.raises(ConfigError, match=r"must be LLM settings.*threshold"):
        get_planner("offline|openai-compatible:m@http://h/v1", threshold=0.5)
    with pytest.raises(ConfigError, match="name the planner to check"):
        get_planner("check")
    with pytest.raises(ConfigError, match="unknown planner ''"):
        get_planner("")
    assert not uses_prompts("")


def test_check_wraps_the_named_planner_with_the_offline_checker() -> None:
    checked = get_planner("check:openai-compatible:m@http://h/v1", max_repairs=1)
    assert isinstance(checked, CrossCheckPlanner)
    assert checked.name == "check:openai-compatible:m@http://h/v1"
    assert isinstance(checked.primary, LLMPlanner) and checked.primary.settings.max_repairs == 1
    assert checked.checker.name == "offline:0"


def test_llm_options_leave_model_and_endpoint_to_the_name() -> None:
    options = llm_options(LLMSettings(model="x", base_url="http://y", timeout=7.0))
    assert "model" not in options and "base_url" not in options and options["timeout"] == 7.0
    planner = get_planner("openai-compatible:m@http://h/v1", **options)
    assert isinstance(planner, LLMPlanner) and planner.settings.timeout == 7.0
