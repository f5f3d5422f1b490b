"""The HTML page in real Chromium (Playwright): open a session, open an LLM span's chat, replay, filter, sort.

Screenshots go to ``$REPORT_SCREENSHOTS`` when set (``REPORT_SCREENSHOTS=docs`` refreshes the docs' images).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.report.browser import browser, needs_browser, page, page_of_runs, screenshot
from tests.report.conftest import run_report
from tests.report.content_run import HOSTILE, NOT_CAPTURED, SCORED
from tests.support.scripts import run_script

pytestmark = needs_browser
__all__ = ["browser", "page"]  # the fixtures, imported for pytest


@pytest.fixture(scope="module")
def report_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two runs written to two files (one capturing content, with a user and a score; one not), and their page."""
    return page_of_runs(tmp_path_factory.mktemp("content"), {"captured": SCORED, "plain": NOT_CAPTURED}, sessions=2)


def open_session(page: Any, tag: str) -> Any:
    """Click the table row of the session tagged `tag`; its section, open."""
    row = page.locator("#sessions tbody tr", has_text=tag)
    session_id = row.locator("code").get_attribute("title")
    row.click()
    return page.locator(f"[id='session-{session_id}'][open]")


def test_an_llm_span_opens_as_a_chat_with_its_figures(page: Any) -> None:
    open_session(page, "captured").get_by_text("chat gpt-4o", exact=True).click()
    panel = page.locator("#panel")
    assert panel.is_visible()
    assert page.locator("#span-title").text_content() == "chat gpt-4o"
    facts = panel.locator(".facts").nth(1).inner_text()
    assert "gpt-4o" in facts and "90 / 12" in facts and "$0.000340" in facts
    roles = [text.split("\n")[0] for text in panel.locator(".msg .role").all_inner_texts()]
    assert roles == ["USER", "ASSISTANT \u00b7 TOOL_CALLS", "TOOL", "ASSISTANT \u00b7 STOP"]
    assert panel.locator(".role-user .text").text_content() == "Weather in Lisbon? " + HOSTILE  # shown as text
    assert "tool call weather (call_1)" in panel.locator(".call").inner_text()
    assert '"city": "Lisbon"' in panel.locator(".call pre").inner_text()
    assert '"sky": "sunny"' in panel.locator(".result pre").inner_text()
    assert panel.locator(".role-assistant .text").last.text_content() == "Sunny, 24 degrees."
    assert page.locator("img").count() == 0 and page.title() != "pwned"  # the hostile value never ran
    screenshot(page, "report-span.png")


def test_a_tool_span_shows_its_input_and_output_and_an_error_its_stack(page: Any) -> None:
    session = open_session(page, "captured")
    session.get_by_text("execute_tool weather", exact=True).click()
    panel = page.locator("#panel")
    pres = panel.locator("pre").all_inner_texts()
    assert '{\n  "city": "Lisbon"\n}' in pres and '{\n  "sky": "sunny",\n  "c": 24\n}' in pres
    session.get_by_text("error TimeoutError", exact=True).click()
    exception = panel.locator(".exception")
    assert "TimeoutError: booking site took too long" in exception.inner_text()
    assert "Traceback" in exception.locator("pre").inner_text()
    assert "status\nerror: booking site took too long" in panel.locator(".facts").first.inner_text()


def test_without_captured_content_the_span_says_how_to_turn_it_on(page: Any) -> None:
    session = open_session(page, "plain")
    session.get_by_text("chat gpt-4o-mini", exact=True).click()
    hint = page.locator("#panel .hint").inner_text()
    assert "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true" in hint and "capture_content=True" in hint
    session.get_by_text("execute_tool search", exact=True).click()
    assert "capture_content=True" in page.locator("#panel .hint").inner_text()


def test_replay_steps_through_the_spans_in_start_order(page: Any) -> None:
    open_session(page, "captured").locator(".span-row").first.click()  # the session root
    titles = [page.locator("#span-title").text_content()]
    while page.locator("#next").is_enabled() and len(titles) < 20:
        page.locator("#next").click()
        titles.append(page.locator("#span-title").text_content())
    assert titles == ["session", "chat gpt-4o-mini", "execute_tool weather", "chat gpt-4o", "error TimeoutError"]
    assert page.locator("#step").text_content() == "span 5 of 5 in start order"
    page.keyboard.press("ArrowLeft")
    assert page.locator("#span-title").text_content() == "chat gpt-4o"
    page.keyboard.press("Escape")
    assert page.locator("#panel").is_hidden()


def test_find_filter_sort_and_charts(page: Any) -> None:
    rows = page.locator("#sessions tbody tr")
    assert rows.count() == 2
    assert page.locator(".chart").count() == 4
    assert page.locator(".chart").nth(0).locator("rect").count() == 2  # one cost bar per session
    assert "Fail 1 (50%)" in page.locator(".shares").inner_text()
    screenshot(page, "report-overview.png")
    page.fill("#find", "sunny")  # captured content is searched too
    assert rows.count() == 1 and "captured" in rows.first.inner_text()
    assert page.locator("#shown").text_content() == "1 of 2 sessions"
    page.fill("#find", "")
    page.select_option("#state", "Success")
    assert rows.count() == 1 and "plain" in rows.first.inner_text()
    page.select_option("#state", "")
    page.select_option("#tag", "travel")
    assert rows.count() == 1 and "travel" in rows.first.inner_text()
    page.select_option("#tag", "")
    page.fill("#from", "2000-01-01T00:00")
    page.fill("#to", "2001-01-01T00:00")
    assert rows.count() == 0
    page.fill("#from", "")
    page.fill("#to", "")
    page.locator("th[data-key=cost_usd]").click()  # ascending
    assert "plain" in rows.first.inner_text()
    page.locator("th[data-key=cost_usd]").click()  # descending
    assert "captured" in rows.first.inner_text()
    assert page.locator("th[data-key=cost_usd]").get_attribute("class") == "sorted-desc"
    page.fill("#find", "lisbon")
    screenshot(page, "report-filter.png")


def test_the_user_and_the_scores_are_shown_and_filter(page: Any) -> None:
    rows = page.locator("#sessions tbody tr")
    users = {row.locator("td").nth(1).inner_text() for row in rows.all()}
    assert users == {"alice@example.org", "-"}  # the User column
    session = open_session(page, "captured")
    assert "user alice@example.org" in session.locator("summary").inner_text()
    score = session.locator(".score")
    assert score.count() == 1 and score.is_visible()
    assert score.locator(".name").text_content() == "helpfulness"
    assert score.locator(".value").text_content() == "0.9 good"
    assert score.locator(".muted").text_content() == "found the weather " + HOSTILE  # shown as text
    assert page.locator("img").count() == 0 and page.title() != "pwned"
    page.select_option("#user", "alice@example.org")
    assert rows.count() == 1 and "captured" in rows.first.inner_text()
    page.select_option("#user", "")
    page.select_option("#score", "helpfulness")
    assert rows.count() == 1 and "alice@example.org" in rows.first.inner_text()
    page.select_option("#score", "")
    page.fill("#find", "found the weather")  # score explanations are searched too
    assert rows.count() == 1


MANY_SESSIONS = """
import agentops_otel as agentops

agentops.init(auto_start_session=False)
for index in range(130):
    session = agentops.start_session(["many", f"n{index}"])
    session.record(agentops.ToolEvent(name="step"))
    session.end_session("Success" if index % 2 else "Fail", "odd ones fail" if not index % 2 else None)
"""


def test_a_page_of_sessions_at_a_time(browser: Any, tmp_path: Path) -> None:
    result = run_script(tmp_path, MANY_SESSIONS, {"AGENTOPS_QUIET": "1"})
    assert result.returncode == 0, result.stderr
    assert run_report(tmp_path / "agentops-traces.jsonl", "--html", tmp_path / "many.html").returncode == 0
    page = browser.new_page()
    page.set_default_timeout(10_000)
    page.goto((tmp_path / "many.html").as_uri())
    rows = page.locator("#sessions tbody tr")
    assert rows.count() == 100 and page.locator("details.session").count() == 100
    assert page.locator("#more").text_content() == "show 30 more of 30 not shown"
    page.locator("#more").click()
    assert rows.count() == 130 and page.locator("#more").is_hidden()
    page.select_option("#state", "Fail")  # a filter searches all sessions, and starts again at the first page
    assert rows.count() == 65 and page.locator("#shown").text_content() == "65 of 130 sessions"
    page.close()
