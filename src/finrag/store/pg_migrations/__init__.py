"""Alembic environment of the PostgreSQL store (run programmatically, no alembic.ini).

:func:`finrag.store.postgres.migrate` builds the Alembic ``Config`` in code, passes an open
SQLAlchemy connection in ``config.attributes["connection"]`` and upgrades to ``head``. Add a
schema change as a new file in ``versions/`` whose ``down_revision`` is the current head; never
edit a released revision.
"""
