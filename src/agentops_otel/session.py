"""A session: one run of an agent, recorded as the root span of its own trace.

The session's id travels as W3C baggage (``session.id``) in the session's context, so every span
started in that context (other threads via :meth:`Session.wrap`, asyncio tasks, other services
through the ``baggage`` header) joins the session.
"""

from __future__ import annotations

import functools
import inspect
import logging
import threading
import time
import weakref
from collections.abc import Awaitable, Callable, Iterable
from contextvars import ContextVar, Token
from decimal import Decimal
from enum import Enum
from types import TracebackType
from typing import TYPE_CHECKING, ParamSpec, TypeVar, cast

from opentelemetry import baggage, trace
from opentelemetry import context as otel_context
from opentelemetry.context import Context
from opentelemetry.sdk.trace import Span as SdkSpan
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from opentelemetry.util.types import AttributeValue

from . import attributes as attrs
from .events import Event, record_event
from .exceptions import InvalidArgumentError
from .ids import TraceIdRequest, format_session_id, new_session_id, parse_session_id
from .internal_errors import handle_internal_errors
from .stats import SessionStats
from .values import safe_text

if TYPE_CHECKING:
    from .registry import SessionRegistry

P = ParamSpec("P")
R = TypeVar("R")

logger = logging.getLogger("agentops_otel")

# Tokens of `with session:` blocks, per task/thread: a Session can be entered by many tasks at
# once, so its tokens cannot live on the Session without tasks detaching each other's contexts.
_entered: ContextVar[tuple[Token[Context], ...]] = ContextVar("agentops_entered_sessions", default=())
_traceparent = TraceContextTextMapPropagator()
# Per thread: the last exception that escaped a `wrap`ped callable, and its session, so an
# uncaught exception in a thread ends the session that thread was working for (lifecycle.py).
# An id and a weak reference, so a pool thread keeps neither the traceback nor the session alive.
_escaped = threading.local()


def session_that_raised(error: BaseException) -> Session | None:
    """The session whose wrapped callable `error` escaped from on this thread, if any."""
    last: tuple[int, weakref.ref[Session]] | None = getattr(_escaped, "last", None)
    if last is None or last[0] != id(error):
        return None
    _escaped.last = None
    return last[1]()


class EndState(str, Enum):
    """How a session ended."""

    SUCCESS = "Success"
    FAIL = "Fail"
    INDETERMINATE = "Indeterminate"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def parse(cls, value: object) -> EndState:
        """Accept an EndState or its value (any case); anything else is an InvalidArgumentError."""
        if isinstance(value, EndState):
            return value
        if isinstance(value, str):
            exact = _END_STATES.get(value)
            if exact is not None:
                return exact
            for state in cls:
                if state.value.lower() == value.lower():
                    return state
        raise InvalidArgumentError.expected("end state", value, [state.value for state in cls])

    def status(self, reason: str | None) -> Status:
        """The span status for this end state: Success→OK, Fail→ERROR(reason), Indeterminate→UNSET."""
        if self is EndState.SUCCESS:
            return Status(StatusCode.OK)
        if self is EndState.FAIL:
            return Status(StatusCode.ERROR, reason)
        return Status(StatusCode.UNSET)


_END_STATES = {state.value: state for state in EndState}


def normalize_tags(tags: object) -> list[str]:
    """Tags as an ordered list without repeats; a single string is one tag; anything else is an error."""
    if tags is None:
        return []
    if isinstance(tags, str):
        tags = [tags]
    elif not isinstance(tags, Iterable):
        raise InvalidArgumentError(f"Invalid tags {tags!r}: expected a string or a list of strings.")
    result: list[str] = []
    for tag in tags:
        if not isinstance(tag, str):
            raise InvalidArgumentError(f"Invalid tag {tag!r}: tags must be strings.")
        safe = safe_text(tag)
        if safe not in result:
            result.append(safe)
    return result


class Session:
    """One running (or ended) session; create it with ``agentops.start_session()``."""

    def __init__(
        self,
        tracer: trace.Tracer,
        registry: SessionRegistry,
        *,
        tags: Iterable[str] = (),
        name: str | None = None,
        inherited_session_id: str | None = None,
        on_end: Callable[[Session], None] | None = None,
    ) -> None:
        trace_id = new_session_id() if inherited_session_id is None else parse_session_id(inherited_session_id)
        self.session_id: str = format_session_id(trace_id)
        self.tags: list[str] = list(tags)
        self.end_state: EndState | None = None
        self.end_state_reason: str | None = None
        self._tracer = tracer
        self._registry = registry
        self._on_end = on_end
        self._lock = threading.Lock()
        self._stats = SessionStats()
        self._started = time.monotonic()
        self._ended: float | None = None
        if inherited_session_id:
            span_name = "session (continued)"
        else:
            span_name = f"session {safe_text(name)}" if name else "session"
        start_attributes: dict[str, AttributeValue] = {attrs.SESSION_ID: self.session_id, attrs.SESSION_TAGS: self.tags}
        if inherited_session_id:
            start_attributes[attrs.SESSION_INHERITED] = True
        with TraceIdRequest(trace_id):
            self._span = tracer.start_span(
                span_name,
                context=_parent_for(trace_id) if inherited_session_id else Context(),
                kind=SpanKind.INTERNAL,
                attributes=start_attributes,
            )
        self.trace_id: int = self._span.get_span_context().trace_id
        """The root span's trace id: spans in another trace join this session through its context."""
        registry.add(self)

    def __repr__(self) -> str:
        state = self.end_state.value if self.end_state else "running"
        return f"<Session {self.session_id} {state} tags={self.tags!r}>"

    # --- ending ---------------------------------------------------------------------------

    def end_session(
        self, end_state: EndState | str = EndState.INDETERMINATE, end_state_reason: str | None = None
    ) -> Decimal | None:
        """End the session; returns its LLM cost in USD, or None (and a warning) if already ended."""
        state = EndState.parse(end_state)
        if end_state_reason is not None:
            if not isinstance(end_state_reason, str):
                raise InvalidArgumentError(f"Invalid end_state_reason {end_state_reason!r}: expected a string.")
            end_state_reason = safe_text(end_state_reason)
        with self._lock:
            if self.end_state is not None:
                logger.warning(
                    "Session %s already ended as %s; ignoring end_session(%r).",
                    self.session_id,
                    self.end_state.value,
                    state.value,
                )
                return None
            self.end_state, self.end_state_reason = state, end_state_reason
            self._ended = time.monotonic()
        self._registry.discard(self)
        with handle_internal_errors("ending a session"):
            self._end_span(state, end_state_reason)
        if self._on_end is not None:
            with handle_internal_errors("reporting an ended session"):
                self._on_end(self)
        return self._stats.cost

    def _end_span(self, state: EndState, reason: str | None) -> None:
        span = self._span
        span.set_attributes(
            {
                **self._stats.close(),
                attrs.SESSION_END_STATE: state.value,
                attrs.SESSION_END_STATE_REASON: reason or "",
            }
        )
        _force_status(span, state.status(reason))
        span.end()

    # --- tags --------------------------------------------------------------------------------

    def add_tags(self, tags: str | Iterable[str]) -> None:
        """Append tags (kept in order, never repeated)."""
        self._change_tags(lambda current: current + normalize_tags(tags))

    def set_tags(self, tags: str | Iterable[str]) -> None:
        """Replace the session's tags."""
        self._change_tags(lambda _current: normalize_tags(tags))

    def _change_tags(self, change: Callable[[list[str]], list[str]]) -> None:
        with self._lock:
            if self.end_state is not None:
                logger.warning("Session %s has ended; its tags can no longer change.", self.session_id)
                return
            self.tags = normalize_tags(change(self.tags))
            self._span.set_attribute(attrs.SESSION_TAGS, self.tags)

    # --- events --------------------------------------------------------------------------------

    def record(self, event: Event) -> None:
        """Record an AgentOps event (action, tool, LLM, error) as a child span of this session."""
        if not isinstance(event, Event):
            raise InvalidArgumentError(
                f"Invalid event {event!r}: expected an ActionEvent, ToolEvent, LLMEvent or ErrorEvent."
            )
        with handle_internal_errors("recording an event"):
            record_event(self, self._tracer, event)

    # --- analytics -----------------------------------------------------------------------------

    @property
    def stats(self) -> SessionStats:
        """The live roll-ups the span processor feeds."""
        return self._stats

    @property
    def duration(self) -> float:
        """Seconds since the session started, or its length once ended."""
        return (self._ended or time.monotonic()) - self._started

    def get_analytics(self) -> dict[str, int | str]:
        """The AgentOps 0.3 analytics: counts, a formatted duration and a formatted cost."""
        stats = self._stats
        return {
            "LLM calls": stats.llm_calls,
            "Tool calls": stats.tool_calls,
            "Actions": stats.actions,
            "Errors": stats.errors,
            "Duration": f"{self.duration:.1f}s",
            "Cost": f"{stats.cost_usd:.6f}",
        }

    # --- context -------------------------------------------------------------------------------

    @property
    def span(self) -> trace.Span:
        """The session's root span."""
        return self._span

    @property
    def traceparent(self) -> str:
        """The root span's W3C ``traceparent``, for continuing this session elsewhere."""
        carrier: dict[str, str] = {}
        _traceparent.inject(carrier, context=trace.set_span_in_context(self._span, Context()))
        return carrier["traceparent"]

    def context(self, base: Context | None = None) -> Context:
        """`base` (default: the current context) with this session's root span and baggage in it."""
        with_span = trace.set_span_in_context(self._span, base if base is not None else otel_context.get_current())
        return baggage.set_baggage(attrs.SESSION_ID, self.session_id, with_span)

    def wrap(self, fn: Callable[P, R]) -> Callable[P, R]:
        """Return `fn` so that it runs in this session's context, wherever it is called.

        Use it for thread targets and executor jobs (contextvars do not cross threads by
        themselves). A coroutine function's coroutine also runs in the session's context.
        """

        @functools.wraps(fn)
        def run_in_session(*args: P.args, **kwargs: P.kwargs) -> R:
            token = otel_context.attach(self.context())
            try:
                result = fn(*args, **kwargs)
            except BaseException as error:
                _escaped.last = (id(error), weakref.ref(self))  # for an uncaught-in-thread exception
                raise
            finally:
                otel_context.detach(token)
            if inspect.iscoroutine(result):
                return cast(R, self._await_in_session(result))
            return result

        return run_in_session

    def patch(self, fn: Callable[P, R]) -> Callable[P, R]:
        """Bind an LLM call (sync, async or streaming) to this session, whatever else is running."""
        return self.wrap(fn)

    async def _await_in_session(self, awaitable: Awaitable[R]) -> R:
        token = otel_context.attach(self.context())
        try:
            return await awaitable
        finally:
            otel_context.detach(token)

    def __enter__(self) -> Session:
        _entered.set((*_entered.get(), otel_context.attach(self.context())))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        *outer, token = _entered.get()
        otel_context.detach(token)
        _entered.set(tuple(outer))
        if self.end_state is None:
            if exc is None:
                self.end_session(EndState.SUCCESS)
            else:
                self.end_session(EndState.FAIL, f"{type(exc).__name__}: {exc}")

    async def __aenter__(self) -> Session:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, traceback)


def _parent_for(trace_id: int) -> Context:
    """Parent of an inherited session: the caller's current span if it is in that session's trace."""
    current = trace.get_current_span().get_span_context()
    if current.is_valid and current.trace_id == trace_id:
        return otel_context.get_current()
    return Context()


def _force_status(span: trace.Span, status: Status) -> None:
    """Give the root span exactly `status`, even if other code set a different one before.

    The SDK keeps OK final and ignores UNSET, so the end state could not always win through
    ``set_status``; a pinned SDK lets us write the field directly when they disagree.
    """
    span.set_status(status)
    if isinstance(span, SdkSpan) and span.status.status_code is not status.status_code:
        span._status = status  # noqa: SLF001 - see docstring
