"""The LLM test server, driven over HTTP by the real openai and anthropic clients, sync and async.

Token numbers follow the formulas in ``tests.support.llm_server``: PROMPT has 5 words, so
P = 10 + 5 = 15, cached = 15 // 2 = 7, cache writes = 15 // 4 = 3, and Anthropic's
uncached input_tokens = 15 - 7 - 3 = 5.
"""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import anthropic
import httpx2
import openai
import pytest

from tests.support.llm_server import CUT_AFTER_EVENTS, REPLY_TEXT, LLMServer, LLMServerProcess

GPT = "gpt-4o-mini"
GPT_DATED = "gpt-4o-mini-2024-07-18"
CLAUDE = "claude-haiku-4-5"
CLAUDE_DATED = "claude-haiku-4-5-20250514"
PROMPT = "Say hello to the tests"
MESSAGES: list[Any] = [{"role": "user", "content": PROMPT}]
WORDS = ["Hello", " from", " the", " test", " server"]
SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}}}
ARGUMENTS = '{"city": "test", "days": 1}'
CHAT_TOOLS: list[Any] = [{"type": "function", "function": {"name": "get_weather", "parameters": SCHEMA}}]
RESPONSES_TOOLS: list[Any] = [{"type": "function", "name": "get_weather", "parameters": SCHEMA, "strict": False}]
CLAUDE_TOOLS: list[Any] = [{"name": "get_weather", "description": "Weather by city", "input_schema": SCHEMA}]
CHAT_USAGE = {
    "prompt_tokens": 15,
    "completion_tokens": 5,
    "total_tokens": 20,
    "prompt_tokens_details": {"cached_tokens": 7, "cache_write_tokens": 3, "audio_tokens": 0},
    "completion_tokens_details": {
        "reasoning_tokens": 0,
        "audio_tokens": 0,
        "accepted_prediction_tokens": 0,
        "rejected_prediction_tokens": 0,
    },
}
RESPONSES_USAGE = {
    "input_tokens": 15,
    "input_tokens_details": {"cached_tokens": 7, "cache_write_tokens": 3},
    "output_tokens": 5,
    "output_tokens_details": {"reasoning_tokens": 0},
    "total_tokens": 20,
}
CLAUDE_COUNTS = {"input_tokens": 5, "cache_read_input_tokens": 7, "cache_creation_input_tokens": 3, "output_tokens": 5}


@pytest.fixture(scope="module")
def server() -> Iterator[LLMServer]:
    with LLMServer() as running:
        yield running


@pytest.fixture(scope="module")
def gpt(server: LLMServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=server.openai_base_url, api_key="test", max_retries=0) as client:
        yield client


@pytest.fixture(scope="module")
def claude(server: LLMServer) -> Iterator[anthropic.Anthropic]:
    with anthropic.Anthropic(base_url=server.base_url, api_key="test", max_retries=0) as client:
        yield client


def _dump(model: Any) -> Any:
    return model.model_dump(exclude_none=True)


def _fetch(url: str, data: bytes | None = None) -> tuple[int, Any]:
    """GET, or POST ``data``, with the standard library, for requests no client would send."""
    try:
        with urllib.request.urlopen(url, data, timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


# Plumbing


def test_health_and_unknown_paths(server: LLMServer) -> None:
    assert _fetch(server.base_url + "/health") == (200, {"status": "ok"})
    status, body = _fetch(server.base_url + "/v1/nope")
    assert (status, body["error"]["type"], body["error"]["code"]) == (404, "invalid_request_error", "unknown_url")
    recorded = [(request.method, request.path, request.body) for request in server.requests[-2:]]
    assert recorded == [("GET", "/health", None), ("GET", "/v1/nope", None)]


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("/v1/chat/completions", b"not json", "The body must be a JSON object with a string 'model'."),
        ("/v1/embeddings", b'{"model": "text-embedding-3-small"}', "Invalid request body: KeyError('input')"),
    ],
)
def test_invalid_bodies_are_400s(server: LLMServer, path: str, data: bytes, message: str) -> None:
    status, body = _fetch(server.base_url + path, data)
    assert (status, body["error"]["type"], body["error"]["message"]) == (400, "invalid_request_error", message)


def test_requests_are_recorded_with_headers_and_body(server: LLMServer, gpt: openai.OpenAI) -> None:
    gpt.chat.completions.create(model=GPT, messages=MESSAGES, extra_headers={"x-trace": "abc"})
    request = server.requests[-1]
    assert (request.method, request.path) == ("POST", "/v1/chat/completions")
    assert request.headers["authorization"] == "Bearer test"
    assert request.headers["x-trace"] == "abc"
    assert request.body == {"model": GPT, "messages": MESSAGES}


def test_parallel_requests_are_all_served(server: LLMServer, gpt: openai.OpenAI) -> None:
    before = len(server.requests)
    with ThreadPoolExecutor(8) as pool:
        texts = list(pool.map(lambda _: gpt.chat.completions.create(model=GPT, messages=MESSAGES), range(32)))
    assert {completion.choices[0].message.content for completion in texts} == {REPLY_TEXT}
    assert len(server.requests) == before + 32


# OpenAI Chat Completions


def test_chat_json(gpt: openai.OpenAI) -> None:
    completion = gpt.chat.completions.with_raw_response.create(model=GPT, messages=MESSAGES)
    parsed = completion.parse()
    assert parsed.id.startswith("chatcmpl-")
    assert (parsed.object, parsed.model) == ("chat.completion", GPT_DATED)
    assert parsed.choices[0].message.content == REPLY_TEXT == "Hello from the test server"
    assert parsed.choices[0].finish_reason == "stop"
    assert parsed.usage is not None and _dump(parsed.usage) == CHAT_USAGE
    assert completion.headers["x-request-id"].startswith("req_")


def test_chat_reasoning_tokens(gpt: openai.OpenAI) -> None:
    completion = gpt.chat.completions.create(model="o4-mini", messages=MESSAGES, reasoning_effort="low")
    assert completion.model == "o4-mini-2024-07-18"
    usage = completion.usage
    assert usage is not None and usage.completion_tokens_details is not None
    assert (usage.completion_tokens, usage.total_tokens) == (13, 28)
    assert usage.completion_tokens_details.reasoning_tokens == 8


def test_chat_stream_without_usage(gpt: openai.OpenAI) -> None:
    chunks = list(gpt.chat.completions.create(model=GPT, messages=MESSAGES, stream=True))
    assert [chunk.choices[0].delta.content for chunk in chunks] == ["", *WORDS, None]
    assert [chunk.choices[0].finish_reason for chunk in chunks] == [None] * 6 + ["stop"]
    assert chunks[0].choices[0].delta.role == "assistant"
    assert {chunk.usage for chunk in chunks} == {None}
    assert len({chunk.id for chunk in chunks}) == 1
    assert {(chunk.object, chunk.model) for chunk in chunks} == {("chat.completion.chunk", GPT_DATED)}


def test_chat_stream_include_usage_ends_with_usage_chunk(gpt: openai.OpenAI) -> None:
    stream = gpt.chat.completions.create(
        model=GPT, messages=MESSAGES, stream=True, stream_options={"include_usage": True}
    )
    *content, last = list(stream)
    assert "".join(chunk.choices[0].delta.content or "" for chunk in content) == REPLY_TEXT
    assert {chunk.usage for chunk in content} == {None}
    assert last.choices == []
    assert last.usage is not None and _dump(last.usage) == CHAT_USAGE


def test_chat_tool_call_json(gpt: openai.OpenAI) -> None:
    completion = gpt.chat.completions.create(model=GPT, messages=MESSAGES, tools=CHAT_TOOLS)
    choice = completion.choices[0]
    assert (choice.finish_reason, choice.message.content) == ("tool_calls", None)
    assert choice.message.tool_calls is not None
    [call] = choice.message.tool_calls
    assert call.type == "function" and call.id.startswith("call_")
    assert (call.function.name, call.function.arguments) == ("get_weather", ARGUMENTS)


def test_chat_tool_call_streams_argument_fragments(gpt: openai.OpenAI) -> None:
    stream = gpt.chat.completions.create(
        model=GPT, messages=MESSAGES, tools=CHAT_TOOLS, stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)
    deltas = [call for chunk in chunks if chunk.choices for call in chunk.choices[0].delta.tool_calls or []]
    first, *rest = deltas
    assert first.id is not None and first.id.startswith("call_")
    assert first.function is not None and (first.function.name, first.function.arguments) == ("get_weather", "")
    assert {(delta.index, delta.id, delta.function and delta.function.name) for delta in rest} == {(0, None, None)}
    fragments = [delta.function.arguments for delta in rest if delta.function]
    assert fragments == ['{"cit', 'y": "', 'test",', ' "day', 's": 1}']
    assert json.loads("".join(fragment or "" for fragment in fragments)) == {"city": "test", "days": 1}
    assert chunks[-2].choices[0].finish_reason == "tool_calls"
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 5


def test_chat_stream_helper_assembles_tool_call(gpt: openai.OpenAI) -> None:
    with gpt.chat.completions.stream(model=GPT, messages=MESSAGES, tools=CHAT_TOOLS) as stream:
        final = stream.get_final_completion()
    assert final.choices[0].message.tool_calls is not None
    assert final.choices[0].message.tool_calls[0].function.arguments == ARGUMENTS


def test_chat_stream_async(server: LLMServer) -> None:
    async def run() -> tuple[str, Any]:
        async with openai.AsyncOpenAI(base_url=server.openai_base_url, api_key="test", max_retries=0) as client:
            stream = await client.chat.completions.create(
                model=GPT, messages=MESSAGES, stream=True, stream_options={"include_usage": True}
            )
            chunks = [chunk async for chunk in stream]
        return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices), chunks[-1].usage

    text, usage = asyncio.run(run())
    assert text == REPLY_TEXT
    assert _dump(usage) == CHAT_USAGE


@pytest.mark.parametrize("chunks", [1, 7, 100, 1000])
def test_x_test_chunks_sets_stream_length(gpt: openai.OpenAI, chunks: int) -> None:
    stream = gpt.chat.completions.create(
        model=GPT,
        messages=MESSAGES,
        stream=True,
        stream_options={"include_usage": True},
        extra_headers={"x-test-chunks": str(chunks)},
    )
    pieces = [chunk.choices[0].delta.content for chunk in stream if chunk.choices and chunk.choices[0].delta.content]
    assert len(pieces) == chunks
    assert "".join(pieces).split() == (["Hello", "from", "the", "test", "server"] * 200)[:chunks]
    assert stream.response.status_code == 200


def test_x_test_chunks_sets_json_reply_and_usage(gpt: openai.OpenAI) -> None:
    completion = gpt.chat.completions.create(model=GPT, messages=MESSAGES, extra_headers={"x-test-chunks": "7"})
    assert completion.choices[0].message.content == "Hello from the test server Hello from"
    assert completion.usage is not None and completion.usage.completion_tokens == 7


# OpenAI Responses


def test_responses_create(gpt: openai.OpenAI) -> None:
    response = gpt.responses.create(model=GPT, input=PROMPT)
    assert response.id.startswith("resp_")
    assert (response.model, response.status, response.output_text) == (GPT_DATED, "completed", REPLY_TEXT)
    assert response.usage is not None and _dump(response.usage) == RESPONSES_USAGE


def test_responses_reasoning_tokens_and_instructions(gpt: openai.OpenAI) -> None:
    response = gpt.responses.create(model=GPT, instructions="Be brief", input=PROMPT, reasoning={"effort": "low"})
    assert response.usage is not None
    assert (response.usage.input_tokens, response.usage.output_tokens) == (17, 13)
    assert response.usage.output_tokens_details.reasoning_tokens == 8


def test_responses_stream_events(gpt: openai.OpenAI) -> None:
    events = list(gpt.responses.create(model=GPT, input=PROMPT, stream=True))
    assert [event.type for event in events] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        *["response.output_text.delta"] * 5,
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert [event.sequence_number for event in events] == list(range(13))
    assert [event.delta for event in events if event.type == "response.output_text.delta"] == WORDS
    completed = events[-1]
    assert completed.type == "response.completed"
    assert completed.response.output_text == REPLY_TEXT
    assert completed.response.usage is not None and _dump(completed.response.usage) == RESPONSES_USAGE


def test_responses_stream_helper_final_response(gpt: openai.OpenAI) -> None:
    with gpt.responses.stream(model=GPT, input=PROMPT) as stream:
        text = "".join(event.delta for event in stream if event.type == "response.output_text.delta")
        final = stream.get_final_response()
    assert text == final.output_text == REPLY_TEXT
    assert final.usage is not None and final.usage.total_tokens == 20


def test_responses_tool_call_json_and_stream(gpt: openai.OpenAI) -> None:
    response = gpt.responses.create(model=GPT, input=PROMPT, tools=RESPONSES_TOOLS)
    [call] = response.output
    assert call.type == "function_call"
    assert (call.name, call.arguments, call.status) == ("get_weather", ARGUMENTS, "completed")
    assert call.call_id.startswith("call_")

    events = list(gpt.responses.create(model=GPT, input=PROMPT, tools=RESPONSES_TOOLS, stream=True))
    deltas = [event.delta for event in events if event.type == "response.function_call_arguments.delta"]
    assert "".join(deltas) == ARGUMENTS and len(deltas) == 5


def test_responses_stream_async(server: LLMServer) -> None:
    async def run() -> Any:
        async with (
            openai.AsyncOpenAI(base_url=server.openai_base_url, api_key="test", max_retries=0) as client,
            client.responses.stream(model=GPT, input=PROMPT) as stream,
        ):
            return await stream.get_final_response()

    assert asyncio.run(run()).output_text == REPLY_TEXT


# OpenAI Embeddings


def test_embeddings(server: LLMServer, gpt: openai.OpenAI) -> None:
    default = gpt.embeddings.create(model="text-embedding-3-small", input=["a b", "c"])
    assert server.requests[-1].body["encoding_format"] == "base64"  # the client asks for base64 unless told
    floats = gpt.embeddings.create(model="text-embedding-3-small", input=["a b", "c"], encoding_format="float")
    assert default.model == floats.model == "text-embedding-3-small"
    assert [d.embedding for d in default.data] == [d.embedding for d in floats.data]
    assert [(d.index, len(d.embedding)) for d in floats.data] == [(0, 8), (1, 8)]
    assert floats.data[0].embedding != floats.data[1].embedding
    assert all(-1 <= value < 1 and (value * 128).is_integer() for value in floats.data[0].embedding)
    assert (floats.usage.prompt_tokens, floats.usage.total_tokens) == (3, 3)

    short = gpt.embeddings.create(model="text-embedding-3-small", input="a b", dimensions=4)
    assert len(short.data[0].embedding) == 4


# Anthropic Messages


def test_messages_create(server: LLMServer, claude: anthropic.Anthropic) -> None:
    message = claude.messages.create(model=CLAUDE, max_tokens=64, messages=MESSAGES)
    assert message.id.startswith("msg_")
    assert (message.model, message.role, message.stop_reason) == (CLAUDE_DATED, "assistant", "end_turn")
    assert [block.type for block in message.content] == ["text"]
    assert message.content[0].type == "text" and message.content[0].text == REPLY_TEXT
    assert _dump(message.usage) == {
        **CLAUDE_COUNTS,
        "cache_creation": {"ephemeral_5m_input_tokens": 3, "ephemeral_1h_input_tokens": 0},
        "service_tier": "standard",
    }
    request = server.requests[-1]
    assert (request.path, request.headers["authorization"]) == ("/v1/messages", "Bearer test")
    assert "anthropic-version" in request.headers


def test_messages_create_with_system_counts_its_words(claude: anthropic.Anthropic) -> None:
    message = claude.messages.create(model=CLAUDE, max_tokens=64, system="You are terse", messages=MESSAGES)
    # P = 10 + 8 = 18: cache reads 9, cache writes 4, uncached 5.
    usage = message.usage
    assert (usage.input_tokens, usage.cache_read_input_tokens, usage.cache_creation_input_tokens) == (5, 9, 4)


def test_messages_stream_true_raw_events(claude: anthropic.Anthropic) -> None:
    events = list(claude.messages.create(model=CLAUDE, max_tokens=64, messages=MESSAGES, stream=True))
    assert [event.type for event in events] == [  # the client drops the ping
        "message_start",
        "content_block_start",
        *["content_block_delta"] * 5,
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    start, delta = events[0], events[-2]
    assert start.type == "message_start" and start.message.model == CLAUDE_DATED
    assert (start.message.usage.input_tokens, start.message.usage.output_tokens) == (5, 1)
    texts = [e.delta.text for e in events if e.type == "content_block_delta" and e.delta.type == "text_delta"]
    assert texts == WORDS
    assert delta.type == "message_delta" and delta.delta.stop_reason == "end_turn"
    assert _dump(delta.usage) == CLAUDE_COUNTS


def test_messages_stream_helper_final_message(claude: anthropic.Anthropic) -> None:
    with claude.messages.stream(model=CLAUDE, max_tokens=64, messages=MESSAGES) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text == REPLY_TEXT
    assert final.content[0].type == "text" and final.content[0].text == REPLY_TEXT
    assert final.stop_reason == "end_turn"
    assert {key: getattr(final.usage, key) for key in CLAUDE_COUNTS} == CLAUDE_COUNTS


def test_messages_tool_use_json_and_stream(claude: anthropic.Anthropic) -> None:
    message = claude.messages.create(model=CLAUDE, max_tokens=64, messages=MESSAGES, tools=CLAUDE_TOOLS)
    [block] = message.content
    assert message.stop_reason == "tool_use"
    assert block.type == "tool_use" and block.id.startswith("toolu_")
    assert (block.name, block.input) == ("get_weather", {"city": "test", "days": 1})

    with claude.messages.stream(model=CLAUDE, max_tokens=64, messages=MESSAGES, tools=CLAUDE_TOOLS) as stream:
        partials = [e.partial_json for e in stream if e.type == "input_json"]
        final = stream.get_final_message()
    assert partials == ['{"cit', 'y": "', 'test",', ' "day', 's": 1}']
    assert final.content[0].type == "tool_use" and final.content[0].input == {"city": "test", "days": 1}
    assert (final.stop_reason, final.usage.output_tokens) == ("tool_use", 5)


def test_messages_stream_async(server: LLMServer) -> None:
    async def run() -> tuple[str, Any]:
        async with (
            anthropic.AsyncAnthropic(base_url=server.base_url, api_key="test", max_retries=0) as client,
            client.messages.stream(model=CLAUDE, max_tokens=64, messages=MESSAGES) as stream,
        ):
            text = "".join([piece async for piece in stream.text_stream])
            return text, await stream.get_final_message()

    text, final = asyncio.run(run())
    assert text == REPLY_TEXT
    assert final.usage.cache_read_input_tokens == 7


# Errors on demand

OPENAI_STATUS_ERRORS = [
    ("400", openai.BadRequestError, "invalid_request_error"),
    ("429", openai.RateLimitError, "requests"),
    ("500", openai.InternalServerError, "server_error"),
]
ANTHROPIC_STATUS_ERRORS = [
    ("400", anthropic.BadRequestError, "invalid_request_error"),
    ("429", anthropic.RateLimitError, "rate_limit_error"),
    ("500", anthropic.InternalServerError, "api_error"),
]
CUT = {"x-test-error": "cut"}
MALFORMED = {"x-test-error": "malformed"}


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(("mode", "expected", "error_type"), OPENAI_STATUS_ERRORS)
def test_openai_status_errors(
    gpt: openai.OpenAI, mode: str, expected: type[openai.APIStatusError], error_type: str, stream: bool
) -> None:
    with pytest.raises(expected) as caught:
        gpt.chat.completions.create(model=GPT, messages=MESSAGES, stream=stream, extra_headers={"x-test-error": mode})
    error = caught.value
    assert (error.status_code, error.type) == (int(mode), error_type)
    assert error.request_id is not None and error.request_id.startswith("req_")
    assert error.response.headers.get("retry-after") == ("0" if mode == "429" else None)


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(("mode", "expected", "error_type"), ANTHROPIC_STATUS_ERRORS)
def test_anthropic_status_errors(
    claude: anthropic.Anthropic, mode: str, expected: type[anthropic.APIStatusError], error_type: str, stream: bool
) -> None:
    headers = {"x-test-error": mode}
    with pytest.raises(expected) as caught:
        claude.messages.create(model=CLAUDE, max_tokens=64, messages=MESSAGES, stream=stream, extra_headers=headers)
    error = caught.value
    assert error.status_code == int(mode)
    assert isinstance(error.body, dict) and error.body["error"]["type"] == error_type
    assert error.request_id is not None and error.request_id.startswith("req_")
    assert error.response.headers.get("retry-after") == ("0" if mode == "429" else None)


def test_malformed_json_body(gpt: openai.OpenAI, claude: anthropic.Anthropic) -> None:
    # Neither client wraps a broken 200 body in an error type of its own.
    with pytest.raises(json.JSONDecodeError):
        gpt.chat.completions.create(model=GPT, messages=MESSAGES, extra_headers=MALFORMED)
    with pytest.raises(json.JSONDecodeError):
        claude.messages.create(model=CLAUDE, max_tokens=64, messages=MESSAGES, extra_headers=MALFORMED)


def test_malformed_stream_event(gpt: openai.OpenAI, claude: anthropic.Anthropic) -> None:
    chunks = gpt.chat.completions.create(model=GPT, messages=MESSAGES, stream=True, extra_headers=MALFORMED)
    with pytest.raises(json.JSONDecodeError):
        list(chunks)
    events = claude.messages.create(
        model=CLAUDE, max_tokens=64, messages=MESSAGES, stream=True, extra_headers=MALFORMED
    )
    with pytest.raises(json.JSONDecodeError):
        list(events)


def test_cut_json_body_is_a_connection_error(gpt: openai.OpenAI, claude: anthropic.Anthropic) -> None:
    with pytest.raises(openai.APIConnectionError):
        gpt.chat.completions.create(model=GPT, messages=MESSAGES, extra_headers=CUT)
    with pytest.raises(anthropic.APIConnectionError):
        claude.messages.create(model=CLAUDE, max_tokens=64, messages=MESSAGES, extra_headers=CUT)


def test_cut_openai_stream(gpt: openai.OpenAI) -> None:
    received: list[str | None] = []
    with pytest.raises(openai.APIConnectionError):
        for chunk in gpt.chat.completions.create(model=GPT, messages=MESSAGES, stream=True, extra_headers=CUT):
            received.append(chunk.choices[0].delta.content)
    assert CUT_AFTER_EVENTS == 2 and received == ["", "Hello"]


def test_cut_anthropic_stream(claude: anthropic.Anthropic) -> None:
    # anthropic 2.14 wraps transport errors of a request, but lets one raised mid-stream escape as httpx2's own.
    received: list[str] = []
    stream = claude.messages.create(model=CLAUDE, max_tokens=64, messages=MESSAGES, stream=True, extra_headers=CUT)
    with pytest.raises(httpx2.RemoteProtocolError):
        received.extend(event.type for event in stream)
    assert received == ["message_start"]  # the second event sent was a ping, which the client drops


def test_cut_streams_async(server: LLMServer) -> None:
    async def run() -> None:
        async with openai.AsyncOpenAI(base_url=server.openai_base_url, api_key="test", max_retries=0) as client:
            with pytest.raises(openai.APIConnectionError):
                async with client.responses.stream(model=GPT, input=PROMPT, extra_headers=CUT) as stream:
                    await stream.get_final_response()
        async with anthropic.AsyncAnthropic(base_url=server.base_url, api_key="test", max_retries=0) as claude:
            manager = claude.messages.stream(model=CLAUDE, max_tokens=64, messages=MESSAGES, extra_headers=CUT)
            with pytest.raises(httpx2.RemoteProtocolError):
                async with manager as events:
                    await events.get_final_message()

    asyncio.run(run())


@pytest.mark.parametrize(
    ("header", "value"), [("x-test-chunks", "0"), ("x-test-chunks", "many"), ("x-test-error", "418")]
)
def test_bad_control_headers_are_400s(gpt: openai.OpenAI, header: str, value: str) -> None:
    with pytest.raises(openai.BadRequestError, match=header):
        gpt.chat.completions.create(model=GPT, messages=MESSAGES, extra_headers={header: value})


# Lifecycle


def test_stop_closes_kept_alive_connections() -> None:
    server = LLMServer().start()
    with openai.OpenAI(base_url=server.openai_base_url, api_key="test", max_retries=0) as client:
        client.chat.completions.create(model=GPT, messages=MESSAGES)
        server.stop()
        with pytest.raises(openai.APIConnectionError):
            client.chat.completions.create(model=GPT, messages=MESSAGES)


def test_subprocess_server_serves_and_exits_cleanly() -> None:
    with LLMServerProcess() as process:
        assert _fetch(process.base_url + "/health") == (200, {"status": "ok"})
        with openai.OpenAI(base_url=process.openai_base_url, api_key="test", max_retries=0) as client:
            assert client.chat.completions.create(model=GPT, messages=MESSAGES).choices[0].message.content == REPLY_TEXT
    assert process.returncode == 0
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(process.base_url + "/health", timeout=2)


def test_subprocess_start_failure_reports_stderr(server: LLMServer) -> None:
    with pytest.raises(RuntimeError, match=r"(?s)did not become ready.*Address already in use"):
        LLMServerProcess(port=server.port).start()
