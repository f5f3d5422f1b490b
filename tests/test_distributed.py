"""Two services, one session: the agent's session joins the tool service's spans across HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.report.conftest import run_report
from tests.support.llm_server import LLMServer
from tests.support.otlp_receiver import OTLPReceiver
from tests.support.scripts import otlp_env, script_env
from tests.support.services import REPO_ROOT, Service


@pytest.fixture
def tool_service(tmp_path: Path, receiver: OTLPReceiver) -> Iterator[Service]:
    with LLMServer() as llm:
        env = {**otlp_env(receiver, "http/protobuf"), "OPENAI_BASE_URL": llm.openai_base_url, "OPENAI_API_KEY": "t"}
        service = Service("examples.distributed.tool_service:app", env, tmp_path / "tool.log")
        try:
            yield service
        finally:
            service.stop()


def test_the_tool_services_spans_join_the_agents_session(
    tmp_path: Path, receiver: OTLPReceiver, tool_service: Service
) -> None:
    agent = subprocess.run(
        [sys.executable, "-m", "examples.distributed.agent", "--tool-url", tool_service.url],
        cwd=REPO_ROOT,
        env=script_env(otlp_env(receiver, "grpc")),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert agent.returncode == 0, agent.stderr
    session_id = agent.stdout.split()[1].rstrip(":")
    tool_service.stop()

    spans = receiver.wait_for_spans(
        lambda found: (
            any(s["name"] == "session" for s in found)
            and any(s["resource"].get("service.name") == "tool-service" for s in found)
        )
    )
    trace_id = session_id.replace("-", "")
    by_service: dict[str, list[dict[str, object]]] = {}
    for span in spans:
        by_service.setdefault(span["resource"]["service.name"], []).append(span)
    assert set(by_service) == {"agent", "tool-service"}
    for span in spans:
        assert span["trace_id"] == trace_id, span["name"]
        assert span["attributes"]["session.id"] == session_id, span["name"]
    server = next(span for span in by_service["tool-service"] if span["kind"] == "SERVER")
    client = next(span for span in by_service["agent"] if span["kind"] == "CLIENT")
    assert server["parent_span_id"] == client["span_id"]
    root = next(span for span in spans if span["name"] == "session")
    assert root["status_code"] == "OK"


@pytest.mark.parametrize(
    "baggage",
    [
        "session.id=forged",
        "session.id=0B6F3C58-8A43-4B6E-9D3E-0C64F7A1B2C3",
        "session.id=" + "a" * 5000,
        "session.id=%ZZ%ZZ",
        ",".join(f"k{i}=v" for i in range(500)),
    ],
    ids=["not an id", "not canonical", "oversized", "bad percent-encoding", "many entries"],
)
def test_forged_or_malformed_incoming_baggage_is_not_stamped(
    receiver: OTLPReceiver, tool_service: Service, baggage: str
) -> None:
    with tool_service.client() as http:
        answer = http.post("/summarize", json={"text": "x"}, headers={"baggage": baggage})
    assert answer.status_code == 200
    tool_service.stop()
    spans = receiver.wait_for_spans(lambda found: any(s["kind"] == "SERVER" for s in found))
    assert spans
    for span in spans:
        assert "session.id" not in span["attributes"], span["name"]


def test_the_report_counts_the_tool_services_llm_call_in_the_agents_session(tmp_path: Path) -> None:
    """Both services write the default spans file; the agent's root counted only its own process's spans."""
    traces = tmp_path / "agentops-traces.jsonl"
    with LLMServer() as llm:
        env = {"AGENTOPS_TRACES_FILE": str(traces), "OPENAI_BASE_URL": llm.openai_base_url, "OPENAI_API_KEY": "t"}
        service = Service("examples.distributed.tool_service:app", env, tmp_path / "tool.log")
        try:
            agent = subprocess.run(
                [sys.executable, "-m", "examples.distributed.agent", "--tool-url", service.url],
                cwd=REPO_ROOT,
                env=script_env({"AGENTOPS_TRACES_FILE": str(traces)}),
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
        finally:
            service.stop()  # SIGTERM: the tool service flushes its spans as it exits
    assert agent.returncode == 0, agent.stderr
    session_id = agent.stdout.split()[1].rstrip(":")

    report = json.loads(run_report(traces, "--json").stdout)
    assert [session["session_id"] for session in report] == [session_id]
    assert report[0]["llm_calls"] == 1
    assert report[0]["input_tokens"] > 0 and report[0]["cost_usd"] > 0
    tree = run_report(traces, "--session", session_id).stdout
    assert "1 LLM call, " in tree and "chat gpt-4o-mini" in tree
