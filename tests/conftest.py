"""Shared test configuration: thread limits and session fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# The second core is often busy on CI; pin numeric libraries to one thread for stable timings.
for _var in (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "FINRAG_MINILM_QUERY_THREADS",
):
    os.environ.setdefault(_var, "1")

# Tests never write to the user's ~/.finrag: the embedded store, keys and uploads go to a
# throwaway folder unless a test sets its own.
if "FINRAG_DATA_DIR" not in os.environ:
    import tempfile

    os.environ["FINRAG_DATA_DIR"] = tempfile.mkdtemp(prefix="finrag-tests-")

from support import SHARED_DATA  # noqa: E402


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.exists():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA
