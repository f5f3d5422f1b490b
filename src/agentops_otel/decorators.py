"""Decorators of both AgentOps generations: a function's calls as spans (or sessions) of a session.

AgentOps 0.3: ``@record_action``, ``@record_tool``, ``@track_agent``. AgentOps 0.4: ``@trace``
(``@session``) and ``@track_endpoint`` start a session per call; ``@agent`` is ``@track_agent``;
``@tool`` is ``@record_tool``; ``@task``/``@operation``, ``@workflow`` and ``@guardrail`` are
actions whose AgentOps kind is the span's ``agentops.span.kind``.

Each call of a decorated function is one span, current while the body runs, so spans made inside
(an LLM call inside a tool, a tool inside an action) become its children. Sync functions,
coroutine functions, generators and async generators keep their kind (frameworks inspect it);
the span starts when the body starts (first ``next()`` or ``await``) and ends when it returns,
raises, is exhausted or closed. Choices behind this are in ``docs/events.md``.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import uuid
from collections.abc import AsyncGenerator, Callable, Generator, Mapping
from contextvars import Token
from typing import Any, TypeVar, cast, overload

from opentelemetry import context as otel_context
from opentelemetry import trace as otel_trace
from opentelemetry.context import Context
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as gen_ai
from opentelemetry.trace import SpanKind
from opentelemetry.util.types import AttributeValue

from . import client as _client
from .attributes import GENAI_SCHEMA_URL, SCOPE
from .content import capture_content
from .events import (
    AGENT_KEY,
    ActionEvent,
    ErrorEvent,
    Event,
    RunningAgent,
    ToolEvent,
    mark_error,
    returns_attributes,
    span_shape,
)
from .exceptions import InvalidArgumentError, MultiSessionException
from .internal_errors import handle_internal_errors
from .registry import registry
from .session import EndState, Session, event_parent
from .tags import normalize_tags
from .values import describe_exception, safe_text
from .version import __version__

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")
_INVOKE_AGENT = gen_ai.GenAiOperationNameValues.INVOKE_AGENT.value
SPAN_KIND = "agentops.span.kind"
"""AgentOps 0.4's kind of a decorated call's span: task, operation, workflow, guardrail, tool."""
OPERATION_VERSION = "agentops.operation.version"
SPAN_TAGS = "agentops.span.tags"
TOOL_COST = "agentops.tool.cost_usd"
GUARDRAIL_SPEC = "agentops.guardrail.spec"


class _Call:
    """One decorated call's span; ``with call:`` runs a step of the body with the span current.

    An exception leaving the block fails the span and goes on unchanged. One call's steps run
    one at a time (a generator cannot run twice at once), so one token slot is enough.
    """

    __slots__ = ("_context", "_event", "_span", "_token")

    def __init__(self, span: otel_trace.Span | None = None, context: Context | None = None, event: Event | None = None):
        self._span, self._context, self._event = span, context, event
        self._token: Token[Context] | None = None

    def __enter__(self) -> None:
        self._token = otel_context.attach(self._context) if self._context is not None else None

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: object) -> None:
        if exc is not None:
            self.fail(exc)
        if self._token is not None:
            otel_context.detach(self._token)

    def finish(self, result: object) -> None:
        """End the span, with the result when content capture is on."""
        if self._span is None:
            return
        with handle_internal_errors("ending a decorated call's span"):
            try:
                if self._event is not None and capture_content():
                    self._event.returns = result
                    self._span.set_attributes(returns_attributes(self._event))
            finally:
                self._span.end()  # a span that started ends, whatever failed before

    def fail(self, error: BaseException) -> None:
        """End the span; an Exception (not a cancellation or interrupt) is recorded as an ErrorEvent."""
        if self._span is None:
            return
        with handle_internal_errors("recording a decorated call's error"):
            try:
                if isinstance(error, Exception):
                    mark_error(self._span, ErrorEvent(trigger_event=self._event, exception=error))
            finally:
                self._span.end()


class _SessionCall(_Call):
    """A decorated call that is a whole session (``@trace``, ``@track_endpoint``), ended as 0.4 ends it."""

    __slots__ = ("_session",)

    def __init__(self, session: Session) -> None:
        super().__init__(None, session.context())
        self._session = session

    def finish(self, result: object) -> None:
        """Success: the function returned."""
        self._session.end_session(EndState.SUCCESS)

    def fail(self, error: BaseException) -> None:
        """0.4 ends a decorated trace that raised as Indeterminate; the exception stays on its root span."""
        with handle_internal_errors("recording a decorated session's error"):
            self._session.span.record_exception(error)
        self._session.end_session(EndState.INDETERMINATE, describe_exception(error))


_Opener = Callable[[tuple[Any, ...], dict[str, Any]], _Call]
_NO_SPAN = _Call()


def _start(
    session: Session | None,
    name: str,
    kind: SpanKind,
    span_attributes: dict[str, AttributeValue],
    *,
    event: Event | None = None,
    agent: RunningAgent | None = None,
) -> _Call:
    """Start a span in `session` (or a plain one) and the context to run the body in."""
    parent = event_parent(session)
    client = _client.get_client()
    if client is not None:
        tracer = client.tracer
    else:
        tracer = otel_trace.get_tracer(SCOPE, __version__, schema_url=GENAI_SCHEMA_URL)
    span = tracer.start_span(name, context=parent, kind=kind, attributes=span_attributes)
    body = otel_trace.set_span_in_context(span, parent)
    if agent is not None:
        body = otel_context.set_value(AGENT_KEY, agent, body)
    return _Call(span, body, event)


def _wrap(func: F, open_call: _Opener) -> F:
    """`func` with each call run by ``open_call(args, kwargs)``'s span, keeping its function kind."""
    if inspect.isasyncgenfunction(func):

        async def async_generator(*args: Any, **kwargs: Any) -> AsyncGenerator[Any, Any]:
            call = open_call(args, kwargs)
            generator = func(*args, **kwargs)  # nothing of the body runs until the first step
            step, value = generator.asend, None
            while True:
                with call:
                    try:
                        item = await step(value)
                    except StopAsyncIteration:
                        break
                try:
                    value = yield item
                except GeneratorExit:
                    with call:
                        await generator.aclose()
                    call.finish(None)
                    raise
                except BaseException as error:
                    step, value = generator.athrow, error
                else:
                    step = generator.asend
            call.finish(None)

        wrapper: Callable[..., Any] = async_generator
    elif inspect.iscoroutinefunction(func):

        async def coroutine(*args: Any, **kwargs: Any) -> Any:
            call = open_call(args, kwargs)
            with call:
                result = await func(*args, **kwargs)
            call.finish(result)
            return result

        wrapper = coroutine
    elif inspect.isgeneratorfunction(func):

        def generator(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
            call = open_call(args, kwargs)
            return (yield from _drive(call, func(*args, **kwargs)))

        wrapper = generator
    else:

        def function(*args: Any, **kwargs: Any) -> Any:
            call = open_call(args, kwargs)
            with call:
                result = func(*args, **kwargs)
            call.finish(result)
            return result

        wrapper = function
    return cast(F, functools.wraps(func)(wrapper))


def _drive(call: _Call, generator: Generator[Any, Any, Any]) -> Generator[Any, Any, Any]:
    """Step `generator` with the span current only while it runs, never while the consumer does."""
    step: Callable[[Any], Any] = generator.send
    value: Any = None
    while True:
        with call:
            try:
                item = step(value)
            except StopIteration as stop:  # the generator returned: not an error
                result = stop.value
                break
        try:
            value = yield item
        except GeneratorExit:
            with call:
                generator.close()
            call.finish(None)
            raise
        except BaseException as error:
            step, value = generator.throw, error
        else:
            step = generator.send
    call.finish(result)
    return result


# --- record_action / record_tool ------------------------------------------------------------------


def _event_decorator(
    make_event: Callable[[str, dict[str, Any] | None], Event],
    name: str | None,
    extra: Mapping[str, AttributeValue] = {},
    *,
    capture_request: bool = True,
    capture_response: bool = True,
) -> Callable[[F], F]:
    if name is not None and not isinstance(name, str):
        raise InvalidArgumentError(f"Invalid name {name!r}: expected a string; write the decorator with ().")

    def decorator(func: F) -> F:
        signature = inspect.signature(func)
        keeps_session = "session" in signature.parameters
        event_name = name or func.__name__

        def open_call(args: tuple[Any, ...], kwargs: dict[str, Any]) -> _Call:
            given = kwargs.get("session") if keeps_session else kwargs.pop("session", None)
            session = registry.session_for_call(_given_session(given, keeps_session))
            with handle_internal_errors("starting a decorated call's span"):
                params = _arguments(signature, args, kwargs) if capture_request and capture_content() else None
                event = make_event(event_name, params)
                name, kind, span_attributes = span_shape(event)
                span_attributes.update(extra)
                return _start(session, name, kind, span_attributes, event=event if capture_response else None)
            return _NO_SPAN

        return _wrap(func, open_call)

    return decorator


def record_action(event_name: str | None = None) -> Callable[[F], F]:
    """Record each call as an action span (named `event_name`, default: the function's name).

    The session is the ``session=`` keyword's, else the one in context, else the only running
    one; ``MultiSessionException`` when several run and nothing says which.
    """
    return _event_decorator(lambda name, params: ActionEvent(action_type=name, params=params), event_name)


def record_tool(tool_name: str | None = None) -> Callable[[F], F]:
    """Record each call as an ``execute_tool {tool_name}`` span; sessions as in :func:`record_action`."""
    return _event_decorator(lambda name, params: ToolEvent(name=name, params=params), tool_name)


def _given_session(value: object, keeps_session: bool) -> Session | None:
    """The session a ``session=`` keyword names; a function's own ``session`` parameter may hold anything."""
    if value is None or isinstance(value, Session):
        return value
    if keeps_session:
        return None
    raise InvalidArgumentError(f"Invalid session {value!r}: expected an agentops Session.")


def _arguments(signature: inspect.Signature, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any] | None:
    """The call's arguments by name, defaults included (as AgentOps recorded them)."""
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError:
        return None  # the call itself is about to fail with this TypeError
    bound.apply_defaults()
    return dict(bound.arguments)


# --- track_agent ----------------------------------------------------------------------------------


def track_agent(name: str | None = None) -> Callable[[T], T]:
    """Record calls of an agent as ``invoke_agent {name}`` spans; spans inside are their children.

    On a class, each call of a public method (and ``__call__``) from outside the agent is one
    invocation; an instance built with ``session=`` keeps that session. On a function, each call
    is one. Never raises: with several sessions running and none chosen, the span is a plain one.
    """
    if name is not None and not isinstance(name, str):
        raise InvalidArgumentError(f"Invalid name {name!r}: expected a string; write @track_agent() with ().")

    def decorator(obj: T) -> T:
        agent_name = safe_text(name or str(getattr(obj, "__name__", "agent")))
        if inspect.isclass(obj):
            return cast(T, _track_class(obj, agent_name))
        if callable(obj):
            agent = RunningAgent(agent_name, str(uuid.uuid4()))
            tracked = _wrap(cast(Callable[..., Any], obj), _agent_opener(lambda _args: (agent, None)))
            tracked.agent_ops_agent_name, tracked.agent_ops_agent_id = agent  # type: ignore[attr-defined]
            return cast(T, tracked)
        raise InvalidArgumentError(f"Invalid @track_agent target {obj!r}: expected a class or a function.")

    return decorator


def _track_class(cls: type[Any], agent_name: str) -> type[Any]:
    cls.agent_ops_agent_name = agent_name
    original_init = cls.__init__

    @functools.wraps(original_init)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:  # noqa: N807 - it is the class's __init__
        own_name = kwargs.pop("agentops_name", None)  # AgentOps 0.3: a per-instance name
        original_init(self, *args, **kwargs)
        session = kwargs.get("session")
        # A class with __slots__ has nowhere to keep an identity; its calls still get spans.
        with contextlib.suppress(AttributeError, TypeError):
            object.__setattr__(self, "agent_ops_agent_id", str(uuid.uuid4()))
            if isinstance(own_name, str):
                object.__setattr__(self, "agent_ops_agent_name", safe_text(own_name))
            if isinstance(session, Session):
                object.__setattr__(self, "agent_ops_session_id", session.session_id)

    cls.__init__ = __init__
    for attribute, value in list(vars(cls).items()):
        if inspect.isfunction(value) and (not attribute.startswith("_") or attribute == "__call__"):
            setattr(cls, attribute, _wrap(value, _agent_opener(_instance_agent)))
    return cls


def _instance_agent(args: tuple[Any, ...]) -> tuple[RunningAgent, Session | None]:
    """The agent a method runs in (its instance) and the session the instance was built with."""
    instance = args[0]
    agent = RunningAgent(instance.agent_ops_agent_name, getattr(instance, "agent_ops_agent_id", None))
    session_id = getattr(instance, "agent_ops_session_id", None)
    return agent, registry.get(session_id) if isinstance(session_id, str) else None


def _agent_opener(identify: Callable[[tuple[Any, ...]], tuple[RunningAgent, Session | None]]) -> _Opener:
    def open_call(args: tuple[Any, ...], kwargs: dict[str, Any]) -> _Call:
        with handle_internal_errors("starting an agent span"):
            agent, own_session = identify(args)
            if otel_context.get_value(AGENT_KEY) == agent:
                return _NO_SPAN  # the agent calling its own methods is still the same invocation
            given = kwargs.get("session")
            try:
                session = registry.session_for_call(given if isinstance(given, Session) else own_session)
            except MultiSessionException:
                session = None
            span_attributes: dict[str, AttributeValue] = {
                gen_ai.GEN_AI_OPERATION_NAME: _INVOKE_AGENT,
                gen_ai.GEN_AI_AGENT_NAME: agent.name,
            }
            return _start(session, f"invoke_agent {agent.name}", SpanKind.INTERNAL, span_attributes, agent=agent)
        return _NO_SPAN

    return open_call


# --- AgentOps 0.4 ---------------------------------------------------------------------------------

_SESSION_KINDS = frozenset({"session", "http"})


class EntityDecorator:
    """One AgentOps 0.4 decorator (``@tool``, ``@task``, ...): bare, or with 0.4's keywords.

    ``capture_request`` / ``capture_response`` turn off recording the arguments / result, which
    are recorded only with content capture on in any case.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __repr__(self) -> str:
        return f"<agentops decorator {self.kind}>"

    @overload
    def __call__(self, wrapped: T, /) -> T: ...

    @overload
    def __call__(
        self,
        wrapped: None = None,
        /,
        *,
        name: str | None = None,
        version: object = None,
        tags: Mapping[str, object] | str | list[str] | None = None,
        cost: float | None = None,
        spec: str | None = None,
        capture_request: bool = True,
        capture_response: bool = True,
    ) -> Callable[[T], T]: ...

    def __call__(
        self,
        wrapped: T | None = None,
        /,
        *,
        name: str | None = None,
        version: object = None,
        tags: Mapping[str, object] | str | list[str] | None = None,
        cost: float | None = None,
        spec: str | None = None,
        capture_request: bool = True,
        capture_response: bool = True,
    ) -> T | Callable[[T], T]:
        """Decorate `wrapped`, or (given only keywords) return the decorator."""
        if name is not None and not isinstance(name, str):
            raise InvalidArgumentError(f"Invalid name {name!r}: expected a string.")
        if self.kind == "agent":
            decorate: Callable[[Any], Any] = track_agent(name)
        elif self.kind in _SESSION_KINDS:
            decorate = functools.partial(_session_decorator, name, tags)
        else:
            capture = {"capture_request": capture_request, "capture_response": capture_response}
            extra = self._attributes(version, tags, cost, spec)
            if self.kind == "tool":
                make_tool: Callable[[Any], Any] = _event_decorator(
                    lambda tool, params: ToolEvent(name=tool, params=params), name, extra, **capture
                )
                decorate = make_tool
            else:
                decorate = _event_decorator(
                    lambda action, params: ActionEvent(action_type=action, params=params), name, extra, **capture
                )
            decorate = functools.partial(_on_function_or_class, decorate)
        return decorate if wrapped is None else cast(T, decorate(wrapped))

    def _attributes(self, version: object, tags: object, cost: object, spec: object) -> dict[str, AttributeValue]:
        """The kind and the 0.4 keywords that describe the span (checked here, at decoration time)."""
        span_attributes: dict[str, AttributeValue] = {SPAN_KIND: self.kind}
        if version is not None:
            span_attributes[OPERATION_VERSION] = safe_text(str(version))
        if tags:
            pairs = [f"{key}:{value}" for key, value in tags.items()] if isinstance(tags, Mapping) else tags
            span_attributes[SPAN_TAGS] = normalize_tags(pairs)
        if cost is not None and self.kind == "tool":
            if isinstance(cost, bool) or not isinstance(cost, (int, float)):
                raise InvalidArgumentError(f"Invalid cost {cost!r}: expected a number (USD).")
            span_attributes[TOOL_COST] = float(cost)
        if spec in ("input", "output") and self.kind == "guardrail":
            span_attributes[GUARDRAIL_SPEC] = spec
        return span_attributes


def _on_function_or_class(decorate: Callable[[Any], Any], target: Any) -> Any:
    """On a class, each public method defined in its body (and ``__call__``) is decorated."""
    if not inspect.isclass(target):
        return decorate(target)
    for attribute, value in list(vars(target).items()):
        if inspect.isfunction(value) and (not attribute.startswith("_") or attribute == "__call__"):
            setattr(target, attribute, decorate(value))
    return target


def _session_decorator(name: str | None, tags: object, func: F) -> F:
    """Each call of `func` is a session of its own, named after it, current while its body runs."""
    if inspect.isclass(func):  # like the other kinds on a class: each public method call is one
        return cast(F, _on_function_or_class(lambda method: _session_decorator(name, tags, method), func))
    session_name = name or func.__name__
    metadata = tags if isinstance(tags, Mapping) else None
    tag_list = None if metadata is not None else normalize_tags(tags)

    def open_call(_args: tuple[Any, ...], _kwargs: dict[str, Any]) -> _Call:
        from .traces import _write_metadata  # traces imports the client, which imports this module

        session = _client.get_or_create_client().start_session(tag_list, name=session_name)
        if metadata is not None:
            _write_metadata(session, metadata, "trace.metadata")
        return _SessionCall(session)

    return _wrap(func, open_call)


trace = EntityDecorator("session")
"""Each call of the function is a session (AgentOps 0.4: a trace)."""
track_endpoint = EntityDecorator("http")
"""Each call of an HTTP handler is a session, as with :data:`trace`."""
agent = EntityDecorator("agent")
"""``invoke_agent {name}`` spans, as :func:`track_agent`."""
tool = EntityDecorator("tool")
"""``execute_tool {name}`` spans, as :func:`record_tool`; ``cost=`` is the call's cost in USD."""
task = EntityDecorator("task")
operation = task
"""AgentOps 0.4 made ``@operation`` the same decorator as ``@task``."""
workflow = EntityDecorator("workflow")
guardrail = EntityDecorator("guardrail")
"""``spec="input"`` or ``"output"`` says which side of the model the guardrail checks."""
