"""Which session an LLM call joins (DESIGN §1), and what the session's root span adds up."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from opentelemetry.sdk.trace import ReadableSpan

import agentops_otel as agentops
from tests.instrumentation.conftest import ANTHROPIC_MODEL, LLM, OPENAI_MODEL, USER


def chat(llm: LLM, **kwargs: object) -> None:
    llm.openai.chat.completions.create(model=OPENAI_MODEL, messages=USER, **kwargs)  # type: ignore[call-overload]


def assert_child_of(span: ReadableSpan, session: agentops.Session) -> None:
    root = session.span.get_span_context()
    assert span.parent is not None
    assert (span.context.trace_id, span.parent.span_id) == (root.trace_id, root.span_id)
    assert (span.attributes or {})["session.id"] == session.session_id
    assert (span.attributes or {})["gen_ai.conversation.id"] == session.session_id


def test_without_a_session_the_call_is_a_plain_genai_span(llm: LLM) -> None:
    chat(llm)
    span = llm.one_llm_span()
    assert span.parent is None
    assert "session.id" not in (span.attributes or {})
    assert "gen_ai.conversation.id" not in (span.attributes or {})


def test_the_only_running_session_gets_the_call(llm: LLM) -> None:
    session = agentops.start_session()
    chat(llm)
    assert_child_of(llm.one_llm_span(), session)


def test_the_session_in_context_gets_the_call_even_with_others_running(llm: LLM) -> None:
    first, second = agentops.start_session(), agentops.start_session()
    with second:
        chat(llm)
    assert_child_of(llm.one_llm_span(), second)
    first.end_session("Success")


def test_a_span_open_inside_the_session_stays_the_parent(llm: LLM) -> None:
    session = agentops.start_session()
    with session, llm.recorded.provider.get_tracer("tests").start_as_current_span("agent step"):
        chat(llm)
    step = llm.recorded.one("agent step")
    span = llm.recorded.one(f"chat {OPENAI_MODEL}")
    assert span.parent is not None
    assert span.parent.span_id == step.context.span_id
    assert (span.attributes or {})["session.id"] == session.session_id


def test_session_keyword_and_patch_pick_the_session(llm: LLM) -> None:
    first, second = agentops.start_session(), agentops.start_session()
    chat(llm, session=first)
    second.patch(llm.anthropic.messages.create)(model=ANTHROPIC_MODEL, max_tokens=64, messages=USER)
    openai_span, anthropic_span = llm.llm_spans()
    assert_child_of(openai_span, first)
    assert_child_of(anthropic_span, second)
    assert "session" not in llm.server.requests[-2].body


def test_a_bad_session_keyword_is_rejected_before_sending(llm: LLM) -> None:
    sent = len(llm.server.requests)
    with pytest.raises(agentops.InvalidArgumentError, match="session"):
        chat(llm, session="not a session")
    assert len(llm.server.requests) == sent


def test_an_unattributable_call_in_multi_session_mode_raises_before_any_request(llm: LLM) -> None:
    agentops.start_session()
    agentops.start_session()
    sent = len(llm.server.requests)
    with pytest.raises(agentops.MultiSessionException):
        chat(llm)
    with pytest.raises(agentops.MultiSessionException):
        llm.anthropic.messages.create(model=ANTHROPIC_MODEL, max_tokens=64, messages=USER, stream=True)
    with pytest.raises(agentops.MultiSessionException):
        llm.anthropic.messages.stream(model=ANTHROPIC_MODEL, max_tokens=64, messages=USER)

    async def async_call() -> None:
        async with llm.async_openai() as client:
            await client.embeddings.create(model="text-embedding-3-small", input="x")

    with pytest.raises(agentops.MultiSessionException):
        asyncio.run(async_call())
    assert len(llm.server.requests) == sent
    assert llm.llm_spans() == []


def test_the_root_span_adds_up_the_calls_and_end_session_returns_the_cost(llm: LLM) -> None:
    session = agentops.start_session()
    chat(llm)
    for _ in llm.openai.chat.completions.create(model=OPENAI_MODEL, messages=USER, stream=True):
        pass
    llm.anthropic.messages.create(model=ANTHROPIC_MODEL, max_tokens=64, messages=USER)
    calls = llm.llm_spans()
    costs = [(span.attributes or {})["agentops.llm.cost_usd"] for span in calls]
    assert session.get_analytics()["LLM calls"] == 3

    cost = session.end_session("Success")

    assert isinstance(cost, Decimal)
    assert float(cost) == pytest.approx(sum(costs))  # type: ignore[arg-type]
    root = dict(llm.recorded.one("session").attributes or {})
    assert root["agentops.session.llm_calls"] == 3
    assert root["agentops.session.input_tokens"] == 12 + 12 + 12
    assert root["agentops.session.output_tokens"] == 15
    assert root["agentops.session.cost_usd"] == pytest.approx(sum(costs))  # type: ignore[arg-type]
    assert not any(key.startswith("gen_ai.usage") for key in root)
    assert session.get_analytics()["Cost"] == f"{float(cost):.6f}"
