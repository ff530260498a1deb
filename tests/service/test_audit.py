"""The hash-chained audit log: tampering is detected, purging keeps the chain verifiable."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, update

from finrag.service import audit
from finrag.service.db import audit_log, make_engine, migrate


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'audit.db'}")
    migrate(engine)
    return engine


def _fill(engine: Engine, n: int, tenant: str = "acme") -> list[audit.AuditRow]:
    return [
        audit.append(engine, tenant=tenant, actor="k1", action="answer",
                     payload={"question": f"q{i}", "evidence_ids": [f"c{i}"], "cost_usd": 0.01 * i})
        for i in range(n)
    ]  # fmt: skip


def _age(engine: Engine, through_seq: int, stamp: str = "2020-01-01T00:00:00.000000Z") -> None:
    with engine.begin() as conn:
        conn.execute(
            update(audit_log).where(audit_log.c.seq <= through_seq).values(created_at=stamp)
        )


def _rehash(engine: Engine) -> None:
    """Recompute every hash from seq 1 (what a careful forger would do after aging rows)."""
    rows = sorted(audit.query(engine, "acme", limit=1000), key=lambda r: r.seq)
    prev = audit.GENESIS
    with engine.begin() as conn:
        for row in rows:
            body = {"seq": row.seq, "tenant": row.tenant, "actor": row.actor, "action": row.action,
                    "created_at": row.created_at, "payload": row.payload}  # fmt: skip
            digest = audit.row_hash(prev, body)
            conn.execute(update(audit_log).where(audit_log.c.seq == row.seq)
                         .values(prev_hash=prev, hash=digest))  # fmt: skip
            prev = digest


def test_chain_links_each_row_to_the_previous(engine: Engine) -> None:
    rows = _fill(engine, 3)
    assert rows[0].prev_hash == audit.GENESIS
    assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
    assert [r.seq for r in rows] == [1, 2, 3]
    report = audit.verify(engine)
    assert report.ok and report.rows == 3 and report.last_seq == 3


@pytest.mark.parametrize("column", ["payload", "actor", "action", "created_at", "tenant"])
def test_editing_any_field_is_detected(engine: Engine, column: str) -> None:
    _fill(engine, 4)
    value = '{"question":"forged"}' if column == "payload" else "forged"
    with engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == 2).values({column: value}))
    report = audit.verify(engine)
    assert not report.ok
    assert report.problems == ["seq 2: hash does not match the row's content (edited)"]


def test_deleting_a_row_is_detected(engine: Engine) -> None:
    _fill(engine, 4)
    with engine.begin() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.seq == 2))
    problems = audit.verify(engine).problems
    assert "seq 3: expected seq 2 (rows missing)" in problems
    assert "seq 3: prev_hash does not match the previous row's hash" in problems


def test_rewriting_a_row_with_a_fresh_hash_breaks_the_next_link(engine: Engine) -> None:
    rows = _fill(engine, 3)
    body = {"seq": 2, "tenant": "acme", "actor": "k1", "action": "answer",
            "created_at": rows[1].created_at, "payload": {"question": "forged"}}  # fmt: skip
    forged = audit.row_hash(rows[0].hash, body)
    with engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == 2)
                     .values(payload='{"question":"forged"}', hash=forged))  # fmt: skip
    assert audit.verify(engine).problems == [
        "seq 3: prev_hash does not match the previous row's hash"
    ]


def test_purge_keeps_the_rest_verifiable(engine: Engine) -> None:
    _fill(engine, 6)
    _age(engine, 4)
    _rehash(engine)
    assert audit.verify(engine).ok
    assert audit.purge(engine, older_than=timedelta(days=90), actor="retention") == 4
    report = audit.verify(engine)
    assert report.ok, report.problems
    assert report.anchor_seq == 4 and report.rows == 3 and report.last_seq == 7
    remaining = audit.query(engine, "acme")
    assert [r.seq for r in remaining] == [6, 5]
    purge_row = audit.query(engine, "_system")[0]
    assert purge_row.action == "audit.purge" and purge_row.payload["purged_rows"] == 4
    _fill(engine, 2)
    assert audit.verify(engine).ok
    assert audit.purge(engine, older_than=timedelta(days=90)) == 0


def test_tampering_after_a_purge_is_still_detected(engine: Engine) -> None:
    _fill(engine, 5)
    _age(engine, 2)
    _rehash(engine)
    audit.purge(engine, older_than=timedelta(days=30))
    with engine.begin() as conn:
        conn.execute(delete(audit_log).where(audit_log.c.seq == 3))
    report = audit.verify(engine)
    assert not report.ok and report.problems[0].startswith("seq 4: expected seq 3")


def test_query_is_scoped_by_tenant_and_filters(engine: Engine) -> None:
    _fill(engine, 2, tenant="acme")
    _fill(engine, 1, tenant="globex")
    audit.append(engine, tenant="acme", actor="k2", action="key.create", payload={"key_id": "x"})
    assert len(audit.query(engine, "acme")) == 3
    assert [r.actor for r in audit.query(engine, "acme", action="key.create")] == ["k2"]
    assert len(audit.query(engine, "acme", actor="k1")) == 2
    assert [r.tenant for r in audit.query(engine, "globex")] == ["globex"]
    with pytest.raises(Exception, match="no audit row"):
        audit.get_row(engine, "globex", 1)


def test_embedded_timer_and_celery_beat_schedule_the_purge(engine: Engine, tmp_path: Path) -> None:
    from types import SimpleNamespace

    from finrag.config import Settings
    from finrag.service.app import PurgeTimer
    from finrag.worker.celery_app import INGEST_TASK, PURGE_TASK, make_celery

    _fill(engine, 3)
    _age(engine, 2)
    _rehash(engine)
    settings = Settings(data_dir=tmp_path, service={"audit_purge_interval_s": 0.05,
                                                     "redis_url": "redis://127.0.0.1:1/0"})  # fmt: skip
    timer = PurgeTimer(SimpleNamespace(settings=settings, engine=engine))  # type: ignore[arg-type]
    timer.start()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and audit.verify(engine).anchor_seq != 2:
        time.sleep(0.02)
    timer.stop()
    assert audit.verify(engine).anchor_seq == 2 and audit.verify(engine).ok
    app = make_celery(settings)
    assert app.conf.beat_schedule["audit-retention"] == {"task": PURGE_TASK, "schedule": 0.05}
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert app.tasks[INGEST_TASK].acks_late and app.tasks[INGEST_TASK].reject_on_worker_lost
