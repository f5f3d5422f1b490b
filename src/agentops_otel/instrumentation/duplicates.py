"""One LLM call, one LLM span, even when other GenAI instrumentations see the same call.

Three cases, each handled where it arises:

- Another instrumentation wrapped the client *inside* ours (it was instrumented first): while
  our span runs, its context carries the markers the other libraries check to stand down, so
  their span is not started. The official OpenTelemetry OpenAI instrumentations (through
  ``opentelemetry-util-genai``) treat an inference or embedding record in the context as an
  enclosing call and emit no span of their own; OpenLLMetry checks its
  ``suppress_language_model_instrumentation`` key. Only an instrumentation that wrapped first can
  be inside ours, so the markers are set only if one had when ours was instrumented.
- Another instrumentation wrapped the client *outside* ours: its span is already current when
  our wrapper runs, so :class:`~.call.LLMCall` borrows it instead of starting a second one.
- The ``anthropic`` SDK's own span (``anthropic.messages.create``): see ``anthropic/vendor.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

OPENLLMETRY_SUPPRESS_KEY = "suppress_language_model_instrumentation"

Markers = Callable[[], Mapping[str, object]]
"""The context entries one call sets; a fresh mapping per call where a peer may write to its record."""


def peer_markers() -> Markers:
    """Context entries that make the installed GenAI instrumentations stand down."""
    try:
        from opentelemetry.util.genai.invocation import (  # type: ignore[import-not-found, unused-ignore]
            CLIENT_EMBEDDING_CONTEXT_KEY,
            CLIENT_INFERENCE_CONTEXT_KEY,
            EmbeddingData,
            InferenceData,
        )
    except ImportError:
        return _openllmetry_only

    def with_genai_records() -> Mapping[str, object]:
        return {
            **_OPENLLMETRY,
            CLIENT_INFERENCE_CONTEXT_KEY: InferenceData(),
            CLIENT_EMBEDDING_CONTEXT_KEY: EmbeddingData(),
        }

    return with_genai_records


def no_markers() -> Mapping[str, object]:
    """No peer inside ours: nothing to set."""
    return _NOTHING


_NOTHING: Mapping[str, object] = {}
_OPENLLMETRY: Mapping[str, object] = {OPENLLMETRY_SUPPRESS_KEY: True}


def _openllmetry_only() -> Mapping[str, object]:
    return _OPENLLMETRY
