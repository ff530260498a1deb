"""Run the web UI's component tests (Vitest + Testing Library in jsdom) from pytest.

Installs ``web/node_modules`` with ``npm ci`` from the committed lock file when it is missing.
Without npm the test skips loudly, except under CI=true, where it must run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from support import IN_CI

WEB = Path(__file__).resolve().parents[2] / "web"

pytestmark = pytest.mark.unit


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CI": "true", "FORCE_COLOR": "0", "NO_COLOR": "1"}
    return subprocess.run(args, cwd=WEB, env=env, capture_output=True, text=True, timeout=timeout,
                          check=False)  # fmt: skip


def test_vitest_component_tests_pass() -> None:
    npm = shutil.which("npm")
    if npm is None:
        message = "npm is not installed: the web UI's Vitest component tests did NOT run"
        if IN_CI:
            pytest.fail(f"{message} (CI=true: install Node 20.19+ so they run)")
        pytest.skip(message)
    if not (WEB / "node_modules" / ".bin" / "vitest").exists():
        installed = _run([npm, "ci", "--no-audit", "--no-fund"], timeout=600)
        assert installed.returncode == 0, f"npm ci failed in {WEB}:\n{installed.stderr[-4000:]}"
    result = _run([npm, "exec", "--", "vitest", "run", "--reporter=dot"], timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"vitest failed (exit {result.returncode}):\n{output[-8000:]}"
    assert "passed" in output, output[-2000:]
