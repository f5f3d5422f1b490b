"""Token counts of one model call, as the GenAI conventions count them, to and from span attributes.

One type for every use: our instrumentors build it from a response, pricing reads it back from
any instrumentation's span, and the metrics record it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as gen_ai
from opentelemetry.util.types import AttributeValue

from .attributes import GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS


class Usage(NamedTuple):
    """Token counts; ``input`` includes cache reads and writes, as the conventions count it."""

    input: int = 0
    output: int = 0
    cache_read: int = 0
    cache_write: int = 0
    reasoning: int = 0

    def add_attributes(self, target: dict[str, AttributeValue], *, with_output: bool) -> None:
        """Add the ``gen_ai.usage.*`` attributes; the cache and reasoning ones only when reported."""
        target[gen_ai.GEN_AI_USAGE_INPUT_TOKENS] = self.input
        if with_output:
            target[gen_ai.GEN_AI_USAGE_OUTPUT_TOKENS] = self.output
        if self.cache_read:
            target[gen_ai.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = self.cache_read
        if self.cache_write:
            target[GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS] = self.cache_write
        if self.reasoning:
            target[gen_ai.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = self.reasoning

    @classmethod
    def from_attributes(cls, span_attributes: Mapping[str, AttributeValue]) -> Usage | None:
        """The usage on any instrumentation's span; None when it reports neither input nor output.

        Some instrumentations pass on Anthropic's uncached input rest instead of the conventions'
        total, which shows when it is smaller than the cached part: that is added back.
        """
        input_tokens = _count(span_attributes.get(gen_ai.GEN_AI_USAGE_INPUT_TOKENS))
        output_tokens = _count(span_attributes.get(gen_ai.GEN_AI_USAGE_OUTPUT_TOKENS))
        if input_tokens is None and output_tokens is None:
            return None
        cache_read = _count(span_attributes.get(gen_ai.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS)) or 0
        cache_write = (
            _count(span_attributes.get(GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS))
            or _count(span_attributes.get(gen_ai.GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS))  # the name before 1.42
            or 0
        )
        cached = cache_read + cache_write
        input_total = input_tokens or 0
        if input_total < cached:
            input_total += cached
        reasoning = _count(span_attributes.get(gen_ai.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS)) or 0
        return cls(input_total, output_tokens or 0, cache_read, cache_write, reasoning)


def _count(value: AttributeValue | None) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
