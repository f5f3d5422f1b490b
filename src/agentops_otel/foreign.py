"""The tracer provider the integrations record on: their spans follow the session rules at start.

A span's parent is fixed when it starts, so the span processor alone cannot put another
library's span into a session. Integrations get tracers from :class:`SessionTracerProvider`,
which applies the rules table (docs/concepts.md) to the parent context as our own instrumentors
do: the session in context, else the one running session (the span becomes a child of its root),
else none. With two or more sessions running and none in context, the span joins none: a foreign
call cannot be refused before it is sent, so it is marked unattributed, counted in a metric, and
the first one in the process logs a warning naming the fix. Each span also gets its cost
(``agentops.llm.cost_usd``) just before it ends, when it is an LLM call that carries none, and
keeps the ``session.id`` and ``user.id`` the processor stamped at its start: OpenInference writes
its own ``session.id`` (an ADK session, a conversation), which is kept as ``gen_ai.conversation.id``.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from opentelemetry import baggage, metrics, trace
from opentelemetry import context as otel_context
from opentelemetry.context import Context
from opentelemetry.semconv._incubating.attributes.gen_ai_attributes import GEN_AI_CONVERSATION_ID
from opentelemetry.trace import Link, SpanKind
from opentelemetry.util._decorator import _agnosticcontextmanager
from opentelemetry.util.types import Attributes

from . import attributes as attrs
from .exceptions import MultiSessionException
from .ids import format_session_id
from .pricing import span_cost
from .registry import SessionRegistry
from .session import bound_session
from .users import USER_ID

logger = logging.getLogger("agentops_otel")

UNATTRIBUTED_METRIC = "agentops.spans.unattributed"
_STAMPED = (attrs.SESSION_ID, USER_ID)
"""What the processor stamps at start and an instrumentation may overwrite with its own."""


class SessionTracerProvider(trace.TracerProvider):
    """Hands out tracers of `provider` whose spans start under the session the rules give."""

    def __init__(
        self, provider: trace.TracerProvider, registry: SessionRegistry, meter_provider: metrics.MeterProvider | None
    ) -> None:
        self._provider = provider
        self._registry = registry
        meter = metrics.get_meter(attrs.SCOPE, meter_provider=meter_provider)
        self._unattributed = meter.create_counter(
            UNATTRIBUTED_METRIC, unit="{span}", description="Spans of integrations that joined no session"
        )
        self._warned = threading.Event()

    def get_tracer(
        self,
        instrumenting_module_name: str,
        instrumenting_library_version: str | None = None,
        schema_url: str | None = None,
        attributes: Attributes | None = None,
    ) -> trace.Tracer:
        """A tracer of the underlying provider, behind the session rules."""
        tracer = self._provider.get_tracer(
            instrumenting_module_name, instrumenting_library_version, schema_url, attributes
        )
        return _SessionTracer(tracer, self, instrumenting_module_name)

    def parent_for(self, context: Context | None, scope: str) -> tuple[Context | None, bool]:
        """The context a span should start in, and whether it joins no session though some run."""
        registry = self._registry
        if not len(registry) or bound_session(context) is not None:
            return context, False
        if registry.trusted(baggage.get_baggage(attrs.SESSION_ID, context)) is not None:
            return context, False  # the processor counts it in that session, under its remote parent
        # Inside a span of a running session whose binding was lost (``trace.use_span`` sets the
        # span, not the context it started in): that session, under that span.
        current = trace.get_current_span(context)
        trace_id = current.get_span_context().trace_id
        session = registry.get(format_session_id(trace_id)) if trace_id else None
        if session is not None and session.trace_id == trace_id:
            return trace.set_span_in_context(current, session.context(context)), False
        try:
            session = registry.session_for_call(context=context)
        except MultiSessionException:
            self._report_unattributed(scope)
            return context, True
        return (context, False) if session is None else (session.context(context), False)

    def _report_unattributed(self, scope: str) -> None:
        self._unattributed.add(1, {"otel.scope.name": scope})
        if not self._warned.is_set():
            self._warned.set()
            logger.warning(
                "A span from %s started with no session in its context while several sessions run, so it "
                "joins none (its LLM call is counted in no session). Make the call inside `with session:` "
                "or a function wrapped by `session.wrap(...)`. (Logged once; metric %s counts them.)",
                scope,
                UNATTRIBUTED_METRIC,
            )


class _SessionTracer(trace.Tracer):
    """Starts spans in the context :meth:`SessionTracerProvider.parent_for` gives."""

    def __init__(self, tracer: trace.Tracer, provider: SessionTracerProvider, scope: str) -> None:
        self._tracer = tracer
        self._provider = provider
        self._scope = scope

    def start_span(  # noqa: PLR0917 - the API's signature
        self,
        name: str,
        context: Context | None = None,
        kind: SpanKind = SpanKind.INTERNAL,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        start_time: int | None = None,
        record_exception: bool = True,
        set_status_on_exception: bool = True,
    ) -> trace.Span:
        """Start the span under its session; it is priced just before it ends."""
        return self._start(
            name, context, kind, attributes, links, start_time, record_exception, set_status_on_exception
        )[0]

    def _start(  # noqa: PLR0917 - the API's signature
        self,
        name: str,
        context: Context | None,
        kind: SpanKind,
        attributes: Attributes,
        links: Sequence[Link] | None,
        start_time: int | None,
        record_exception: bool,
        set_status_on_exception: bool,
    ) -> tuple[trace.Span, Context | None]:
        """The span, and the context it started in (bound to its session, with the session's baggage)."""
        context, unattributed = self._provider.parent_for(context, self._scope)
        if unattributed:
            attributes = {**(attributes or {}), attrs.SESSION_UNATTRIBUTED: True}
        span = self._tracer.start_span(
            name, context, kind, attributes, links, start_time, record_exception, set_status_on_exception
        )
        if span.is_recording():
            stamped = getattr(span, "attributes", None) or {}
            ours = {key: stamped[key] for key in _STAMPED if key in stamped}
            # An instance attribute: the SDK's span cannot be subclassed from here, and its
            # attributes are read-only by the time any processor hears of the end.
            span.end = functools.partial(_end_in_session, span, span.end, ours)  # type: ignore[method-assign]
        return span, context

    @_agnosticcontextmanager
    def start_as_current_span(  # noqa: PLR0917 - the API's signature
        self,
        name: str,
        context: Context | None = None,
        kind: SpanKind = SpanKind.INTERNAL,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        start_time: int | None = None,
        record_exception: bool = True,
        set_status_on_exception: bool = True,
        end_on_exit: bool = True,
    ) -> Iterator[trace.Span]:
        """Like the SDK's, on :meth:`start_span` above; the session it joined is current with it.

        The SDK's makes only the span current. Here the whole context the span started in is, so
        work under it (an MCP request, an HTTP call) carries the session's baggage onward.
        """
        span, parent = self._start(
            name, context, kind, attributes, links, start_time, record_exception, set_status_on_exception
        )
        token = otel_context.attach(parent) if parent is not None else None
        try:
            with trace.use_span(
                span,
                end_on_exit=end_on_exit,
                record_exception=record_exception,
                set_status_on_exception=set_status_on_exception,
            ) as current:
                yield current
        finally:
            if token is not None:
                otel_context.detach(token)


def _end_in_session(span: trace.Span, end: Any, ours: dict[str, Any], end_time: int | None = None) -> None:
    """Put back the session and user stamped at start, add the call's cost if it has none, then end the span."""
    span_attributes = getattr(span, "attributes", None) or {}
    for key, value in ours.items():
        theirs = span_attributes.get(key)
        if theirs != value:
            if key == attrs.SESSION_ID and theirs is not None and GEN_AI_CONVERSATION_ID not in span_attributes:
                span.set_attribute(GEN_AI_CONVERSATION_ID, theirs)
            span.set_attribute(key, value)
    if span_attributes and attrs.LLM_COST_USD not in span_attributes:
        cost = span_cost(span_attributes)
        if cost is not None:
            span.set_attribute(attrs.LLM_COST_USD, cost)
    end(end_time)
