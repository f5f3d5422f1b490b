"""``OpenAIInstrumentor``: OpenAI chat completions, responses and embeddings as GenAI spans.

Sync and async, streaming or not. Registered under ``opentelemetry_instrumentor`` as
``agentops_openai``; ``agentops.init()`` applies it when ``openai`` is installed.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..base import GenAIInstrumentor, Target
from . import patch

_CHAT = "openai.resources.chat.completions"
_RESPONSES = "openai.resources.responses"
_EMBEDDINGS = "openai.resources.embeddings"


class OpenAIInstrumentor(GenAIInstrumentor):
    """Traces ``chat.completions.create``, ``responses.create`` and ``embeddings.create``."""

    _dependencies = ("openai >= 1.40",)

    def targets(self) -> Iterable[Target]:
        """The six client methods (sync and async) this instrumentor wraps."""
        return (
            (_CHAT, "Completions", "create", patch.chat_create),
            (_CHAT, "AsyncCompletions", "create", patch.async_chat_create),
            (_RESPONSES, "Responses", "create", patch.responses_create),
            (_RESPONSES, "AsyncResponses", "create", patch.async_responses_create),
            (_EMBEDDINGS, "Embeddings", "create", patch.embeddings_create),
            (_EMBEDDINGS, "AsyncEmbeddings", "create", patch.async_embeddings_create),
        )


__all__ = ["OpenAIInstrumentor"]
