"""The HTTP edge: dependencies, error mapping and one router module per resource."""

__all__ = ["API_PREFIX"]

#: Every API route lives under this prefix (routers carry it, so route templates are full).
API_PREFIX = "/api/v1"
