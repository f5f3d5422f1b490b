"""Anthropic wire format: the Messages API, shaped as anthropic 2.x parses it."""

from __future__ import annotations

import json
from collections.abc import Iterator

from .core import JSON, Call, Endpoint, Provider, Reply, SSEEvent, dated_model, make_reply, new_id, next_tool

MODEL_SUFFIX = "-20250514"
_ERROR_TYPES = {400: "invalid_request_error", 404: "not_found_error", 429: "rate_limit_error"}


def error_body(status: int, message: str) -> JSON:
    return {"type": "error", "error": {"type": _ERROR_TYPES.get(status, "api_error"), "message": message}}


PROVIDER = Provider(error_body=error_body, request_id_header="request-id")


def message_json(call: Call) -> JSON:
    reply = _reply(call)
    block = _content_block(reply, new_id("toolu_"), complete=True)
    return {**_message(call), "content": [block], **_stop(reply), "usage": _usage(reply)}


def message_events(call: Call) -> Iterator[SSEEvent]:
    """Events as Anthropic streams them; ``message_delta`` carries the cumulative usage."""
    reply = _reply(call)
    start_usage = {**_usage(reply), "output_tokens": 1}
    events: list[JSON] = [
        {"type": "message_start", "message": {**_message(call), "content": [], "usage": start_usage}},
        {"type": "ping"},
        {"type": "content_block_start", "index": 0, "content_block": _content_block(reply, new_id("toolu_"))},
        *({"type": "content_block_delta", "index": 0, "delta": _delta(reply, piece)} for piece in reply.pieces),
        {"type": "content_block_stop", "index": 0},
        {"type": "message_delta", "delta": _stop(reply), "usage": _token_counts(reply)},
        {"type": "message_stop"},
    ]
    yield from ((event["type"], event) for event in events)


def _usage(reply: Reply) -> JSON:
    cache_creation = {"ephemeral_5m_input_tokens": reply.cache_write_tokens, "ephemeral_1h_input_tokens": 0}
    return {**_token_counts(reply), "cache_creation": cache_creation, "service_tier": "standard"}


def _token_counts(reply: Reply) -> JSON:
    """Anthropic counts cache reads and writes apart from ``input_tokens``, which is only the rest."""
    return {
        "input_tokens": reply.input_tokens - reply.cached_tokens - reply.cache_write_tokens,
        "cache_read_input_tokens": reply.cached_tokens,
        "cache_creation_input_tokens": reply.cache_write_tokens,
        "output_tokens": reply.output_tokens,
    }


def _reply(call: Call) -> Reply:
    return make_reply(call, next_tool(call.body, "input_schema"))


def _message(call: Call) -> JSON:
    """The message fields that do not depend on how far the reply has got."""
    return {
        "id": new_id("msg_"),
        "type": "message",
        "role": "assistant",
        "model": dated_model(call.body["model"], MODEL_SUFFIX),
        "stop_reason": None,
        "stop_sequence": None,
    }


def _content_block(reply: Reply, tool_use_id: str, *, complete: bool = False) -> JSON:
    """The reply's one block; a stream opens it empty and fills it with deltas."""
    if reply.tool is None:
        return {"type": "text", "text": reply.text if complete else ""}
    tool_input = json.loads(reply.text) if complete else {}
    return {"type": "tool_use", "id": tool_use_id, "name": reply.tool.name, "input": tool_input}


def _delta(reply: Reply, piece: str) -> JSON:
    if reply.tool is None:
        return {"type": "text_delta", "text": piece}
    return {"type": "input_json_delta", "partial_json": piece}


def _stop(reply: Reply) -> JSON:
    return {"stop_reason": "tool_use" if reply.tool else "end_turn", "stop_sequence": None}


ENDPOINTS = {"/v1/messages": Endpoint(PROVIDER, message_json, message_events)}
