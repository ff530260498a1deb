"""The deterministic hash embedder used as a test double."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from finrag.errors import ConfigError
from finrag.testing.hash_embedder import HashEmbedder

pytestmark = pytest.mark.unit

_SCRIPT = """
import json
from finrag.testing.hash_embedder import HashEmbedder
print(json.dumps(HashEmbedder().embed(["net revenue 2019", "operating margin"]).tolist()))
"""


def test_same_vectors_in_other_processes_whatever_the_hash_seed():
    here = HashEmbedder().embed(["net revenue 2019", "operating margin"])
    for seed in ("1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", _SCRIPT], env=env, capture_output=True, text=True, check=True
        )
        np.testing.assert_array_equal(np.array(json.loads(out.stdout), dtype=np.float32), here)


def test_shared_words_give_higher_similarity():
    embedder = HashEmbedder()
    query = embedder.embed_query("net revenue of 2019")
    near, far = embedder.embed(["the net revenue of 2019 is $ 5829 ;", "total headcount"])
    assert float(query @ near) > 0.5 > float(query @ far)


def test_width_is_configurable_and_named():
    embedder = HashEmbedder(dim=64)
    assert embedder.embed(["x"]).shape == (1, 64)
    assert embedder.name == "hash-v1-64"
    with pytest.raises(ConfigError):
        HashEmbedder(dim=2)


def test_text_without_tokens_still_has_unit_length():
    vectors = HashEmbedder().embed(["", "  ;; "])
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
