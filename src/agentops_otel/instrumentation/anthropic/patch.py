"""The hooks of each traced Anthropic Messages method."""

from __future__ import annotations

from typing import Any

import anthropic

from ..streams import Accumulator, responder
from ..wrappers import Hooks, StartOnEnter
from .extractors import message_outcome, messages_request, stream_helper_request
from .stream import AsyncTracedStreamManager, EventAccumulator, TracedStreamManager


def _events(kwargs: dict[str, Any]) -> Accumulator:
    return EventAccumulator()


MESSAGES = Hooks(
    messages_request,
    responder(
        message_outcome,
        _events,
        anthropic.BaseModel,
        (anthropic.Stream, anthropic.AsyncStream),
        (anthropic.APIResponse, anthropic.AsyncAPIResponse),
    ),
)

STREAM = StartOnEnter(stream_helper_request, TracedStreamManager)
"""``Messages.stream(...)``: a context manager; the request is sent on entering it."""
ASYNC_STREAM = StartOnEnter(stream_helper_request, AsyncTracedStreamManager)
"""``AsyncMessages.stream(...)``: a plain method returning an async context manager."""
