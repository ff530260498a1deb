"""The planner contract: (question, evidence, conversation) -> a DSL program.

What goes in
    :class:`PlanRequest`: the question, the retrieved evidence chunks (``documents.model.Chunk``,
    best first), the conversation so far (earlier turns with their answers, so follow-ups such
    as "what percentage change does this represent?" can use them) and, on a repair attempt,
    the error the previous program raised.

What comes out
    :class:`Plan`: a validated :class:`~finrag.dsl.ast.Program` (or ``None`` with
    ``abstain_reason`` when the planner declines), the planner's id, the prompt version and
    content hash that produced it (``None`` for planners without prompts), token usage and cost,
    the number of attempts, the planner's own confidence in [0, 1] when it has one, and, when a
    second planner read the same question (``check:<planner>``, :mod:`.wrappers`), its
    :class:`CrossCheck`.

Errors
    :class:`~finrag.errors.PlanningError` when the planner cannot produce a program at all
    (endpoint down after retries, retry budget spent on invalid programs). Abstaining is not
    an error: it is a Plan without a program. Planners that made model calls before failing
    raise the subclass :class:`PlanningFailedError`, which carries every attempt's error, the
    usage spent and the prompt version, so the pipeline can show and bill them.

Planners are chosen by name from :mod:`finrag.planning.registry` (``offline``,
``openai:gpt-4o``, ``openai-compatible:<model>@<base_url>``, ``scripted``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from finrag.documents.model import Chunk
from finrag.dsl.ast import Program
from finrag.errors import PlanningError

__all__ = [
    "CrossCheck",
    "Plan",
    "PlanRequest",
    "Planner",
    "PlanningFailedError",
    "Turn",
    "Usage",
    "abstention_from_error",
]


@dataclass(frozen=True, slots=True)
class Turn:
    """An earlier question of the conversation and what it was answered."""

    question: str
    program: str | None = None
    value: float | None = None
    display: str | None = None


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """Everything a planner may look at."""

    question: str
    evidence: Sequence[Chunk]
    conversation: Sequence[Turn] = ()
    request_id: str = ""
    # the registrants of the documents the evidence comes from ("THE BOEING COMPANY") and the
    # other names they go by ("BA"): the company a question names by its own name ("Boeing's
    # operating margin", "AMEX's net income"), not a segment (finrag.documents.filer)
    filers: tuple[str, ...] = ()
    # the abbreviations those documents define ("FLNA": "Frito-Lay North America"), so a
    # question in one form can be read against tables printed in the other
    abbreviations: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Usage:
    """Tokens and cost of the model calls behind one plan."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    calls: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.cost_usd + other.cost_usd,
            self.calls + other.calls,
        )


@dataclass(frozen=True, slots=True)
class CrossCheck:
    """A second planner's reading of the same question and evidence, set beside a plan.

    ``agrees`` is True when both programs execute to the same value on the evidence, False
    when they differ, None when the checker gave no program or its program did not run.
    ``value`` (in plain units; 1.0 / 0.0 for yes / no) and ``display`` are the checker's
    result, ``note`` says what happened in words.
    """

    planner: str
    agrees: bool | None
    program: str | None = None
    value: float | None = None
    display: str = ""
    confidence: float | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Plan:
    """A planner's answer: a program, or an abstention with its reason."""

    program: Program | None
    planner: str
    prompt_version: str | None = None
    prompt_hash: str | None = None
    usage: Usage = field(default_factory=Usage)
    attempts: int = 1
    confidence: float | None = None
    abstain_reason: str | None = None
    errors: tuple[str, ...] = ()
    cross_check: CrossCheck | None = None

    @property
    def abstained(self) -> bool:
        return self.program is None


@runtime_checkable
class Planner(Protocol):
    """Maps a question and its evidence to a program. ``name`` is the registry id."""

    name: str

    def plan(self, request: PlanRequest) -> Plan: ...


class PlanningFailedError(PlanningError):
    """A planner gave up; the attempts' errors, usage and prompt travel with the exception.

    ``errors`` holds one message per failed attempt, in order (the exact text sent back to the
    model on repair attempts); ``terminal`` is True when the planner stopped early because
    retrying could not help (an :class:`~finrag.errors.ExecutionError`, a rejected request).
    """

    def __init__(
        self,
        message: str,
        *,
        planner: str,
        errors: Sequence[str] = (),
        usage: Usage | None = None,
        attempts: int = 0,
        prompt_version: str | None = None,
        prompt_hash: str | None = None,
        terminal: bool = False,
    ) -> None:
        super().__init__(message)
        self.planner = planner
        self.errors = tuple(errors)
        self.usage = usage if usage is not None else Usage()
        self.attempts = attempts
        self.prompt_version = prompt_version
        self.prompt_hash = prompt_hash
        self.terminal = terminal


def abstention_from_error(exc: PlanningError, planner: str) -> Plan:
    """An abstaining Plan that keeps what a failed planner spent and why it failed.

    For the pipeline: ``except PlanningError as exc: plan = abstention_from_error(exc, name)``
    keeps the attempts' errors, token usage, cost and prompt version of a
    :class:`PlanningFailedError` so the answer can show and bill them.
    """
    if isinstance(exc, PlanningFailedError):
        return Plan(
            program=None,
            planner=exc.planner or planner,
            prompt_version=exc.prompt_version,
            prompt_hash=exc.prompt_hash,
            usage=exc.usage,
            attempts=exc.attempts,
            abstain_reason=str(exc),
            errors=exc.errors,
        )
    return Plan(program=None, planner=planner, abstain_reason=str(exc), errors=(str(exc),))
