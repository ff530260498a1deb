"""Repository modules: every read and write of a service table, each scoped by tenant.

Scoping lives here, in the SQL ``WHERE`` clauses, not only in the routes: a function that
reads a tenant's row takes the tenant and filters on it, so guessing another tenant's id
yields :class:`~finrag.errors.NotFoundError` exactly like a missing row.
"""

__all__: list[str] = []
