"""The REST example with FastAPI's OpenTelemetry instrumentation, as ``opentelemetry-instrument`` adds it.

Its server spans start in the context extracted from the request, so a request's ``baggage``
header reaches our span processor as it would in production.
"""

from __future__ import annotations

from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

from examples.rest_api.app import app

FastAPIInstrumentor.instrument_app(app)

__all__ = ["app"]
