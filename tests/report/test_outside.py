"""Spans outside any session (``opentelemetry-instrument`` without a session): the report shows them too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.report.conftest import run_report
from tests.support.llm_server import LLMServer
from tests.test_distro import run_instrumented

APP = """
    import openai
    from opentelemetry import trace
    client = openai.OpenAI(max_retries=0)   # OPENAI_BASE_URL / OPENAI_API_KEY from the environment
    with trace.get_tracer("app").start_as_current_span("answer question"):
        client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
"""


@pytest.fixture(scope="module")
def traces(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The spans file of ``opentelemetry-instrument python app.py``: no AGENTOPS_AUTO_START_SESSION, no session."""
    directory = tmp_path_factory.mktemp("outside")
    with LLMServer() as llm:
        env = {"OPENAI_BASE_URL": llm.openai_base_url, "OPENAI_API_KEY": "test"}
        result = run_instrumented(directory, APP, env)
    assert result.returncode == 0, result.stderr
    return directory / "agentops-traces.jsonl"


def test_the_table_has_a_row_for_spans_outside_sessions(traces: Path) -> None:
    result = run_report(traces)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    row = next(line for line in lines if line.startswith("(outside sessions)"))
    assert row.split()[5:10] == ["-", "-", "1", "0", "0"]  # state, duration, LLM calls, tools, errors (user: "-")
    assert "$0.0000" in row and row.endswith("3 spans: --outside lists them")  # the app's, the LLM call, its POST
    footer = lines.index("") + 1
    assert lines[footer].startswith("0 sessions and 3 spans outside sessions, 1 LLM call, ")
    assert lines[footer].endswith("; 1 unattributed span (listed below)")  # the LLM call: no session counts it
    assert lines[footer + 2].startswith("Unattributed: 1 span no session owns. Make these calls inside `with session:`")
    assert lines[footer + 4].split()[0:2] == ["chat", "gpt-4o-mini"]
    assert lines[footer + 4].split()[4:6] == ["openai/gpt-4o-mini-2024-07-18", "11/5"]
    assert len(json.loads(run_report(traces, "--json").stdout)) == 0  # the JSON list holds sessions only


def test_outside_lists_them_as_a_tree(traces: Path) -> None:
    tree = run_report(traces, "--outside")
    assert tree.returncode == 0, tree.stderr
    lines = tree.stdout.splitlines()
    assert lines[0] == "Spans outside sessions"
    assert lines[2].startswith("  1 LLM call, 0 tool calls, 0 actions, 0 errors, tokens ")
    assert [line[:48].rstrip() for line in lines[4:6]] == ["answer question", "\u2514\u2500 chat gpt-4o-mini"]
    document = json.loads(run_report(traces, "--outside", "--json").stdout)
    assert [span["name"] for span in document["spans"]] == ["answer question", "chat gpt-4o-mini", "POST"]
    assert document["llm_calls"] == 1 and document["cost_usd"] > 0


def test_state_and_tag_filters_leave_them_out_and_the_page_has_them(traces: Path, tmp_path: Path) -> None:
    assert run_report(traces, "--state", "Success").stdout == f"No sessions in {traces} (3 spans outside sessions).\n"
    page = tmp_path / "page.html"
    assert run_report(traces, "--html", page).returncode == 0
    assert '"id":"(outside sessions)"' in page.read_text() and "chat gpt-4o-mini" in page.read_text()
