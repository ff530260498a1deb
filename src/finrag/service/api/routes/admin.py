"""Admin routes: audit log, evaluation runs, prompt versions and rollout, API keys."""

from __future__ import annotations

from fastapi import APIRouter, Query, status

from finrag.service import admin as ops
from finrag.service import audit
from finrag.service.api import API_PREFIX
from finrag.service.api.deps import AdminDep, OperatorDep, RuntimeDep
from finrag.service.api.routes.convert import audit_out, key_out
from finrag.service.repositories import keys as keys_repo
from finrag.service.runtime import default_prompt_version
from finrag.service.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyOut,
    AuditRowOut,
    AuditVerifyOut,
    EvaluationRun,
    PromptPromote,
    PromptState,
    PurgeOut,
    PurgeRequest,
)

__all__ = ["router"]

router = APIRouter(prefix=API_PREFIX, tags=["admin"])


@router.get("/audit", response_model=list[AuditRowOut])
def audit_rows(
    runtime: RuntimeDep,
    principal: AdminDep,
    action: str | None = None,
    actor: str | None = None,
    since: str | None = Query(None, description="ISO-8601 UTC lower bound"),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> list[AuditRowOut]:
    """The tenant's audit rows, newest first."""
    rows = audit.query(runtime.engine, principal.tenant, action=action, actor=actor,
                       since=since, limit=limit, offset=offset)  # fmt: skip
    return [audit_out(r) for r in rows]


@router.get("/audit/verify", response_model=AuditVerifyOut)
def audit_verify(runtime: RuntimeDep, principal: OperatorDep) -> AuditVerifyOut:
    """Walk the whole hash chain (all tenants) from its anchor: operator tenant only."""
    report = audit.verify(runtime.engine)
    return AuditVerifyOut(ok=report.ok, rows=report.rows, anchor_seq=report.anchor_seq,
                          last_seq=report.last_seq, problems=report.problems)  # fmt: skip


@router.get("/audit/{seq}", response_model=AuditRowOut)
def audit_row(seq: int, runtime: RuntimeDep, principal: AdminDep) -> AuditRowOut:
    """One of the tenant's audit rows."""
    return audit_out(audit.get_row(runtime.engine, principal.tenant, seq))


@router.post("/audit/purge", response_model=PurgeOut)
def audit_purge(body: PurgeRequest, runtime: RuntimeDep, principal: OperatorDep) -> PurgeOut:
    """Remove rows of every tenant older than the given age (operator tenant only)."""
    return PurgeOut(purged=ops.purge_audit(runtime.engine, body.older_than_days, principal.key_id))


@router.get("/evaluations", response_model=list[EvaluationRun])
def evaluations(runtime: RuntimeDep, principal: AdminDep) -> list[EvaluationRun]:
    """Evaluation reports in ``outputs/`` with their metrics, newest first."""
    return ops.list_evaluations(runtime.settings.service.outputs_dir)


@router.get("/prompts", response_model=PromptState)
def prompts(runtime: RuntimeDep, principal: AdminDep) -> PromptState:
    """Prompt versions with the share of traffic each serves."""
    return ops.prompt_state(runtime.engine, default_prompt_version(runtime.settings))


@router.post("/prompts/promote", response_model=PromptState)
def promote(body: PromptPromote, runtime: RuntimeDep, principal: OperatorDep) -> PromptState:
    """Make a version the canary candidate (share < 1) or the stable version (share = 1)."""
    state = ops.promote_prompt(runtime.engine, default_prompt_version(runtime.settings),
                               body.version, body.share, principal.key_id, principal.tenant)  # fmt: skip
    runtime.planner.invalidate()
    return state


@router.post("/prompts/rollback", response_model=PromptState)
def rollback(runtime: RuntimeDep, principal: OperatorDep) -> PromptState:
    """Drop the candidate, or return to the previous stable version."""
    state = ops.rollback_prompt(runtime.engine, default_prompt_version(runtime.settings),
                                principal.key_id, principal.tenant)  # fmt: skip
    runtime.planner.invalidate()
    return state


@router.post("/keys", status_code=status.HTTP_201_CREATED, response_model=ApiKeyCreated)
def create_key(body: ApiKeyCreate, runtime: RuntimeDep, principal: AdminDep) -> ApiKeyCreated:
    """A new key in the caller's tenant; ``key`` is shown only in this response."""
    record, full = ops.create_key(runtime.engine, principal.tenant, body.role, body.name,
                                  principal.key_id)  # fmt: skip
    return ApiKeyCreated(**key_out(record).model_dump(), key=full)


@router.get("/keys", response_model=list[ApiKeyOut])
def keys(runtime: RuntimeDep, principal: AdminDep) -> list[ApiKeyOut]:
    """The tenant's keys without secrets."""
    return [key_out(k) for k in keys_repo.list_keys(runtime.engine, principal.tenant)]


@router.delete("/keys/{key_id}", response_model=ApiKeyOut)
def revoke(key_id: str, runtime: RuntimeDep, principal: AdminDep) -> ApiKeyOut:
    """Revoke one of the tenant's keys (it stops working immediately)."""
    return key_out(ops.revoke_key(runtime.engine, principal.tenant, key_id, principal.key_id))
