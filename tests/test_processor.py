"""SessionSpanProcessor: which spans get ``session.id``, and what remote baggage is trusted."""

from __future__ import annotations

import logging

import pytest
from opentelemetry import baggage, trace
from opentelemetry import context as otel_context
from opentelemetry.sdk.trace import TracerProvider

import agentops_otel as agentops
from agentops_otel.processor import SessionSpanProcessor
from agentops_otel.registry import SessionRegistry
from tests.conftest import Recorded


def span_under_baggage(recorded: Recorded, value: str) -> dict[str, object]:
    """Start a span in a context whose baggage carries `value` as session.id (as from a request)."""
    token = otel_context.attach(baggage.set_baggage("session.id", value))
    try:
        with recorded.provider.get_tracer("tests").start_as_current_span("remote child"):
            pass
    finally:
        otel_context.detach(token)
    return dict(recorded.one("remote child").attributes or {})


def test_a_remote_well_formed_session_id_is_stamped(recorded: Recorded) -> None:
    remote = "0b6f3c58-8a43-4b6e-9d3e-0c64f7a1b2c3"
    assert span_under_baggage(recorded, remote)["session.id"] == remote


def test_a_child_whose_context_lost_the_baggage_keeps_its_parents_session_id(recorded: Recorded) -> None:
    """A library that makes its span current with ``use_span`` drops the baggage the span started in (MCP's server)."""
    remote = "0b6f3c58-8a43-4b6e-9d3e-0c64f7a1b2c3"
    tracer = recorded.provider.get_tracer("tests")
    server = tracer.start_span("server", baggage.set_baggage("session.id", remote))
    with trace.use_span(server, end_on_exit=True), tracer.start_as_current_span("handler"):
        pass
    assert {span.name: (span.attributes or {}).get("session.id") for span in recorded.spans} == {
        "server": remote,
        "handler": remote,
    }


@pytest.mark.parametrize(
    "forged",
    [
        "not-an-id",
        "0B6F3C58-8A43-4B6E-9D3E-0C64F7A1B2C3",  # not canonical
        "0b6f3c58-8a43-4b6e-9d3e-0c64f7a1b2c3" + "x" * 10_000,
        "'; DROP TABLE sessions; --",
        "",
    ],
)
def test_a_malformed_or_oversized_remote_session_id_is_ignored(
    recorded: Recorded, forged: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="agentops_otel"):
        assert "session.id" not in span_under_baggage(recorded, forged)
    assert "malformed session.id" in caplog.text


def test_spans_outside_any_session_context_are_not_stamped_even_in_single_mode(recorded: Recorded) -> None:
    agentops.start_session()
    with recorded.provider.get_tracer("tests").start_as_current_span("elsewhere"):
        pass
    assert "session.id" not in (recorded.one("elsewhere").attributes or {})


def test_other_instrumentations_spans_in_a_session_are_stamped(recorded: Recorded) -> None:
    with agentops.start_session() as session:
        other = recorded.provider.get_tracer("opentelemetry.instrumentation.httpx")
        with other.start_as_current_span("GET"), other.start_as_current_span("nested"):
            pass
    assert {span.name: (span.attributes or {}).get("session.id") for span in recorded.spans} == {
        "nested": session.session_id,
        "GET": session.session_id,
        "session": session.session_id,
    }
    assert session.stats.spans == 2


def test_processor_never_raises_on_odd_spans() -> None:
    provider = TracerProvider()
    provider.add_span_processor(SessionSpanProcessor(SessionRegistry()))
    tracer = provider.get_tracer("tests")
    with tracer.start_as_current_span("root end state", attributes={"agentops.session.end_state": "bogus"}):
        pass
    with tracer.start_as_current_span("unknown session", attributes={"session.id": 3}):
        pass


def test_the_server_span_of_a_tool_call_counts_as_a_span_not_a_second_tool_call(recorded: Recorded) -> None:
    """An MCP server's ``tools/call`` span is the far side of its caller's call, which counted it."""
    tracer = recorded.provider.get_tracer("tests")
    tool = {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "get_weather"}
    with (
        agentops.start_session() as session,
        tracer.start_as_current_span("tools/call get_weather", kind=trace.SpanKind.CLIENT, attributes=tool),
        tracer.start_as_current_span("tools/call get_weather", kind=trace.SpanKind.SERVER, attributes=tool),
    ):
        pass
    assert (session.stats.spans, session.stats.tool_calls) == (2, 1)


OPENINFERENCE_TOOL = {"openinference.span.kind": "TOOL", "tool.name": "get_weather"}  # GenAI's name comes at its end


@pytest.mark.parametrize(
    "outer", [{"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "get_weather"}, OPENINFERENCE_TOOL]
)
@pytest.mark.parametrize(("inner_tool", "tool_calls"), [("get_weather", 1), ("get_time", 2)])
def test_a_tool_span_right_inside_a_span_of_the_same_tool_is_one_call(
    recorded: Recorded, outer: dict[str, str], inner_tool: str, tool_calls: int
) -> None:
    """OpenInference's AutoGen tool span around AutoGen's own is one call; a tool calling another tool is two."""
    tracer = recorded.provider.get_tracer("tests")

    def tool(name: str) -> dict[str, str]:
        return {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": name}

    with (
        agentops.start_session() as session,
        tracer.start_as_current_span("weather.get_weather", attributes=outer) as outer_span,
    ):
        with tracer.start_as_current_span(f"execute_tool {inner_tool}", attributes=tool(inner_tool)):
            pass
        outer_span.set_attributes(tool("get_weather"))  # as OpenInference adds GenAI's attributes at the end
    assert (session.stats.spans, session.stats.tool_calls) == (2, tool_calls)


def test_a_span_claiming_an_end_state_its_status_contradicts_is_logged_and_a_real_root_is_not(
    recorded: Recorded, caplog: pytest.LogCaptureFixture
) -> None:
    """The processor's safety net for session roots, which it checks only on spans no session counted."""
    with caplog.at_level(logging.WARNING, logger="agentops_otel"):
        session = agentops.start_session()
        token = otel_context.attach(session.context())  # a span of the session with the end-state key: counted
        try:
            tracer = recorded.provider.get_tracer("tests")
            tracer.start_span("counted", attributes={"agentops.session.end_state": "Success"}).end()
        finally:
            otel_context.detach(token)
        forged = recorded.provider.get_tracer("tests").start_span(
            "forged root", attributes={"session.id": session.session_id, "agentops.session.end_state": "Success"}
        )
        forged.end()  # status UNSET, where Success means OK
        session.end_session("Success")
    warnings = [record.getMessage() for record in caplog.records]
    assert warnings == ["Session span forged root ended with status StatusCode.UNSET but end state Success"]
    assert session.get_analytics()["Errors"] == 0 and session.stats.spans == 1
