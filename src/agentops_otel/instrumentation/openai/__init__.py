"""``OpenAIInstrumentor``: OpenAI chat completions, responses and embeddings as GenAI spans.

Sync and async, streaming or not. Registered under ``opentelemetry_instrumentor`` as
``agentops_openai``; ``agentops.init()`` applies it when ``openai`` is installed.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..base import GenAIInstrumentor
from ..wrappers import Target
from .patch import CHAT, EMBEDDINGS, RESPONSES

_CHAT = "openai.resources.chat.completions"
_RESPONSES = "openai.resources.responses"
_EMBEDDINGS = "openai.resources.embeddings"


class OpenAIInstrumentor(GenAIInstrumentor):
    """Traces ``chat.completions.create``, ``responses.create`` and ``embeddings.create``."""

    _dependencies = ("openai >= 1.40",)

    def targets(self) -> Iterable[Target]:
        """The six client methods (sync and async) this instrumentor wraps."""
        return (
            Target(_CHAT, "Completions", "create", CHAT),
            Target(_CHAT, "AsyncCompletions", "create", CHAT, is_async=True),
            Target(_RESPONSES, "Responses", "create", RESPONSES),
            Target(_RESPONSES, "AsyncResponses", "create", RESPONSES, is_async=True),
            Target(_EMBEDDINGS, "Embeddings", "create", EMBEDDINGS),
            Target(_EMBEDDINGS, "AsyncEmbeddings", "create", EMBEDDINGS, is_async=True),
        )


__all__ = ["OpenAIInstrumentor"]
