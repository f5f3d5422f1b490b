"""The REST API example under uvicorn, as a real subprocess: many sessions at once."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support.llm_server import LLMServer
from tests.support.otlp_receiver import OTLPReceiver
from tests.support.scripts import otlp_env
from tests.support.services import Service

CLIENTS = 20
END_STATES = ("Success", "Fail", "Indeterminate")


@pytest.fixture
def service(tmp_path: Path, receiver: OTLPReceiver) -> Iterator[Service]:
    with LLMServer() as llm:
        env = {
            **otlp_env(receiver, "grpc"),
            "OPENAI_BASE_URL": llm.openai_base_url,
            "OPENAI_API_KEY": "test",
            "AGENTOPS_MAX_WAIT_TIME": "200",
        }
        running = Service("examples.rest_api.app:app", env, tmp_path / "uvicorn.log")
        try:
            yield running
        finally:
            running.stop()


def conversation(service: Service, index: int) -> tuple[str, str]:
    """One client: start a session, chat twice, end it; returns (session id, end state)."""
    end_state = END_STATES[index % 3]
    with service.client() as http:
        session_id = http.post("/sessions", json={"tags": [f"client-{index}"]}).json()["session_id"]
        for _ in range(2):
            reply = http.post(f"/sessions/{session_id}/chat", json={"message": "hi there"})
            assert reply.status_code == 200, reply.text
            assert reply.json() == {"reply": "Hello from the test server"}
        ended = http.post(f"/sessions/{session_id}/end", json={"end_state": end_state, "end_state_reason": "done"})
        assert ended.status_code == 200, ended.text
        assert ended.json()["end_state"] == end_state
    return session_id, end_state


def test_concurrent_clients_each_get_their_own_session(service: Service, receiver: OTLPReceiver) -> None:
    with ThreadPoolExecutor(CLIENTS) as pool:
        outcomes = dict(pool.map(lambda index: conversation(service, index), range(CLIENTS)))
    with service.client() as http:
        asked = http.post("/ask", json={"question": "where to?"}).json()
    # uvicorn shuts down gracefully, then re-raises SIGTERM, which ends the process as it would without us.
    assert service.stop() == -signal.SIGTERM, service.log()
    outcomes[asked["session_id"]] = "Success"

    spans = receiver.wait_for_spans(lambda found: sum(s["name"] == "session" for s in found) == CLIENTS + 1)
    roots = {span["attributes"]["session.id"]: span for span in spans if span["name"] == "session"}
    assert set(roots) == set(outcomes)
    status_for = {"Success": "OK", "Fail": "ERROR", "Indeterminate": "UNSET"}
    for session_id, end_state in outcomes.items():
        root = roots[session_id]
        assert root["attributes"]["agentops.session.end_state"] == end_state
        assert root["status_code"] == status_for[end_state]
        assert root["trace_id"] == session_id.replace("-", "")


def test_bad_requests_get_clear_4xx_answers(service: Service) -> None:
    with service.client() as http:
        unknown = http.post("/sessions/00000000-0000-4000-8000-000000000000/chat", json={"message": "hi"})
        assert unknown.status_code == 404
        assert "No running session" in unknown.json()["detail"]
        assert http.post("/sessions/not-an-id/end", json={"end_state": "Success"}).status_code == 404
        session_id = http.post("/sessions", json={}).json()["session_id"]
        bad_state = http.post(f"/sessions/{session_id}/end", json={"end_state": "Failure"})
        assert bad_state.status_code == 422
        for valid in ("Success", "Fail", "Indeterminate"):
            assert valid in bad_state.json()["detail"]
        assert http.post("/sessions", json={"tags": [1]}).status_code == 422
        assert http.post(f"/sessions/{session_id}/end", json={"end_state": "Success"}).status_code == 200
        assert http.post(f"/sessions/{session_id}/end", json={"end_state": "Success"}).status_code == 404


@pytest.fixture
def traced_service(tmp_path: Path, receiver: OTLPReceiver) -> Iterator[Service]:
    """The example with FastAPI's instrumentation: requests' baggage reaches the span processor."""
    with LLMServer() as llm:
        env = {**otlp_env(receiver, "grpc"), "OPENAI_BASE_URL": llm.openai_base_url, "OPENAI_API_KEY": "test"}
        running = Service("tests.rest_api_traced:app", env, tmp_path / "uvicorn.log")
        try:
            yield running
        finally:
            running.stop()


def test_forged_baggage_never_counts_in_another_sessions_roll_ups(
    traced_service: Service, receiver: OTLPReceiver
) -> None:
    with traced_service.client() as http:
        victim = http.post("/sessions", json={}).json()["session_id"]
        other = http.post("/sessions", json={}).json()["session_id"]
        for _ in range(2):
            assert http.post(f"/sessions/{victim}/chat", json={"message": "hi"}).status_code == 200
        forged = {"baggage": f"session.id={victim}"}
        assert http.post("/ask", json={"question": "q"}, headers=forged).status_code == 200
        assert http.post(f"/sessions/{other}/chat", json={"message": "hi"}, headers=forged).status_code == 200
        assert http.post(f"/sessions/{other}/end", json={"end_state": "Success"}, headers=forged).status_code == 200
        missing = "00000000-0000-4000-8000-000000000000"
        assert http.post(f"/sessions/{missing}/chat", json={"message": "hi"}, headers=forged).status_code == 404
        assert http.post(f"/sessions/{victim}/end", json={"end_state": "Success"}).status_code == 200
    traced_service.stop()
    spans = receiver.wait_for_spans(lambda found: sum(s["name"] == "session" for s in found) == 3)
    roots = {span["attributes"]["session.id"]: span for span in spans if span["name"] == "session"}
    rollups = {key: value for key, value in roots[victim]["attributes"].items() if key.startswith("agentops.session.")}
    assert rollups["agentops.session.spans"] == 2, rollups  # its own two LLM calls, nothing forged
    assert rollups["agentops.session.llm_calls"] == 2
    assert roots[other]["attributes"]["agentops.session.llm_calls"] == 1
    stamped = [span for span in spans if span["name"].startswith("POST ") and span["kind"] == "SERVER"]
    assert stamped and all(span["attributes"].get("session.id") in (None, victim) for span in stamped)
