"""OpenAI calls through the real client and real HTTP: one CLIENT span each, with GenAI attributes."""

from __future__ import annotations

import asyncio
from typing import Any

import openai
import pytest
from genai_prices import Usage, calc_price
from opentelemetry.trace import SpanKind, StatusCode

import agentops_otel as agentops
from tests.instrumentation.conftest import LLM, OPENAI_MODEL, USER

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}}},
        },
    }
]


def expected_cost(input_tokens: int, output_tokens: int, cache_read: int, cache_write: int) -> float:
    usage = Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cache_read_tokens=cache_read,
        cache_write_tokens=cache_write,
    )
    return float(calc_price(usage, OPENAI_MODEL + "-2024-07-18", provider_id="openai").total_price)


def test_chat_completion_span_has_the_genai_attributes(llm: LLM) -> None:
    completion = llm.openai.chat.completions.create(
        model=OPENAI_MODEL, messages=USER, temperature=0.5, top_p=0.9, max_tokens=50, seed=7, stop=["END"], n=1
    )
    span = llm.one_llm_span()
    assert span.name == f"chat {OPENAI_MODEL}"
    assert span.kind is SpanKind.CLIENT
    assert span.status.status_code is StatusCode.UNSET
    assert dict(span.attributes or {}) == {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": OPENAI_MODEL,
        "server.address": "127.0.0.1",
        "server.port": llm.server.port,
        "openai.api.type": "chat_completions",
        "gen_ai.request.temperature": 0.5,
        "gen_ai.request.top_p": 0.9,
        "gen_ai.request.max_tokens": 50,
        "gen_ai.request.seed": 7,
        "gen_ai.request.stop_sequences": ("END",),
        "gen_ai.response.id": completion.id,
        "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
        "gen_ai.response.finish_reasons": ("stop",),
        "openai.response.service_tier": "default",
        "openai.response.system_fingerprint": "fp_test",
        "gen_ai.usage.input_tokens": 12,
        "gen_ai.usage.output_tokens": 5,
        "gen_ai.usage.cache_read.input_tokens": 6,
        "gen_ai.usage.cache_write.input_tokens": 3,
        "agentops.llm.cost_usd": pytest.approx(expected_cost(12, 5, 6, 3)),
    }


def test_reasoning_tokens_are_reported(llm: LLM) -> None:
    llm.openai.chat.completions.create(model=OPENAI_MODEL, messages=USER, reasoning_effort="low")
    span_attributes = llm.one_llm_span().attributes or {}
    assert span_attributes["gen_ai.usage.reasoning.output_tokens"] == 8
    assert span_attributes["gen_ai.usage.output_tokens"] == 13


def test_the_api_type_and_the_output_type_asked_for(llm: LLM) -> None:
    """``openai.api.type`` tells the two chat APIs apart; ``gen_ai.output.type`` comes from each one's format."""
    llm.openai.chat.completions.create(model=OPENAI_MODEL, messages=USER, response_format={"type": "json_object"})
    llm.openai.responses.create(model=OPENAI_MODEL, input="Hi", text={"format": {"type": "text"}})
    chat, responses = (span.attributes or {} for span in llm.llm_spans())
    assert (chat["openai.api.type"], chat["gen_ai.output.type"]) == ("chat_completions", "json")
    assert (responses["openai.api.type"], responses["gen_ai.output.type"]) == ("responses", "text")


def test_a_stream_reports_usage_and_hides_the_usage_chunk_it_asked_for(llm: LLM) -> None:
    stream = llm.openai.chat.completions.create(model=OPENAI_MODEL, messages=USER, stream=True)
    assert isinstance(stream, openai.Stream)
    text = "".join(chunk.choices[0].delta.content or "" for chunk in stream)  # choices[0] on every chunk
    assert text == "Hello from the test server"
    assert llm.server.requests[-1].body["stream_options"] == {"include_usage": True}
    span_attributes = llm.one_llm_span().attributes or {}
    assert span_attributes["gen_ai.request.stream"] is True
    assert span_attributes["gen_ai.usage.input_tokens"] == 12
    assert span_attributes["gen_ai.usage.output_tokens"] == 5
    assert span_attributes["gen_ai.response.finish_reasons"] == ("stop",)
    assert span_attributes["gen_ai.response.time_to_first_chunk"] > 0
    assert span_attributes["openai.response.service_tier"] == "default"  # as a call without a stream
    assert span_attributes["openai.response.system_fingerprint"] == "fp_test"


def test_a_caller_who_asked_for_usage_still_gets_the_usage_chunk(llm: LLM) -> None:
    options = {"include_usage": True}
    chunks = list(
        llm.openai.chat.completions.create(model=OPENAI_MODEL, messages=USER, stream=True, stream_options=options)
    )
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert (llm.one_llm_span().attributes or {})["gen_ai.usage.output_tokens"] == 5


def test_a_caller_who_set_other_stream_options_is_left_alone(llm: LLM) -> None:
    options = {"include_usage": False}
    list(llm.openai.chat.completions.create(model=OPENAI_MODEL, messages=USER, stream=True, stream_options=options))
    assert llm.server.requests[-1].body["stream_options"] == options
    assert "gen_ai.usage.input_tokens" not in (llm.one_llm_span().attributes or {})


def test_async_chat_and_async_stream(llm: LLM) -> None:
    async def calls() -> None:
        async with llm.async_openai() as client:
            await client.chat.completions.create(model=OPENAI_MODEL, messages=USER)
            stream = await client.chat.completions.create(model=OPENAI_MODEL, messages=USER, stream=True)
            assert isinstance(stream, openai.AsyncStream)
            async for chunk in stream:
                assert chunk.choices

    asyncio.run(calls())
    spans = llm.llm_spans()
    assert [span.name for span in spans] == [f"chat {OPENAI_MODEL}"] * 2
    assert all((span.attributes or {})["gen_ai.usage.output_tokens"] == 5 for span in spans)


def test_streamed_tool_call_deltas_are_assembled(llm: LLM) -> None:

    agentops.configure(capture_content=True)
    try:
        stream = llm.openai.chat.completions.create(model=OPENAI_MODEL, messages=USER, tools=TOOLS, stream=True)
        for _ in stream:
            pass
    finally:
        agentops.configure(capture_content=False)
    span_attributes = llm.one_llm_span().attributes or {}
    assert span_attributes["gen_ai.response.finish_reasons"] == ("tool_calls",)
    output = span_attributes["gen_ai.output.messages"]
    assert '"name":"get_weather"' in str(output)
    assert '"arguments":{"city":"test","days":1}' in str(output)  # an object, as in a call without a stream


def test_the_chat_stream_helper_is_traced_through_create(llm: LLM) -> None:
    with llm.openai.chat.completions.stream(model=OPENAI_MODEL, messages=USER) as stream:
        final = stream.get_final_completion()
    assert final.choices[0].message.content == "Hello from the test server"
    assert (llm.one_llm_span().attributes or {})["gen_ai.usage.output_tokens"] == 5


def responses_usage(span_attributes: Any) -> tuple[int, int, int, int]:
    return (
        span_attributes["gen_ai.usage.input_tokens"],
        span_attributes["gen_ai.usage.output_tokens"],
        span_attributes["gen_ai.usage.cache_read.input_tokens"],
        span_attributes["gen_ai.usage.cache_write.input_tokens"],
    )


def test_responses_sync_async_and_stream(llm: LLM) -> None:
    response = llm.openai.responses.create(model=OPENAI_MODEL, input="Say hello", max_output_tokens=40)
    for _ in llm.openai.responses.create(model=OPENAI_MODEL, input="Say hello", stream=True):
        pass

    async def call() -> None:
        async with llm.async_openai() as client:
            await client.responses.create(model=OPENAI_MODEL, input="Say hello")

    asyncio.run(call())
    spans = llm.llm_spans()
    assert [span.name for span in spans] == [f"chat {OPENAI_MODEL}"] * 3
    first = spans[0].attributes or {}
    assert first["gen_ai.response.id"] == response.id
    assert first["gen_ai.request.max_tokens"] == 40
    assert all(responses_usage(span.attributes) == (12, 5, 6, 3) for span in spans)
    assert (spans[1].attributes or {})["gen_ai.request.stream"] is True


def test_embeddings(llm: LLM) -> None:
    llm.openai.embeddings.create(model="text-embedding-3-small", input="hello embedding world", dimensions=4)
    span = llm.one_llm_span()
    assert span.name == "embeddings text-embedding-3-small"
    span_attributes = span.attributes or {}
    assert span_attributes["gen_ai.operation.name"] == "embeddings"
    assert span_attributes["gen_ai.usage.input_tokens"] == 3
    assert "gen_ai.usage.output_tokens" not in span_attributes
    assert span_attributes["gen_ai.embeddings.dimension.count"] == 4
    assert span_attributes["agentops.llm.cost_usd"] > 0


def test_with_raw_response_keeps_the_client_surface(llm: LLM) -> None:
    raw = llm.openai.chat.completions.with_raw_response.create(model=OPENAI_MODEL, messages=USER)
    assert raw.headers["x-request-id"].startswith("req_")
    assert (llm.one_llm_span().attributes or {})["gen_ai.response.id"] == raw.parse().id

    raw_stream = llm.openai.chat.completions.with_raw_response.create(model=OPENAI_MODEL, messages=USER, stream=True)
    stream = raw_stream.parse()
    assert stream is raw_stream.parse()
    assert isinstance(stream, openai.Stream)
    assert len(list(stream)) == 7
    assert (llm.llm_spans()[-1].attributes or {})["gen_ai.usage.output_tokens"] == 5
