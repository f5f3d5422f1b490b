"""The HTML page: self-contained, and drawn by headless Chromium with its table rows and waterfall bars."""

from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from agentops_otel.report.reading import SpanFile
from tests.report.conftest import DEMO_SCRIPT, run_report
from tests.support.scripts import run_script

CHROMIUM = Path("/usr/bin/chromium")
HOSTILE = "<img src=x onerror=alert(1)>"
XSS_SESSION = f"""
hostile = agentops.start_session(["{HOSTILE}"], name="</script><b>bold</b>")
hostile.record(agentops.ToolEvent(name="<script>alert(2)</script>"))
hostile.score("{HOSTILE}", 1, label="{HOSTILE}", explanation="</script><b>bold</b>")
hostile.end_session("Indeterminate")
"""


class Elements(HTMLParser):
    """Every start tag of a document with its attributes, and its text."""

    def __init__(self, document: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.feed(document)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def named(self, tag: str) -> list[dict[str, str]]:
        return [attributes for name, attributes in self.tags if name == tag]

    def with_class(self, css_class: str) -> list[dict[str, str]]:
        return [attributes for _, attributes in self.tags if css_class in attributes.get("class", "").split()]


@pytest.fixture(scope="module")
def demo_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The spans file of a demo run with a hostile third session, and the page the report wrote for it."""
    directory = tmp_path_factory.mktemp("demo")
    result = run_script(directory, DEMO_SCRIPT.replace("{extra}", XSS_SESSION))
    assert result.returncode == 0, result.stderr
    traces, page = directory / "agentops-traces.jsonl", directory / "report.html"
    written = run_report(traces, "--html", page)
    assert written.returncode == 0, written.stderr
    assert written.stdout == f"Wrote {page} (3 sessions).\n"
    return traces, page


def chromium(*arguments: str, profile: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            *arguments,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_page_loads_nothing_from_the_network(demo_page: tuple[Path, Path]) -> None:
    page = demo_page[1].read_text()
    assert not re.search(r"""(?:src|href|url)\s*[=(]\s*["']?(?:https?:)?//""", page)
    assert "<link" not in page and "@import" not in page
    assert "Content-Security-Policy\" content=\"default-src 'none';" in page


@pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium) at /usr/bin/chromium"
)
def test_chromium_draws_the_sessions_and_their_waterfalls(demo_page: tuple[Path, Path], tmp_path: Path) -> None:
    traces, page = demo_page
    result = chromium("--dump-dom", page.as_uri(), profile=tmp_path / "profile")
    assert result.returncode == 0, result.stderr[-2000:]
    dom = Elements(result.stdout)
    session_spans = [span for span in SpanFile(traces).spans() if "session.id" in (span.attributes or {})]

    assert len(dom.named("tr")) == 1 + 3  # the header row and one row per session, drawn by the script
    assert len(dom.with_class("session")) == 3
    assert len(dom.with_class("bar")) == len(session_spans)  # every span of every session has its bar
    assert all(re.fullmatch(r"left: [\d.]+%; width: [\d.]+%;", bar["style"]) for bar in dom.with_class("bar"))
    assert {row["class"] for row in dom.with_class("status-error")} == {
        "span-row kind-tool status-error",  # the failed fetch_page tool...
        "span-row kind-agent status-error",  # ...and the agent it failed inside
        "span-row kind-session status-error",  # the Fail session's root
    }
    # The LLM calls: two in the good session, one before the failure in the bad one.
    assert len([row for row in dom.with_class("kind-llm") if "span-row" in row["class"]]) == 3
    assert dom.text.count("LLM") == 3 + 1  # the badges, and the Span kind filter's option
    text = "".join(dom.text)
    assert "execute_tool fetch_page: page took too long" in text
    assert "invoke_agent researcher" in text and "chat gpt-4o" in text
    assert f"{HOSTILE} 1 {HOSTILE} </script><b>bold</b>" in text  # the hostile score: name, value and label, why
    assert HOSTILE in text and "</script><b>bold</b>" in text  # shown as text...
    assert dom.named("img") == [] and dom.named("b") == []  # ...never turned into elements

    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    screenshot = artifacts / "report.png"
    shot = chromium(f"--screenshot={screenshot}", "--window-size=1280,900", page.as_uri(), profile=tmp_path / "profile")
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert screenshot.stat().st_size > 20_000  # a drawn page, not a blank one
    print(f"screenshot: {screenshot}")
