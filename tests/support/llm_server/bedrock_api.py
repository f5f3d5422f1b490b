"""Amazon Bedrock Runtime's ``converse``, ``converse_stream`` and ``invoke_model`` (Anthropic bodies).

For the models in :data:`MODELS`. boto3's ``bedrock-runtime`` client with ``endpoint_url`` on the
server calls ``POST /model/{modelId}/converse``, ``/converse-stream`` and ``/invoke``, the model id
URL-encoded. :func:`request_body` puts the model in the body, as the server's other providers send
it (and ``stream: true`` for ``converse-stream``). A stream is framed as AWS event-stream messages
(https://docs.aws.amazon.com/AmazonS3/latest/API/RESTSelectObjectAppendix.html: prelude, CRC32s,
string headers), which botocore decodes.
Converse counts no cached tokens: ``inputTokens`` is 10 + W, ``outputTokens`` the pieces.
``invoke`` answers as Anthropic's Messages API does (its model: the id asked).
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from collections.abc import Iterator
from urllib.parse import quote, unquote

from . import anthropic_api
from .core import JSON, Call, Endpoint, Framing, Provider, SSEEvent, make_reply

MODELS = ("anthropic.claude-3-haiku-20240307-v1:0",)
_PATH = re.compile(r"/model/([^/]+)/(converse|converse-stream|invoke)$")


def error_body(status: int, message: str) -> JSON:
    return {"message": message}


PROVIDER = Provider(error_body=error_body, request_id_header="x-amzn-requestid")


def request_body(path: str, body: object) -> object:
    """A Bedrock request's body with ``model``, from the path."""
    match = _PATH.match(path)
    if match is None or not isinstance(body, dict):
        return body
    return {**body, "model": unquote(match[1])} | ({"stream": True} if match[2] == "converse-stream" else {})


def _usage(call: Call) -> JSON:
    reply = make_reply(call, None)
    total = reply.input_tokens + reply.output_tokens
    return {"inputTokens": reply.input_tokens, "outputTokens": reply.output_tokens, "totalTokens": total}


def _converse(call: Call) -> JSON:
    reply = make_reply(call, None)
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": reply.text}]}},
        "stopReason": "end_turn",
        "usage": _usage(call),
        "metrics": {"latencyMs": 1},
    }


def _converse_events(call: Call) -> Iterator[SSEEvent]:
    yield "messageStart", {"role": "assistant"}
    for piece in make_reply(call, None).pieces:
        yield "contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": piece}}
    yield "contentBlockStop", {"contentBlockIndex": 0}
    yield "messageStop", {"stopReason": "end_turn"}
    yield "metadata", {"usage": _usage(call), "metrics": {"latencyMs": 1}}


def _event_message(event_type: str | None, data: JSON | str) -> bytes:
    """One AWS event-stream message: prelude (lengths, CRC32), headers, JSON payload, CRC32."""
    payload = (data if isinstance(data, str) else json.dumps(data)).encode()
    pairs = ((":event-type", event_type or ""), (":content-type", "application/json"), (":message-type", "event"))
    headers = b"".join(_string_header(name, value) for name, value in pairs)
    prelude = struct.pack(">II", 12 + len(headers) + len(payload) + 4, len(headers))
    message = prelude + struct.pack(">I", zlib.crc32(prelude)) + headers + payload
    return message + struct.pack(">I", zlib.crc32(message))


def _string_header(name: str, value: str) -> bytes:
    encoded_name, encoded_value = name.encode(), value.encode()
    return bytes([len(encoded_name)]) + encoded_name + b"\x07" + struct.pack(">H", len(encoded_value)) + encoded_value


EVENT_STREAM = Framing("application/vnd.amazon.eventstream", _event_message)


ENDPOINTS = {
    f"/model/{quote(model, safe='')}/{method}": endpoint
    for model in MODELS
    for method, endpoint in (
        ("converse", Endpoint(PROVIDER, _converse)),
        ("converse-stream", Endpoint(PROVIDER, _converse, _converse_events, EVENT_STREAM)),
        ("invoke", Endpoint(PROVIDER, anthropic_api.message_json)),
    )
}
