"""Observability: every Prometheus metric (``metrics``) and logging with PII redaction."""

__all__: list[str] = []
