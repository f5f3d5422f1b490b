"""Per-session roll-ups, fed by the span processor from the spans themselves.

Counting from ended spans (rather than keeping a second bookkeeping next to them) means the
numbers on the root span, in ``get_analytics()`` and in any backend always agree.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from decimal import Decimal

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.semconv._incubating.attributes.gen_ai_attributes import (
    GEN_AI_OPERATION_NAME,
    GEN_AI_USAGE_INPUT_TOKENS,
    GEN_AI_USAGE_OUTPUT_TOKENS,
)
from opentelemetry.trace import SpanKind, StatusCode
from opentelemetry.util.types import AttributeValue

from . import attributes as attrs
from .attributes import LLM_OPERATIONS
from .pricing import span_cost

WRAPPING_CALLS: set[int] = set()
"""Ids of LLM or tool spans right inside which another span of the same call started (docs/concepts.md,
"each model call counts once").

Both describe one call (LiteLLM's span around the OpenAI client's, a framework's chat-model span
around a client span, OpenInference's tool span around AutoGen's own): the inner one counts as the
call; the outer one counts as a span only. The span processor adds and removes ids.
"""


class SessionStats:
    """Counts and sums over the child spans of one session that ended while it ran."""

    __slots__ = (
        "_closed",
        "_cost_usd",
        "_lock",
        "_unsummed_costs",
        "actions",
        "errors",
        "input_tokens",
        "llm_calls",
        "output_tokens",
        "spans",
        "tool_calls",
        "unpriced_llm_calls",
    )

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._closed = False
        self.spans = 0
        self.llm_calls = 0
        self.unpriced_llm_calls = 0
        self.tool_calls = 0
        self.actions = 0
        self.errors = 0
        self.input_tokens = 0
        self.output_tokens = 0
        self._cost_usd = Decimal(0)  # summed in Decimal: float sums show noise (0.30000000000000004)
        self._unsummed_costs: list[AttributeValue] = []
        """Costs counted but not yet summed: a Decimal sum per call would be the dearest step of a span's end."""

    def add(self, span: ReadableSpan, span_attributes: Mapping[str, AttributeValue]) -> None:
        """Count one ended child span (`span_attributes` are its attributes); ignored once the books are closed."""
        operation = span_attributes.get(GEN_AI_OPERATION_NAME)
        is_llm = operation in LLM_OPERATIONS
        if WRAPPING_CALLS and span.context is not None and span.context.span_id in WRAPPING_CALLS:
            is_llm, operation = False, None  # the outer span of a call counted by its inner span
        with self._lock:
            if self._closed:
                return
            self.spans += 1
            if is_llm:
                self.llm_calls += 1
                self.input_tokens += _int(span_attributes.get(GEN_AI_USAGE_INPUT_TOKENS))
                self.output_tokens += _int(span_attributes.get(GEN_AI_USAGE_OUTPUT_TOKENS))
                cost = span_attributes.get(attrs.LLM_COST_USD)
                if cost is None:  # another instrumentation's span, not through our integrations' provider
                    cost = span_cost(span_attributes)
                if cost is None:
                    self.unpriced_llm_calls += 1
                else:
                    self._unsummed_costs.append(cost)
            elif operation == attrs.EXECUTE_TOOL and span.kind is not SpanKind.SERVER:
                self.tool_calls += 1  # a server's span of a tool call is its caller's call, counted there
            elif span_attributes.get(attrs.EVENT_TYPE) == "action":
                self.actions += 1
            if span.status.status_code is StatusCode.ERROR:
                self.errors += 1

    def close(self) -> dict[str, AttributeValue]:
        """Stop counting and return the roll-up attributes for the root span.

        All of them, zeros included, so that a backend can query ``errors = 0`` (a missing
        attribute matches no query) and a reader never has to know that missing means zero.
        """
        with self._lock:
            self._closed = True
            return {
                attrs.SESSION_SPANS: self.spans,
                attrs.SESSION_LLM_CALLS: self.llm_calls,
                attrs.SESSION_TOOL_CALLS: self.tool_calls,
                attrs.SESSION_ACTIONS: self.actions,
                attrs.SESSION_ERRORS: self.errors,
                attrs.SESSION_INPUT_TOKENS: self.input_tokens,
                attrs.SESSION_OUTPUT_TOKENS: self.output_tokens,
                attrs.SESSION_COST_USD: float(self._summed_cost()),
                attrs.SESSION_UNPRICED_LLM_CALLS: self.unpriced_llm_calls,
            }

    @property
    def cost_usd(self) -> Decimal:
        """The session's LLM cost in USD, as the Decimal that ``end_session`` returns."""
        with self._lock:
            return self._summed_cost()

    def _summed_cost(self) -> Decimal:
        """The cost with the unsummed ones added in (under the lock)."""
        if self._unsummed_costs:
            self._cost_usd += sum(map(_decimal, self._unsummed_costs), Decimal(0))
            self._unsummed_costs.clear()
        return self._cost_usd


def format_cost(usd: float | Decimal, llm_calls: float, unpriced_llm_calls: float) -> str:
    """Dollars with the six decimals ``get_analytics()`` uses, saying so where some calls had no price.

    A call to a model ``genai-prices`` does not know carries no cost; counting it as $0 would show
    it as a free call. So: ``unknown`` when no call had a price, ``$0.000120 + unknown`` when some had none.
    """
    known = f"${usd:.6f}"
    if not unpriced_llm_calls:
        return known
    return "unknown" if unpriced_llm_calls >= llm_calls else f"{known} + unknown"


def _int(value: AttributeValue | None) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _decimal(value: AttributeValue | None) -> Decimal:
    """A cost attribute as the Decimal its digits say (the float's shortest repr), 0 if not a finite number."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return Decimal(repr(value))
    return Decimal(0)
