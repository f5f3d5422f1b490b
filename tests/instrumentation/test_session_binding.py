"""LLM calls bound to a session: after it ended, under a span of its own, and under forged baggage."""

from __future__ import annotations

import pytest
from opentelemetry import baggage
from opentelemetry import context as otel_context

import agentops_otel as agentops
from agentops_otel.registry import registry
from tests.instrumentation.conftest import LLM, OPENAI_MODEL, USER


def root_attributes(llm: LLM, session: agentops.Session) -> dict[str, object]:
    span_id = session.span.get_span_context().span_id
    (root,) = [span for span in llm.recorded.spans if span.context.span_id == span_id]
    return dict(root.attributes or {})


def test_a_call_bound_to_an_ended_session_stays_in_its_trace_and_counts_nowhere(llm: LLM) -> None:
    ended = agentops.start_session()
    create = ended.patch(llm.openai.chat.completions.create)
    ended.end_session("Success")
    other = agentops.start_session()
    create(model=OPENAI_MODEL, messages=USER)  # the only running session is another one
    third = agentops.start_session()
    create(model=OPENAI_MODEL, messages=USER)  # two others running: still no MultiSessionException
    with ended:  # a block of an ended session binds the same way
        llm.openai.chat.completions.create(model=OPENAI_MODEL, messages=USER)
    spans = llm.llm_spans()
    assert len(spans) == 3
    for span in spans:
        assert span.context.trace_id == ended.trace_id
        assert (span.attributes or {})["session.id"] == ended.session_id
    other.end_session("Success")
    third.end_session("Success")
    for session in (ended, other, third):
        assert root_attributes(llm, session)["agentops.session.llm_calls"] == 0


def test_a_patched_call_nests_under_the_current_span_of_its_session(llm: LLM) -> None:
    session = agentops.start_session()
    agentops.start_session()  # multi-session mode: only the patch says which

    @agentops.record_tool("lookup")
    def lookup() -> None:
        session.patch(llm.openai.chat.completions.create)(model=OPENAI_MODEL, messages=USER)

    with session, llm.recorded.provider.get_tracer("tests").start_as_current_span("step") as step:
        session.patch(llm.openai.chat.completions.create)(model=OPENAI_MODEL, messages=USER)
        lookup()
    tool = llm.recorded.one("execute_tool lookup")
    first, second = llm.recorded.named(f"chat {OPENAI_MODEL}")
    assert first.parent is not None and first.parent.span_id == step.get_span_context().span_id
    assert second.parent is not None and second.parent.span_id == tool.context.span_id


def test_forged_baggage_neither_picks_nor_counts_in_a_running_session(llm: LLM) -> None:
    victim, bystander = agentops.start_session(), agentops.start_session()
    token = otel_context.attach(baggage.set_baggage("session.id", victim.session_id))
    try:
        with pytest.raises(agentops.MultiSessionException):  # nothing trusted says which session
            llm.openai.chat.completions.create(model=OPENAI_MODEL, messages=USER)
        with bystander:
            llm.openai.chat.completions.create(model=OPENAI_MODEL, messages=USER)
        with llm.recorded.provider.get_tracer("tests").start_as_current_span("request"):
            pass
    finally:
        otel_context.detach(token)
    assert (llm.recorded.one("request").attributes or {})["session.id"] == victim.session_id  # correlation only
    victim.end_session("Success")
    bystander.end_session("Success")
    assert root_attributes(llm, victim)["agentops.session.spans"] == 0
    assert root_attributes(llm, bystander)["agentops.session.llm_calls"] == 1


def test_trusted_incoming_sessions_join_the_running_session(llm: LLM) -> None:
    session, _other = agentops.start_session(), agentops.start_session()
    agentops.configure(trust_incoming_sessions=True)
    token = otel_context.attach(baggage.set_baggage("session.id", session.session_id))
    try:
        llm.openai.chat.completions.create(model=OPENAI_MODEL, messages=USER)
    finally:
        otel_context.detach(token)
    agentops.shutdown()  # which trusts no caller again
    assert not registry.trust_incoming_sessions
    session.end_session("Success")
    assert root_attributes(llm, session)["agentops.session.llm_calls"] == 1
