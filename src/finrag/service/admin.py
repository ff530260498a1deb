"""Administrative operations: API keys, prompt rollout, retention, evaluation reports.

Every change appends an audit row naming the acting key. The same functions serve the admin
API and the ``finrag keys|prompts|audit`` commands (which act as ``cli``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from finrag.errors import ConfigError
from finrag.planning.prompts import list_prompt_versions, load_prompt
from finrag.service import audit
from finrag.service.repositories import keys as keys_repo
from finrag.service.repositories.prompts import Rollout, read_rollout, write_rollout
from finrag.service.schemas import EvaluationRun, PromptState, PromptVersionOut

__all__ = [
    "create_key",
    "list_evaluations",
    "promote_prompt",
    "prompt_state",
    "purge_audit",
    "revoke_key",
    "rollback_prompt",
]


def create_key(
    engine: Engine, tenant: str, role: str, name: str, actor: str
) -> tuple[keys_repo.ApiKeyRecord, str]:
    """Create a key in ``tenant`` and audit it (the secret is never logged or audited)."""
    record, full = keys_repo.create_key(engine, tenant, role, name, created_by=actor)
    audit.append(engine, tenant=tenant, actor=actor, action="key.create",
                 payload={"key_id": record.id, "role": record.role, "name": record.name})  # fmt: skip
    return record, full


def revoke_key(engine: Engine, tenant: str, key_id: str, actor: str) -> keys_repo.ApiKeyRecord:
    """Revoke one of the tenant's keys and audit it."""
    record = keys_repo.revoke_key(engine, tenant, key_id)
    audit.append(
        engine, tenant=tenant, actor=actor, action="key.revoke", payload={"key_id": key_id}
    )
    return record


def _check_version(version: str) -> str:
    known = list_prompt_versions()
    if version not in known:
        raise ConfigError(f"unknown prompt version {version!r}; known versions: {', '.join(known)}")
    return version


def prompt_state(engine: Engine, default_stable: str) -> PromptState:
    """The rollout state with every known version and the share it serves."""
    state = read_rollout(engine, default_stable)
    versions = []
    for version in list_prompt_versions():
        template = load_prompt(version)
        role, share = "inactive", 0.0
        if version == state.candidate:
            role, share = "candidate", state.share
        elif version == state.stable:
            role, share = "stable", 1.0 - (state.share if state.candidate else 0.0)
        versions.append(PromptVersionOut(version=version, hash=template.hash,
                                         description=template.description, role=role, share=share))  # fmt: skip
    return PromptState(
        stable=state.stable, candidate=state.candidate, share=state.share, previous=state.previous,
        updated_at=state.updated_at, updated_by=state.updated_by, versions=versions,
    )  # fmt: skip


def promote_prompt(
    engine: Engine, default_stable: str, version: str, share: float, actor: str, tenant: str
) -> PromptState:
    """``share`` < 1: ``version`` becomes the canary candidate; 1: it becomes stable."""
    _check_version(version)
    state = read_rollout(engine, default_stable)
    if share >= 1.0:
        new = Rollout(
            stable=version, previous=state.stable if state.stable != version else state.previous
        )
    else:
        new = Rollout(stable=state.stable, candidate=version, share=share, previous=state.previous)
    write_rollout(engine, new, actor)
    audit.append(engine, tenant=tenant, actor=actor, action="prompt.promote",
                 payload={"version": version, "share": share, "from": state.stable})  # fmt: skip
    return prompt_state(engine, default_stable)


def rollback_prompt(engine: Engine, default_stable: str, actor: str, tenant: str) -> PromptState:
    """Drop the canary candidate; without one, return to the previous stable version."""
    state = read_rollout(engine, default_stable)
    if state.candidate:
        new = Rollout(stable=state.stable, previous=state.previous)
    elif state.previous:
        new = Rollout(stable=state.previous, previous=None)
    else:
        raise ConfigError(
            f"nothing to roll back: no candidate and no previous version (stable is {state.stable})"
        )
    write_rollout(engine, new, actor)
    audit.append(engine, tenant=tenant, actor=actor, action="prompt.rollback",
                 payload={"candidate": state.candidate, "stable": new.stable})  # fmt: skip
    return prompt_state(engine, default_stable)


def purge_audit(engine: Engine, days: int, actor: str) -> int:
    """Remove audit rows older than ``days`` days (the chain stays verifiable)."""
    return audit.purge(engine, older_than=timedelta(days=days), actor=actor)


def list_evaluations(outputs: Path, limit: int = 200) -> list[EvaluationRun]:
    """Evaluation report JSON files under ``outputs`` (newest first) with their metrics."""
    if not outputs.is_dir():
        return []
    files = sorted(outputs.rglob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    return [run for run in (_run(p, outputs) for p in files[:limit]) if run is not None]


def _run(path: Path, root: Path) -> EvaluationRun | None:
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    metrics = data.get("metrics")
    if not isinstance(metrics, dict):
        metrics = {
            k: v for k, v in data.items() if isinstance(v, int | float) and not isinstance(v, bool)
        }
    modified = datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")
    return EvaluationRun(
        name=path.stem, kind=str(path.parent.relative_to(root)) if path.parent != root else "",
        path=str(path.relative_to(root)), modified=modified,
        dataset=_str(data.get("dataset")), planner=_str(data.get("planner")), metrics=metrics,
    )  # fmt: skip


def _str(value: Any) -> str | None:
    return str(value) if value is not None else None
