"""Alembic env for the FinRAG PostgreSQL store; only online mode with a given connection."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

#: Versions of this schema are tracked apart from any other Alembic user of the database.
VERSION_TABLE = "store_alembic_version"
#: pg_advisory_xact_lock key, so concurrent openers migrate one at a time.
MIGRATION_LOCK = 0x46696E524147  # "FinRAG"


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError(
            "the FinRAG store migrations run through finrag.store.postgres.migrate(url), "
            "which passes a connection; there is no alembic.ini"
        )
    context.configure(connection=connection, version_table=VERSION_TABLE, transactional_ddl=True)
    with context.begin_transaction():
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) mode is not supported for the FinRAG store")
run_migrations_online()
