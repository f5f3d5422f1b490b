"""``PydanticAIInstrumentor``: PydanticAI's own OpenTelemetry spans, on the provider we hand it.

PydanticAI needs no instrumentation package: it writes GenAI agent, tool and model spans itself
once its instrument-all setting is on. This instrumentor only switches that setting, so the
integrations registry can treat PydanticAI like any other row (on at ``init()``, off at
``shutdown()``, named in ``instruments=[...]``), and its spans start on the session-aware
provider (``foreign.py``) with our content setting.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from opentelemetry.instrumentation.instrumentor import BaseInstrumentor  # type: ignore[attr-defined]

from ..content import capture_content


class PydanticAIInstrumentor(BaseInstrumentor):  # type: ignore[misc]
    """Turns on ``Agent.instrument_all`` with our tracer and meter providers."""

    def instrumentation_dependencies(self) -> Collection[str]:
        """The PydanticAI releases with ``InstrumentationSettings(tracer_provider=...)``."""
        return ("pydantic-ai-slim >= 1.0",)

    def _instrument(self, **kwargs: Any) -> None:
        from pydantic_ai import Agent  # type: ignore[import-not-found, unused-ignore]
        from pydantic_ai.models.instrumented import InstrumentationSettings  # type: ignore[import-not-found, unused-ignore]

        Agent.instrument_all(
            InstrumentationSettings(
                tracer_provider=kwargs.get("tracer_provider"),
                meter_provider=kwargs.get("meter_provider"),
                include_content=capture_content(),
            )
        )

    def _uninstrument(self, **kwargs: Any) -> None:
        from pydantic_ai import Agent  # type: ignore[import-not-found, unused-ignore]

        Agent.instrument_all(False)


__all__ = ["PydanticAIInstrumentor"]
