"""Spans we did not create follow the session rules (issue 12 items 2, 3, 5), on the real SDK.

A tracer of scope ``some.foreign.instrumentation`` stands in for a kept instrumentation: it gets
its tracer from the provider integrations are handed (``foreign.SessionTracerProvider``), or, for
"any other instrumentation", straight from the application's provider.
"""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest
from opentelemetry import trace
from opentelemetry.trace import SpanKind

import agentops_otel as agentops
from agentops_otel.foreign import SessionTracerProvider
from agentops_otel.pricing import cost_usd
from agentops_otel.registry import registry
from agentops_otel.stats import WRAPPING_CALLS
from agentops_otel.usage import Usage
from tests.conftest import Recorded

SCOPE = "some.foreign.instrumentation"
MODEL = "llama-3.1-8b-instant"
CALL = {
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": "groq",
    "gen_ai.request.model": MODEL,
}
USAGE = {"gen_ai.usage.input_tokens": 100, "gen_ai.usage.output_tokens": 20}
PRICE = cost_usd("groq", MODEL, Usage(input=100, output=20))


def foreign(recorded: Recorded) -> trace.Tracer:
    return SessionTracerProvider(recorded.provider, registry, None).get_tracer(SCOPE)


def llm_call(tracer: trace.Tracer, name: str = "chat llama", kind: SpanKind = SpanKind.CLIENT) -> None:
    span = tracer.start_span(name, kind=kind, attributes=CALL)
    span.set_attributes(USAGE)  # usage arrives with the response, as in every instrumentation
    span.end()


def test_prices_are_known_for_the_test_model() -> None:
    assert PRICE is not None and PRICE > 0


def test_single_mode_a_foreign_span_with_no_session_in_context_becomes_a_child_of_the_session_root(
    recorded: Recorded,
) -> None:
    session = agentops.start_session()
    llm_call(foreign(recorded))
    cost = session.end_session("Success")
    span, root = recorded.one("chat llama"), recorded.one("session")
    assert span.parent is not None and span.parent.span_id == root.context.span_id
    assert span.context.trace_id == root.context.trace_id
    assert span.attributes["session.id"] == session.session_id
    assert span.attributes["agentops.llm.cost_usd"] == PRICE
    assert root.attributes["agentops.session.llm_calls"] == 1
    assert root.attributes["agentops.session.input_tokens"] == 100
    assert root.attributes["agentops.session.output_tokens"] == 20
    assert cost == Decimal(repr(PRICE))


def test_start_as_current_span_follows_the_same_rules(recorded: Recorded) -> None:
    session = agentops.start_session()
    with foreign(recorded).start_as_current_span("outer") as outer:
        assert trace.get_current_span() is outer
    session.end_session("Success")
    assert recorded.one("outer").parent.span_id == recorded.one("session").context.span_id


def test_the_session_in_context_wins_over_the_only_running_one(recorded: Recorded) -> None:
    first = agentops.start_session()
    with first, foreign(recorded).start_as_current_span("mine"):
        pass
    assert recorded.one("mine").attributes["session.id"] == first.session_id
    first.end_session("Success")


def test_a_session_id_the_instrumentation_writes_over_ours_is_put_back_and_kept_as_the_conversation(
    recorded: Recorded,
) -> None:
    """OpenInference writes its own ``session.id`` (ADK's session) after the span starts: ours wins."""
    session = agentops.start_session(user_id="alice")
    with session:
        span = foreign(recorded).start_span("invocation")
        span.set_attributes({"session.id": "adk-session-7", "user.id": "adk-user"})
        span.end()
        other = foreign(recorded).start_span("named")
        other.set_attributes({"session.id": "adk-session-8", "gen_ai.conversation.id": "conversation-1"})
        other.end()
    session.end_session("Success")
    written_over, named = recorded.one("invocation").attributes, recorded.one("named").attributes
    assert (written_over["session.id"], written_over["user.id"]) == (session.session_id, "alice")
    assert written_over["gen_ai.conversation.id"] == "adk-session-7"
    assert (named["session.id"], named["gen_ai.conversation.id"]) == (session.session_id, "conversation-1")
    assert recorded.one("session").attributes["agentops.session.spans"] == 2


def test_no_session_running_leaves_the_span_alone(recorded: Recorded) -> None:
    llm_call(foreign(recorded))
    span = recorded.one("chat llama")
    assert span.parent is None
    assert "session.id" not in span.attributes
    assert span.attributes["agentops.llm.cost_usd"] == PRICE  # priced all the same


def test_multi_mode_a_span_with_no_session_joins_none_with_one_warning(
    recorded: Recorded, caplog: pytest.LogCaptureFixture
) -> None:
    first, second = agentops.start_session(), agentops.start_session()
    tracer = foreign(recorded)
    with caplog.at_level(logging.WARNING, logger="agentops_otel"):
        llm_call(tracer, "call 1")
        llm_call(tracer, "call 2")
    first_cost, second_cost = first.end_session("Success"), second.end_session("Success")
    for name in ("call 1", "call 2"):
        span = recorded.one(name)
        assert span.parent is None
        assert "session.id" not in span.attributes
        assert span.attributes["agentops.session.unattributed"] is True
    warnings = [record.getMessage() for record in caplog.records if "joins none" in record.getMessage()]
    assert len(warnings) == 1
    assert SCOPE in warnings[0] and "with session:" in warnings[0] and "session.wrap" in warnings[0]
    assert first_cost == second_cost == Decimal(0)


def test_an_llm_span_inside_another_counts_the_call_once(recorded: Recorded) -> None:
    """LiteLLM's (or a framework's) span around the client's span: one call, counted once."""
    session = agentops.start_session()
    tracer = foreign(recorded)
    with tracer.start_as_current_span("litellm", attributes={"openinference.span.kind": "LLM"}) as outer:
        llm_call(tracer, "client call")
        outer.set_attributes({**CALL, **USAGE})  # the wrapper reports the same usage at its end
    cost = session.end_session("Success")
    root = recorded.one("session")
    assert recorded.one("litellm").attributes["agentops.llm.cost_usd"] == PRICE  # each span says its call's cost
    assert root.attributes["agentops.session.llm_calls"] == 1
    assert root.attributes["agentops.session.input_tokens"] == 100
    assert root.attributes["agentops.session.spans"] == 2
    assert cost == Decimal(repr(PRICE))
    assert not WRAPPING_CALLS  # nothing kept once both ended


def test_any_other_instrumentations_llm_span_in_a_session_is_priced_in_the_rollups(recorded: Recorded) -> None:
    """Not through our provider: joined by context, its cost computed for the roll-ups from its attributes."""
    with agentops.start_session() as session:  # ends the session when the block ends
        llm_call(recorded.provider.get_tracer(SCOPE))
    assert recorded.one("session").attributes["agentops.session.llm_calls"] == 1
    assert session.stats.cost_usd == Decimal(repr(PRICE))


@pytest.mark.parametrize("provider", ["ollama", "api.example.net", "openai-compatible"])
def test_an_unknown_or_local_provider_is_never_priced(recorded: Recorded, provider: str) -> None:
    session = agentops.start_session()
    tracer = foreign(recorded)
    span = tracer.start_span(
        "call", attributes={**CALL, "gen_ai.provider.name": provider, "gen_ai.request.model": "gpt-4o"}
    )
    span.set_attributes(USAGE)
    span.end()
    session.end_session("Success")
    assert "agentops.llm.cost_usd" not in recorded.one("call").attributes
    assert recorded.one("session").attributes["agentops.session.unpriced_llm_calls"] == 1
