"""The OpenTelemetry distro and configurator: ``opentelemetry-instrument python app.py``.

``opentelemetry-instrument`` loads the first ``opentelemetry_distro`` and
``opentelemetry_configurator`` entry points it finds; ours are named ``agentops_otel`` (set
``OTEL_PYTHON_DISTRO=agentops_otel OTEL_PYTHON_CONFIGURATOR=agentops_otel`` where other distros are
installed). The configurator lets the SDK build the tracer, meter and logger providers from the
standard environment variables, then adds what ``agentops.init()`` would add: the session
processor and the export pipeline, with the same defaults (the JSON-lines file when no OTLP
endpoint is set). A later ``agentops.init()`` in the application adopts that setup instead of
building a second one.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from opentelemetry.instrumentation.distro import BaseDistro  # type: ignore[attr-defined]
from opentelemetry.sdk._configuration import _OTelSDKConfigurator
from opentelemetry.util._importlib_metadata import EntryPoint

from .client import resource_attributes, start_from_distro
from .config import Config
from .content import ATTRIBUTE_LENGTH_LIMIT_VARIABLES, DEFAULT_ATTRIBUTE_LENGTH_LIMIT
from .ids import SessionIdGenerator
from .integrations import is_integration_module

logger = logging.getLogger("agentops_otel")

# Instrumentations of the clients ours cover; loading both would give two spans per LLM call.
_OTHER_GENAI_INSTRUMENTATIONS = (
    "opentelemetry.instrumentation.openai",
    "opentelemetry.instrumentation.openai_v2",
    "opentelemetry.instrumentation.genai_openai",
    "opentelemetry.instrumentation.anthropic",
    "openinference.instrumentation.openai",
    "openinference.instrumentation.anthropic",
)
KEEP_OTHER_GENAI_ENV = "AGENTOPS_KEEP_OTHER_GENAI_INSTRUMENTATIONS"


class AgentOpsDistro(BaseDistro):  # type: ignore[misc]
    """Loads instrumentors, skipping other GenAI instrumentations of the clients we instrument."""

    def _configure(self, **kwargs: Any) -> None:
        """Default the attribute length limit as ``init()`` does; the rest is read like ``init()``."""
        if not any(os.environ.get(name) for name in ATTRIBUTE_LENGTH_LIMIT_VARIABLES):
            os.environ["OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT"] = str(DEFAULT_ATTRIBUTE_LENGTH_LIMIT)

    def load_instrumentor(self, entry_point: EntryPoint, **kwargs: Any) -> None:
        """Instrument `entry_point` unless it would record our LLM calls a second time.

        The integrations' instrumentations (integrations.py) are left to the client, which turns
        them on with the session rules when their client is imported.
        """
        module = entry_point.value.split(":", 1)[0]
        if is_integration_module(module):
            return
        if module.startswith(_OTHER_GENAI_INSTRUMENTATIONS) and os.environ.get(KEEP_OTHER_GENAI_ENV, "") != "true":
            logger.info(
                "agentops-otel instruments this client itself; not loading %s (set %s=true to keep it).",
                entry_point.value,
                KEEP_OTHER_GENAI_ENV,
            )
            return
        super().load_instrumentor(entry_point, **kwargs)


class AgentOpsConfigurator(_OTelSDKConfigurator):
    """The SDK's configurator, plus agentops-otel's session processor and export pipeline."""

    def _configure(self, **kwargs: Any) -> None:
        kwargs.setdefault("id_generator", SessionIdGenerator())
        ours = resource_attributes(Config.load())
        kwargs["resource_attributes"] = {**ours, **(kwargs.get("resource_attributes") or {})}
        with _traces_exported_by_us():
            super()._configure(**kwargs)  # type: ignore[no-untyped-call]
        start_from_distro()


@contextmanager
def _traces_exported_by_us() -> Iterator[None]:
    """Hide ``OTEL_TRACES_EXPORTER`` from the SDK while it builds providers.

    Our export pipeline reads it (with ``AGENTOPS_EXPORTER`` and the file default), exactly as
    ``init()`` does; if the SDK also acted on it, every span would be exported twice.
    """
    saved = os.environ.get("OTEL_TRACES_EXPORTER")
    os.environ["OTEL_TRACES_EXPORTER"] = "none"
    try:
        yield
    finally:
        if saved is None:
            del os.environ["OTEL_TRACES_EXPORTER"]
        else:
            os.environ["OTEL_TRACES_EXPORTER"] = saved
