"""The committed UI bundle (``src/finrag/service/static``) is built from the current ``web/``.

``web/scripts/build-info.mjs`` writes ``build-info.json`` with a sha256 over the sources the
bundle is built from; this test recomputes it in Python (no Node needed) so a change to
``web/`` without a rebuild fails here with the command that fixes it. The same algorithm, in
both places: for each file (``web/src/**`` minus tests, plus the top-level build files), sorted
by its path relative to ``web/``, feed ``"<path>\\0<sha256 of the bytes>\\n"`` to one sha256.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
STATIC = ROOT / "src" / "finrag" / "service" / "static"
TOP_FILES = ("index.html", "package.json", "package-lock.json", "vite.config.ts", "tsconfig.json")
REBUILD = "run `make web` (npm ci && npm run build in web/) and commit src/finrag/service/static"

pytestmark = pytest.mark.unit


def _is_test(rel: str) -> bool:
    return re.search(r"\.test\.tsx?$", rel) is not None or rel.startswith("src/test/")


def source_files() -> list[str]:
    """Paths (relative to web/, POSIX) the bundle is built from, sorted."""
    src = [p.relative_to(WEB).as_posix() for p in (WEB / "src").rglob("*") if p.is_file()]
    return sorted([*TOP_FILES, *(rel for rel in src if not _is_test(rel))])


def sources_hash(files: list[str]) -> str:
    """The build-info hash of ``files`` (see the module docstring)."""
    outer = hashlib.sha256()
    for rel in files:
        inner = hashlib.sha256((WEB / rel).read_bytes()).hexdigest()
        outer.update(f"{rel}\0{inner}\n".encode())
    return outer.hexdigest()


@pytest.fixture(scope="module")
def build_info() -> dict[str, object]:
    if not (WEB / "src").is_dir():
        pytest.skip("web/ sources are not in this checkout (installed package); nothing to compare")
    path = STATIC / "build-info.json"
    assert path.is_file(), f"{path} is missing: the UI bundle was never built; {REBUILD}"
    info: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return info


def test_bundle_matches_web_sources(build_info: dict[str, object]) -> None:
    files = source_files()
    actual = sources_hash(files)
    assert build_info["sources_sha256"] == actual, (
        f"the committed UI bundle is stale: web/ sources hash to {actual[:12]}, the bundle was "
        f"built from {str(build_info['sources_sha256'])[:12]} ({build_info.get('files')} files "
        f"then, {len(files)} now); {REBUILD}"
    )


def test_bundle_is_complete(build_info: dict[str, object]) -> None:
    index = (STATIC / "index.html").read_text(encoding="utf-8")
    referenced = re.findall(r'(?:src|href)="/(assets/[^"]+)"', index)
    assert referenced, f"index.html references no bundled assets; {REBUILD}"
    for rel in referenced:
        assert (STATIC / rel).is_file(), f"index.html references {rel}, which is missing; {REBUILD}"
    on_disk = sorted(p.name for p in (STATIC / "assets").iterdir())
    assert on_disk == build_info["assets"], (
        f"static/assets holds {on_disk}, build-info lists {build_info['assets']}; {REBUILD}"
    )


def test_api_client_matches_openapi_schema() -> None:
    """web/openapi.json (the client's types are generated from it) is the service's schema."""
    import importlib.util

    if not (WEB / "openapi.json").is_file():
        pytest.skip("web/openapi.json not in this checkout")
    spec = importlib.util.spec_from_file_location(
        "dump_openapi", WEB / "scripts" / "dump_openapi.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    current = module.openapi_schema()
    committed = json.loads((WEB / "openapi.json").read_text(encoding="utf-8"))
    changed = sorted(set(current["paths"]) ^ set(committed["paths"]))
    assert current == committed, (
        f"the API changed since the UI client was generated (paths added/removed: {changed or 'none'}); "
        f"run `make web` (it runs `npm run gen:api` first) and fix any type errors it reports"
    )
