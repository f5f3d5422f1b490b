"""Calls no session owns: listed by the report so that a user sees what no session's figures count.

An integration's span that started with no session in context while several sessions ran joins
none and is marked ``agentops.session.unattributed`` (``foreign.py``: such a call cannot be
refused before it is sent). An LLM call with no ``session.id`` at all (made before any session
started, or in a thread that lost the session's context) is just as absent from every session's
cost. Both are listed, with the fix: run the call inside the session's context.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as gen_ai
from opentelemetry.util.types import AttributeValue

from .. import attributes as attrs
from ..pricing import span_cost
from .kinds import LLM, span_kind

HINT = (
    "Make these calls inside `with session:` or in a function wrapped by `session.wrap(...)`, "
    "so their session counts them."
)
LISTED = 100
"""Spans kept for the list; past that only the count grows (a run without any session can make thousands)."""


@dataclass(frozen=True)
class UnattributedSpan:
    """One span of the list: what a user needs to find the call in their code and in a backend."""

    name: str
    start_ns: int
    provider: str
    model: str
    input_tokens: int | None
    output_tokens: int | None
    cost_usd: float | None
    is_llm: bool
    trace_id: str
    span_id: str

    @property
    def provider_model(self) -> str:
        """``groq/llama-3.1-8b-instant``, or what is known of it, or ``-``."""
        return "/".join(part for part in (self.provider, self.model) if part) or "-"

    @property
    def tokens(self) -> str:
        """``100/20``; ``-`` for a span that reported no usage."""
        if self.input_tokens is None and self.output_tokens is None:
            return "-"
        return f"{self.input_tokens or 0}/{self.output_tokens or 0}"

    @property
    def cost(self) -> str:
        """Dollars; ``unknown`` for an LLM call without a price (not free); ``-`` for a span that is no call."""
        if self.cost_usd is not None:
            return f"${self.cost_usd:.6f}"
        return "unknown" if self.is_llm else "-"


@dataclass
class Unattributed:
    """The unattributed spans among those outside sessions: all counted, the first :data:`LISTED` kept."""

    count: int = 0
    listed: list[UnattributedSpan] = field(default_factory=list)

    def add(self, span: ReadableSpan) -> None:
        """Take `span`, a span without ``session.id``, if it is marked unattributed or is an LLM call."""
        span_attributes = span.attributes or {}
        is_llm = span_kind(span_attributes).name == LLM
        if not (is_llm or span_attributes.get(attrs.SESSION_UNATTRIBUTED) is True):
            return
        self.count += 1
        if len(self.listed) < LISTED:
            self.listed.append(_entry(span, span_attributes, is_llm))

    def in_start_order(self) -> list[UnattributedSpan]:
        """The kept spans, earliest first."""
        return sorted(self.listed, key=lambda entry: entry.start_ns)


def _entry(span: ReadableSpan, span_attributes: Mapping[str, AttributeValue], is_llm: bool) -> UnattributedSpan:
    cost = span_attributes.get(attrs.LLM_COST_USD)
    if not isinstance(cost, (int, float)) or isinstance(cost, bool):
        cost = span_cost(span_attributes)  # another instrumentation's call, not priced when it ended
    model = span_attributes.get(gen_ai.GEN_AI_RESPONSE_MODEL) or span_attributes.get(gen_ai.GEN_AI_REQUEST_MODEL)
    provider = span_attributes.get(gen_ai.GEN_AI_PROVIDER_NAME) or span_attributes.get(gen_ai.GEN_AI_SYSTEM)
    return UnattributedSpan(
        name=span.name,
        start_ns=span.start_time or 0,
        provider=str(provider or ""),
        model=str(model or ""),
        input_tokens=_count(span_attributes.get(gen_ai.GEN_AI_USAGE_INPUT_TOKENS)),
        output_tokens=_count(span_attributes.get(gen_ai.GEN_AI_USAGE_OUTPUT_TOKENS)),
        cost_usd=cost,
        is_llm=is_llm,
        trace_id=f"{span.context.trace_id:032x}" if span.context else "",
        span_id=f"{span.context.span_id:016x}" if span.context else "",
    )


def _count(value: AttributeValue | None) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
