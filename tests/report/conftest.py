"""Helpers for the report tests: run the CLI as a user would, run the examples, build spans by hand."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanContext, SpanKind, Status, StatusCode
from opentelemetry.util.types import AttributeValue

from tests.support.scripts import run_script, script_env

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TRACE_ID = 0x0AF7651916CD43DD8448EB211C80319C


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "phoenix: needs a real Arize Phoenix (set AGENTOPS_PHOENIX)")


def run_report(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``agentops-otel report ARGS`` in a subprocess, through ``python -m`` (no console script needed)."""
    return run_cli("report", *args, cwd=cwd)


def run_cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``agentops-otel ARGS`` in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "agentops_otel.report.cli", *map(str, args)],
        cwd=cwd,
        env=script_env({"PYTHONIOENCODING": "utf-8"}),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@dataclass
class Printed:
    """What an example printed about one of its sessions."""

    end_state: str
    analytics: dict[str, object]


@dataclass
class ExampleRun:
    """The spans file the examples wrote, and what they printed."""

    directory: Path
    traces: Path
    printed: dict[str, Printed]


@pytest.fixture(scope="session")
def example_run(tmp_path_factory: pytest.TempPathFactory) -> ExampleRun:
    """Run examples/two_sessions.py then examples/single_session.py in one directory, as a user would."""
    directory = tmp_path_factory.mktemp("examples")
    printed: dict[str, Printed] = {}
    for example in ("two_sessions.py", "single_session.py"):
        result = run_script(directory, (EXAMPLES / example).read_text())
        assert result.returncode == 0, result.stderr
        for session_id, end_state, analytics in re.findall(
            r"session ([0-9a-f-]{36}): (\w+).*?(\{'LLM calls'.*?\})", result.stdout
        ):
            printed[session_id] = Printed(end_state, ast.literal_eval(analytics))
    assert len(printed) == 3, "the examples changed what they print"
    return ExampleRun(directory, directory / "agentops-traces.jsonl", printed)


def make_span(
    name: str,
    span_id: int,
    parent_id: int | None = None,
    start_ms: float = 0,
    end_ms: float = 1,
    attributes: dict[str, AttributeValue] | None = None,
    error: str | None = None,
    kind: SpanKind = SpanKind.INTERNAL,
) -> ReadableSpan:
    """A finished span as the reader produces them; times in milliseconds from 0."""
    return ReadableSpan(
        name=name,
        context=SpanContext(TRACE_ID, span_id, is_remote=False),
        parent=SpanContext(TRACE_ID, parent_id, is_remote=False) if parent_id else None,
        resource=Resource.get_empty(),
        attributes=attributes or {},
        kind=kind,
        status=Status(StatusCode.ERROR, error) if error else Status(StatusCode.UNSET),
        start_time=int(start_ms * 1e6),
        end_time=int(end_ms * 1e6),
    )


DEMO_SCRIPT = """
import time
from datetime import datetime, timezone

import agentops_otel as agentops
from agentops_otel.decorators import record_action, record_tool, track_agent


def llm_call(session, model, tokens_in, tokens_out, cost, seconds):
    event = agentops.LLMEvent(model=model, prompt_tokens=tokens_in, completion_tokens=tokens_out, cost=cost)
    time.sleep(seconds)
    event.end_timestamp = datetime.now(timezone.utc).isoformat()
    session.record(event)


@record_tool("web_search")
def search(query):
    time.sleep(0.02)
    return ["https://example.org/" + query]


@record_tool("fetch_page")
def fetch(url):
    time.sleep(0.01)
    raise TimeoutError("page took too long")


@track_agent("researcher")
class Researcher:
    def __init__(self, session):
        self.session = session

    @record_action("plan")
    def plan(self, topic):
        llm_call(self.session, "gpt-4o-mini", 420, 96, 0.00012, 0.03)
        return [topic]

    def run(self, topic, fail=False):
        for step in self.plan(topic):
            for url in search(step):
                if fail:
                    fetch(url)
        llm_call(self.session, "gpt-4o", 1250, 310, 0.0062, 0.05)


agentops.init(auto_start_session=False)
good = agentops.start_session(["demo", "travel"])
with good:
    Researcher(good).run("lisbon")
bad = agentops.start_session(["demo", "flaky-site"])
try:
    with bad:
        Researcher(bad).run("porto", fail=True)
except TimeoutError:
    pass
{extra}
"""
"""A small agent run with LLM calls, tools, an agent, an action and a failure: two sessions."""
