"""The page in real Chromium: the Unattributed section, span kinds in a 609-span waterfall, the kind filter.

Screenshots go to ``$REPORT_SCREENSHOTS`` when set (``REPORT_SCREENSHOTS=docs`` refreshes the docs' images).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.report.browser import browser, needs_browser, page, page_of_runs, screenshot
from tests.report.framework_run import FRAMEWORK, FRAMEWORK_SPANS, TURNS, UNATTRIBUTED

pytestmark = needs_browser
__all__ = ["browser", "page"]  # the fixtures, imported for pytest


@pytest.fixture(scope="module")
def report_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The framework session's run and the two-session run with unattributed calls, in one page."""
    scripts = {"framework": FRAMEWORK, "unattributed": UNATTRIBUTED}
    return page_of_runs(tmp_path_factory.mktemp("kinds"), scripts, sessions=3)


def framework_session(page: Any) -> Any:
    row = page.locator("#sessions tbody tr", has_text="framework")
    row.click()
    return page.locator(f"[id='session-{row.locator('code').get_attribute('title')}'][open]")


def test_the_unattributed_section_lists_calls_no_session_owns(page: Any) -> None:
    section = page.locator("#unattributed")
    assert section.is_visible()
    assert section.locator("h2").text_content() == "Unattributed: 2 spans no session owns"
    hint = section.locator("h2 + div").text_content()
    assert "`with session:`" in hint and "`session.wrap(...)`" in hint
    rows = [row.locator("td").all_inner_texts() for row in section.locator("tbody tr").all()]
    assert [row[0] for row in rows] == ["chat lost", "chat with no session"]
    for _name, started, model, tokens, cost, trace in rows:
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", started)
        assert (model, tokens) == ("groq/llama-3.1-8b-instant", "100/20")
        assert re.fullmatch(r"\$0\.0000\d\d", cost) and re.fullmatch(r"[0-9a-f]{32}", trace)
    assert "2 unattributed spans" in page.locator("#meta").text_content()  # counted in the summary line
    screenshot(page, "report-unattributed.png")
    section.locator("tbody tr").first.click()  # opens the span, one of the spans outside sessions
    assert page.locator("#span-title").text_content() == "chat lost"
    assert "agentops.session.unattributed" in page.locator("#panel .attrs").inner_text()


def test_the_waterfall_shows_each_spans_kind_with_a_legend(page: Any) -> None:
    session = framework_session(page)
    rows = session.locator(".span-row")
    assert rows.count() == FRAMEWORK_SPANS
    counts = {kind: session.locator(".span-row.kind-" + kind).count() for kind in ("session", "agent", "tool", "llm")}
    assert counts == {"session": 1, "agent": TURNS, "tool": 2 * TURNS, "llm": 3 * TURNS}
    assert session.locator(".span-row.kind-other").count() == 2 * TURNS  # chains and retrievers
    badges = session.locator(".badge").all_text_contents()
    assert set(badges) == {"session", "chain", "agent", "retriever", "tool", "LLM"}
    assert badges[:3] == ["session", "chain", "agent"]
    colours = {
        kind: session.locator(f".span-row.kind-{kind} .bar").first.evaluate(
            "bar => getComputedStyle(bar).backgroundColor"
        )
        for kind in ("session", "agent", "tool", "llm", "other")
    }
    assert len(set(colours.values())) == 5  # one colour per kind
    legend = page.locator("#legend").inner_text()
    assert all(word in legend for word in ("session", "agent", "tool", "LLM call", "other", "error"))
    screenshot(page, "report-kinds.png")
    rows.last.scroll_into_view_if_needed()  # the last of 609 rows, reached and opened
    rows.last.click()
    facts = page.locator("#panel .facts").first.inner_text()
    assert "kind\nLLM" in facts and "span kind\ninternal" in facts  # OpenInference's ChatOpenAI: an internal span
    assert page.locator("#step").text_content() == f"span {FRAMEWORK_SPANS} of {FRAMEWORK_SPANS} in start order"


def test_the_kind_filter_keeps_sessions_with_such_spans_and_shows_only_those(page: Any) -> None:
    session = framework_session(page)
    sessions = page.locator("#sessions tbody tr")
    assert sessions.count() == 4  # the framework session, the two sessions, the spans outside sessions
    page.select_option("#kind", "tool")
    assert sessions.count() == 1 and "framework" in sessions.first.inner_text()
    visible = session.locator(".span-row:visible")
    assert visible.count() == 2 * TURNS
    assert set(session.locator(".span-row:visible .badge").all_text_contents()) == {"tool"}
    page.select_option("#kind", "llm")
    assert sessions.count() == 3  # not the session whose only span is its root
    assert visible.count() == 3 * TURNS
    page.select_option("#kind", "agent")
    assert set(session.locator(".span-row:visible .label").all_text_contents()) == {
        "invoke_agent planner",
        "AgentExecutor",
    }
    page.select_option("#kind", "")
    assert sessions.count() == 4 and visible.count() == FRAMEWORK_SPANS
