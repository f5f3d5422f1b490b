"""AgentOps 0.3 events (``ActionEvent``, ``ToolEvent``, ``LLMEvent``, ``ErrorEvent``) as spans.

``session.record(event)`` turns an event into a child span of the session: tools become
``execute_tool {name}`` spans, LLM events GenAI ``chat {model}`` spans, actions INTERNAL spans
named after their ``action_type``, errors an exception event with ERROR status. Timestamps given
on an event become the span's start and end. The decorators (``decorators.py``) shape their live
spans with the same functions, so an event looks the same however it was recorded.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from opentelemetry import baggage, trace
from opentelemetry import context as otel_context
from opentelemetry.context import Context
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as gen_ai
from opentelemetry.semconv.attributes.error_attributes import ERROR_TYPE
from opentelemetry.semconv.attributes.exception_attributes import EXCEPTION_MESSAGE, EXCEPTION_TYPE
from opentelemetry.trace import Link, SpanContext, SpanKind, Status, StatusCode
from opentelemetry.util.types import AttributeValue

from . import attributes as attrs
from .content import capture_content, content_attribute
from .values import safe_text

if TYPE_CHECKING:
    from .session import Session

_MAX_CONTENT_CHARS = 8192
_ACTION_PARAMS = "agentops.action.params"
_ACTION_RETURNS = "agentops.action.returns"


class RunningAgent(NamedTuple):
    """The ``@track_agent`` agent whose code is running; spans started meanwhile carry its name."""

    name: str
    id: str | None


AGENT_KEY = otel_context.create_key("agentops-agent")
"""Context key holding the :class:`RunningAgent`; the span processor reads it on span start."""


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat()


@dataclass
class Event:
    """Fields every AgentOps event has; timestamps are ISO 8601 strings."""

    event_type: ClassVar[str] = "event"
    params: dict[str, Any] | None = None
    returns: Any = None
    init_timestamp: str = field(default_factory=_now_iso)
    end_timestamp: str | None = None
    agent_id: str | None = None
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    span_context: SpanContext | None = field(default=None, init=False, repr=False, compare=False)


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
            self.details = self.details or str(self.exception)


def parent_context(session: Session | None) -> Context:
    """The context a session's event span starts in.

    Inside that session already (``with session:``, a decorated action running), the current
    span stays the parent, so a tool called from an action nests under it; otherwise the span
    hangs off the session's root. With no session, the current context as it is.
    """
    current = otel_context.get_current()
    if session is None or baggage.get_baggage(attrs.SESSION_ID, current) == session.session_id:
        return current
    return session.context(current)


def record_event(session: Session, tracer: trace.Tracer, event: Event) -> None:
    """Write `event` as a child span of `session`."""
    if isinstance(event, ErrorEvent) and event.trigger_event is not None and event.trigger_event.span_context is None:
        record_event(session, tracer, event.trigger_event)
    name, kind, span_attributes = span_shape(event)
    span_attributes.update(returns_attributes(event))
    trigger = event.trigger_event.span_context if isinstance(event, ErrorEvent) and event.trigger_event else None
    span = tracer.start_span(
        name,
        context=parent_context(session),
        kind=kind,
        attributes=span_attributes,
        links=[Link(trigger)] if trigger is not None else [],
        start_time=_nanos(event.init_timestamp),
    )
    if isinstance(event, ErrorEvent):
        mark_error(span, event)
    event.span_context = span.get_span_context()
    span.end(_nanos(event.end_timestamp) if event.end_timestamp else None)


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
        span_attributes[gen_ai.GEN_AI_OPERATION_NAME] = gen_ai.GenAiOperationNameValues.EXECUTE_TOOL.value
        span_attributes[gen_ai.GEN_AI_TOOL_NAME] = tool
        _add_content(span_attributes, gen_ai.GEN_AI_TOOL_CALL_ARGUMENTS, event.params)
        return f"execute_tool {tool}", SpanKind.INTERNAL, span_attributes
    if isinstance(event, ErrorEvent):
        return f"error {safe_text(event.error_type or 'Error')}", SpanKind.INTERNAL, span_attributes
    _add_content(span_attributes, _ACTION_PARAMS, event.params)
    action = event.action_type if isinstance(event, ActionEvent) and event.action_type else "action"
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
    if event.exception is not None:
        span.record_exception(event.exception)
    else:
        span.add_event("exception", {EXCEPTION_TYPE: error_type, EXCEPTION_MESSAGE: details or ""})
    span.set_status(Status(StatusCode.ERROR, details or error_type))


def _add_content(span_attributes: dict[str, AttributeValue], key: str, value: object) -> None:
    """Content goes on spans only when capture is on, as bounded JSON text."""
    if value is None or not capture_content():
        return
    span_attributes[key] = content_attribute(value)[:_MAX_CONTENT_CHARS]


def _nanos(timestamp: str | None) -> int:
    if not timestamp:
        return time.time_ns()
    try:
        return int(datetime.fromisoformat(timestamp).timestamp() * 1e9)
    except ValueError:
        return time.time_ns()
