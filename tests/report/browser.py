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


def page_of_runs(directory: Path, scripts: dict[str, str], sessions: int) -> Path:
    """Run each script (its own directory, its own traces file) and write one page of all their `sessions`."""
    from tests.report.conftest import run_report
    from tests.support.scripts import run_script

    files = []
    for name, script in scripts.items():
        run_directory = directory / name
        run_directory.mkdir()
        result = run_script(run_directory, script, {"AGENTOPS_QUIET": "1"})
        assert result.returncode == 0, result.stderr
        files.append(run_directory / "agentops-traces.jsonl")
    page = directory / "report.html"
    written = run_report(*files, "--html", page)
    assert written.returncode == 0, written.stderr
    assert written.stdout == f"Wrote {page} ({sessions} sessions).\n"  # sessions from every file
    return page


@pytest.fixture
def page(browser: Any, report_page: Path) -> Iterator[Any]:
    """The module's ``report_page`` open in a fresh tab; the test fails on a script error or a network request."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(10_000)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on("request", lambda request: None if request.url.startswith("file:") else errors.append(request.url))
    opened.goto(report_page.as_uri())
    yield opened
    context.close()
    assert errors == []  # no script error, and nothing loaded from the network
