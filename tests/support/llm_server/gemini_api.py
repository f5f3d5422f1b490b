"""Gemini's ``generateContent`` and ``streamGenerateContent`` (``?alt=sse``) for the models in :data:`MODELS`.

Gemini names the model in the path and streams by path, where the other providers put ``model``
and ``stream`` in the body: :func:`request_body` adds them (and the prompt's text parts as
``input``, so tokens are counted as for OpenAI: 10 + W in, the pieces out) before the server
reads the request. The google-genai client calls ``/v1beta/...`` or ``/v1/...``. Offered functions are called as
the other providers' tools are (:func:`~.core.next_tool`), one ``functionCall`` part a turn.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from .core import JSON, Call, Endpoint, Provider, Reply, SSEEvent, make_reply, new_id, next_tool

MODELS = ("gemini-2.0-flash",)
_PATH = re.compile(r"/v1(?:beta)?/models/([^/:?]+):(generateContent|streamGenerateContent)")


def error_body(status: int, message: str) -> JSON:
    return {"error": {"code": status, "message": message, "status": "INVALID_ARGUMENT"}}


PROVIDER = Provider(error_body=error_body, request_id_header="x-request-id")


def request_body(path: str, body: object) -> object:
    """A Gemini request's body with ``model``, ``stream`` and ``input`` as the server reads them; others as they are."""
    match = _PATH.match(path)
    if match is None or not isinstance(body, dict):
        return body
    texts = [part.get("text") for content in body.get("contents") or [] for part in content.get("parts") or []]
    return {**body, "model": match[1], "stream": match[2] == "streamGenerateContent", "input": texts}


def _reply(call: Call) -> Reply:
    """The reply to `call`: the first offered function not yet called, else the reply words."""
    declarations = [  # google-genai sends a JSON Schema as `parameters_json_schema`
        {
            "name": declared.get("name"),
            "parameters": declared.get("parameters") or declared.get("parameters_json_schema"),
        }
        for tool in call.body.get("tools") or []
        for declared in tool.get("functionDeclarations") or []
    ]
    return make_reply(call, next_tool({"tools": declarations, "messages": call.body.get("contents")}, "parameters"))


def _response(model: str, parts: list[JSON], reply: Reply, finished: bool) -> JSON:
    candidate: JSON = {"content": {"role": "model", "parts": parts}, "index": 0}
    if finished:
        candidate["finishReason"] = "STOP"
    usage = {
        "promptTokenCount": reply.input_tokens,
        "candidatesTokenCount": reply.output_tokens,
        "totalTokenCount": reply.input_tokens + reply.output_tokens,
    }
    return {"candidates": [candidate], "usageMetadata": usage, "modelVersion": model, "responseId": new_id("")}


def _parts(reply: Reply) -> list[JSON]:
    """The whole reply as parts: one ``functionCall``, or the text."""
    if reply.tool is not None:
        return [{"functionCall": {"name": reply.tool.name, "args": json.loads(reply.text)}}]
    return [{"text": reply.text}]


def _respond(call: Call) -> JSON:
    reply = _reply(call)
    return _response(call.body["model"], _parts(reply), reply, finished=True)


def _stream(call: Call) -> Iterator[SSEEvent]:
    """One response per piece, each with the usage so far as Gemini sends it; the last one finishes.

    A function call comes whole, in one response, as Gemini sends it.
    """
    reply = _reply(call)
    if reply.tool is not None:
        yield None, _response(call.body["model"], _parts(reply), reply, finished=True)
        return
    for index, piece in enumerate(reply.pieces):
        yield None, _response(call.body["model"], [{"text": piece}], reply, finished=index == len(reply.pieces) - 1)


ENDPOINTS = {
    f"/{version}/models/{model}:{method}": Endpoint(PROVIDER, _respond, _stream)
    for version in ("v1", "v1beta")
    for model in MODELS
    for method in ("generateContent", "streamGenerateContent")
}
