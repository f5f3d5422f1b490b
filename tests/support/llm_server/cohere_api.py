"""Cohere's v2 chat API (``POST /v2/chat``, the ``cohere.ClientV2`` client's ``chat``), without streaming.

Cohere counts no cached tokens: ``input_tokens`` is the whole prompt (10 + W, as for OpenAI),
``output_tokens`` the reply's pieces, both billed and counted.
"""

from __future__ import annotations

from .core import JSON, Call, Endpoint, Provider, make_reply, new_id


def error_body(status: int, message: str) -> JSON:
    return {"message": message}


PROVIDER = Provider(error_body=error_body, request_id_header="x-request-id")


def chat_json(call: Call) -> JSON:
    reply = make_reply(call, None)
    tokens = {"input_tokens": reply.input_tokens, "output_tokens": reply.output_tokens}
    return {
        "id": new_id(""),
        "finish_reason": "COMPLETE",
        "message": {"role": "assistant", "content": [{"type": "text", "text": reply.text}]},
        "usage": {"billed_units": tokens, "tokens": tokens},
    }


ENDPOINTS = {"/v2/chat": Endpoint(PROVIDER, chat_json)}
