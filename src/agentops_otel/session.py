"""A session: one run of an agent, recorded as the root span of its own trace.

A session's context (:meth:`Session.context`) carries the Session object itself under a private
key, which decides which session a span belongs to in this process, and its id as W3C baggage
(``session.id``), which other services receive for correlation. Both cross threads (via
:meth:`Session.wrap`), asyncio tasks and ``with session:`` blocks.
"""

from __future__ import annotations

import functools
import inspect
import logging
import math
import os
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from contextvars import ContextVar
from decimal import Decimal
from enum import Enum
from types import TracebackType
from typing import ParamSpec, Protocol, TypeVar, cast

from opentelemetry import baggage, trace
from opentelemetry import context as otel_context
from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace import Span as SdkSpan
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as gen_ai
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from opentelemetry.util.types import AttributeValue

from . import attributes as attrs
from .events import Event, record_event
from .exceptions import InvalidArgumentError
from .ids import TraceIdRequest, format_session_id, new_session_id, parse_session_id
from .internal_errors import handle_internal_errors
from .stats import SessionStats
from .tags import unique_tags
from .users import USER_ID, check_user_id
from .values import describe_exception, safe_text

P = ParamSpec("P")
R = TypeVar("R")

logger = logging.getLogger("agentops_otel")

MAX_TAGS = 1000
"""The most tags a session keeps; more are dropped with one warning per session."""
EVALUATION_RESULT = "gen_ai.evaluation.result"
"""The GenAI conventions' event for one evaluation score; ``Session.score`` adds it to the root span."""

# The open `with session:` blocks of this task/thread, innermost last, each with the context it
# replaced. A Session can be entered by many tasks at once, so this cannot live on the Session.
_entered: ContextVar[tuple[tuple[Session, Context], ...]] = ContextVar("agentops_entered_sessions", default=())
_traceparent = TraceContextTextMapPropagator()


def session_that_raised(error: BaseException) -> Session | None:
    """The session whose wrapped callable (``session.wrap``/``patch``) `error` escaped from, if any.

    Read from the exception's own traceback, which holds the frames it left, so it can match no
    other exception and keeps nothing alive. With wrapped calls nested, the innermost one's session.
    """
    found: Session | None = None
    frame_of = error.__traceback__
    while frame_of is not None:
        frame = frame_of.tb_frame
        if frame.f_code in _RUNNER_CODES:
            session = frame.f_locals.get("self")
            if isinstance(session, Session):
                found = session
        frame_of = frame_of.tb_next
    return found


def _ends_in_failure(error: BaseException) -> bool:
    """Exceptions, Ctrl-C and ``sys.exit()`` with an error status fail a session.

    Other exits are control flow (``sys.exit(0)``, a cancelled task, e.g. a client that went
    away, a closed generator): the block was left early, not failed.
    """
    if isinstance(error, SystemExit):
        return error.code not in (0, None)
    return isinstance(error, (Exception, KeyboardInterrupt))


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


SESSION_KEY = otel_context.create_key("agentops-session")
"""Context key of the Session a context is bound to (unforgeable: ``create_key`` adds a uuid)."""
CURRENT_UNTIL_ENDED_KEY = otel_context.create_key("agentops-session-current-until-ended")
"""Context key of the session ``init()`` made current: it binds the context only while it runs."""


def bound_session(context: Context | None = None) -> Session | None:
    """The session `context` (default: the current one) is bound to.

    A binding by ``with session:``, ``wrap`` or ``patch`` holds even after the session ended;
    the session ``init()`` made current binds only while it runs, so that once it has ended the
    next session of a single-session program gets the work.
    """
    session: Session | None = otel_context.get_value(SESSION_KEY, context)  # type: ignore[assignment]
    if session is None:
        current: Session | None = otel_context.get_value(CURRENT_UNTIL_ENDED_KEY, context)  # type: ignore[assignment]
        if current is not None and current.end_state is None:
            return current
    return session


def event_parent(session: Session | None) -> Context:
    """The context a session's event span starts in.

    Inside that session already (``with session:``, a decorated action running), the current
    span stays the parent, so a tool called from an action nests under it; otherwise the span
    hangs off the session's root. With no session, the current context as it is.
    """
    current = otel_context.get_current()
    if session is None or bound_session(current) is session:
        return current
    return session.context(current)


class Registrar(Protocol):
    """Where a session reports that it started and ended (the registry; kept abstract to avoid a loop)."""

    def add(self, session: Session) -> None:
        """A session started."""

    def discard(self, session: Session) -> None:
        """A session ended."""


def agent_id_for(name: object, agent_id: object = None) -> str:
    """AgentOps 0.3's ``create_agent``: the agent's id (a new uuid4 unless given).

    Records nothing: an agent's work is its invocations (``@track_agent``), see ``docs/events.md``.
    """
    if not isinstance(name, str) or not name:
        raise InvalidArgumentError(f"Invalid agent name {name!r}: expected a non-empty string.")
    return agent_id if isinstance(agent_id, str) and agent_id else str(uuid.uuid4())


class Session:
    """One running (or ended) session; create it with ``agentops.start_session()``."""

    def __init__(
        self,
        tracer: trace.Tracer,
        registry: Registrar,
        *,
        tags: Iterable[str] = (),
        name: str | None = None,
        inherited_session_id: str | None = None,
        user_id: str | None = None,
        on_end: Callable[[Session], None] | None = None,
    ) -> None:
        trace_id = new_session_id() if inherited_session_id is None else parse_session_id(inherited_session_id)
        self.session_id: str = format_session_id(trace_id)
        self.user_id: str | None = check_user_id(user_id)
        """The user the session runs for: ``user.id`` on every span of the session, and baggage."""
        self.end_state: EndState | None = None
        self.end_state_reason: str | None = None
        self._tracer = tracer
        self._registry = registry
        self._on_end = on_end
        self._lock = threading.Lock()
        self._stats = SessionStats()
        self._open_spans: set[int] = set()  # span ids started in this session's context, not yet ended
        self._current_until_ended = False  # made current by make_current(): left when it ends
        self._pid = os.getpid()  # a forked child holds a copy of this session; only this process ends it
        self._started = time.monotonic()
        self._ended: float | None = None
        self._tags: dict[str, None] = {}
        self._tags_capped = False
        self._keep_tags(unique_tags(tags))
        if inherited_session_id:
            span_name = "session (continued)"
        else:
            span_name = f"session {safe_text(name)}" if name else "session"
        start_attributes: dict[str, AttributeValue] = {attrs.SESSION_ID: self.session_id, attrs.SESSION_TAGS: self.tags}
        if inherited_session_id:
            start_attributes[attrs.SESSION_INHERITED] = True
        if self.user_id is not None:
            start_attributes[USER_ID] = self.user_id
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
        """End the session; returns its LLM cost in USD, or None (and a warning) if already ended.

        In a forked child this does nothing (and returns None): the parent ends and exports the
        session, so its root span is never ended twice.
        """
        state = EndState.parse(end_state)
        if end_state_reason is not None:
            if not isinstance(end_state_reason, str):
                raise InvalidArgumentError(f"Invalid end_state_reason {end_state_reason!r}: expected a string.")
            end_state_reason = safe_text(end_state_reason)
        if os.getpid() != self._pid:
            logger.debug("Session %s is process %d's to end, not this forked child's.", self.session_id, self._pid)
            return None
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
        if self._current_until_ended:
            self._leave()
        with handle_internal_errors("ending a session"):
            self._end_span(state, end_state_reason)
        if self._on_end is not None:
            with handle_internal_errors("reporting an ended session"):
                self._on_end(self)
        return self._stats.cost_usd

    def _end_span(self, state: EndState, reason: str | None) -> None:
        span = self._span
        rollups = self._stats.close()
        self._open_spans.clear()  # spans still open now end after their session: not counted
        span.set_attributes(
            {
                **rollups,
                attrs.SESSION_END_STATE: state.value,
                attrs.SESSION_END_STATE_REASON: reason or "",
            }
        )
        _force_status(span, state.status(reason))
        span.end()

    # --- tags --------------------------------------------------------------------------------

    @property
    def tags(self) -> list[str]:
        """The session's tags, in the order they were added, without repeats."""
        return list(self._tags)

    def add_tags(self, tags: str | Iterable[str]) -> None:
        """Append tags (kept in order, never repeated; at most :data:`MAX_TAGS`)."""
        self._change_tags(tags, replace=False)

    def set_tags(self, tags: str | Iterable[str]) -> None:
        """Replace the session's tags; ``set_tags([])`` clears them (None is an error, not a clear)."""
        self._change_tags(tags, replace=True)

    def _change_tags(self, tags: object, *, replace: bool) -> None:
        if tags is None:
            raise InvalidArgumentError("Invalid tags None: expected a string or a list of strings.")
        given = unique_tags(tags)
        with self._lock:
            if self.end_state is not None:
                logger.warning("Session %s has ended; its tags can no longer change.", self.session_id)
                return
            if replace:
                self._tags = {}
            elif given.keys() <= self._tags.keys():
                return  # nothing new: the span keeps its attribute
            self._keep_tags(given)
            self._span.set_attribute(attrs.SESSION_TAGS, self.tags)

    def _keep_tags(self, tags: dict[str, None]) -> None:
        """Add `tags` up to MAX_TAGS; the first time more would be kept, one warning."""
        room = MAX_TAGS - len(self._tags)
        for tag in tags:
            if tag in self._tags:
                continue
            if room == 0:
                if not self._tags_capped:
                    self._tags_capped = True
                    logger.warning(
                        "Session %s has %d tags, the most a session keeps; further tags are dropped.",
                        self.session_id,
                        MAX_TAGS,
                    )
                return
            self._tags[tag] = None
            room -= 1

    def create_agent(self, name: str, agent_id: str | None = None) -> str:
        """AgentOps 0.3: register an agent; returns its id (see :func:`agent_id_for`)."""
        return agent_id_for(name, agent_id)

    # --- scores --------------------------------------------------------------------------------

    def score(
        self, name: str, value: float | None = None, label: str | None = None, explanation: str | None = None
    ) -> None:
        """Record an evaluation of the session (a GenAI ``gen_ai.evaluation.result`` event on its root span).

        A score needs a number, a label or both; scores of an ended session are ignored with a warning
        (its root span has been exported).
        """
        if not isinstance(name, str) or not name:
            raise InvalidArgumentError(f"Invalid score name {name!r}: expected a non-empty string.")
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
        ):
            raise InvalidArgumentError(f"Invalid score value {value!r}: expected a finite number.")
        for what, text in (("label", label), ("explanation", explanation)):
            if text is not None and not isinstance(text, str):
                raise InvalidArgumentError(f"Invalid score {what} {text!r}: expected a string.")
        if value is None and label is None:
            raise InvalidArgumentError(f"Score {name!r} has neither a value nor a label.")
        event: dict[str, AttributeValue] = {gen_ai.GEN_AI_EVALUATION_NAME: safe_text(name)}
        if value is not None:
            event[gen_ai.GEN_AI_EVALUATION_SCORE_VALUE] = float(value)
        if label is not None:
            event[gen_ai.GEN_AI_EVALUATION_SCORE_LABEL] = safe_text(label)
        if explanation is not None:
            event[gen_ai.GEN_AI_EVALUATION_EXPLANATION] = safe_text(explanation)
        with self._lock:
            if self.end_state is not None:
                logger.warning("Session %s has ended; score %r is not recorded.", self.session_id, name)
                return
            self._span.add_event(EVALUATION_RESULT, event)

    # --- events --------------------------------------------------------------------------------

    def record(self, event: Event) -> None:
        """Record an AgentOps event (action, tool, LLM, error) as a child span of this session."""
        if not isinstance(event, Event):
            raise InvalidArgumentError(
                f"Invalid event {event!r}: expected an ActionEvent, ToolEvent, LLMEvent or ErrorEvent."
            )
        with handle_internal_errors("recording an event"):
            record_event(event_parent(self), self._tracer, event)

    # --- analytics -----------------------------------------------------------------------------

    @property
    def stats(self) -> SessionStats:
        """The live roll-ups the span processor feeds."""
        return self._stats

    def span_started(self, span_id: int) -> None:
        """For the span processor: a span started in this session's context; it counts if it ends in time."""
        if self.end_state is None:
            self._open_spans.add(span_id)

    def span_ended(self, span: ReadableSpan, span_attributes: Mapping[str, AttributeValue]) -> bool:
        """For the span processor: count `span` (with its attributes) if it started in this session; False if not."""
        span_context = span.context
        if span_context is None or span_context.span_id not in self._open_spans:
            return False
        self._open_spans.discard(span_context.span_id)
        self._stats.add(span, span_attributes)
        return True

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

    def context(self, base: Context | None = None, *, until_ended: bool = False) -> Context:
        """`base` (default: the current context) bound to this session, with its id as baggage.

        The current span stays the parent if it is in this session's trace (inside ``with
        session:``, a decorated tool, the user's own span, a framework's agent span that another
        library made current without the binding), so calls nest under it; otherwise the
        session's root span becomes current. `until_ended` binds only while the session runs
        (see :func:`bound_session`).
        """
        if base is None:
            base = otel_context.get_current()
        if trace.get_current_span(base).get_span_context().trace_id != self.trace_id:
            base = trace.set_span_in_context(self._span, base)
        bound = otel_context.set_value(CURRENT_UNTIL_ENDED_KEY if until_ended else SESSION_KEY, self, base)
        if self.user_id is not None:
            bound = baggage.set_baggage(USER_ID, self.user_id, bound)
        return baggage.set_baggage(attrs.SESSION_ID, self.session_id, bound)

    def make_current(self) -> None:
        """Make this the calling context's session until it ends: what ``init()`` does for its session.

        Unlike ``with session:`` there is no block whose end ends the session. Once the session
        has ended it no longer claims the work of this context, and ending it in this context
        restores the context it replaced.
        """
        previous = otel_context.get_current()
        otel_context.attach(self.context(previous, until_ended=True))
        _entered.set((*_entered.get(), (self, previous)))
        self._current_until_ended = True

    def wrap(self, fn: Callable[P, R]) -> Callable[P, R]:
        """Return `fn` so that it runs in this session's context, wherever it is called.

        Use it for thread targets and executor jobs (contextvars do not cross threads by
        themselves). A coroutine function's coroutine also runs in the session's context.
        """

        @functools.wraps(fn)
        def run_in_session(*args: P.args, **kwargs: P.kwargs) -> R:
            return self._run(fn, args, kwargs)

        return run_in_session

    def _run(self, fn: Callable[..., R], args: tuple[object, ...], kwargs: dict[str, object]) -> R:
        """Call `fn` in this session's context (``session_that_raised`` looks for this frame)."""
        token = otel_context.attach(self.context())
        try:
            result = fn(*args, **kwargs)
        finally:
            otel_context.detach(token)
        if inspect.iscoroutine(result):
            return cast(R, self._await_in_session(result))
        return result

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
        previous = otel_context.get_current()
        otel_context.attach(self.context(previous))
        _entered.set((*_entered.get(), (self, previous)))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """End the session: Success, Fail for a failure (see `_ends_in_failure`), else Indeterminate."""
        self._leave()
        if self.end_state is None:
            if exc is None:
                self.end_session(EndState.SUCCESS)
            else:
                state = EndState.FAIL if _ends_in_failure(exc) else EndState.INDETERMINATE
                self.end_session(state, describe_exception(exc))

    def _leave(self) -> None:
        """Leave this session's innermost block of this context, never another session's.

        Contexts are restored by attaching them (never ``Token.reset``, which raises in another
        contextvars context). A block left while an inner one is still open (a generator closed
        inside another session's block) hands the context it replaced to that inner block. A
        block entered in another contextvars context (Starlette steps a sync generator in a fresh
        copy each time) has nothing to restore here: the current context is left alone.
        """
        entries = _entered.get()
        for index in range(len(entries) - 1, -1, -1):
            if entries[index][0] is self:
                break
        else:
            return
        previous = entries[index][1]
        if index == len(entries) - 1:
            otel_context.attach(previous)
            _entered.set(entries[:index])
        else:
            inner = entries[index + 1][0]
            _entered.set((*entries[:index], (inner, previous), *entries[index + 2 :]))

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


_RUNNER_CODES = frozenset({Session._run.__code__, Session._await_in_session.__code__})  # noqa: SLF001
"""The frames a wrapped call's exception leaves, each with its session as the ``self`` local."""
