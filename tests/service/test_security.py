"""Keys, rate limits, encryption at rest, the bootstrap admin key and PII redaction in logs."""

from __future__ import annotations

import logging
import stat
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import redis
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from sqlalchemy import select

from finrag.errors import ConfigError
from finrag.observability.logging import RedactingFilter, redact
from finrag.service.db import api_keys
from finrag.service.repositories.jobs import get_upload
from finrag.service.security import (
    MemoryRateLimiter,
    RedisRateLimiter,
    Role,
    generate_key,
    hash_key,
    key_id_of,
)
from finrag.service.uploads import load_fernet
from service.service_support import Harness, revenue_csv


def test_keys_have_an_id_and_are_stored_only_as_hashes(make_app: Callable[..., TestClient]) -> None:
    key_id, key = generate_key()
    assert key_id_of(key) == key_id and len(hash_key(key)) == 64
    assert key_id_of("frk_only") is None and key_id_of("xyz_a_b") is None
    harness = Harness(make_app())
    full = harness.key("analyst")
    with harness.runtime.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(api_keys))]
    assert full not in str(rows)
    assert hash_key(full) in {r["key_hash"] for r in rows}
    assert Role.parse("Admin") is Role.admin


def test_bootstrap_admin_key_file_is_private_and_works(make_app: Callable[..., TestClient]) -> None:
    client = make_app()
    path: Path = client.app.state.admin_key_file  # type: ignore[attr-defined]
    assert path.name == "admin.key" and stat.S_IMODE(path.stat().st_mode) == 0o600
    key = path.read_text().strip()
    response = client.get("/api/v1/keys", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200 and response.json()[0]["role"] == "admin"


def test_memory_token_bucket_refills() -> None:
    limiter = MemoryRateLimiter(rate=20.0, burst=2)
    assert limiter.acquire("k") == 0.0 and limiter.acquire("k") == 0.0
    wait = limiter.acquire("k")
    assert 0 < wait <= 0.05
    assert limiter.acquire("other") == 0.0
    time.sleep(wait + 0.01)
    assert limiter.acquire("k") == 0.0


def test_rate_limit_answers_429_with_retry_after(make_app: Callable[..., TestClient]) -> None:
    harness = Harness(make_app(rate_limit={"rate": 0.01, "burst": 3}))
    headers = harness.headers("viewer")
    codes = [harness.client.get("/api/v1/documents", headers=headers).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = harness.client.get("/api/v1/documents", headers=headers)
    assert int(response.headers["Retry-After"]) >= 1
    assert response.json()["error"] == "RateLimitedError"
    assert (
        harness.client.get("/api/v1/documents", headers=harness.headers("analyst")).status_code
        == 200
    )


@pytest.mark.integration
def test_redis_token_bucket_is_shared(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    first = RedisRateLimiter(client, rate=0.01, burst=2, prefix="t:rl:")
    second = RedisRateLimiter(client, rate=0.01, burst=2, prefix="t:rl:")
    key = f"k{time.time_ns()}"
    assert first.acquire(key) == 0.0 and second.acquire(key) == 0.0
    assert first.acquire(key) > 0 and second.acquire(key) > 0
    client.close()


def test_uploads_are_encrypted_at_rest(make_app: Callable[..., TestClient], tmp_path: Path) -> None:
    key_file = tmp_path / "fernet.key"
    key_file.write_text(Fernet.generate_key().decode())
    harness = Harness(make_app(encryption_key_file=key_file))
    job = harness.ingest(revenue_csv())
    assert job["status"] == "succeeded"
    upload = get_upload(harness.runtime.engine, "acme", job["upload_id"])
    raw = Path(upload.path).read_bytes()
    assert upload.encrypted and b"Net revenue" not in raw
    assert stat.S_IMODE(Path(upload.path).stat().st_mode) == 0o600
    plain = harness.runtime.uploads.load(upload.path, encrypted=True, sha256=upload.sha256)
    assert plain == revenue_csv()


def test_bad_encryption_key_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="not a Fernet key"):
        load_fernet("not-a-key", None)
    assert load_fernet(None, None) is None


@pytest.mark.parametrize(
    ("text", "leak"),
    [
        ("mail jane.doe@example.com now", "jane.doe@example.com"),
        ("ssn 123-45-6789 on file", "123-45-6789"),
        ("account 4111 1111 1111 1111 charged", "4111 1111 1111 1111"),
        ("acct 12345678901 wired", "12345678901"),
        ("iban DE89370400440532013000 ok", "DE89370400440532013000"),
        ("key frk_abc123_SECRETsecret-x_y used", "SECRETsecret"),
    ],
)
def test_redaction_removes_pii(text: str, leak: str) -> None:
    assert leak not in redact(text)
    assert "REDACTED" in redact(text)


def test_redaction_keeps_ordinary_figures() -> None:
    line = "net revenue of 2019 is $ 5829 million, up 1.6% over 5735"
    assert redact(line) == line


def test_logging_filter_redacts_formatted_records(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("finrag.test.redaction")
    handler_filter = RedactingFilter()
    caplog.handler.addFilter(handler_filter)
    try:
        with caplog.at_level(logging.INFO, logger="finrag.test.redaction"):
            logger.info("user %s asked about account %s", "bob@corp.com", "000123456789")
    finally:
        caplog.handler.removeFilter(handler_filter)
    assert "bob@corp.com" not in caplog.text and "000123456789" not in caplog.text
    assert "[REDACTED-EMAIL]" in caplog.text
