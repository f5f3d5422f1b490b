"""Ollama's native chat API (``POST /api/chat``, the ``ollama`` client's ``chat``), streaming as JSON lines.

Ollama counts no cached tokens: ``prompt_eval_count`` is the whole prompt (10 + W, as for OpenAI),
``eval_count`` the reply's pieces.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from .core import JSON, Call, Endpoint, Framing, Provider, SSEEvent, make_reply


def error_body(status: int, message: str) -> JSON:
    return {"error": message}


PROVIDER = Provider(error_body=error_body, request_id_header="x-request-id")


def chat_json(call: Call) -> JSON:
    reply = make_reply(call, None)
    return {
        **_chunk(call, reply.text),
        "done": True,
        "done_reason": "stop",
        "total_duration": 1000,
        "load_duration": 10,
        "prompt_eval_count": reply.input_tokens,
        "prompt_eval_duration": 100,
        "eval_count": reply.output_tokens,
        "eval_duration": 800,
    }


def _chunk(call: Call, text: str) -> JSON:
    message = {"role": "assistant", "content": text}
    return {"model": call.body["model"], "created_at": "2024-07-18T00:00:00Z", "message": message, "done": False}


def _chat_lines(call: Call) -> Iterator[SSEEvent]:
    """The reply's pieces, one object each; the last object is the whole answer's totals, with no text."""
    for piece in make_reply(call, None).pieces:
        yield None, _chunk(call, piece)
    yield None, {**chat_json(call), "message": {"role": "assistant", "content": ""}}


def _json_line(_name: str | None, data: JSON | str) -> bytes:
    return ((data if isinstance(data, str) else json.dumps(data)) + "\n").encode()


NDJSON = Framing("application/x-ndjson", _json_line)
ENDPOINTS = {"/api/chat": Endpoint(PROVIDER, chat_json, _chat_lines, NDJSON)}
