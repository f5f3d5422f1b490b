"""A real Arize Phoenix receives agentops-otel sessions live (OTLP/gRPC) and through `export` (OTLP/HTTP).

Checked through Phoenix's own APIs: it groups the spans into sessions by ``session.id``, sees the
LLM calls as LLM spans with their tokens, prices them, and keeps our own cost attribute. Marked
``phoenix``; runs only when ``AGENTOPS_PHOENIX`` is set (see ``tests/report/phoenix.py``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.report.conftest import run_cli, run_report
from tests.report.content_run import CAPTURED
from tests.report.phoenix import Phoenix, needs_phoenix
from tests.support.scripts import run_script

pytestmark = [pytest.mark.phoenix, needs_phoenix]
LLM_SPANS = {"chat gpt-4o-mini": (42, 7, 0.000011), "chat gpt-4o": (90, 12, 0.00034)}


@pytest.fixture(scope="module")
def phoenix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Phoenix]:
    server = Phoenix(tmp_path_factory.mktemp("phoenix"))
    yield server
    server.stop()


def check_project(phoenix: Phoenix, project: str, session_id: str) -> None:
    """One session holding the two LLM calls' tokens, priced by Phoenix, with our cost attribute on each."""
    [session] = phoenix.wait_for_sessions(project, 1)
    assert session["sessionId"] == session_id
    assert session["numTraces"] == 1  # session id = trace id: one session, one trace
    assert (session["tokenUsage"]["prompt"], session["tokenUsage"]["completion"]) == (42 + 90, 7 + 12)
    assert session["costSummary"]["total"]["cost"] > 0  # Phoenix priced the calls itself
    spans = phoenix.spans(project)
    llm = {span["name"]: span for span in spans if span["span_kind"] == "LLM"}
    assert set(llm) == set(LLM_SPANS)
    for name, (tokens_in, tokens_out, cost) in LLM_SPANS.items():
        attributes = llm[name]["attributes"]
        assert (attributes["gen_ai.usage.input_tokens"], attributes["gen_ai.usage.output_tokens"]) == (
            tokens_in,
            tokens_out,
        )
        assert attributes["agentops.llm.cost_usd"] == pytest.approx(cost)
        assert attributes["session.id"] == session_id
    root = next(span for span in spans if span["name"] == "session")
    assert root["status_code"] == "ERROR" and root["attributes"]["agentops.session.end_state"] == "Fail"
    assert root["attributes"]["agentops.session.cost_usd"] == pytest.approx(0.000351)
    assert {span["span_kind"] for span in spans if span["name"] == "execute_tool weather"} == {"TOOL"}


def session_of(traces: Path) -> str:
    result = run_report(traces, "--json")
    assert result.returncode == 0, result.stderr
    [session] = json.loads(result.stdout)
    return str(session["session_id"])


def test_a_session_sent_live_over_grpc(phoenix: Phoenix, tmp_path: Path) -> None:
    env = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{phoenix.grpc_port}",
        "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
        "OTEL_RESOURCE_ATTRIBUTES": "openinference.project.name=agentops-live",
        "AGENTOPS_QUIET": "1",
    }
    result = run_script(tmp_path, CAPTURED + "\nprint(session.session_id)\n", env)
    assert result.returncode == 0, result.stderr
    check_project(phoenix, "agentops-live", result.stdout.strip())


def test_a_saved_file_sent_with_export(phoenix: Phoenix, tmp_path: Path) -> None:
    result = run_script(tmp_path, CAPTURED, {"AGENTOPS_QUIET": "1"})  # the embedded default: a JSON-lines file
    assert result.returncode == 0, result.stderr
    traces = tmp_path / "agentops-traces.jsonl"
    export = run_cli("export", traces, "--endpoint", phoenix.url)
    assert export.returncode == 0, export.stderr
    check_project(phoenix, "default", session_of(traces))
