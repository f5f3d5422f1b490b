"""Anthropic Messages calls through the real client and real HTTP."""

from __future__ import annotations

import asyncio

import anthropic
import httpx2
import pytest
from genai_prices import Usage, calc_price
from opentelemetry.trace import SpanKind

from tests.instrumentation.conftest import ANTHROPIC_MODEL, LLM, USER

# The server answers "Say hello" with 12 prompt tokens: 6 cache reads, 3 cache writes, 3 uncached.
EXPECTED_USAGE = {
    "gen_ai.usage.input_tokens": 12,
    "gen_ai.usage.output_tokens": 5,
    "gen_ai.usage.cache_read.input_tokens": 6,
    "gen_ai.usage.cache_write.input_tokens": 3,
}


def cost() -> float:
    usage = Usage(input_tokens=12, output_tokens=5, cache_read_tokens=6, cache_write_tokens=3)
    return float(calc_price(usage, ANTHROPIC_MODEL, provider_id="anthropic").total_price)


def test_messages_create_span(llm: LLM) -> None:
    message = llm.anthropic.messages.create(model=ANTHROPIC_MODEL, max_tokens=64, messages=USER, stop_sequences=["X"])
    span = llm.one_llm_span()
    assert (span.name, span.kind) == (f"chat {ANTHROPIC_MODEL}", SpanKind.CLIENT)
    assert dict(span.attributes or {}) == {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "anthropic",
        "gen_ai.request.model": ANTHROPIC_MODEL,
        "server.address": "127.0.0.1",
        "server.port": llm.server.port,
        "gen_ai.request.max_tokens": 64,
        "gen_ai.request.stop_sequences": ("X",),
        "gen_ai.response.id": message.id,
        "gen_ai.response.model": ANTHROPIC_MODEL,
        "gen_ai.response.finish_reasons": ("end_turn",),
        **EXPECTED_USAGE,
        "agentops.llm.cost_usd": pytest.approx(cost()),
    }


def test_raw_event_stream(llm: LLM) -> None:
    stream = llm.anthropic.messages.create(model=ANTHROPIC_MODEL, max_tokens=64, messages=USER, stream=True)
    assert isinstance(stream, anthropic.Stream)
    assert stream.response.status_code == 200
    events = [event.type for event in stream]
    assert events[0] == "message_start"
    span_attributes = llm.one_llm_span().attributes or {}
    assert {key: span_attributes[key] for key in EXPECTED_USAGE} == EXPECTED_USAGE
    assert span_attributes["gen_ai.response.finish_reasons"] == ("end_turn",)
    assert span_attributes["gen_ai.request.stream"] is True


def test_the_stream_helper_ends_its_span_when_the_block_is_left(llm: LLM) -> None:
    manager = llm.anthropic.messages.stream(model=ANTHROPIC_MODEL, max_tokens=64, messages=USER)
    assert isinstance(manager, anthropic.MessageStreamManager)
    assert llm.llm_spans() == []
    with manager as stream:
        assert isinstance(stream, anthropic.MessageStream)
        assert "".join(stream.text_stream) == "Hello from the test server"
        assert llm.llm_spans() == []
    span = llm.one_llm_span()
    span_attributes = span.attributes or {}
    assert {key: span_attributes[key] for key in EXPECTED_USAGE} == EXPECTED_USAGE
    assert span_attributes["gen_ai.request.stream"] is True  # as create(stream=True) has them
    assert 0 < span_attributes["gen_ai.response.time_to_first_chunk"] < (span.end_time - span.start_time) / 1e9


def test_leaving_the_stream_helper_early_still_ends_the_span(llm: LLM) -> None:
    with llm.anthropic.messages.stream(model=ANTHROPIC_MODEL, max_tokens=64, messages=USER) as stream:
        next(iter(stream))
    assert llm.one_llm_span().end_time is not None


def test_async_create_stream_and_stream_helper(llm: LLM) -> None:
    async def calls() -> None:
        async with llm.async_anthropic() as client:
            await client.messages.create(model=ANTHROPIC_MODEL, max_tokens=64, messages=USER)
            stream = await client.messages.create(model=ANTHROPIC_MODEL, max_tokens=64, messages=USER, stream=True)
            async for _ in stream:
                pass
            async with client.messages.stream(model=ANTHROPIC_MODEL, max_tokens=64, messages=USER) as helper:
                message = await helper.get_final_message()
                assert message.stop_reason == "end_turn"

    asyncio.run(calls())
    spans = llm.llm_spans()
    assert len(spans) == 3
    for span in spans:
        span_attributes = span.attributes or {}
        assert {key: span_attributes[key] for key in EXPECTED_USAGE} == EXPECTED_USAGE
        assert span_attributes.get("gen_ai.request.stream", False) is (span is not spans[0])
        assert ("gen_ai.response.time_to_first_chunk" in span_attributes) is (span is not spans[0])


def test_an_error_inside_the_stream_helper_fails_the_span(llm: LLM) -> None:
    with (
        pytest.raises(httpx2.RemoteProtocolError),
        llm.anthropic.messages.stream(
            model=ANTHROPIC_MODEL, max_tokens=64, messages=USER, extra_headers={"x-test-error": "cut"}
        ) as stream,
    ):
        stream.until_done()
    span = llm.one_llm_span()
    assert (span.attributes or {})["error.type"] == "RemoteProtocolError"


def test_a_response_reading_bug_never_breaks_the_stream_helper(llm: LLM, monkeypatch: pytest.MonkeyPatch) -> None:
    from agentops_otel.instrumentation.anthropic import stream as helper_module

    def broken(message: object) -> object:
        raise RuntimeError("bug in telemetry")

    monkeypatch.setattr(helper_module, "message_outcome", broken)
    monkeypatch.delenv("PYTEST_CURRENT_TEST")  # the guard logs instead of re-raising, as in production
    with llm.anthropic.messages.stream(model=ANTHROPIC_MODEL, max_tokens=64, messages=USER) as stream:
        assert "".join(stream.text_stream) == "Hello from the test server"
    span = llm.one_llm_span()
    assert span.end_time is not None
    assert "gen_ai.usage.input_tokens" not in (span.attributes or {})  # what could not be read is left out
