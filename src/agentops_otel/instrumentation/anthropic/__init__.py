"""``AnthropicInstrumentor``: Anthropic Messages calls as GenAI spans.

``messages.create`` (sync, async, ``stream=True``) and ``messages.stream(...)`` (sync and
async context managers). Registered under ``opentelemetry_instrumentor`` as
``agentops_anthropic``; ``agentops.init()`` applies it when ``anthropic`` is installed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..base import GenAIInstrumentor
from ..wrappers import Target
from . import vendor
from .patch import ASYNC_STREAM, MESSAGES, STREAM

_MESSAGES = "anthropic.resources.messages"


class AnthropicInstrumentor(GenAIInstrumentor):
    """Traces ``messages.create`` and ``messages.stream``; the SDK's own span is turned off for them.

    ``instrument(keep_sdk_spans=True)`` (or ``AGENTOPS_ANTHROPIC_SDK_SPANS=keep``) keeps the
    SDK's span instead of ours (see ``vendor``).
    """

    _dependencies = ("anthropic >= 0.40",)

    def targets(self) -> Iterable[Target]:
        """The four client methods (sync and async) this instrumentor wraps."""
        return (
            Target(_MESSAGES, "Messages", "create", MESSAGES),
            Target(_MESSAGES, "AsyncMessages", "create", MESSAGES, is_async=True),
            Target(_MESSAGES, "Messages", "stream", STREAM),
            Target(_MESSAGES, "AsyncMessages", "stream", ASYNC_STREAM),
        )

    def _instrument(self, **kwargs: Any) -> None:
        keep = vendor.keep_sdk_spans(kwargs.get("keep_sdk_spans"))
        super()._instrument(**kwargs)
        self._switch.telemetry = self._switch.telemetry._replace(own_spans=not keep)  # type: ignore[union-attr]
        self._silenced = not keep and vendor.silence_sdk_spans()

    def _uninstrument(self, **kwargs: Any) -> None:
        super()._uninstrument(**kwargs)
        if self._silenced:
            vendor.restore_sdk_spans()


__all__ = ["AnthropicInstrumentor"]
