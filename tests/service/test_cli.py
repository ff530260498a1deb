"""The service commands (as registered in finrag.cli): keys, prompts, audit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from sqlalchemy import update
from typer.testing import CliRunner

from finrag.service.cli import audit_app, keys_app, parse_duration, prompts_app
from finrag.service.db import audit_log, make_engine

runner = CliRunner()


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    monkeypatch.setenv("FINRAG_DATA_DIR", str(tmp_path))
    root = typer.Typer()
    root.add_typer(audit_app, name="audit")
    root.add_typer(prompts_app, name="prompts")
    root.add_typer(keys_app, name="keys")
    return root


def _run(app: typer.Typer, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_keys_create_list_revoke(app: typer.Typer) -> None:
    out = _run(app, "keys", "create", "--role", "admin", "--tenant", "acme", "--name", "ops")
    key = out.strip().splitlines()[-1]
    key_id = key.split("_")[1]
    listed = json.loads(_run(app, "keys", "list", "--tenant", "acme"))
    assert [k["id"] for k in listed] == [key_id] and key not in json.dumps(listed)
    assert "revoked" in _run(app, "keys", "revoke", key_id, "--tenant", "acme")
    assert json.loads(_run(app, "keys", "list", "--tenant", "acme"))[0]["revoked_at"]
    assert "no API key 'nope'" in _run(app, "keys", "revoke", "nope", "--tenant", "acme", code=1)


def test_prompts_promote_list_rollback(app: typer.Typer) -> None:
    assert "v2       stable" in _run(app, "prompts", "list")
    assert "candidate=v1 share=10%" in _run(app, "prompts", "promote", "v1", "--share", "0.1")
    assert "v1       candidate   10.0%" in _run(app, "prompts", "list")
    assert "stable=v2 candidate=None" in _run(app, "prompts", "rollback")
    assert "stable=v1" in _run(app, "prompts", "promote", "v1")
    assert "stable=v2" in _run(app, "prompts", "rollback")
    assert "unknown prompt version 'v99'" in _run(app, "prompts", "promote", "v99", code=1)


def test_audit_verify_detects_tampering_and_purge(app: typer.Typer, tmp_path: Path) -> None:
    _run(app, "keys", "create", "--role", "viewer")
    _run(app, "prompts", "promote", "v1", "--share", "0.5")
    assert "audit log OK: 2 rows" in _run(app, "audit", "verify")
    assert "purged 0 audit row(s)" in _run(app, "audit", "purge", "--older-than", "90d")
    engine = make_engine(f"sqlite:///{tmp_path / 'finrag.db'}")
    with engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.seq == 1).values(actor="someone-else"))
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1 and "seq 1: hash does not match" in result.output
    assert runner.invoke(app, ["audit", "purge", "--older-than", "soon"]).exit_code == 2


def test_parse_duration() -> None:
    assert parse_duration("90d").days == 90
    assert parse_duration("12h").total_seconds() == 12 * 3600
    with pytest.raises(typer.BadParameter):
        parse_duration("3 weeks")
