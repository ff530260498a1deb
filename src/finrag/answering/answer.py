"""The Answer: what FinRAG returns for a question, with everything an auditor needs.

The API returns it as JSON, the UI renders it, the audit log stores it. Its JSON Schema is
published at ``docs/answer.schema.json`` (regenerate with ``finrag schema >
docs/answer.schema.json``) and every ``finrag ask --json`` output validates against it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Answer",
    "CellRef",
    "CrossCheckItem",
    "EvidenceItem",
    "ProgramText",
    "Timings",
    "TraceOperand",
    "TraceStep",
    "Usage",
    "answer_json_schema",
]

_MODEL = ConfigDict(extra="forbid")


class CellRef(BaseModel):
    """Where in a table an operand came from."""

    model_config = _MODEL
    table: int
    row: int
    col: int
    row_label: str = ""
    column: str = ""


class TraceOperand(BaseModel):
    """One operand of a step as it was used, with its source."""

    model_config = _MODEL
    value: float
    kind: str
    scale: str
    currency: str | None = None
    origin: str = Field(description="literal, constant, step, ref or row")
    ref_id: str | None = None
    text: str = ""
    label: str = ""
    doc_id: str | None = None
    page: int | None = None
    cell: CellRef | None = None
    rescaled_from: str | None = None


class TraceStep(BaseModel):
    """One executed step."""

    model_config = _MODEL
    index: int
    op: str
    operands: list[TraceOperand]
    value: float
    kind: str
    scale: str


class EvidenceItem(BaseModel):
    """A retrieved evidence unit, as shown to the planner."""

    model_config = _MODEL
    id: str
    doc_id: str
    source: str = ""
    page: int
    kind: str
    text: str
    score: float
    cited: bool = False
    table_index: int | None = None
    row_index: int | None = None


class ProgramText(BaseModel):
    """The program in both surface forms."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    text: str
    json_form: dict[str, Any] = Field(alias="json")


class CrossCheckItem(BaseModel):
    """A second planner's reading of the same question (``check:<planner>``)."""

    model_config = _MODEL
    planner: str
    agrees: bool | None = Field(
        description="same value as the answer; null when the checker gave no program"
    )
    program: str | None = None
    value: float | None = Field(default=None, description="in plain units; 1/0 for yes/no")
    display: str = ""
    confidence: float | None = None
    note: str = ""

    @property
    def outcome(self) -> str:
        """``agree``, ``disagree`` or ``no reading`` (the checker gave no program)."""
        return "no reading" if self.agrees is None else ("agree" if self.agrees else "disagree")


class Timings(BaseModel):
    """Milliseconds per stage."""

    model_config = _MODEL
    retrieve_ms: float = 0.0
    plan_ms: float = 0.0
    execute_ms: float = 0.0
    total_ms: float = 0.0


class Usage(BaseModel):
    """Model tokens and cost behind the answer."""

    model_config = _MODEL
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    llm_calls: int = 0


class Answer(BaseModel):
    """An answered (or abstained) question with its full audit trail."""

    model_config = _MODEL
    id: str
    question: str
    conversation_id: str | None = None
    value: float | str | None = None
    display: str = ""
    kind: str | None = None
    calculation: str = ""
    program: ProgramText | None = None
    trace: list[TraceStep] = Field(default_factory=list)
    evidence: list[EvidenceItem] = Field(default_factory=list)
    confidence: float | None = None
    abstained: bool = False
    abstain_reason: str | None = None
    planner: str
    prompt_version: str | None = None
    prompt_hash: str | None = None
    attempts: int = 1
    errors: list[str] = Field(default_factory=list)
    cross_check: CrossCheckItem | None = None
    timings: Timings = Field(default_factory=Timings)
    usage: Usage = Field(default_factory=Usage)
    doc_ids: list[str] = Field(default_factory=list)
    created_at: str = ""


def answer_json_schema() -> dict[str, Any]:
    """The published JSON Schema of an Answer (serialisation form)."""
    schema = Answer.model_json_schema(mode="serialization", by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://finrag.dev/schemas/answer.json"
    return schema
