"""Tenants and API keys (stored hashed; the full key is returned once, on creation)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from finrag.errors import AccessDeniedError, NotFoundError
from finrag.service.db import api_keys, now_iso, tenants
from finrag.service.security import (
    AuthenticationError,
    Principal,
    Role,
    generate_key,
    hash_key,
    key_id_of,
    keys_match,
)

__all__ = [
    "ApiKeyRecord",
    "authenticate",
    "create_key",
    "ensure_tenant",
    "list_keys",
    "revoke_key",
]


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    """A stored key without its secret."""

    id: str
    tenant: str
    name: str
    role: str
    created_at: str
    created_by: str | None
    revoked_at: str | None


def ensure_tenant(engine: Engine, tenant: str) -> None:
    """Create the tenant row if it does not exist."""
    if not tenant or not tenant.strip():
        raise AccessDeniedError("tenant must be a non-empty string")
    with engine.connect() as conn:
        exists = conn.execute(select(tenants.c.id).where(tenants.c.id == tenant)).first()
    if exists is not None:
        return
    try:
        with engine.begin() as conn:
            conn.execute(tenants.insert().values(id=tenant, created_at=now_iso()))
    except IntegrityError:
        return  # created concurrently by another request


def create_key(
    engine: Engine, tenant: str, role: str, name: str, created_by: str | None = None
) -> tuple[ApiKeyRecord, str]:
    """A new key for ``tenant`` with ``role``; returns its record and the full key (shown once)."""
    parsed = Role.parse(role)
    ensure_tenant(engine, tenant)
    key_id, full = generate_key()
    row = {
        "id": key_id,
        "tenant": tenant,
        "name": name or f"{parsed.name} key",
        "role": parsed.name,
        "key_hash": hash_key(full),
        "created_at": now_iso(),
        "created_by": created_by,
        "revoked_at": None,
    }
    with engine.begin() as conn:
        conn.execute(api_keys.insert().values(**row))
    return _record(row), full


def list_keys(engine: Engine, tenant: str) -> list[ApiKeyRecord]:
    """The tenant's keys (revoked ones included), oldest first."""
    query = select(api_keys).where(api_keys.c.tenant == tenant).order_by(api_keys.c.created_at)
    with engine.connect() as conn:
        return [_record(dict(r._mapping)) for r in conn.execute(query)]


def revoke_key(engine: Engine, tenant: str, key_id: str) -> ApiKeyRecord:
    """Revoke one of the tenant's keys; NotFoundError for another tenant's key or none."""
    with engine.begin() as conn:
        row = conn.execute(
            select(api_keys).where(api_keys.c.id == key_id, api_keys.c.tenant == tenant)
        ).first()
        if row is None:
            raise NotFoundError(f"no API key {key_id!r} in tenant {tenant!r}")
        data = dict(row._mapping)
        if data["revoked_at"] is None:
            data["revoked_at"] = now_iso()
            conn.execute(
                update(api_keys)
                .where(api_keys.c.id == key_id, api_keys.c.tenant == tenant)
                .values(revoked_at=data["revoked_at"])
            )
    return _record(data)


def authenticate(engine: Engine, key: str) -> Principal:
    """The principal of a presented key; AccessDeniedError for unknown, bad or revoked keys."""
    key_id = key_id_of(key)
    if key_id is None:
        raise AuthenticationError("malformed API key; expected 'frk_<id>_<secret>'")
    with engine.connect() as conn:
        row = conn.execute(select(api_keys).where(api_keys.c.id == key_id)).first()
    if row is None or not keys_match(key, row.key_hash):
        raise AuthenticationError(f"unknown API key {key_id}")
    if row.revoked_at is not None:
        raise AuthenticationError(f"API key {key_id} was revoked at {row.revoked_at}")
    return Principal(key_id=row.id, tenant=row.tenant, role=Role.parse(row.role))


def _record(row: Mapping[str, Any]) -> ApiKeyRecord:
    return ApiKeyRecord(
        id=str(row["id"]),
        tenant=str(row["tenant"]),
        name=str(row["name"]),
        role=str(row["role"]),
        created_at=str(row["created_at"]),
        created_by=row.get("created_by"),
        revoked_at=row.get("revoked_at"),
    )
