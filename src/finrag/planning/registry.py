"""Planners chosen by name.

==========================================  ==================================================
name                                        planner
==========================================  ==================================================
``offline``                                 the embedded planner, no network
                                            (``finrag.planning.offline``, loaded on first use)
``offline:<min confidence>``                the same with its own abstention cut-off
                                            (``offline:0.75``: answer only above 0.75)
``scripted``                                :class:`~finrag.testing.scripted_planner.ScriptedPlanner`
                                            (pass ``programs=[...]``)
``openai:<model>``                          api.openai.com; key from ``FINRAG_LLM__API_KEY``
                                            or ``OPENAI_API_KEY``
``openai-compatible:<model>@<base_url>``    any OpenAI-compatible endpoint (Azure OpenAI,
                                            vLLM, Ollama); structured output ``auto``
``check:<planner>``                         ``<planner>``'s plans, each with the offline
                                            planner's best reading beside it
                                            (:class:`~finrag.planning.wrappers.CrossCheckPlanner`)
``<planner>|<planner>|...``                 a chain: the first planner that answers
                                            (:class:`~finrag.planning.wrappers.FallbackPlanner`);
                                            ``offline:0.8|openai:gpt-4o`` is the fast path
==========================================  ==================================================

Options (``get_planner(name, **options)``) go to the factory. In a chain they must be LLM
settings (:class:`~finrag.planning.llm.LLMSettings` fields) and go to its LLM planners only;
the others are configured by their names (``offline:0.8``).

Built-ins register through :func:`register_planner`, the same hook an outside plugin uses; a
plugin package can also expose ``factory`` callables in the ``finrag.planners`` entry point
group (the entry point's name is the prefix). A factory is called as
``factory(argument, **options)`` where ``argument`` is the text after ``prefix:`` ('' if
none). A factory may be given as an import path ``"package.module:callable"``, imported on
first use, so a name can be registered before its module exists; if the import fails,
:func:`get_planner` raises :class:`~finrag.errors.ConfigError` saying so.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr, ValidationError

from finrag.errors import ConfigError
from finrag.planning.base import Planner

if TYPE_CHECKING:
    from finrag.planning.llm import LLMSettings

__all__ = [
    "PlannerFactory",
    "get_planner",
    "known_planners",
    "llm_options",
    "register_planner",
    "uses_prompts",
]

PlannerFactory = Callable[..., Planner]
"""Called as ``factory(argument, **options)``; argument is the text after ``prefix:`` or ''."""

ENTRY_POINT_GROUP = "finrag.planners"
CHAIN = "|"
CHECKER = "offline:0"  # the checker of ``check:<planner>``: its best reading, never abstaining
_LLM_PREFIXES = frozenset({"openai", "openai-compatible"})
_FACTORIES: dict[str, tuple[PlannerFactory | str, str]] = {}
_plugins_loaded = False


def register_planner(prefix: str, factory: PlannerFactory | str, usage: str | None = None) -> None:
    """Register ``factory`` (or its ``"module:callable"`` path) for ``prefix[:<argument>]``."""
    key = prefix.strip().lower()
    if not key or ":" in key:
        raise ConfigError(f"planner prefix must be non-empty without ':', got {prefix!r}")
    if isinstance(factory, str) and ":" not in factory:
        raise ConfigError(f"import path must look like 'package.module:callable', got {factory!r}")
    _FACTORIES[key] = (factory, usage or key)


def known_planners() -> list[str]:
    """Usage strings of every registered name, sorted."""
    _load_plugins()
    return sorted(usage for _, usage in _FACTORIES.values())


def get_planner(name: str, **options: Any) -> Planner:
    """Build the planner called ``name``; unknown or unavailable names raise ConfigError."""
    parts = _chain(name)
    if len(parts) > 1:
        return _chain_planner(parts, options)
    prefix, _, argument = parts[0].partition(":")
    key = prefix.strip().lower()
    if key not in _FACTORIES:
        _load_plugins()
    entry = _FACTORIES.get(key)
    if entry is None:
        raise ConfigError(
            f"unknown planner {name!r}; known planners: {', '.join(known_planners())}"
        )
    factory = _resolve(key, entry[0])
    return factory(argument.strip(), **options)


def uses_prompts(name: str) -> bool:
    """True when ``name`` builds an LLM planner from versioned prompts, alone, checked
    (``check:openai:gpt-4o``) or anywhere in a chain (``offline:0.8|openai:gpt-4o``)."""
    return any(
        _inner(part).partition(":")[0].strip().lower() in _LLM_PREFIXES for part in _chain(name)
    )


def llm_options(settings: LLMSettings) -> dict[str, Any]:
    """``settings`` as ``get_planner`` options for the LLM planners of a name: every field but
    the model and the endpoint, which the name itself gives (``openai-compatible:m@url``)."""
    return settings.model_dump(exclude={"model", "base_url"})


def _chain(name: str) -> list[str]:
    if CHAIN not in name:
        return [name.strip()]  # one planner; an empty or unknown name fails in get_planner
    parts = [p.strip() for p in name.split(CHAIN)]
    if not all(parts):
        raise ConfigError(
            f"planner chain {name!r} has an empty part; write e.g. 'offline:0.8|openai:gpt-4o'"
        )
    return parts


def _inner(name: str) -> str:
    """The checked planner of ``check:<planner>`` (``name`` itself otherwise)."""
    prefix, _, argument = name.partition(":")
    return _inner(argument.strip()) if prefix.strip().lower() == "check" else name


def _chain_planner(parts: list[str], options: dict[str, Any]) -> Planner:
    """``a|b|c``: FallbackPlanner(a, FallbackPlanner(b, c)); options go to the LLM planners."""
    from finrag.planning.llm import LLMSettings
    from finrag.planning.wrappers import FallbackPlanner

    stray = sorted(set(options) - set(LLMSettings.model_fields))
    if stray:
        raise ConfigError(
            f"options of a planner chain must be LLM settings, which go to its LLM planners; "
            f"got {', '.join(stray)} (configure the others by name, e.g. 'offline:0.8')"
        )
    planners = [get_planner(p, **(options if uses_prompts(p) else {})) for p in parts]
    chained = planners[-1]
    for planner in reversed(planners[:-1]):
        chained = FallbackPlanner(planner, chained)
    return chained


def _resolve(key: str, factory: PlannerFactory | str) -> PlannerFactory:
    if not isinstance(factory, str):
        return factory
    module_name, _, attr = factory.partition(":")
    try:
        resolved: PlannerFactory = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(
            f"planner {key!r} is registered but not available ({factory}: {exc}); "
            f"known planners: {', '.join(known_planners())}"
        ) from None
    return resolved


def _load_plugins() -> None:
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name.lower() not in _FACTORIES:
            register_planner(ep.name, f"{ep.module}:{ep.attr}")


def _no_argument(name: str, argument: str) -> None:
    if argument:
        raise ConfigError(f"planner {name!r} takes no ':<argument>', got {argument!r}")


def scripted_factory(argument: str, **options: Any) -> Planner:
    """``scripted``: a ScriptedPlanner; options go to its constructor (``programs=[...]``)."""
    from finrag.testing.scripted_planner import ScriptedPlanner

    _no_argument("scripted", argument)
    return ScriptedPlanner(**options)


def openai_factory(argument: str, **options: Any) -> Planner:
    """``openai:<model>``: the LLM planner against api.openai.com with json_schema output."""
    from finrag.planning.llm import LLMPlanner

    if not argument:
        raise ConfigError("name the model: 'openai:gpt-4o' or 'openai:gpt-4o-mini'")
    options.setdefault("structured_output", "json_schema")
    name = options.pop("name", f"openai:{argument}")
    settings = _settings(model=argument, base_url=None, **options)
    return LLMPlanner(settings, name=name)


def openai_compatible_factory(argument: str, **options: Any) -> Planner:
    """``openai-compatible:<model>@<base_url>``: the LLM planner against any such endpoint."""
    from finrag.planning.llm import LLMPlanner

    model, at, base_url = argument.partition("@")
    if not (model and at and base_url):
        raise ConfigError(
            f"expected 'openai-compatible:<model>@<base_url>', got {argument!r} "
            "(e.g. 'openai-compatible:llama3.1@http://localhost:11434/v1')"
        )
    name = options.pop("name", f"openai-compatible:{argument}")
    settings = _settings(model=model, base_url=base_url, **options)
    if settings.resolved_api_key() is None:
        # local servers (vLLM, Ollama) need no key, but the client insists on one
        settings = settings.model_copy(update={"api_key": SecretStr("unused")})
    return LLMPlanner(settings, name=name)


def _settings(**options: Any) -> LLMSettings:
    from finrag.planning.llm import LLMSettings

    try:
        return LLMSettings(**options)
    except ValidationError as exc:
        raise ConfigError(f"invalid LLM planner settings: {exc}") from None


def offline_factory(argument: str, **options: Any) -> Planner:
    """``offline``: the embedded planner, imported on first use."""
    module_name = "finrag.planning.offline"
    try:
        module = importlib.import_module(module_name)
        planner_class = module.OfflinePlanner
    except (ImportError, AttributeError) as exc:
        raise ConfigError(
            f"planner 'offline' is not available yet ({module_name}.OfflinePlanner: {exc}); "
            f"known planners: {', '.join(known_planners())}"
        ) from None
    if argument:
        options.setdefault("threshold", _min_confidence(argument))
    planner: Planner = planner_class(**options)
    return planner


def _min_confidence(argument: str) -> float:
    """``offline:<min confidence>``: the abstention cut-off on the confidence."""
    try:
        value = float(argument)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise ConfigError(
            f"'offline:<min confidence>' takes a number between 0 and 1, got {argument!r} "
            "(e.g. 'offline:0.75' answers less often and more precisely; 'offline' uses the "
            "model's own cut-off)"
        )
    return value


def check_factory(argument: str, **options: Any) -> Planner:
    """``check:<planner>``: ``<planner>`` (built with the options) checked by ``offline:0``."""
    from finrag.planning.wrappers import CrossCheckPlanner

    if not argument:
        raise ConfigError("name the planner to check: 'check:openai:gpt-4o'")
    return CrossCheckPlanner(get_planner(argument, **options), get_planner(CHECKER))


register_planner("offline", offline_factory, "offline[:<min confidence>]")
register_planner("check", check_factory, "check:<planner>")
register_planner("scripted", scripted_factory)
register_planner("openai", openai_factory, "openai:<model>")
register_planner(
    "openai-compatible", openai_compatible_factory, "openai-compatible:<model>@<base_url>"
)
