"""Ollama's native chat API (``POST /api/chat``, the ``ollama`` client's ``chat``), without streaming.

Ollama counts no cached tokens: ``prompt_eval_count`` is the whole prompt (10 + W, as for OpenAI),
``eval_count`` the reply's pieces.
"""

from __future__ import annotations

from .core import JSON, Call, Endpoint, Provider, make_reply


def error_body(status: int, message: str) -> JSON:
    return {"error": message}


PROVIDER = Provider(error_body=error_body, request_id_header="x-request-id")


def chat_json(call: Call) -> JSON:
    reply = make_reply(call, None)
    return {
        "model": call.body["model"],
        "created_at": "2024-07-18T00:00:00Z",
        "message": {"role": "assistant", "content": reply.text},
        "done": True,
        "done_reason": "stop",
        "total_duration": 1000,
        "load_duration": 10,
        "prompt_eval_count": reply.input_tokens,
        "prompt_eval_duration": 100,
        "eval_count": reply.output_tokens,
        "eval_duration": 800,
    }


ENDPOINTS = {"/api/chat": Endpoint(PROVIDER, chat_json)}
