"""The ``anthropic`` SDK's own span, turned off for the calls we record.

Since 2.x the SDK starts a ``anthropic.messages.create`` CLIENT span for every call. With our
span around it, one call would give two LLM spans (and the session would count it twice).
While an LLM span is current (ours, or another instrumentation's that ours borrowed), the SDK's
span-starting function returns None, which the SDK documents as "the call goes on without a span".
Its spans for calls we do not record (files, batches, count_tokens...) are untouched.

To keep the SDK's span instead of ours, set ``AGENTOPS_ANTHROPIC_SDK_SPANS=keep`` (or pass
``keep_sdk_spans=True`` to ``AnthropicInstrumentor().instrument``): our instrumentor then only
puts the call in its session's context (so the SDK span is the session's child and carries
``session.id``) and records the metrics; the SDK span carries no ``agentops.llm.cost_usd``.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Callable
from typing import Any

import wrapt  # type: ignore[import-untyped, unused-ignore]
from opentelemetry import trace
from opentelemetry.instrumentation.utils import unwrap

from ..call import is_llm_span

logger = logging.getLogger("agentops_otel")

KEEP_SDK_SPANS_ENV = "AGENTOPS_ANTHROPIC_SDK_SPANS"
_MODULE, _FUNCTION = "anthropic._base_client", "start_api_call_span"


def keep_sdk_spans(requested: bool | None) -> bool:
    """The switch: the instrument() argument if given, else the environment variable."""
    if requested is not None:
        return requested
    return os.environ.get(KEEP_SDK_SPANS_ENV, "").strip().lower() == "keep"


def silence_sdk_spans() -> bool:
    """Turn the SDK's span off inside our calls; False if this SDK version has no such span."""
    try:
        wrapt.wrap_function_wrapper(_MODULE, _FUNCTION, _skip_inside_our_calls)
    except (ImportError, AttributeError):
        logger.debug("This anthropic version starts no span of its own; nothing to turn off.")
        return False
    return True


def restore_sdk_spans() -> None:
    """Undo :func:`silence_sdk_spans`."""
    unwrap(importlib.import_module(_MODULE), _FUNCTION)


def _skip_inside_our_calls(
    wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    if is_llm_span(trace.get_current_span()):
        return None
    return wrapped(*args, **kwargs)
