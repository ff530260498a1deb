"""Observability: every Prometheus metric (``metrics``) and logging with PII redaction."""
