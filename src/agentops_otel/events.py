"""AgentOps 0.3 events (``ActionEvent``, ``ToolEvent``, ``LLMEvent``, ``ErrorEvent``) as spans.

``session.record(event)`` turns an event into a child span of the session: tools become
``execute_tool {name}`` spans, LLM events GenAI ``chat {model}`` spans, actions INTERNAL spans
named after their ``action_type``, errors an exception event with ERROR status. Timestamps given
on an event become the span's start and end. The decorators (``decorators.py``) shape their live
spans with the same functions, so an event looks the same however it was recorded.

Fields are checked when they are set (in the constructor or later, as AgentOps code sets
``end_timestamp`` after the work): the obvious types are turned into what the span needs, anything
else raises :class:`InvalidArgumentError` in the caller's code, so recording itself cannot fail
half-way on a bad value and leave a span open.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum
from typing import Any, ClassVar, NamedTuple, cast

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as gen_ai
from opentelemetry.semconv.attributes.error_attributes import ERROR_TYPE
from opentelemetry.semconv.attributes.exception_attributes import EXCEPTION_MESSAGE, EXCEPTION_TYPE
from opentelemetry.trace import Link, SpanContext, SpanKind, Status, StatusCode
from opentelemetry.util.types import AttributeValue

from . import attributes as attrs
from .content import capture_content, content_attribute
from .exceptions import InvalidArgumentError
from .values import describe_exception, safe_text

_MAX_CONTENT_CHARS = 8192
_ACTION_PARAMS = "agentops.action.params"
_ACTION_RETURNS = "agentops.action.returns"


class RunningAgent(NamedTuple):
    """The ``@track_agent`` agent whose code is running.

    Only its own span carries ``gen_ai.agent.*``: spans started meanwhile are its children, and
    the conventions do not copy agent attributes onto them.
    """

    name: str
    id: str | None


AGENT_KEY = otel_context.create_key("agentops-agent")
"""Context key holding the :class:`RunningAgent`: an agent calling its own methods opens no second agent span."""


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)
_LAST_NANOSECOND = 2**63 - 1
"""2262-04-11 UTC: the last time int64 nanoseconds hold (OTLP's field is unsigned, backends' int64)."""


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat()


class EventType(str, Enum):
    """AgentOps 0.3's event types, for ``Event(event_type=...)``."""

    LLM = "llms"
    ACTION = "actions"
    API = "apis"
    TOOL = "tools"
    ERROR = "errors"


# 0.3's plural type names, and the singular ones our spans carry, each to the span's type.
_EVENT_TYPES = {**{kind.value: kind.value.removesuffix("s") for kind in EventType}, "event": "event"}
_EVENT_TYPES.update({singular: singular for singular in _EVENT_TYPES.values()})


@dataclass
class Event:
    """Fields every AgentOps event has; timestamps are ISO 8601 strings (a ``datetime`` is converted).

    The subclasses are what AgentOps code records. ``Event(event_type, ...)`` itself, as AgentOps
    0.3 wrote it, records an INTERNAL span of that type (an action span for ``"actions"``).
    """

    event_type: ClassVar[str] = "event"
    params: dict[str, Any] | None = None
    returns: Any = None
    init_timestamp: str = field(default_factory=_now_iso)
    end_timestamp: str | None = None
    agent_id: str | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    span_context: SpanContext | None = field(default=None, init=False, repr=False, compare=False)

    def __setattr__(self, name: str, value: object) -> None:
        """Check (and convert) a field as it is set, in the caller's code, where a typed error belongs."""
        check = _CHECKS.get(name)
        object.__setattr__(self, name, value if check is None else check(f"{type(self).__name__}.{name}", value))


_event_fields_init = Event.__init__


def _base_event_init(self: Event, event_type: object = "event", *args: Any, **kwargs: Any) -> None:
    """``Event``'s own constructor takes the type first, as 0.3's did (``Event("llms")`` is not ``params``).

    The subclasses' dataclass constructors are their own, so this changes only ``Event(...)``.
    """
    object.__setattr__(self, "event_type", _event_type(event_type))
    _event_fields_init(self, *args, **kwargs)


Event.__init__ = _base_event_init  # type: ignore[method-assign, assignment]


def _event_type(value: object) -> str:
    text = value.value if isinstance(value, Enum) else value
    if isinstance(text, str) and text in _EVENT_TYPES:
        return _EVENT_TYPES[text]
    raise InvalidArgumentError.expected("event_type", value, list(_EVENT_TYPES))


@dataclass
class ActionEvent(Event):
    """Something the agent did."""

    event_type: ClassVar[str] = "action"
    action_type: str | None = None
    logs: str | None = None
    screenshot: str | None = None


@dataclass
class ToolEvent(Event):
    """A tool the agent called."""

    event_type: ClassVar[str] = "tool"
    name: str | None = None
    logs: str | None = None


@dataclass
class LLMEvent(Event):
    """An LLM call made through a client agentops-otel does not instrument."""

    event_type: ClassVar[str] = "llm"
    thread_id: str | None = None
    prompt: Any = None
    prompt_tokens: int | None = None
    completion: Any = None
    completion_tokens: int | None = None
    cost: float | None = None
    model: str | None = None


@dataclass
class ErrorEvent(Event):
    """An error, optionally caused by another event (`trigger_event`)."""

    event_type: ClassVar[str] = "error"
    trigger_event: Event | None = None
    exception: BaseException | None = None
    error_type: str | None = None
    code: str | None = None
    details: str | None = None
    logs: str | None = None

    def __post_init__(self) -> None:
        if self.exception is not None:
            self.error_type = self.error_type or type(self.exception).__name__
            self.details = self.details or _message(self.exception)


def record_event(parent: Context, tracer: trace.Tracer, event: Event) -> None:
    """Write `event` as a span in `parent` (the session's context: ``session.event_parent``)."""
    if isinstance(event, ErrorEvent) and event.trigger_event is not None and event.trigger_event.span_context is None:
        record_event(parent, tracer, event.trigger_event)
    name, kind, span_attributes = span_shape(event)
    span_attributes.update(returns_attributes(event))
    trigger = event.trigger_event.span_context if isinstance(event, ErrorEvent) and event.trigger_event else None
    end = _nanos(event.end_timestamp) if event.end_timestamp else None
    span = tracer.start_span(
        name,
        context=parent,
        kind=kind,
        attributes=span_attributes,
        links=[Link(trigger)] if trigger is not None else [],
        start_time=_nanos(event.init_timestamp),
    )
    try:
        if isinstance(event, ErrorEvent):
            mark_error(span, event)
        event.span_context = span.get_span_context()
    finally:
        span.end(end)  # a span that started ends, whatever happened after


def span_shape(event: Event) -> tuple[str, SpanKind, dict[str, AttributeValue]]:
    """Span name, kind and start attributes (arguments included, result not) for an event."""
    span_attributes: dict[str, AttributeValue] = {attrs.EVENT_TYPE: event.event_type}
    if isinstance(event, LLMEvent):
        model = safe_text(event.model or "unknown")
        span_attributes.update(
            {
                gen_ai.GEN_AI_OPERATION_NAME: gen_ai.GenAiOperationNameValues.CHAT.value,
                gen_ai.GEN_AI_REQUEST_MODEL: model,
                gen_ai.GEN_AI_USAGE_INPUT_TOKENS: event.prompt_tokens or 0,
                gen_ai.GEN_AI_USAGE_OUTPUT_TOKENS: event.completion_tokens or 0,
            }
        )
        if event.cost is not None:
            span_attributes[attrs.LLM_COST_USD] = float(event.cost)
        _add_content(span_attributes, gen_ai.GEN_AI_INPUT_MESSAGES, event.prompt)
        return f"chat {model}", SpanKind.CLIENT, span_attributes
    if isinstance(event, ToolEvent):
        tool = safe_text(event.name or "tool")
        span_attributes[gen_ai.GEN_AI_OPERATION_NAME] = attrs.EXECUTE_TOOL
        span_attributes[gen_ai.GEN_AI_TOOL_NAME] = tool
        _add_content(span_attributes, gen_ai.GEN_AI_TOOL_CALL_ARGUMENTS, event.params)
        return f"execute_tool {tool}", SpanKind.INTERNAL, span_attributes
    if isinstance(event, ErrorEvent):
        return f"error {safe_text(event.error_type or 'Error')}", SpanKind.INTERNAL, span_attributes
    _add_content(span_attributes, _ACTION_PARAMS, event.params)
    action = event.action_type if isinstance(event, ActionEvent) and event.action_type else event.event_type
    return safe_text(action), SpanKind.INTERNAL, span_attributes


def returns_attributes(event: Event) -> dict[str, AttributeValue]:
    """The attributes carrying an event's result (only under content capture)."""
    result: dict[str, AttributeValue] = {}
    if isinstance(event, LLMEvent):
        _add_content(result, gen_ai.GEN_AI_OUTPUT_MESSAGES, event.completion)
    elif isinstance(event, ToolEvent):
        _add_content(result, gen_ai.GEN_AI_TOOL_CALL_RESULT, event.returns)
    elif not isinstance(event, ErrorEvent):
        _add_content(result, _ACTION_RETURNS, event.returns)
    return result


def mark_error(span: trace.Span, event: ErrorEvent) -> None:
    """Put an error on a span: ``error.type``, an exception event and ERROR status."""
    error_type = safe_text(event.error_type or "Error")
    details = safe_text(event.details) if event.details else None
    span.set_attribute(ERROR_TYPE, error_type)
    if event.exception is None or not _recorded(span, event.exception):
        span.add_event("exception", {EXCEPTION_TYPE: error_type, EXCEPTION_MESSAGE: details or ""})
    span.set_status(Status(StatusCode.ERROR, details or error_type))


def _recorded(span: trace.Span, error: BaseException) -> bool:
    """Record `error` with its stack trace; False if it cannot be described (its ``__str__`` raises)."""
    try:
        span.record_exception(error)
    except Exception:  # the application's exception's own failure, not ours to raise
        return False
    return True


def _message(error: BaseException) -> str:
    """The exception's message, as AgentOps took it for ``details``, even when its ``__str__`` raises."""
    return describe_exception(error).removeprefix(f"{type(error).__name__}: ")


def _add_content(span_attributes: dict[str, AttributeValue], key: str, value: object) -> None:
    """Content goes on spans only when capture is on, as bounded JSON text."""
    if value is None or not capture_content():
        return
    span_attributes[key] = content_attribute(value)[:_MAX_CONTENT_CHARS]


def _nanos(timestamp: str | None) -> int:
    """A timestamp (checked when it was set) as unix nanoseconds; now for none."""
    return _checked_nanos("timestamp", timestamp) if timestamp else time.time_ns()


def _checked_nanos(name: str, value: object) -> int:
    """Unix nanoseconds of an ISO 8601 string or a ``datetime`` (naive means local time, as in Python).

    Only 1970-01-01 to 2262-04-11 UTC: an OTLP encoder refuses a time outside that, and with it
    the whole batch holding the span, every other session's spans included.
    """
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00")) if isinstance(value, str) else value
        if isinstance(moment, datetime):
            aware = moment if moment.tzinfo is not None else moment.astimezone()
            nanos = (aware - _EPOCH) // _MICROSECOND * 1000
            if 0 <= nanos <= _LAST_NANOSECOND:
                return nanos
    except (ValueError, OverflowError, OSError):
        pass
    raise _invalid(name, value, "an ISO 8601 string or a datetime from 1970-01-01 to 2262-04-11 UTC")


def _invalid(name: str, value: object, expected: str) -> InvalidArgumentError:
    """The typed error for a bad field; it names the value's type (or the text given), never its repr."""
    shown = repr(value) if isinstance(value, (str, datetime, int, float)) else f"a {type(value).__name__}"
    return InvalidArgumentError(f"Invalid {name}: {shown[:100]}; expected {expected}.")


def _timestamp(name: str, value: object) -> str | None:
    if value is None:
        return None
    _checked_nanos(name, value)
    return value.isoformat() if isinstance(value, datetime) else cast(str, value)


def _start_timestamp(name: str, value: object) -> str:
    return _timestamp(name, value) or _now_iso()


def _text(name: str, value: object) -> str | None:
    """Text fields: a string; an Enum's value; an exception's description; a number as written."""
    if isinstance(value, Enum):
        value = value.value
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, BaseException):
        return describe_exception(value)
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)
    raise _invalid(name, value, "a string (an Enum, a number or an exception is turned into one)")


def _tokens(name: str, value: object) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
        return value
    raise _invalid(name, value, "a token count: an int of 0 or more")


def _cost(name: str, value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        value = float(value) if value.is_finite() else math.nan
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0:
        return float(value)
    raise _invalid(name, value, "a cost in USD: a finite number of 0 or more")


def _exception(name: str, value: object) -> BaseException | None:
    if value is None or isinstance(value, BaseException):
        return value
    raise _invalid(name, value, "an exception")


def _trigger(name: str, value: object) -> Event | None:
    if value is None or isinstance(value, Event):
        return value
    raise _invalid(name, value, "an event (ActionEvent, ToolEvent, LLMEvent, ErrorEvent)")


_CHECKS: dict[str, Callable[[str, Any], object]] = {
    "init_timestamp": _start_timestamp,
    "end_timestamp": _timestamp,
    "action_type": _text,
    "name": _text,
    "model": _text,
    "error_type": _text,
    "details": _text,
    "prompt_tokens": _tokens,
    "completion_tokens": _tokens,
    "cost": _cost,
    "exception": _exception,
    "trigger_event": _trigger,
}
"""Event fields that reach the span, and how each is checked; the others are content or unused."""
