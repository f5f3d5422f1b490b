"""Wrapper factories for the Anthropic Messages methods, each returning ``traced_method(...)``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anthropic

from ..streams import Accumulator, responder
from ..wrappers import Hooks, Switch, Wrapper, begin, resolve, traced, traced_async
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


def messages_create(switch: Switch) -> Wrapper:
    """``Messages.create``, streaming or not."""
    return traced(switch, MESSAGES)


def async_messages_create(switch: Switch) -> Wrapper:
    """``AsyncMessages.create``, streaming or not."""
    return traced_async(switch, MESSAGES)


def _stream_manager(manager_proxy: Callable[[Any, Any], Any]) -> Callable[[Switch], Wrapper]:
    def factory(switch: Switch) -> Wrapper:
        def traced_method(
            wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
        ) -> Any:
            # The session is decided now, in the caller's context; the span starts when the
            # request is sent, on entering the manager.
            resolved = resolve(switch, kwargs)
            manager = wrapped(*args, **kwargs)
            if resolved is None:
                return manager
            return manager_proxy(manager, lambda: begin(resolved, stream_helper_request, instance, kwargs))

        return traced_method

    return factory


messages_stream = _stream_manager(TracedStreamManager)
"""``Messages.stream(...)``: a context manager."""
async_messages_stream = _stream_manager(AsyncTracedStreamManager)
"""``AsyncMessages.stream(...)``: an async context manager."""
