"""Cohere's v2 chat API (``POST /v2/chat``, the ``cohere.ClientV2`` client's ``chat`` and ``chat_stream``).

Cohere counts no cached tokens: ``input_tokens`` is the whole prompt (10 + W, as for OpenAI),
``output_tokens`` the reply's pieces, both billed and counted.
"""

from __future__ import annotations

from collections.abc import Iterator

from .core import JSON, Call, Endpoint, Provider, SSEEvent, make_reply, new_id


def error_body(status: int, message: str) -> JSON:
    return {"message": message}


PROVIDER = Provider(error_body=error_body, request_id_header="x-request-id")


def _usage(call: Call) -> JSON:
    reply = make_reply(call, None)
    tokens = {"input_tokens": reply.input_tokens, "output_tokens": reply.output_tokens}
    return {"billed_units": tokens, "tokens": tokens}


def chat_json(call: Call) -> JSON:
    return {
        "id": new_id(""),
        "finish_reason": "COMPLETE",
        "message": {"role": "assistant", "content": [{"type": "text", "text": make_reply(call, None).text}]},
        "usage": _usage(call),
    }


def _chat_events(call: Call) -> Iterator[SSEEvent]:
    """Cohere's stream: message-start, one content block of text deltas, message-end with usage."""
    yield "message-start", {"type": "message-start", "id": new_id(""), "delta": {"message": {"role": "assistant"}}}
    yield "content-start", {"type": "content-start", "index": 0,
                            "delta": {"message": {"content": {"type": "text", "text": ""}}}}  # fmt: skip
    for piece in make_reply(call, None).pieces:
        yield "content-delta", {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"text": piece}}}}
    yield "content-end", {"type": "content-end", "index": 0}
    yield "message-end", {"type": "message-end", "delta": {"finish_reason": "COMPLETE", "usage": _usage(call)}}


ENDPOINTS = {"/v2/chat": Endpoint(PROVIDER, chat_json, _chat_events)}
