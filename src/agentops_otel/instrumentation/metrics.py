"""The GenAI client metrics: operation duration and token usage, with the spec's buckets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from opentelemetry.metrics import Meter
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as gen_ai
from opentelemetry.semconv._incubating.metrics.gen_ai_metrics import (
    GEN_AI_CLIENT_OPERATION_DURATION,
    GEN_AI_CLIENT_TOKEN_USAGE,
)
from opentelemetry.semconv.attributes.error_attributes import ERROR_TYPE
from opentelemetry.semconv.attributes.server_attributes import SERVER_ADDRESS, SERVER_PORT
from opentelemetry.util.types import AttributeValue

if TYPE_CHECKING:
    from .genai import Outcome, Request

# Bucket boundaries the GenAI semantic conventions recommend for these two histograms.
DURATION_BUCKETS = (0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92)
TOKEN_BUCKETS = (
    1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
)  # fmt: skip
_INPUT = gen_ai.GenAiTokenTypeValues.INPUT.value
_OUTPUT = gen_ai.GenAiTokenTypeValues.OUTPUT.value
_COPIED = (
    gen_ai.GEN_AI_OPERATION_NAME,
    gen_ai.GEN_AI_PROVIDER_NAME,
    gen_ai.GEN_AI_REQUEST_MODEL,
    SERVER_ADDRESS,
    SERVER_PORT,
)


class Instruments:
    """The two histograms of one instrumentor's meter."""

    def __init__(self, meter: Meter) -> None:
        self._duration = meter.create_histogram(
            GEN_AI_CLIENT_OPERATION_DURATION,
            unit="s",
            description="GenAI operation duration.",
            explicit_bucket_boundaries_advisory=DURATION_BUCKETS,
        )
        self._tokens = meter.create_histogram(
            GEN_AI_CLIENT_TOKEN_USAGE,
            unit="{token}",
            description="Number of input and output tokens used.",
            explicit_bucket_boundaries_advisory=[float(bound) for bound in TOKEN_BUCKETS],
        )

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
        if usage is None:
            return
        self._tokens.record(usage.input, {**metric_attributes, gen_ai.GEN_AI_TOKEN_TYPE: _INPUT})
        if request.operation != gen_ai.GenAiOperationNameValues.EMBEDDINGS.value:
            self._tokens.record(usage.output, {**metric_attributes, gen_ai.GEN_AI_TOKEN_TYPE: _OUTPUT})
