"""agentops-otel: AI-agent sessions as OpenTelemetry traces.

Use it as ``import agentops_otel as agentops`` (or install ``compat/agentops`` and keep
``import agentops``). Everything listed in ``__all__`` is the public API: the AgentOps 0.3 API and
the 0.4 one (traces, decorators) on the same sessions; every other module is private.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from decimal import Decimal

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SpanExporter

from . import client as _client
from .config import without_server_settings as _without_server_settings
from .decorators import (
    agent,
    guardrail,
    operation,
    record_action,
    record_tool,
    task,
    tool,
    trace,
    track_agent,
    track_endpoint,
    workflow,
)
from .events import ActionEvent, ErrorEvent, Event, EventType, LLMEvent, ToolEvent
from .exceptions import AgentOpsError, InvalidArgumentError, MultiSessionException, NoSessionException
from .ids import parse_session_id as _parse_session_id
from .registry import registry as _registry
from .session import EndState, Session
from .session import agent_id_for as _agent_id_for
from .traces import ERROR, SUCCESS, UNSET, TraceContext, TraceState, end_trace, start_trace, update_trace_metadata
from .traces import end_state_of as _end_state_of
from .users import check_user_id as _check_user_id
from .validation import ValidationError, print_validation_summary, validate_trace_spans
from .version import __version__

session = trace
"""AgentOps 0.4's older name of ``@trace``."""
record_function = record_action
"""AgentOps 0.3's deprecated name of ``@record_action``."""
track_tool = record_tool
"""AgentOps 0.4's legacy name of ``@record_tool``."""


def init(
    api_key: str | None = None,
    *,
    default_tags: str | Iterable[str] | None = None,
    tags: str | Iterable[str] | None = None,
    trace_name: str | None = None,
    user_id: str | None = None,
    auto_start_session: bool | None = None,
    instrument_llm_calls: bool | None = None,
    instruments: Iterable[str] | None = None,
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
    log_level: str | int | None = None,
    env_data_opt_out: bool | None = None,
    fail_safe: bool | None = None,
    auto_init: bool | None = None,
    **agentops_server: object,
) -> Session | None:
    """Set up recording and (by default) start a session, which it returns.

    An argument left at None comes from its environment variable, else its default
    (``docs/configuration.md``). A second call only warns and returns None. AgentOps 0.3/0.4
    keywords: ``tags`` joins ``default_tags``; ``trace_name`` names the session; ``log_level`` is
    the ``agentops_otel`` logger's; ``env_data_opt_out``, ``fail_safe`` and ``auto_init`` change
    nothing (no environment data is collected, telemetry never raises, nothing starts on import);
    the AgentOps server's settings (``endpoint``, ``parent_key``, ...) get one warning.
    """
    if inherited_session_id is not None:
        _parse_session_id(inherited_session_id)  # a bad id fails before anything is set up
    _check_user_id(user_id)
    _reject_unknown(_without_server_settings(agentops_server, "agentops.init"))
    if log_level is not None:
        logging.getLogger("agentops_otel").setLevel(log_level)
    if tags is not None:
        default_tags = [*_as_list(default_tags), *_as_list(tags)]
    return _client.init(
        {
            "api_key": api_key,
            "default_tags": default_tags,
            "auto_start_session": auto_start_session,
            "instrument_llm_calls": instrument_llm_calls,
            "instruments": instruments,
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
        trace_name=trace_name,
        user_id=user_id,
    )


def _as_list(tags: str | Iterable[str] | None) -> list[str]:
    return [] if tags is None else [tags] if isinstance(tags, str) else list(tags)


def _reject_unknown(arguments: dict[str, object]) -> None:
    if arguments:
        raise TypeError(f"init() got an unexpected keyword argument {next(iter(arguments))!r}")


def start_session(
    tags: str | Iterable[str] | None = None,
    *,
    inherited_session_id: str | None = None,
    name: str | None = None,
    user_id: str | None = None,
) -> Session:
    """Start a session (calling ``init()`` with its defaults first, if needed); `user_id` is its user."""
    return _client.get_or_create_client().start_session(
        tags, inherited_session_id=inherited_session_id, name=name, user_id=user_id
    )


def end_session(
    session_or_status: Session | EndState | str | None = None,
    end_state_reason: str | None = None,
    video: str | None = None,
    is_auto_end: bool = False,
    *,
    end_state: EndState | TraceState | str | None = None,
) -> Decimal | None:
    """End a session; returns its LLM cost in USD.

    The forms of both generations: ``end_session("Success", reason)`` and
    ``end_session(end_state="Fail", end_state_reason=...)`` end the one running session;
    ``end_session(session)`` / ``end_session(session, end_state=...)`` (0.4) end that one, in any
    mode. No end state is Success (0.4's default). ``is_auto_end=True`` (what framework
    integrations pass) is ignored when ``skip_auto_end_session`` is set; ``video`` is accepted.

    Raises:
        NoSessionException: no session given and none is running.
        MultiSessionException: no session given and several are running.
    """
    if isinstance(session_or_status, Session):
        target, state = session_or_status, end_state
    else:
        target, state = _registry.only_session(), end_state if session_or_status is None else session_or_status
    client = _client.get_client()
    if is_auto_end and client is not None and client.config.skip_auto_end_session:
        return None
    return target.end_session(_end_state_of(EndState.SUCCESS if state is None else state), end_state_reason)


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
    _client.configure(_without_server_settings(settings, "agentops.configure"))


def set_api_key(api_key: str) -> None:
    """AgentOps 0.3: set the API key (as ``configure(api_key=...)``: before ``init()`` it takes effect)."""
    configure(api_key=api_key)


def get_api_key() -> str | None:
    """AgentOps 0.3: the API key of the running client, if any."""
    client = _client.get_client()
    return client.config.api_key if client is not None else None


def set_parent_key(parent_key: str) -> None:
    """AgentOps 0.3: the parent organisation's key on the AgentOps server; does nothing here (one warning)."""
    _without_server_settings({"parent_key": parent_key}, "agentops.set_parent_key")


def create_agent(name: str, agent_id: str | None = None) -> str:
    """AgentOps 0.3: register an agent, returning its id; records nothing (``@track_agent`` records invocations)."""
    return _agent_id_for(name, agent_id)


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


__all__ = [  # noqa: RUF022 - plain sorted() order, which tests/test_public_api.py checks
    "ActionEvent",
    "AgentOpsError",
    "ERROR",
    "EndState",
    "ErrorEvent",
    "Event",
    "EventType",
    "InvalidArgumentError",
    "LLMEvent",
    "MultiSessionException",
    "NoSessionException",
    "SUCCESS",
    "Session",
    "ToolEvent",
    "TraceContext",
    "TraceState",
    "UNSET",
    "ValidationError",
    "__version__",
    "add_tags",
    "agent",
    "configure",
    "create_agent",
    "current_session",
    "end_all_sessions",
    "end_session",
    "end_trace",
    "get_api_key",
    "get_session",
    "guardrail",
    "init",
    "operation",
    "print_validation_summary",
    "record",
    "record_action",
    "record_function",
    "record_tool",
    "session",
    "set_api_key",
    "set_parent_key",
    "set_tags",
    "shutdown",
    "start_session",
    "start_trace",
    "stop_instrumenting",
    "task",
    "tool",
    "trace",
    "track_agent",
    "track_endpoint",
    "track_tool",
    "update_trace_metadata",
    "validate_trace_spans",
    "workflow",
]
