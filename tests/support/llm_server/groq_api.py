"""Groq's OpenAI-compatible API under the path the ``groq`` client calls.

Groq answers with the model name as asked (no snapshot date), and ends a stream with its usage
in the finish chunk's ``x_groq`` field, whether or not the request asked for usage.
"""

from __future__ import annotations

from collections.abc import Iterator

from . import openai_api
from .core import JSON, Call, Endpoint, SSEEvent


def chat_json(call: Call) -> JSON:
    """OpenAI's chat completion, with the model name as asked (Mistral answers so too)."""
    return {**openai_api.chat_json(call), "model": call.body["model"]}


def _chat_events(call: Call) -> Iterator[SSEEvent]:
    usage = openai_api.chat_json(call)["usage"]
    for name, data in openai_api.chat_events(call):
        if not isinstance(data, dict):  # [DONE]
            yield name, data
            continue
        chunk = {**data, "model": call.body["model"]}
        if any(choice.get("finish_reason") for choice in chunk["choices"]):
            chunk["x_groq"] = {"id": chunk["id"], "usage": usage}
        yield name, chunk


ENDPOINTS = {"/openai/v1/chat/completions": Endpoint(openai_api.PROVIDER, chat_json, _chat_events)}
