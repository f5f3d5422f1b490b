"""The wrapt wrappers every instrumented method shares, sync and async.

Each does, in order: take the ``session=`` keyword out of the call, stop here if
instrumentation is off, ask the session registry which session the call belongs to (which may
raise ``MultiSessionException``, before any request is sent), start the span, call the client
inside the span's context, and hand the result to the provider's ``respond`` (which ends the
span now, or wraps a stream that ends it later). The caller's exception is re-raised unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from opentelemetry.context import attach, detach
from opentelemetry.instrumentation.utils import is_instrumentation_enabled

from ..exceptions import InvalidArgumentError
from ..internal_errors import log_internal_error
from ..registry import registry
from ..session import Session
from .call import LLMCall, Telemetry
from .models import Request

Wrapper = Callable[[Callable[..., Any], Any, tuple[Any, ...], dict[str, Any]], Any]
SESSION_KEYWORD = "session"


class Hooks(NamedTuple):
    """The provider-specific half of a wrapper: read the request, handle the result."""

    request: Callable[[Any, dict[str, Any]], Request]
    """From the resource instance and the call's keywords (it may add keywords, e.g. stream options)."""
    respond: Callable[[LLMCall, Any, dict[str, Any]], Any]
    """Ends the call from the result, or wraps the result so that it ends later; returns what the caller gets."""


class StartOnEnter(NamedTuple):
    """Hooks of a method that returns a context manager which sends the request when entered.

    The session is decided at the call, in the caller's context; the span starts on entering
    the manager, which ``manager`` wraps (Anthropic's ``messages.stream(...)``).
    """

    request: Callable[[Any, dict[str, Any]], Request]
    manager: Callable[[Any, Callable[[], LLMCall | None]], Any]
    """(the client's manager, a function starting the call) -> the manager the caller gets."""


class Target(NamedTuple):
    """One client method to wrap, as data: where it is, its hooks, and whether it is a coroutine."""

    module: str
    cls: str
    method: str
    hooks: Hooks | StartOnEnter
    is_async: bool = False


@dataclass
class Switch:
    """One instrumentor's state, shared by its wrappers: wrappers cached by the client outlive unwrap."""

    telemetry: Telemetry | None = None
    active: bool = False


def session_keyword(kwargs: dict[str, Any]) -> Session | None:
    """Take the ``session=`` keyword (AgentOps 0.3) out of the call before the client sees it."""
    explicit = kwargs.pop(SESSION_KEYWORD, None)
    if explicit is not None and not isinstance(explicit, Session):
        raise InvalidArgumentError(f"Invalid session {explicit!r}: expected a Session from agentops.start_session().")
    return explicit


class Resolved(NamedTuple):
    """What a call to be traced needs, decided in the caller's context before any request is sent."""

    telemetry: Telemetry
    session: Session | None


def resolve(switch: Switch, kwargs: dict[str, Any]) -> Resolved | None:
    """The call's telemetry and session; None when the call is not to be traced.

    Raises:
        MultiSessionException: from the registry, when nothing says which running session the call is for.
        InvalidArgumentError: ``session=`` is not a Session.
    """
    explicit = session_keyword(kwargs)
    telemetry = switch.telemetry
    if not switch.active or telemetry is None or not is_instrumentation_enabled():
        return None
    return Resolved(telemetry, registry.session_for_call(explicit))


def begin(
    resolved: Resolved,
    read_request: Callable[[Any, dict[str, Any]], Request],
    instance: Any,
    kwargs: dict[str, Any],
) -> LLMCall | None:
    """Read the request and start the call's span; None (and a log line) if telemetry failed, so the call goes on."""
    try:
        return LLMCall(resolved.telemetry, read_request(instance, kwargs), resolved.session)
    except Exception:
        log_internal_error("starting an LLM span")
        return None


def _start(switch: Switch, hooks: Hooks, instance: Any, kwargs: dict[str, Any]) -> LLMCall | None:
    resolved = resolve(switch, kwargs)
    return None if resolved is None else begin(resolved, hooks.request, instance, kwargs)


def _respond(hooks: Hooks, call: LLMCall, result: Any, kwargs: dict[str, Any]) -> Any:
    try:
        return hooks.respond(call, result, kwargs)
    except Exception:
        log_internal_error("reading an LLM response")
    call.finish(None)
    return result


def wrapper_for(switch: Switch, target: Target) -> Wrapper:
    """The wrapt wrapper of `target`'s method."""
    hooks = target.hooks
    if isinstance(hooks, StartOnEnter):
        return _started_on_enter(switch, hooks)
    return _traced_async(switch, hooks) if target.is_async else _traced(switch, hooks)


def _started_on_enter(switch: Switch, hooks: StartOnEnter) -> Wrapper:
    def traced_method(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        resolved = resolve(switch, kwargs)
        manager = wrapped(*args, **kwargs)
        if resolved is None:
            return manager
        return hooks.manager(manager, lambda: begin(resolved, hooks.request, instance, kwargs))

    return traced_method


def _traced(switch: Switch, hooks: Hooks) -> Wrapper:
    """The wrapper of a sync client method."""

    def traced_method(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        call = _start(switch, hooks, instance, kwargs)
        if call is None:
            return wrapped(*args, **kwargs)
        token = attach(call.context)
        try:
            result = wrapped(*args, **kwargs)
        except BaseException as error:
            call.fail(error)
            raise
        finally:
            detach(token)
        return _respond(hooks, call, result, kwargs)

    return traced_method


def _traced_async(switch: Switch, hooks: Hooks) -> Wrapper:
    """The wrapper of an async client method."""

    async def traced_method(
        wrapped: Callable[..., Awaitable[Any]], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        call = _start(switch, hooks, instance, kwargs)
        if call is None:
            return await wrapped(*args, **kwargs)
        token = attach(call.context)
        try:
            result = await wrapped(*args, **kwargs)
        except BaseException as error:
            call.fail(error)
            raise
        finally:
            detach(token)
        return _respond(hooks, call, result, kwargs)

    return traced_method
