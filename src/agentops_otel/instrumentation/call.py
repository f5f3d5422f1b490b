"""One LLM call's span, from its start until it ends exactly once, with usage, cost, status and metrics."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, NamedTuple

from opentelemetry import trace
from opentelemetry.context import Context, get_current, set_value
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as gen_ai
from opentelemetry.semconv.attributes.error_attributes import ERROR_TYPE
from opentelemetry.trace import SpanKind, Status, StatusCode

from .. import attributes as attrs
from ..internal_errors import log_internal_error
from ..pricing import cost_usd
from ..session import bound_session
from ..values import exception_message
from .models import Outcome, Request

if TYPE_CHECKING:
    from ..session import Session
    from .duplicates import Markers
    from .metrics import Instruments


class Telemetry(NamedTuple):
    """One instrumentor's tracer, metric instruments and the context markers its calls set."""

    tracer: trace.Tracer
    instruments: Instruments
    markers: Markers
    own_spans: bool = True
    """False: another library's span records the call (see ``anthropic/vendor.py``); we keep the metrics."""


def is_llm_span(span: trace.Span) -> bool:
    """Whether `span` is a live LLM call span (ours, or another instrumentation's we borrow).

    While one is current, a second span for the same call would be a duplicate: ``LLMCall``
    borrows it, and the ``anthropic`` SDK's own span stays off (``anthropic/vendor.py``).
    """
    if not span.is_recording() or getattr(span, "kind", None) is not SpanKind.CLIENT:
        return False
    span_attributes = getattr(span, "attributes", None) or {}
    return span_attributes.get(gen_ai.GEN_AI_OPERATION_NAME) in attrs.LLM_OPERATIONS


class LLMCall:
    """One call's span, from its start until it ends, exactly once, by ``finish`` or ``fail``.

    When another GenAI instrumentation already opened a span for this call (it wrapped the
    client method outside ours), the call *borrows* that span: it adds our attributes (session,
    cost) but leaves ending it, its status and its metrics to its owner, so one call gives one span.
    """

    __slots__ = ("_done", "_request", "_telemetry", "context", "owned", "span", "started")
    span: trace.Span
    context: Context

    def __init__(self, telemetry: Telemetry, request: Request, session: Session | None) -> None:
        self._telemetry = telemetry
        self._request = request
        self._done = False
        self.started = time.perf_counter()
        span_attributes = request.attributes
        current = get_current()
        current_span = trace.get_current_span(current)
        parent = current
        if session is not None:
            # The SessionSpanProcessor stamps session.id; given at the start, it is set with the rest.
            span_attributes[attrs.SESSION_ID] = span_attributes[gen_ai.GEN_AI_CONVERSATION_ID] = session.session_id
            if bound_session(current) is not session:
                parent = session.context(current)
        self.owned = not is_llm_span(current_span)
        if not telemetry.own_spans:
            self.span, self.context = trace.INVALID_SPAN, parent
            return
        if not self.owned:
            self.span = current_span
            if session is not None:
                session.span_started(self.span.get_span_context().span_id)  # counted in its roll-ups
            self.span.set_attributes(span_attributes)
            self.context = current
            return
        self.span = telemetry.tracer.start_span(
            f"{request.operation} {request.model}", context=parent, kind=SpanKind.CLIENT, attributes=span_attributes
        )
        context = trace.set_span_in_context(self.span, parent)
        for key, value in telemetry.markers().items():
            context = set_value(key, value, context)
        self.context = context

    def _claim(self) -> bool:
        """True for the first of ``finish``/``fail``: a stream can be closed, then exhausted, then collected."""
        if self._done:
            return False
        self._done = True
        return True

    def finish(self, outcome: Outcome | None) -> None:
        """End the call as a success, with what the response said."""
        if not self._claim():
            return
        seconds = time.perf_counter() - self.started  # the call's duration, not our bookkeeping after it
        outcome = outcome or Outcome()
        try:
            found = outcome.attributes
            usage = outcome.usage
            if usage is not None:
                request = self._request
                usage.add_attributes(found, with_output=request.operation != attrs.EMBEDDINGS)
                cost = cost_usd(request.provider, outcome.model or request.model, usage, outcome.service_tier)
                if cost is not None:
                    found[attrs.LLM_COST_USD] = cost
            self.span.set_attributes(found)
        except Exception:
            log_internal_error("describing an LLM response")  # the span still ends, with less on it
        if not self.owned:
            return
        try:
            self.span.end()
            self._telemetry.instruments.record(self._request, outcome, seconds)
        except Exception:
            log_internal_error("ending an LLM span")

    def fail(self, error: BaseException) -> None:
        """End the call as failed by `error` (which the caller re-raises unchanged)."""
        if not self._claim():
            return
        if not self.owned:
            return
        error_type = type(error).__qualname__
        try:
            message = exception_message(error)
            self.span.set_attribute(ERROR_TYPE, error_type)
            self.span.set_status(Status(StatusCode.ERROR, message or error_type))
            if message is not None:  # the SDK's record_exception calls the str() that just raised
                self.span.record_exception(error)
        except Exception:
            log_internal_error("describing a failed LLM call")
        finally:
            self.span.end()
        try:
            self._telemetry.instruments.record(
                self._request, None, time.perf_counter() - self.started, error_type=error_type
            )
        except Exception:
            log_internal_error("recording a failed LLM call's metrics")
