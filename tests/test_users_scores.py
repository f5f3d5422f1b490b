"""Users (``user.id`` on every span of the session, and in baggage) and scores (GenAI evaluation events)."""

from __future__ import annotations

import logging

import anthropic
import pytest
from opentelemetry import baggage
from opentelemetry import context as otel_context

import agentops_otel as agentops
from tests.conftest import Recorded
from tests.support.llm_server import LLMServer


def test_user_id_is_on_the_session_and_every_span_in_it(recorded: Recorded) -> None:
    with agentops.start_session(user_id="alice@example.com") as session:
        session.record(agentops.ToolEvent(name="search"))
        with recorded.provider.get_tracer("other-library").start_as_current_span("http GET"):
            assert baggage.get_baggage("user.id") == "alice@example.com"
    assert {span.attributes["user.id"] for span in recorded.spans} == {"alice@example.com"}  # type: ignore[index]


def test_init_user_id(recorded: Recorded) -> None:
    agentops.shutdown()
    session = agentops.init(tracer_provider=recorded.provider, exporter="none", user_id="u-1")
    assert session is not None and session.user_id == "u-1"
    agentops.end_session("Success")
    assert recorded.one("session").attributes["user.id"] == "u-1"  # type: ignore[index]


@pytest.mark.parametrize("bad", ["", "x" * 129, "a b", "bob\n", 42])
def test_a_bad_user_id_is_refused(recorded: Recorded, bad: object) -> None:
    with pytest.raises(agentops.InvalidArgumentError, match="user_id"):
        agentops.start_session(user_id=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(("incoming", "stamped"), [("carol", "carol"), ("'; DROP TABLE", None), ("y" * 500, None)])
def test_an_incoming_user_id_is_validated(recorded: Recorded, incoming: str, stamped: str | None) -> None:
    token = otel_context.attach(baggage.set_baggage("user.id", incoming))
    try:
        with recorded.provider.get_tracer("t").start_as_current_span("handler"):
            pass
    finally:
        otel_context.detach(token)
    assert (recorded.one("handler").attributes or {}).get("user.id") == stamped


def test_score_is_a_genai_evaluation_event_on_the_root(recorded: Recorded, caplog: pytest.LogCaptureFixture) -> None:
    session = agentops.start_session()
    session.score("relevance", 0.8, label="good", explanation="on topic")
    session.score("toxicity", label="none")
    with pytest.raises(agentops.InvalidArgumentError, match="neither"):
        session.score("empty")
    with pytest.raises(agentops.InvalidArgumentError):
        session.score("nan", float("nan"))
    session.end_session("Success")
    session.score("late", 1)
    assert "score 'late' is not recorded" in caplog.text
    events = recorded.one("session").events
    assert [event.name for event in events] == ["gen_ai.evaluation.result"] * 2
    assert dict(events[0].attributes or {}) == {
        "gen_ai.evaluation.name": "relevance",
        "gen_ai.evaluation.score.value": 0.8,
        "gen_ai.evaluation.score.label": "good",
        "gen_ai.evaluation.explanation": "on topic",
    }


def test_stop_instrumenting_stops_the_anthropic_sdks_own_span(recorded: Recorded) -> None:
    with (
        LLMServer() as server,
        anthropic.Anthropic(
            base_url=server.base_url,
            api_key="test",
            max_retries=0,
            open_telemetry={"tracer_provider": recorded.provider},  # the SDK's own span, on this pipeline
        ) as client,
        agentops.start_session(),
    ):

        def ask() -> None:
            client.messages.create(
                model="claude-sonnet-4-20250514", max_tokens=8, messages=[{"role": "user", "content": "hi"}]
            )

        ask()
        agentops.stop_instrumenting()
        ask()
    assert [span.name for span in recorded.spans if span.kind.name == "CLIENT"] == ["chat claude-sonnet-4-20250514"]


def test_the_rest_of_0_3(recorded: Recorded, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="agentops_otel"):
        agentops.set_parent_key("parent")
    assert caplog.text.count("does nothing here") == 1
    agentops.set_api_key("k2")  # after init: a warning that the pipeline is set up
    assert agentops.get_api_key() is None
    agent_id = agentops.create_agent("planner")
    assert len(agent_id) == 36 and agentops.create_agent("planner", "given") == "given"
    with agentops.start_session() as session:
        assert session.create_agent("critic", "c-1") == "c-1"

        @agentops.record_function("step")
        def step() -> None:
            pass

        step()
        session.record(agentops.Event("actions"))
        session.record(agentops.Event(event_type=agentops.EventType.LLM))
    assert recorded.one("step").attributes["agentops.event.type"] == "action"  # type: ignore[index]
    assert recorded.one("llm").attributes["agentops.event.type"] == "llm"  # type: ignore[index]
    assert agentops.Event("llms").params is None
    with pytest.raises(agentops.InvalidArgumentError, match="event_type"):
        agentops.Event("bogus")
