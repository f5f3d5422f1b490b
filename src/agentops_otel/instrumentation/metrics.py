"""The GenAI client metrics: operation duration and token usage, with the spec's buckets.

The names of today (``gen_ai.client.operation.duration``, ``gen_ai.client.token.usage``) are
always recorded. The inference metrics of semantic-conventions-genai 1.42 are recorded beside
them when ``OTEL_SEMCONV_STABILITY_OPT_IN`` lists ``gen_ai_latest_experimental``, the token
``opentelemetry-util-genai`` reads, so one variable switches both.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from opentelemetry.metrics import Counter, Histogram, Meter
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as gen_ai
from opentelemetry.semconv._incubating.metrics.gen_ai_metrics import (
    GEN_AI_CLIENT_OPERATION_DURATION,
    GEN_AI_CLIENT_TOKEN_USAGE,
)
from opentelemetry.semconv.attributes.error_attributes import ERROR_TYPE, ErrorTypeValues
from opentelemetry.semconv.attributes.server_attributes import SERVER_ADDRESS, SERVER_PORT
from opentelemetry.trace import StatusCode
from opentelemetry.util.types import AttributeValue

from .. import attributes as attrs

if TYPE_CHECKING:
    from .models import Outcome, Request
from ..usage import Usage

# Bucket boundaries the GenAI semantic conventions recommend for these two histograms.
DURATION_BUCKETS = (0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92)
TOKEN_BUCKETS = (
    1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
)  # fmt: skip
_INPUT = gen_ai.GenAiTokenTypeValues.INPUT.value
_OUTPUT = gen_ai.GenAiTokenTypeValues.OUTPUT.value
_EMBEDDINGS = gen_ai.GenAiOperationNameValues.EMBEDDINGS.value
_COPIED = (
    gen_ai.GEN_AI_OPERATION_NAME,
    gen_ai.GEN_AI_PROVIDER_NAME,
    gen_ai.GEN_AI_REQUEST_MODEL,
    SERVER_ADDRESS,
    SERVER_PORT,
)


def latest_experimental(environ: Mapping[str, str]) -> bool:
    """Whether ``OTEL_SEMCONV_STABILITY_OPT_IN`` (a comma list) opts in to the newest GenAI conventions."""
    tokens = environ.get(attrs.SEMCONV_STABILITY_OPT_IN, "").split(",")
    return attrs.GEN_AI_LATEST_EXPERIMENTAL in (token.strip() for token in tokens)


def duration_histogram(meter: Meter, name: str, description: str) -> Histogram:
    """A duration histogram in seconds with the conventions' buckets."""
    return meter.create_histogram(
        name, unit="s", description=description, explicit_bucket_boundaries_advisory=DURATION_BUCKETS
    )


def _token_histogram(meter: Meter, name: str, description: str) -> Histogram:
    return meter.create_histogram(
        name,
        unit="{token}",
        description=description,
        explicit_bucket_boundaries_advisory=[float(bound) for bound in TOKEN_BUCKETS],
    )


class Instruments:
    """One instrumentor's histograms; the inference metrics too when the user opted in to them."""

    def __init__(self, meter: Meter, environ: Mapping[str, str] = os.environ) -> None:
        self._duration = duration_histogram(meter, GEN_AI_CLIENT_OPERATION_DURATION, "GenAI operation duration.")
        self._tokens = _token_histogram(meter, GEN_AI_CLIENT_TOKEN_USAGE, "Number of input and output tokens used.")
        self._inference = _Inference(meter) if latest_experimental(environ) else None

    def record(
        self, request: Request, outcome: Outcome | None, seconds: float, *, error_type: str | None = None
    ) -> None:
        """Record one finished call: its duration, and its token counts if it reported usage."""
        metric_attributes: dict[str, AttributeValue] = {
            key: request.attributes[key] for key in _COPIED if key in request.attributes
        }
        if outcome is not None and outcome.model:
            metric_attributes[gen_ai.GEN_AI_RESPONSE_MODEL] = outcome.model
        if error_type is not None:
            metric_attributes[ERROR_TYPE] = error_type
        self._duration.record(seconds, metric_attributes)
        usage = outcome.usage if outcome is not None else None
        if self._inference is not None and request.operation != _EMBEDDINGS:
            self._inference.record(metric_attributes, outcome, usage, seconds)
        if usage is None:
            return
        self._tokens.record(usage.input, {**metric_attributes, gen_ai.GEN_AI_TOKEN_TYPE: _INPUT})
        if request.operation != _EMBEDDINGS:
            self._tokens.record(usage.output, {**metric_attributes, gen_ai.GEN_AI_TOKEN_TYPE: _OUTPUT})


class _Inference:
    """The inference metrics of semantic-conventions-genai 1.42 (client-inference.md, gen-ai-token-metrics.md)."""

    def __init__(self, meter: Meter) -> None:
        self._duration = duration_histogram(meter, attrs.GEN_AI_CLIENT_INFERENCE_DURATION, "GenAI inference duration.")
        self._first_chunk = duration_histogram(
            meter, attrs.GEN_AI_CLIENT_INFERENCE_TIME_TO_FIRST_CHUNK, "Time to receive the first chunk of a stream."
        )
        self._input = _token_histogram(
            meter, attrs.GEN_AI_CLIENT_INFERENCE_OPERATION_INPUT_TOKENS, "Input tokens of one operation."
        )
        self._output = _token_histogram(
            meter, attrs.GEN_AI_CLIENT_INFERENCE_OPERATION_OUTPUT_TOKENS, "Output tokens of one operation."
        )
        self._usage: tuple[tuple[str, Counter], ...] = tuple(
            (field, meter.create_counter(name, unit="{token}", description=f"Tokens used: {field.replace('_', ' ')}."))
            for field, name in (
                ("input", attrs.GEN_AI_CLIENT_INFERENCE_USAGE_INPUT_TOKENS),
                ("output", attrs.GEN_AI_CLIENT_INFERENCE_USAGE_OUTPUT_TOKENS),
                ("cache_read", attrs.GEN_AI_CLIENT_INFERENCE_USAGE_CACHE_READ_INPUT_TOKENS),
                ("cache_write", attrs.GEN_AI_CLIENT_INFERENCE_USAGE_CACHE_WRITE_INPUT_TOKENS),
                ("reasoning", attrs.GEN_AI_CLIENT_INFERENCE_USAGE_REASONING_OUTPUT_TOKENS),
            )
        )

    def record(
        self, metric_attributes: dict[str, AttributeValue], outcome: Outcome | None, usage: Usage | None, seconds: float
    ) -> None:
        """The conventions count every call, failed ones too: a call without usage adds 0 input and output tokens."""
        self._duration.record(seconds, metric_attributes)
        first_chunk = outcome.attributes.get(gen_ai.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK) if outcome else None
        if isinstance(first_chunk, float):
            self._first_chunk.record(first_chunk, metric_attributes)
        if usage is not None:
            self._input.record(usage.input, metric_attributes)
            self._output.record(usage.output, metric_attributes)
        by_modality = {**metric_attributes, attrs.GEN_AI_TOKEN_MODALITY: attrs.TOKEN_MODALITY_UNKNOWN}
        for field, counter in self._usage:
            count = getattr(usage, field) if usage is not None else 0
            if count or field in ("input", "output"):
                counter.add(count, by_modality)


_AGENT_TOOL_COPIED = (
    gen_ai.GEN_AI_OPERATION_NAME,
    gen_ai.GEN_AI_PROVIDER_NAME,
    gen_ai.GEN_AI_REQUEST_MODEL,
    gen_ai.GEN_AI_AGENT_NAME,
    gen_ai.GEN_AI_TOOL_NAME,
    gen_ai.GEN_AI_TOOL_TYPE,
    ERROR_TYPE,
)


class OperationDurations(SpanProcessor):
    """``gen_ai.invoke_agent.duration`` and ``gen_ai.execute_tool.duration`` from our agent and tool spans.

    A processor, so the spans' own start and end times are the durations and the code that
    makes those spans needs no second clock. Only our scope's spans: a framework that makes
    such spans records its own metrics.
    """

    def __init__(self, meter: Meter) -> None:
        self._histograms = {
            gen_ai.GenAiOperationNameValues.INVOKE_AGENT.value: duration_histogram(
                meter, attrs.GEN_AI_INVOKE_AGENT_DURATION, "Duration of a GenAI agent invocation."
            ),
            attrs.EXECUTE_TOOL: duration_histogram(
                meter, attrs.GEN_AI_EXECUTE_TOOL_DURATION, "Duration of a tool execution."
            ),
        }

    def on_end(self, span: ReadableSpan) -> None:
        """Record the span's duration if it is one of our agent or tool spans."""
        scope = span.instrumentation_scope  # first: the one cheap test that passes over every LLM span
        if scope is None or scope.name != attrs.SCOPE or not span.start_time or not span.end_time:
            return
        span_attributes = span.attributes or {}
        operation = span_attributes.get(gen_ai.GEN_AI_OPERATION_NAME)
        histogram = self._histograms.get(operation) if isinstance(operation, str) else None
        if histogram is None:
            return
        metric_attributes = {key: span_attributes[key] for key in _AGENT_TOOL_COPIED if key in span_attributes}
        if span.status.status_code is StatusCode.ERROR:
            metric_attributes.setdefault(ERROR_TYPE, ErrorTypeValues.OTHER.value)
        histogram.record((span.end_time - span.start_time) / 1e9, metric_attributes)
