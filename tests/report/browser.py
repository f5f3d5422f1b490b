"""Real Chromium through Playwright for the report tests: the page as a user sees it, screenshots for the docs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DOCS = Path(__file__).resolve().parents[2] / "docs"

needs_browser = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium and `pip install -e .[browser]`"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Chromium for the module (Playwright cannot download browsers here: Debian's is used)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=60_000)
        yield chromium
        chromium.close()


def screenshot(page: Any, name: str) -> None:
    """Save what `page` shows as `name` under ``$REPORT_SCREENSHOTS``, when set."""
    target = os.environ.get("REPORT_SCREENSHOTS")
    if target:
        page.screenshot(path=str(Path(target) / name), full_page=False)
