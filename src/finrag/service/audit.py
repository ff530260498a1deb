"""The append-only, hash-chained audit log.

One row per answer and per administrative action: who (key id), tenant, when, action and a
JSON payload (question, evidence ids, program, answer, planner, prompt version, cost, ...).
Each row stores ``hash = sha256(prev_hash + canonical_json(row))`` where the canonical JSON
covers ``seq``, ``tenant``, ``actor``, ``action``, ``created_at`` and ``payload`` with sorted
keys and no whitespace. ``seq`` is contiguous (assigned under a lock, not by a sequence that
may skip), so a deleted row breaks the chain as surely as an edited one.

Purging keeps the chain verifiable: rows older than the cutoff are deleted and the hash and
seq of the last purged row become the *anchor* (``svc_audit_anchor``) that the first remaining
row must chain from; a ``audit.purge`` row records the purge itself.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError

from finrag.errors import NotFoundError
from finrag.observability.metrics import AUDIT_ROWS
from finrag.service.db import audit_anchor, audit_log, now_iso

__all__ = [
    "GENESIS",
    "AuditRow",
    "VerifyReport",
    "append",
    "canonical_json",
    "get_row",
    "purge",
    "query",
    "row_hash",
    "verify",
]

GENESIS = "0" * 64
_LOCK = threading.Lock()
_PG_LOCK_KEY = 720302


@dataclass(frozen=True, slots=True)
class AuditRow:
    """One audit log row."""

    seq: int
    tenant: str
    actor: str
    action: str
    created_at: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(slots=True)
class VerifyReport:
    """What :func:`verify` found: ``ok`` and, when not, each problem with its seq."""

    ok: bool
    rows: int
    anchor_seq: int
    last_seq: int
    problems: list[str] = field(default_factory=list)


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 kept: the bytes the chain hashes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def row_hash(prev_hash: str, row: dict[str, Any]) -> str:
    """``sha256(prev_hash + canonical_json(row))`` over the hashed fields of ``row``."""
    body = {k: row[k] for k in ("seq", "tenant", "actor", "action", "created_at", "payload")}
    return hashlib.sha256((prev_hash + canonical_json(body)).encode("utf-8")).hexdigest()


def _lock_chain(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})"))


@contextmanager
def _process_lock(engine: Engine) -> Iterator[None]:
    """The in-process lock, plus on SQLite an ``flock`` shared by every local process.

    Several ``serve --workers`` processes append to one SQLite file; a kernel lock hands the
    chain head over at once, where SQLite's busy handler would sleep and poll.
    """
    with _LOCK:
        database = engine.url.database if engine.dialect.name == "sqlite" else None
        if not database or database == ":memory:":
            yield
            return
        with open(f"{database}.audit-lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _head(conn: Connection) -> tuple[int, str]:
    last = conn.execute(
        select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
    ).first()
    if last is not None:
        return int(last.seq), str(last.hash)
    anchor = conn.execute(select(audit_anchor).where(audit_anchor.c.id == 1)).first()
    return (int(anchor.seq), str(anchor.hash)) if anchor else (0, GENESIS)


def _insert(
    conn: Connection, tenant: str, actor: str, action: str, payload: dict[str, Any]
) -> AuditRow:
    seq, prev = _head(conn)
    row: dict[str, Any] = {
        "seq": seq + 1,
        "tenant": tenant,
        "actor": actor,
        "action": action,
        "created_at": now_iso(),
        "payload": json.loads(canonical_json(payload)),
    }
    digest = row_hash(prev, row)
    stored = {**row, "payload": canonical_json(row["payload"]), "prev_hash": prev, "hash": digest}
    conn.execute(audit_log.insert(), stored)
    return AuditRow(**row, prev_hash=prev, hash=digest)


def append(
    engine: Engine,
    *,
    tenant: str,
    actor: str,
    action: str,
    payload: dict[str, Any],
    also: Callable[[Connection], None] | None = None,
    attempts: int = 5,
) -> AuditRow:
    """Append one row to the chain; ``also`` writes in the same transaction (atomic with it).

    Appends are serialised by a thread lock and, on PostgreSQL, an advisory lock. Between
    processes on SQLite the primary key on ``seq`` refuses a forked chain; the append is then
    retried on the new head.
    """
    for attempt in range(attempts):
        try:
            with _process_lock(engine), engine.begin() as conn:
                _lock_chain(conn)
                if also is not None:
                    also(conn)
                row = _insert(conn, tenant, actor, action, payload)
            break
        except (IntegrityError, OperationalError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.005 * (attempt + 1))
    AUDIT_ROWS.labels(action).inc()
    return row


def _to_row(raw: Any) -> AuditRow:
    return AuditRow(
        seq=int(raw.seq),
        tenant=raw.tenant,
        actor=raw.actor,
        action=raw.action,
        created_at=raw.created_at,
        payload=json.loads(raw.payload),
        prev_hash=raw.prev_hash,
        hash=raw.hash,
    )


def query(
    engine: Engine,
    tenant: str,
    *,
    action: str | None = None,
    actor: str | None = None,
    since: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[AuditRow]:
    """The tenant's rows, newest first, filtered by action, actor and start time."""
    stmt = select(audit_log).where(audit_log.c.tenant == tenant)
    if action:
        stmt = stmt.where(audit_log.c.action == action)
    if actor:
        stmt = stmt.where(audit_log.c.actor == actor)
    if since:
        stmt = stmt.where(audit_log.c.created_at >= since)
    stmt = stmt.order_by(audit_log.c.seq.desc()).limit(limit).offset(offset)
    with engine.connect() as conn:
        return [_to_row(r) for r in conn.execute(stmt)]


def get_row(engine: Engine, tenant: str, seq: int) -> AuditRow:
    """One of the tenant's rows by seq; NotFoundError otherwise."""
    stmt = select(audit_log).where(audit_log.c.seq == seq, audit_log.c.tenant == tenant)
    with engine.connect() as conn:
        raw = conn.execute(stmt).first()
    if raw is None:
        raise NotFoundError(f"no audit row {seq} in tenant {tenant!r}")
    return _to_row(raw)


def verify(engine: Engine, *, batch: int = 1000) -> VerifyReport:
    """Walk the whole chain from its anchor; every edited, inserted or deleted row is reported."""
    with engine.connect() as conn:
        anchor = conn.execute(select(audit_anchor).where(audit_anchor.c.id == 1)).first()
        expected_seq, prev = (int(anchor.seq), str(anchor.hash)) if anchor else (0, GENESIS)
        report = VerifyReport(ok=True, rows=0, anchor_seq=expected_seq, last_seq=expected_seq)
        after = -1
        while True:
            stmt = (
                select(audit_log)
                .where(audit_log.c.seq > after)
                .order_by(audit_log.c.seq)
                .limit(batch)
            )
            rows = conn.execute(stmt).all()
            if not rows:
                break
            for raw in rows:
                prev, expected_seq = _check(raw, prev, expected_seq, report)
                after = int(raw.seq)
    report.last_seq = after if after >= 0 else report.anchor_seq
    report.ok = not report.problems
    return report


def _check(raw: Any, prev: str, expected_seq: int, report: VerifyReport) -> tuple[str, int]:
    report.rows += 1
    seq = int(raw.seq)
    if seq != expected_seq + 1:
        report.problems.append(f"seq {seq}: expected seq {expected_seq + 1} (rows missing)")
    if raw.prev_hash != prev:
        report.problems.append(f"seq {seq}: prev_hash does not match the previous row's hash")
    try:
        payload = json.loads(raw.payload)
    except ValueError:
        report.problems.append(f"seq {seq}: payload is not JSON")
        return str(raw.hash), seq
    body = {
        "seq": seq,
        "tenant": raw.tenant,
        "actor": raw.actor,
        "action": raw.action,
        "created_at": raw.created_at,
        "payload": payload,
    }
    if row_hash(str(raw.prev_hash), body) != raw.hash:
        report.problems.append(f"seq {seq}: hash does not match the row's content (edited)")
    return str(raw.hash), seq


def purge(engine: Engine, *, older_than: timedelta, actor: str = "system") -> int:
    """Delete rows older than ``older_than``; the last purged row becomes the chain's anchor.

    Returns how many rows were deleted. An ``audit.purge`` row records the purge.
    """
    cutoff = (datetime.now(UTC) - older_than).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with _process_lock(engine), engine.begin() as conn:
        _lock_chain(conn)
        last = conn.execute(
            select(audit_log.c.seq, audit_log.c.hash)
            .where(audit_log.c.created_at < cutoff)
            .order_by(audit_log.c.seq.desc())
            .limit(1)
        ).first()
        if last is None:
            return 0
        count = conn.execute(
            select(func.count()).select_from(audit_log).where(audit_log.c.seq <= last.seq)
        ).scalar_one()
        conn.execute(delete(audit_log).where(audit_log.c.seq <= last.seq))
        _set_anchor(conn, int(last.seq), str(last.hash))
        payload = {"purged_rows": int(count), "through_seq": int(last.seq), "cutoff": cutoff,
                   "anchor_hash": str(last.hash)}  # fmt: skip
        _insert(conn, "_system", actor, "audit.purge", payload)
    AUDIT_ROWS.labels("audit.purge").inc()
    return int(count)


def _set_anchor(conn: Connection, seq: int, digest: str) -> None:
    values = {"seq": seq, "hash": digest, "updated_at": now_iso()}
    result = conn.execute(update(audit_anchor).where(audit_anchor.c.id == 1).values(**values))
    if result.rowcount == 0:
        conn.execute(audit_anchor.insert().values(id=1, **values))
