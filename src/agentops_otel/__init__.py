"""agentops-otel: AI-agent sessions as OpenTelemetry traces.

Use it as ``import agentops_otel as agentops``. Everything listed in ``__all__`` is the public API
(the AgentOps 0.3 API, call for call); every other module is private.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SpanExporter

from . import client as _client
from .decorators import record_action, record_tool, track_agent
from .events import ActionEvent, ErrorEvent, Event, LLMEvent, ToolEvent
from .exceptions import AgentOpsError, InvalidArgumentError, MultiSessionException, NoSessionException
from .ids import parse_session_id as _parse_session_id
from .registry import registry as _registry
from .session import EndState, Session
from .version import __version__


def init(
    api_key: str | None = None,
    *,
    default_tags: str | Iterable[str] | None = None,
    auto_start_session: bool | None = None,
    instrument_llm_calls: bool | None = None,
    inherited_session_id: str | None = None,
    skip_auto_end_session: bool | None = None,
    max_wait_time: int | None = None,
    max_queue_size: int | None = None,
    service_name: str | None = None,
    exporter: SpanExporter | str | None = None,
    traces_file: str | None = None,
    capture_content: bool | None = None,
    redact_content: Callable[[str], str] | None = None,
    trust_incoming_sessions: bool | None = None,
    tracer_provider: TracerProvider | None = None,
) -> Session | None:
    """Set up recording and (by default) start a session, which it returns.

    An argument left at None comes from its environment variable, else its default
    (``docs/configuration.md``). A second call only warns and returns None.
    """
    if inherited_session_id is not None:
        _parse_session_id(inherited_session_id)  # a bad id fails before anything is set up
    return _client.init(
        {
            "api_key": api_key,
            "default_tags": default_tags,
            "auto_start_session": auto_start_session,
            "instrument_llm_calls": instrument_llm_calls,
            "skip_auto_end_session": skip_auto_end_session,
            "max_wait_time": max_wait_time,
            "max_queue_size": max_queue_size,
            "service_name": service_name,
            "exporter": exporter,
            "traces_file": traces_file,
            "capture_content": capture_content,
            "redact_content": redact_content,
            "trust_incoming_sessions": trust_incoming_sessions,
        },
        tracer_provider,
        inherited_session_id,
    )


def start_session(
    tags: str | Iterable[str] | None = None, *, inherited_session_id: str | None = None, name: str | None = None
) -> Session:
    """Start a session (calling ``init()`` with its defaults first, if needed)."""
    return _client.get_or_create_client().start_session(tags, inherited_session_id=inherited_session_id, name=name)


def end_session(
    end_state: EndState | str, end_state_reason: str | None = None, is_auto_end: bool = False
) -> Decimal | None:
    """End the one running session; returns its LLM cost in USD.

    ``is_auto_end=True`` (what framework integrations pass) is ignored when
    ``skip_auto_end_session`` is set.

    Raises:
        NoSessionException: no session is running.
        MultiSessionException: several are; call ``session.end_session(...)`` instead.
    """
    session = _registry.only_session()
    client = _client.get_client()
    if is_auto_end and client is not None and client.config.skip_auto_end_session:
        return None
    return session.end_session(end_state, end_state_reason)


def add_tags(tags: str | Iterable[str]) -> None:
    """Add tags to the one running session (NoSessionException / MultiSessionException otherwise)."""
    _registry.only_session().add_tags(tags)


def set_tags(tags: str | Iterable[str]) -> None:
    """Replace the tags of the one running session (NoSessionException / MultiSessionException otherwise)."""
    _registry.only_session().set_tags(tags)


def record(event: Event) -> None:
    """Record an event in the one running session (NoSessionException / MultiSessionException otherwise)."""
    _registry.only_session().record(event)


def configure(**settings: object) -> None:
    """Change settings after (or before) ``init()``, e.g. ``configure(default_tags=["prod"])``."""
    _client.configure(settings)


def get_session(session_id: str) -> Session | None:
    """The running session with this id, e.g. for a REST handler given the id."""
    return _registry.get(session_id) if isinstance(session_id, str) else None


def current_session() -> Session | None:
    """The running session of the current context (``with session:``, ``wrap``, ``patch``)."""
    return _registry.in_context()


def end_all_sessions(end_state: EndState | str = EndState.INDETERMINATE, end_state_reason: str | None = None) -> None:
    """End every running session."""
    _registry.end_all(EndState.parse(end_state), end_state_reason)


def shutdown() -> None:
    """End running sessions (Indeterminate), flush, and undo ``init()``."""
    _client.shutdown()


def stop_instrumenting() -> None:
    """Stop recording LLM calls (AgentOps 0.3); sessions and their other spans carry on."""
    client = _client.get_client()
    if client is not None:
        client.stop_instrumenting()


__all__ = [
    "ActionEvent",
    "AgentOpsError",
    "EndState",
    "ErrorEvent",
    "Event",
    "InvalidArgumentError",
    "LLMEvent",
    "MultiSessionException",
    "NoSessionException",
    "Session",
    "ToolEvent",
    "__version__",
    "add_tags",
    "configure",
    "current_session",
    "end_all_sessions",
    "end_session",
    "get_session",
    "init",
    "record",
    "record_action",
    "record_tool",
    "set_tags",
    "shutdown",
    "start_session",
    "stop_instrumenting",
    "track_agent",
]
