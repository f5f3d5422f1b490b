"""`agentops-otel serve`: OTLP/HTTP in (protobuf from a real app, JSON), the live page in Chromium, restarts."""

from __future__ import annotations

import gzip
import json
import queue
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.report.browser import browser, needs_browser, screenshot
from tests.report.conftest import ExampleRun
from tests.support.scripts import script_env, write_script

__all__ = ["browser"]  # the fixture, imported for pytest
_LISTENING = re.compile(r"on (http://127\.0\.0\.1:\d+)/ \(this machine only\)")

RUNNING_APP = """
import sys
from opentelemetry import trace
import agentops_otel as agentops

agentops.init(auto_start_session=False, capture_content=True)
session = agentops.start_session(["live"])
session.record(agentops.ToolEvent(name="lookup", params={"q": "flights"}, returns=["LIS"]))
trace.get_tracer_provider().force_flush()
print("flushed", flush=True)
sys.stdin.readline()  # the test says when the session ends
session.record(agentops.LLMEvent(model="gpt-4o-mini", prompt_tokens=5, completion_tokens=3, cost=0.00001))
session.end_session("Success")
"""


def read_line(process: subprocess.Popen[str], timeout: float) -> str:
    """The next line `process` prints, waiting at most `timeout` seconds (queue.Empty after that)."""
    lines: queue.Queue[str] = queue.Queue()
    stdout = process.stdout
    assert stdout is not None
    threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
    return lines.get(timeout=timeout)


class Serve:
    """``agentops-otel serve FILE --port 0`` in a subprocess, killed at the end."""

    def __init__(self, traces: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "agentops_otel.report.cli", "serve", str(traces), "--port", "0"],
            env=script_env({"PYTHONIOENCODING": "utf-8"}),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.children: list[subprocess.Popen[str]] = []
        try:
            self.banner = read_line(self.process, timeout=30)
        except queue.Empty:
            self.stop()
            raise AssertionError("serve did not start") from None
        found = _LISTENING.search(self.banner)
        assert found, self.banner
        self.url = found[1]

    def get(self, path: str) -> tuple[int, bytes]:
        with urllib.request.urlopen(self.url + path, timeout=10) as response:
            return response.status, response.read()

    def post(self, path: str, body: bytes, content_type: str, encoding: str = "") -> int:
        headers = {"Content-Type": content_type, **({"Content-Encoding": encoding} if encoding else {})}
        request = urllib.request.Request(self.url + path, body, headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            error.close()
            return error.code

    def sessions(self) -> list[dict[str, Any]]:
        return json.loads(self.get("/data.json")[1])["sessions"]  # type: ignore[no-any-return]

    def stop(self) -> None:
        for child in self.children:  # an app a test started, still waiting if the test failed
            child.kill()
            child.communicate()
        self.process.terminate()
        try:
            self.process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.communicate()


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Serve]:
    server = Serve(tmp_path / "live.jsonl")
    yield server
    server.stop()


def test_it_binds_loopback_and_says_how_to_send_to_it(serve: Serve, tmp_path: Path) -> None:
    assert serve.banner.startswith(f"Serving the live report of {tmp_path / 'live.jsonl'} on {serve.url}/")
    assert serve.get("/")[0] == 200 and serve.sessions() == []
    assert "connect-src 'self'" in serve.get("/")[1].decode()  # the live page may fetch from its server only


def test_otlp_json_and_protobuf_are_stored_and_survive_a_restart(
    serve: Serve, example_run: ExampleRun, tmp_path: Path
) -> None:
    lines = example_run.traces.read_text().splitlines()
    for line in lines[1:]:  # OTLP JSON, as a JSON exporter posts it
        assert serve.post("/v1/traces", line.encode(), "application/json") == 200
    assert serve.post("/v1/traces", gzip.compress(lines[0].encode()), "application/json", "gzip") == 200
    assert serve.post("/v1/traces", b"\x0a\xff garbage", "application/x-protobuf") == 400
    assert serve.post("/v1/traces", b"{not json", "application/json") == 400
    assert serve.post("/v1/metrics", b"", "application/x-protobuf") == 200  # accepted, not stored
    assert {session["id"] for session in serve.sessions()} == set(example_run.printed)
    serve.stop()
    again = Serve(tmp_path / "live.jsonl")
    try:
        assert {session["id"] for session in again.sessions()} == set(example_run.printed)
    finally:
        again.stop()


@needs_browser
def test_the_page_shows_a_running_session_then_its_end(serve: Serve, browser: Any, tmp_path: Path) -> None:
    app = subprocess.Popen(
        [sys.executable, str(write_script(tmp_path, RUNNING_APP))],
        cwd=tmp_path,
        env=script_env({"OTEL_EXPORTER_OTLP_ENDPOINT": serve.url, "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"}),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    serve.children.append(app)
    assert read_line(app, timeout=30) == "flushed\n"
    context = browser.new_context(viewport={"width": 1400, "height": 700})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(serve.url + "/")
    row = page.locator("#sessions tbody tr")  # the one session (its tags arrive with its root span, at its end)
    row.locator(".state", has_text="running/unknown").wait_for()  # protobuf from a real app, shown while it runs
    page.locator("details.session[open] .span-row .label", has_text="execute_tool lookup").click()
    assert page.locator("#span-title").text_content() == "execute_tool lookup"
    assert "live: updated" in page.locator("#meta").inner_text()
    screenshot(page, "report-serve-running.png")
    assert app.stdin is not None
    app.stdin.write("end\n")
    app.stdin.flush()
    assert app.wait(timeout=30) == 0
    row.locator(".state", has_text="Success").wait_for()  # the page updated itself: the session ended
    assert row.locator(".tag").inner_text() == "live"
    page.locator("details.session[open] .span-row .label", has_text="chat gpt-4o-mini").wait_for()
    # The root span now comes first in the tree: the open span is found again by its id, not its place.
    assert page.locator("#span-title").text_content() == "execute_tool lookup"
    assert page.locator("#step").text_content() == "span 2 of 3 in start order"
    screenshot(page, "report-serve-ended.png")
    context.close()
