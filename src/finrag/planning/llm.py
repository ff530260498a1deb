"""The LLM planner: a bounded generate, validate, repair loop over a chat model.

One :meth:`LLMPlanner.plan` call:

1. renders the versioned prompt (:mod:`finrag.planning.prompts`): system part, then the
   conversation so far and the evidence, each fenced as data, then the question;
2. asks the chat model for a program (structured output where the endpoint supports it);
3. accepts the reply only if it is JSON, a valid program (:func:`~finrag.dsl.jsonform.parse_json`),
   and runs against the evidence (:func:`~finrag.planning.validation.validate_program`:
   known ids and rows, the unit guard, grounded literals);
4. otherwise sends the exact error back as a follow-up message and tries again, at most
   ``max_repairs`` times (default 2, so three model calls in all).

What stops the loop:

* a valid program: a :class:`~finrag.planning.base.Plan` with the prompt version and hash,
  the summed token usage and cost, the attempt count and the errors of failed attempts;
* the repair budget spent: :class:`~finrag.planning.base.PlanningFailedError` with every
  attempt's error, the usage spent and the prompt version (a planning failure is shown, not
  hidden behind an abstention: the pipeline decides to abstain and can display why);
* an :class:`~finrag.errors.ExecutionError` (limits exceeded): terminal, no repair attempt;
* a transport failure after the chat model's own retries (429/5xx/timeouts, see
  :mod:`finrag.planning.openai_chat`): PlanningFailedError at once.

Security stance: document text is data. It reaches the model only inside the ``<evidence>``
fence with fence look-alikes defused, the system prompt says it is never an instruction, and
whatever the model replies, the planner's only possible output is a DSL program that parsed,
resolved every reference in the evidence and passed the unit guard.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from finrag.dsl.ast import Program
from finrag.dsl.context import ExecutionContext
from finrag.dsl.jsonform import parse_json
from finrag.errors import ConfigError, ExecutionError, ProgramError
from finrag.planning.base import Plan, PlanningFailedError, PlanRequest, Usage
from finrag.planning.evidence import build_context, render_evidence
from finrag.planning.openai_chat import (
    ChatMessage,
    ChatModel,
    ChatReply,
    ChatRequestError,
    OpenAIChatModel,
    StructuredOutput,
)
from finrag.planning.pricing import PriceTable
from finrag.planning.prompts import (
    DEFAULT_PROMPT_VERSION,
    PromptTemplate,
    load_prompt,
    render_conversation,
)
from finrag.planning.validation import validate_program

__all__ = ["LLMPlanner", "LLMSettings", "extract_json"]

_FENCED = re.compile(r"```(?:json)?\s*(.*?)```", re.S | re.I)


class LLMSettings(BaseSettings):
    """Settings of the LLM planner (env prefix ``FINRAG_LLM__``, e.g. ``FINRAG_LLM__MODEL``).

    ``api_key`` falls back to ``OPENAI_API_KEY`` when ``FINRAG_LLM__API_KEY`` is unset.
    ``prices`` maps a model to ``(input, output)`` dollars per million tokens and overrides
    the defaults in :mod:`finrag.planning.pricing`.
    """

    model_config = SettingsConfigDict(env_prefix="FINRAG_LLM__", extra="forbid")

    model: str = "gpt-4o"
    base_url: str | None = None
    api_key: SecretStr | None = None
    timeout: Annotated[float, Field(gt=0)] = 30.0
    temperature: Annotated[float, Field(ge=0, le=2)] = 0.0
    max_tokens: Annotated[int, Field(ge=16)] = 1024
    structured_output: StructuredOutput = "auto"
    prompt_version: str = DEFAULT_PROMPT_VERSION
    max_repairs: Annotated[int, Field(ge=0, le=10)] = 2
    max_attempts: Annotated[int, Field(ge=1, le=10)] = 4
    backoff: Annotated[float, Field(ge=0)] = 0.5
    max_backoff: Annotated[float, Field(ge=0)] = 20.0
    max_retry_after: Annotated[float, Field(ge=0)] = 30.0
    grounded_literals: bool = True
    prices: dict[str, tuple[float, float]] = Field(default_factory=dict)

    def resolved_api_key(self) -> str | None:
        """The key to send: the configured one, else ``$OPENAI_API_KEY``."""
        if self.api_key is not None and self.api_key.get_secret_value():
            return self.api_key.get_secret_value()
        return os.environ.get("OPENAI_API_KEY") or None


def extract_json(text: str) -> Any:
    """The JSON value in a model reply: the whole text, a fenced block, or the outer braces.

    Raises ProgramError with the decoder's message when none of them decodes.
    """
    candidates = [text.strip()]
    candidates += [m.strip() for m in _FENCED.findall(text)]
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        candidates.append(text[start : end + 1])
    first_error = ""
    for candidate in candidates:
        try:
            return json.loads(candidate)
        except (ValueError, RecursionError) as exc:
            first_error = first_error or str(exc)
    shown = text.strip()[:80] or "(empty reply)"
    raise ProgramError(
        f"the reply is not valid JSON ({first_error}); it began {shown!r}. "
        'Reply with one JSON object {"steps": [...], "answer_kind": ...} and nothing else'
    )


class LLMPlanner:
    """Plans with a chat model; see the module docstring for the loop and its limits.

    Args:
        settings: model, endpoint, key, retries, prices (read from the environment if None).
        chat: a ready :class:`ChatModel` (tests pass one; built from settings otherwise).
        name: registry id recorded in every Plan; defaults to ``llm:<model>``.
        prompt: a template to use instead of ``settings.prompt_version``.
    """

    def __init__(
        self,
        settings: LLMSettings | None = None,
        *,
        chat: ChatModel | None = None,
        name: str | None = None,
        prompt: PromptTemplate | None = None,
    ) -> None:
        self.settings = settings if settings is not None else LLMSettings()
        self.chat = chat if chat is not None else _chat_from(self.settings)
        self.name = name or f"llm:{self.settings.model}"
        self.prompt = prompt if prompt is not None else load_prompt(self.settings.prompt_version)
        self.prices = PriceTable(self.settings.prices)

    def messages(self, request: PlanRequest) -> list[ChatMessage]:
        """The opening messages of a conversation with the model for ``request``."""
        user = self.prompt.render_user(
            question=request.question,
            evidence=render_evidence(request.evidence),
            conversation=render_conversation(request.conversation),
        )
        return [
            {"role": "system", "content": self.prompt.render_system()},
            {"role": "user", "content": user},
        ]

    def plan(self, request: PlanRequest) -> Plan:
        """Generate, validate and repair; return a Plan or raise PlanningFailedError."""
        context = build_context(request.evidence)
        messages = self.messages(request)
        usage = Usage()
        errors: list[str] = []
        budget = self.settings.max_repairs + 1
        for attempt in range(1, budget + 1):
            reply = self._ask(messages, usage, errors, attempt)
            usage = usage + self._usage(reply)
            try:
                program = self._accept(reply.content, request, context)
            except ProgramError as exc:
                errors.append(f"attempt {attempt}: {exc}")
                messages.append({"role": "assistant", "content": reply.content})
                messages.append({"role": "user", "content": self.prompt.render_repair(str(exc))})
                continue
            except ExecutionError as exc:
                errors.append(f"attempt {attempt}: {exc}")
                raise self._failed(
                    f"{self.name}: the program hit an execution limit: {exc}",
                    errors,
                    usage,
                    attempt,
                    terminal=True,
                ) from exc
            return Plan(
                program=program,
                planner=self.name,
                prompt_version=self.prompt.version,
                prompt_hash=self.prompt.hash,
                usage=usage,
                attempts=attempt,
                errors=tuple(errors),
            )
        raise self._failed(
            f"{self.name}: no valid program after {budget} attempt(s); last error: "
            f"{errors[-1].partition(': ')[2]}",
            errors,
            usage,
            budget,
            terminal=False,
        )

    def _ask(
        self, messages: list[ChatMessage], usage: Usage, errors: list[str], attempt: int
    ) -> ChatReply:
        try:
            return self.chat.complete(messages)
        except ChatRequestError as exc:
            errors.append(f"attempt {attempt}: {exc}")
            raise self._failed(
                str(exc), errors, usage, attempt - 1, terminal=not exc.transient
            ) from exc

    def _accept(self, content: str, request: PlanRequest, context: ExecutionContext) -> Program:
        data = extract_json(content)
        if isinstance(data, Mapping) and isinstance(data.get("program"), Mapping | list):
            data = data["program"]  # a common wrapper some models add around the program
        program = parse_json(data)
        validate_program(
            program, request, context=context, grounded=self.settings.grounded_literals
        )
        return program

    def _usage(self, reply: ChatReply) -> Usage:
        cost = self.prices.cost(self.settings.model, reply.prompt_tokens, reply.completion_tokens)
        if cost == 0.0 and reply.model != self.settings.model:
            cost = self.prices.cost(reply.model, reply.prompt_tokens, reply.completion_tokens)
        return Usage(reply.prompt_tokens, reply.completion_tokens, cost, 1)

    def _failed(
        self, message: str, errors: list[str], usage: Usage, attempts: int, *, terminal: bool
    ) -> PlanningFailedError:
        return PlanningFailedError(
            message,
            planner=self.name,
            errors=errors,
            usage=usage,
            attempts=attempts,
            prompt_version=self.prompt.version,
            prompt_hash=self.prompt.hash,
            terminal=terminal,
        )


def _chat_from(settings: LLMSettings) -> ChatModel:
    key = settings.resolved_api_key()
    if key is None:
        raise ConfigError(
            f"no API key for model {settings.model!r}: set FINRAG_LLM__API_KEY or OPENAI_API_KEY"
        )
    return OpenAIChatModel(
        settings.model,
        base_url=settings.base_url,
        api_key=key,
        timeout=settings.timeout,
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,
        structured_output=settings.structured_output,
        max_attempts=settings.max_attempts,
        backoff=settings.backoff,
        max_backoff=settings.max_backoff,
        max_retry_after=settings.max_retry_after,
    )
