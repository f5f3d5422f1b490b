"""Amazon Bedrock Runtime's ``converse`` and ``invoke_model`` (Anthropic bodies) for the models in :data:`MODELS`.

boto3's ``bedrock-runtime`` client with ``endpoint_url`` on the server calls
``POST /model/{modelId}/converse`` and ``/model/{modelId}/invoke``, the model id URL-encoded.
:func:`request_body` puts the model in the body, as the server's other providers send it.
Converse counts no cached tokens: ``inputTokens`` is 10 + W, ``outputTokens`` the pieces.
``invoke`` answers as Anthropic's Messages API does (its model: the id asked).
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

from . import anthropic_api
from .core import JSON, Call, Endpoint, Provider, make_reply

MODELS = ("anthropic.claude-3-haiku-20240307-v1:0",)
_PATH = re.compile(r"/model/([^/]+)/(converse|invoke)$")


def error_body(status: int, message: str) -> JSON:
    return {"message": message}


PROVIDER = Provider(error_body=error_body, request_id_header="x-amzn-requestid")


def request_body(path: str, body: object) -> object:
    """A Bedrock request's body with ``model``, from the path."""
    match = _PATH.match(path)
    return {**body, "model": unquote(match[1])} if match is not None and isinstance(body, dict) else body


def _converse(call: Call) -> JSON:
    reply = make_reply(call, None)
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": reply.text}]}},
        "stopReason": "end_turn",
        "usage": {
            "inputTokens": reply.input_tokens,
            "outputTokens": reply.output_tokens,
            "totalTokens": reply.input_tokens + reply.output_tokens,
        },
        "metrics": {"latencyMs": 1},
    }


ENDPOINTS = {
    f"/model/{quote(model, safe='')}/{method}": endpoint
    for model in MODELS
    for method, endpoint in (
        ("converse", Endpoint(PROVIDER, _converse)),
        ("invoke", Endpoint(PROVIDER, anthropic_api.message_json)),
    )
}
