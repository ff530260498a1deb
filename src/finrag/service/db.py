"""The service's metadata tables (SQLAlchemy Core), their engine and named, ordered migrations.

Tenants, API keys, uploads, ingestion jobs, conversations, answers, the audit log and the
prompt rollout state live in the same database as the store (``Settings.resolved_store_url``
unless ``service.database_url`` is set). One code path serves SQLite and PostgreSQL: tables are
SQLAlchemy Core, timestamps are ISO-8601 UTC strings (they sort and compare as text), JSON is
text.

Migrations are append-only functions applied in order and recorded in ``svc_migrations``;
on PostgreSQL an advisory lock serialises replicas that start at the same time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    text,
)

__all__ = [
    "MIGRATIONS",
    "answers",
    "api_keys",
    "audit_anchor",
    "audit_log",
    "conversations",
    "jobs",
    "make_engine",
    "metadata",
    "migrate",
    "now_iso",
    "prompt_rollout",
    "sqlalchemy_url",
    "tenants",
    "uploads",
]

metadata = MetaData()

tenants = Table(
    "svc_tenants",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("created_at", String(40), nullable=False),
)
api_keys = Table(
    "svc_api_keys",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("tenant", String(64), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("key_hash", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("created_by", String(32)),
    Column("revoked_at", String(40)),
)
uploads = Table(
    "svc_uploads",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("tenant", String(64), nullable=False, index=True),
    Column("filename", String(500), nullable=False),
    Column("format", String(16), nullable=False),
    Column("size_bytes", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("path", Text, nullable=False),
    Column("encrypted", Boolean, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("created_by", String(32)),
)
jobs = Table(
    "svc_jobs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("tenant", String(64), nullable=False, index=True),
    Column("upload_id", String(32), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("stage", String(16), nullable=False),
    Column("done", Integer, nullable=False),
    Column("total", Integer, nullable=False),
    Column("progress", Float, nullable=False),
    Column("doc_ids", Text, nullable=False),
    Column("chunks", Integer, nullable=False),
    Column("pages", Integer, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("error", Text),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    Column("created_by", String(32)),
)
conversations = Table(
    "svc_conversations",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("tenant", String(64), nullable=False, index=True),
    Column("title", String(500), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("created_by", String(32)),
)
answers = Table(
    "svc_answers",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("tenant", String(64), nullable=False, index=True),
    Column("conversation_id", String(32), index=True),
    Column("key_id", String(32)),
    Column("question", Text, nullable=False),
    Column("abstained", Boolean, nullable=False),
    Column("planner", String(200), nullable=False),
    Column("prompt_version", String(40)),
    Column("answer_json", Text, nullable=False),
    Column("created_at", String(40), nullable=False, index=True),
)
audit_log = Table(
    "svc_audit_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("tenant", String(64), nullable=False, index=True),
    Column("actor", String(32), nullable=False),
    Column("action", String(64), nullable=False),
    Column("created_at", String(40), nullable=False, index=True),
    Column("payload", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)
audit_anchor = Table(
    "svc_audit_anchor",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("updated_at", String(40), nullable=False),
)
prompt_rollout = Table(
    "svc_prompt_rollout",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("stable", String(40), nullable=False),
    Column("previous", String(40)),
    Column("candidate", String(40)),
    Column("share", Float, nullable=False),
    Column("updated_at", String(40), nullable=False),
    Column("updated_by", String(32)),
)
_migrations = Table(
    "svc_migrations",
    MetaData(),
    Column("name", String(100), primary_key=True),
    Column("applied_at", String(40), nullable=False),
)


def now_iso() -> str:
    """The current UTC time as a fixed-width ISO-8601 string (sorts as text)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def sqlalchemy_url(url: str) -> str:
    """A store URL in SQLAlchemy's spelling (``postgresql://`` -> ``postgresql+psycopg://``)."""
    if "://" not in url:
        return f"sqlite:///{url}"
    scheme, rest = url.split("://", 1)
    if scheme.lower() in {"postgres", "postgresql"}:
        return f"postgresql+psycopg://{rest}"
    return url


def make_engine(url: str) -> Engine:
    """An engine for the metadata tables; SQLite gets WAL and a busy timeout."""
    sa_url = sqlalchemy_url(url)
    if sa_url.startswith("sqlite"):
        engine = create_engine(
            sa_url,
            connect_args={"timeout": 30, "check_same_thread": False},
            pool_size=8,
            max_overflow=8,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(sa_url, pool_size=5, max_overflow=10, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    cursor = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _m0001_initial(conn: Connection) -> None:
    metadata.create_all(conn)


#: Named, ordered, append-only migrations. Never edit a released one: add the next.
MIGRATIONS: list[tuple[str, Callable[[Connection], None]]] = [
    ("0001_initial", _m0001_initial),
]


def migrate(engine: Engine) -> list[str]:
    """Apply pending migrations in order; returns the names applied now."""
    applied_now: list[str] = []
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(720301)"))
        _migrations.create(conn, checkfirst=True)
        done = {row[0] for row in conn.execute(_migrations.select())}
        for name, step in MIGRATIONS:
            if name in done:
                continue
            step(conn)
            conn.execute(_migrations.insert().values(name=name, applied_at=now_iso()))
            applied_now.append(name)
    return applied_now
