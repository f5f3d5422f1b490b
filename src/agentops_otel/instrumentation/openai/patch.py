"""The hooks of each traced OpenAI method: how to read its request and handle its result."""

from __future__ import annotations

from typing import Any

import openai

from ..models import Request
from ..streams import Accumulator, responder
from ..wrappers import Hooks
from .extractors import (
    chat_outcome,
    chat_request,
    embeddings_outcome,
    embeddings_request,
    response_outcome,
    responses_request,
)
from .stream import ChatAccumulator, ResponsesAccumulator

_STREAMS = (openai.Stream, openai.AsyncStream)
_UNREAD = (openai.APIResponse, openai.AsyncAPIResponse)

# Identity marks the options we added (not the caller): the usage-only chunk they bring is hidden.
_INCLUDE_USAGE: dict[str, bool] = {"include_usage": True}


def _chat_request(instance: Any, kwargs: dict[str, Any]) -> Request:
    """Chat request attributes; a stream without ``stream_options`` is asked to report usage."""
    if kwargs.get("stream") is True and not kwargs.get("stream_options"):
        kwargs["stream_options"] = _INCLUDE_USAGE
    return chat_request(instance, kwargs)


def _chat_accumulator(kwargs: dict[str, Any]) -> Accumulator:
    return ChatAccumulator(hide_usage_chunk=kwargs.get("stream_options") is _INCLUDE_USAGE)


def _responses_accumulator(kwargs: dict[str, Any]) -> Accumulator:
    return ResponsesAccumulator()


def _no_stream(kwargs: dict[str, Any]) -> Accumulator:
    raise TypeError("embeddings do not stream")


CHAT = Hooks(_chat_request, responder(chat_outcome, _chat_accumulator, openai.BaseModel, _STREAMS, _UNREAD))
RESPONSES = Hooks(
    responses_request, responder(response_outcome, _responses_accumulator, openai.BaseModel, _STREAMS, _UNREAD)
)
EMBEDDINGS = Hooks(embeddings_request, responder(embeddings_outcome, _no_stream, openai.BaseModel, _STREAMS, _UNREAD))
