"""OpenAI wire formats: Chat Completions, Responses and Embeddings, shaped as openai 3.x parses them."""

from __future__ import annotations

import base64
import hashlib
import struct
from collections.abc import Iterator

from .core import (
    JSON,
    Call,
    Endpoint,
    Provider,
    Reply,
    SSEEvent,
    count_words,
    dated_model,
    make_reply,
    new_id,
    next_tool,
    now,
)

MODEL_SUFFIX = "-2024-07-18"
EMBEDDING_DIMENSIONS = 8
_ERROR_KINDS = {
    400: ("invalid_request_error", None),
    404: ("invalid_request_error", "unknown_url"),
    429: ("requests", "rate_limit_exceeded"),
}


def error_body(status: int, message: str) -> JSON:
    kind, code = _ERROR_KINDS.get(status, ("server_error", None))
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


PROVIDER = Provider(error_body=error_body, request_id_header="x-request-id")


# Chat Completions


def chat_json(call: Call) -> JSON:
    reply = _chat_reply(call)
    message: JSON = {
        "role": "assistant",
        "content": None if reply.tool else reply.text,
        "refusal": None,
        "annotations": [],
    }
    if reply.tool:
        function = _function(reply.tool.name, reply.text)
        message["tool_calls"] = [{"id": new_id("call_"), "type": "function", "function": function}]
    choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": _finish_reason(reply)}
    if call.content_filtered:  # as Azure OpenAI answers a prompt its content filter blocked
        choice.update(message=None, finish_reason="content_filter")
    return {**_chat_base(call, "chat.completion"), "choices": [choice], "usage": _chat_usage(reply)}


def chat_events(call: Call) -> Iterator[SSEEvent]:
    """Chunks as OpenAI sends them: role, N deltas, finish reason, optional usage chunk, ``[DONE]``."""
    reply = _chat_reply(call)
    base = _chat_base(call, "chat.completion.chunk")
    with_usage = (call.body.get("stream_options") or {}).get("include_usage") is True
    if with_usage:
        base["usage"] = None
    for delta in _chat_deltas(reply):
        yield _chunk(base, delta, None)
    yield _chunk(base, {}, _finish_reason(reply))
    if with_usage:
        yield None, {**base, "choices": [], "usage": _chat_usage(reply)}
    yield None, "[DONE]"


def _chat_reply(call: Call) -> Reply:
    return make_reply(call, next_tool(call.body, "parameters", wrapper="function"))


def _chat_base(call: Call, kind: str) -> JSON:
    return {
        "id": new_id("chatcmpl-"),
        "object": kind,
        "created": now(),
        "model": dated_model(call.body["model"], MODEL_SUFFIX),
        "service_tier": "default",
        "system_fingerprint": "fp_test",
    }


def _chat_deltas(reply: Reply) -> Iterator[JSON]:
    """The first delta opens the message (and tool call with id and name); the rest carry fragments."""
    if reply.tool is None:
        yield {"role": "assistant", "content": "", "refusal": None}
        yield from ({"content": piece} for piece in reply.pieces)
        return
    opening = {"index": 0, "id": new_id("call_"), "type": "function"}
    yield {
        "role": "assistant",
        "content": None,
        "tool_calls": [{**opening, "function": _function(reply.tool.name, "")}],
    }
    for piece in reply.pieces:
        yield {"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}


def _function(name: str, arguments: str) -> JSON:
    return {"name": name, "arguments": arguments}


def _chunk(base: JSON, delta: JSON, finish_reason: str | None) -> SSEEvent:
    return None, {**base, "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}]}


def _finish_reason(reply: Reply) -> str:
    return "tool_calls" if reply.tool else "stop"


def _chat_usage(reply: Reply) -> JSON:
    return {
        "prompt_tokens": reply.input_tokens,
        "completion_tokens": reply.output_tokens,
        "total_tokens": reply.input_tokens + reply.output_tokens,
        "prompt_tokens_details": {
            "cached_tokens": reply.cached_tokens,
            "cache_write_tokens": reply.cache_write_tokens,
            "audio_tokens": 0,
        },
        "completion_tokens_details": {
            "reasoning_tokens": reply.reasoning_tokens,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


# Responses


def response_json(call: Call) -> JSON:
    reply = _responses_reply(call)
    return _response(call, reply, new_id("resp_"), _output_item(reply, new_id(_item_prefix(reply)), complete=True))


def response_events(call: Call) -> Iterator[SSEEvent]:
    """Lifecycle events as the Responses API streams them, numbered by ``sequence_number``."""
    reply = _responses_reply(call)
    response_id, item_id = new_id("resp_"), new_id(_item_prefix(reply))
    opened, done = _output_item(reply, item_id, complete=False), _output_item(reply, item_id, complete=True)
    events: list[JSON] = [
        {"type": "response.created", "response": _response(call, reply, response_id, None)},
        {"type": "response.in_progress", "response": _response(call, reply, response_id, None)},
        {"type": "response.output_item.added", "output_index": 0, "item": opened},
        *_item_events(reply, item_id),
        {"type": "response.output_item.done", "output_index": 0, "item": done},
        {"type": "response.completed", "response": _response(call, reply, response_id, done)},
    ]
    yield from ((event["type"], {**event, "sequence_number": number}) for number, event in enumerate(events))


def _responses_reply(call: Call) -> Reply:
    return make_reply(call, next_tool(call.body, "parameters"))


def _item_prefix(reply: Reply) -> str:
    return "fc_" if reply.tool else "msg_"


def _response(call: Call, reply: Reply, response_id: str, output: JSON | None) -> JSON:
    """The response object; ``output`` None means still in progress (no output, no usage yet)."""
    return {
        "id": response_id,
        "object": "response",
        "created_at": now(),
        "status": "in_progress" if output is None else "completed",
        "model": dated_model(call.body["model"], MODEL_SUFFIX),
        "output": [] if output is None else [output],
        "parallel_tool_calls": True,
        "tool_choice": call.body.get("tool_choice", "auto"),
        "tools": call.body.get("tools", []),
        "instructions": call.body.get("instructions"),
        "error": None,
        "incomplete_details": None,
        "usage": None if output is None else _responses_usage(reply),
    }


def _output_item(reply: Reply, item_id: str, *, complete: bool) -> JSON:
    status = "completed" if complete else "in_progress"
    if reply.tool:
        arguments = reply.text if complete else ""
        call_id = "call_" + item_id.removeprefix("fc_")
        fields = {"type": "function_call", "call_id": call_id, **_function(reply.tool.name, arguments)}
        return {"id": item_id, "status": status, **fields}
    content = [_text_part(reply.text)] if complete else []
    return {"id": item_id, "type": "message", "status": status, "role": "assistant", "content": content}


def _text_part(text: str) -> JSON:
    return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}


def _item_events(reply: Reply, item_id: str) -> Iterator[JSON]:
    """The events between an output item's added and done: its deltas, framed as OpenAI frames them."""
    where = {"item_id": item_id, "output_index": 0}
    if reply.tool:
        for piece in reply.pieces:
            yield {"type": "response.function_call_arguments.delta", **where, "delta": piece}
        yield {"type": "response.function_call_arguments.done", **where, **_function(reply.tool.name, reply.text)}
        return
    part = {**where, "content_index": 0}
    yield {"type": "response.content_part.added", **part, "part": _text_part("")}
    for piece in reply.pieces:
        yield {"type": "response.output_text.delta", **part, "delta": piece, "logprobs": []}
    yield {"type": "response.output_text.done", **part, "text": reply.text, "logprobs": []}
    yield {"type": "response.content_part.done", **part, "part": _text_part(reply.text)}


def _responses_usage(reply: Reply) -> JSON:
    return {
        "input_tokens": reply.input_tokens,
        "input_tokens_details": {"cached_tokens": reply.cached_tokens, "cache_write_tokens": reply.cache_write_tokens},
        "output_tokens": reply.output_tokens,
        "output_tokens_details": {"reasoning_tokens": reply.reasoning_tokens},
        "total_tokens": reply.input_tokens + reply.output_tokens,
    }


# Embeddings


def embeddings_json(call: Call) -> JSON:
    """One vector per input; base64 (packed little-endian float32) when asked, as the client asks by default."""
    raw = call.body["input"]
    inputs = [raw] if isinstance(raw, str) or all(isinstance(item, int) for item in raw) else raw
    dimensions = int(call.body.get("dimensions") or EMBEDDING_DIMENSIONS)
    as_base64 = call.body.get("encoding_format") == "base64"
    data = [
        {"object": "embedding", "index": index, "embedding": _encode(_vector(item, dimensions), as_base64)}
        for index, item in enumerate(inputs)
    ]
    tokens = count_words(call.body["input"])
    usage = {"prompt_tokens": tokens, "total_tokens": tokens}
    return {"object": "list", "data": data, "model": call.body["model"], "usage": usage}


def _vector(item: object, dimensions: int) -> list[float]:
    """A vector derived from the input's hash; every value is k/128, exact in float32."""
    digest = hashlib.shake_256(repr(item).encode()).digest(dimensions)
    return [(byte - 128) / 128 for byte in digest]


def _encode(vector: list[float], as_base64: bool) -> list[float] | str:
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode() if as_base64 else vector


ENDPOINTS = {
    "/v1/chat/completions": Endpoint(PROVIDER, chat_json, chat_events),
    "/v1/responses": Endpoint(PROVIDER, response_json, response_events),
    "/v1/embeddings": Endpoint(PROVIDER, embeddings_json),
}
