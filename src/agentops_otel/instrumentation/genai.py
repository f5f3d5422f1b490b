"""What every instrumented LLM call shares: its GenAI attributes, its span's life, its cost.

A provider module turns its request and response into a :class:`Request` and an
:class:`Outcome`; an :class:`LLMCall` starts the call's span (a child of the call's session)
and ends it exactly once, with usage, cost, status and metrics.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from opentelemetry import trace
from opentelemetry.context import Context, get_current, set_value
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as gen_ai
from opentelemetry.semconv.attributes.error_attributes import ERROR_TYPE
from opentelemetry.semconv.attributes.server_attributes import SERVER_ADDRESS, SERVER_PORT
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.util.types import AttributeValue

from .. import attributes as attrs
from ..content import content_attribute
from ..internal_errors import log_internal_error
from ..pricing import cost_usd
from ..registry import bound_session
from ..values import exception_message

if TYPE_CHECKING:
    from ..session import Session
    from .duplicates import Markers
    from .metrics import Instruments

CHAT = gen_ai.GenAiOperationNameValues.CHAT.value
EMBEDDINGS = gen_ai.GenAiOperationNameValues.EMBEDDINGS.value
LLM_OPERATIONS = frozenset({CHAT, EMBEDDINGS, gen_ai.GenAiOperationNameValues.TEXT_COMPLETION.value})

CAPTURING_CONTENT = "capturing message content"
"""What content capture is guarded as, apart from the outcome: it must never cost a call's id, usage or cost."""

OWNED_CALL_KEY = "agentops_otel.llm_call"
"""Context key set while an instrumented call runs: its vendor span (see ``duplicates``) stays off."""


class Usage(NamedTuple):
    """Token counts as GenAI reports them: ``input`` includes cache reads and writes."""

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
            target[attrs.GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS] = self.cache_write
        if self.reasoning:
            target[gen_ai.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = self.reasoning


@dataclass(slots=True)
class Request:
    """An LLM request, as the span starts with it (samplers see these attributes)."""

    operation: str
    provider: str
    model: str
    attributes: dict[str, AttributeValue]


@dataclass(slots=True)
class Outcome:
    """What a finished call returned: response attributes, usage and the model that answered."""

    attributes: dict[str, AttributeValue] = field(default_factory=dict)
    usage: Usage | None = None
    model: str | None = None
    service_tier: str | None = None


class Telemetry(NamedTuple):
    """One instrumentor's tracer, metric instruments and the context markers its calls set."""

    tracer: trace.Tracer
    instruments: Instruments
    markers: Markers
    own_spans: bool = True
    """False: another library's span records the call (see ``anthropic/vendor.py``); we keep the metrics."""


def start_attributes(
    operation: str, provider: str, model: str, address: str | None, port: int | None
) -> dict[str, AttributeValue]:
    """The attributes every GenAI span starts with."""
    found: dict[str, AttributeValue] = {
        gen_ai.GEN_AI_OPERATION_NAME: operation,
        gen_ai.GEN_AI_PROVIDER_NAME: provider,
        gen_ai.GEN_AI_REQUEST_MODEL: model,
    }
    if address:
        found[SERVER_ADDRESS] = address
    if port:
        found[SERVER_PORT] = port
    return found


def add_present(target: dict[str, AttributeValue], pairs: dict[str, object]) -> None:
    """Copy the pairs whose value is a valid attribute value (None, omitted and odd types are skipped)."""
    for key, value in pairs.items():
        if value is not None:
            _add_valid(target, key, value)


Parameters = Mapping[str, tuple[str, Callable[[Any], object] | None]]
"""Request keyword -> (attribute, conversion of the keyword's value, or None to take it as it is)."""


def add_parameters(target: dict[str, AttributeValue], kwargs: dict[str, Any], parameters: Parameters) -> None:
    """The request parameters the caller passed, as attributes.

    Walks the call's few keywords rather than the table's many entries: this runs on every call.
    """
    for name, value in kwargs.items():
        parameter = parameters.get(name)
        if parameter is None or value is None:
            continue
        key, convert = parameter
        converted = value if convert is None else convert(value)
        if converted is not None:
            _add_valid(target, key, converted)


def _add_valid(target: dict[str, AttributeValue], key: str, value: object) -> None:
    """Set `value` if it is a valid attribute value; odd types and sentinels such as ``omit`` are skipped."""
    if isinstance(value, (str, bool, int, float)):
        target[key] = value
    elif isinstance(value, (list, tuple)) and value and all(isinstance(item, str) for item in value):
        target[key] = list(value)


def as_list(value: object) -> object:
    """A single string as the one-item list an array attribute wants (``stop="END"``)."""
    return [value] if isinstance(value, str) else value


def only_true(value: object) -> object:
    """``stream=True`` is recorded; ``stream=False`` is the default and is not."""
    return value is True or None


def add_content(target: dict[str, AttributeValue], key: str, value: object) -> None:
    """Content as (redacted) JSON text; sentinels such as ``omit`` (which SDK helpers pass on) are skipped."""
    if isinstance(value, (list, tuple, dict)) and value:
        target[key] = content_attribute(value)


def field_of(value: object, name: str) -> Any:
    """``value[name]`` for a mapping (request params), ``value.name`` for a model (responses)."""
    if isinstance(value, dict):
        return value.get(name)
    return getattr(value, name, None)


def server_of(instance: Any) -> tuple[str | None, int | None]:
    """Host and port the resource's client sends to (its ``base_url``)."""
    client = getattr(instance, "_client", None)
    # The public ``base_url`` property of openai 3 imports a module on every read (~0.9 µs); both
    # SDKs keep the URL in ``_base_url``, and the property stays the fallback.
    url = getattr(client, "_base_url", None)
    if url is None:
        url = getattr(client, "base_url", None)
    if url is None:
        return None, None
    # By identity: a client keeps one URL object, and hashing an httpx URL costs more than parsing it.
    cached = _servers.get(id(url))
    if cached is not None and cached[0] is url:
        return cached[1]
    server = url.host, url.port or (443 if url.scheme == "https" else 80)
    if len(_servers) >= _MAX_SERVERS:
        _servers.clear()
    _servers[id(url)] = (url, server)  # holding the URL keeps its id from being reused while cached
    return server


_MAX_SERVERS = 64
_servers: dict[int, tuple[Any, tuple[str | None, int | None]]] = {}


def text_part(text: str) -> dict[str, object]:
    """A text part of a message in the GenAI content schema."""
    return {"type": "text", "content": text}


def tool_call_part(call_id: object, name: object, arguments: object) -> dict[str, object]:
    """A tool-call part of a message in the GenAI content schema."""
    return {"type": "tool_call", "id": call_id, "name": name, "arguments": arguments}


def message(role: object, parts: list[Any]) -> dict[str, object]:
    """A message in the GenAI content schema.

    Output messages carry no ``finish_reason``: semantic-conventions-genai 1.42 deprecated it
    there, and finish reasons go in ``gen_ai.response.finish_reasons`` only.
    """
    return {"role": role, "parts": parts}


def _is_llm_span(span: trace.Span) -> bool:
    """Whether `span` is another instrumentation's live span for this same LLM call."""
    if not span.is_recording() or getattr(span, "kind", None) is not SpanKind.CLIENT:
        return False
    span_attributes = getattr(span, "attributes", None) or {}
    return span_attributes.get(gen_ai.GEN_AI_OPERATION_NAME) in LLM_OPERATIONS


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
            # session.id itself is stamped by the SessionSpanProcessor from the parent's baggage.
            span_attributes[gen_ai.GEN_AI_CONVERSATION_ID] = session.session_id
            if bound_session(current) is not session:
                parent = session.context(current)
        self.owned = not _is_llm_span(current_span)
        if not telemetry.own_spans:
            self.span, self.context = trace.INVALID_SPAN, parent
            return
        if not self.owned:
            self.span = current_span
            if session is not None:
                span_attributes[attrs.SESSION_ID] = session.session_id
                session.span_started(self.span.get_span_context().span_id)  # counted in its roll-ups
            self.span.set_attributes(span_attributes)
            self.context = set_value(OWNED_CALL_KEY, True, current)
            return
        self.span = telemetry.tracer.start_span(
            f"{request.operation} {request.model}", context=parent, kind=SpanKind.CLIENT, attributes=span_attributes
        )
        self.context = Context(
            {**trace.set_span_in_context(self.span, parent), **telemetry.markers(), OWNED_CALL_KEY: True}
        )

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
                usage.add_attributes(found, with_output=request.operation != EMBEDDINGS)
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
