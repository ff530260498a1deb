"""End-to-end fixtures: Debian chromium through Python Playwright (no browser download)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from e2e.e2e_support import CHROMIUM, CHROMIUM_ARGS
from support import server_unavailable


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        server_unavailable("playwright", str(exc))
    if not CHROMIUM.exists():
        server_unavailable("chromium", f"{CHROMIUM} not found (apt-get install chromium)")
    with sync_playwright() as pw:
        # launch() gives the browser a fresh temporary user-data dir, removed on close.
        launched = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                      headless=True)  # fmt: skip
        try:
            yield launched
        finally:
            launched.close()
