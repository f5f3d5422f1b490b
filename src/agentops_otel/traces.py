"""The AgentOps 0.4 trace API on our sessions: a trace *is* a session.

``start_trace`` starts a session and makes it current in the calling context (0.4 attaches the
trace's context the same way), so the LLM calls and decorated functions that follow join it;
``end_trace`` ends one session, or every running one when given none (0.4's rule). Which session
a call belongs to stays the session registry's decision: the single/multi-session rules of
``docs/concepts.md`` apply to traces unchanged.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from enum import Enum
from types import TracebackType
from typing import TypeGuard

from opentelemetry.trace import Span, StatusCode

from . import client as _client
from .exceptions import InvalidArgumentError
from .registry import registry
from .session import EndState, Session
from .values import safe_text

logger = logging.getLogger("agentops_otel")


class TraceState(Enum):
    """AgentOps 0.4's end states, which name OpenTelemetry status codes."""

    SUCCESS = StatusCode.OK
    ERROR = StatusCode.ERROR
    UNSET = StatusCode.UNSET

    def __str__(self) -> str:
        return self.name

    def to_status_code(self) -> StatusCode:
        """The OpenTelemetry status code (0.4 API)."""
        return self.value


SUCCESS = TraceState.SUCCESS
ERROR = TraceState.ERROR
UNSET = TraceState.UNSET

_BY_STATUS = {
    StatusCode.OK: EndState.SUCCESS,
    StatusCode.ERROR: EndState.FAIL,
    StatusCode.UNSET: EndState.INDETERMINATE,
}
# The 0.4 spellings that are not one of ours (``str(TraceState.ERROR)`` is "ERROR").
_ALIASES = {"ok": EndState.SUCCESS, "error": EndState.FAIL, "unset": EndState.INDETERMINATE}


def end_state_of(value: object) -> EndState:
    """Any end state of either generation as ours: TraceState, StatusCode, or a name of either."""
    if isinstance(value, TraceState):
        value = value.value
    if isinstance(value, StatusCode):
        return _BY_STATUS[value]
    if isinstance(value, str) and value.lower() in _ALIASES:
        return _ALIASES[value.lower()]
    try:
        return EndState.parse(value)
    except InvalidArgumentError:
        allowed = [*(state.value for state in EndState), *(state.name for state in TraceState)]
        raise InvalidArgumentError.expected("end state", value, allowed) from None


class TraceContext:
    """What ``start_trace`` returns: the trace's session and root span.

    ``with agentops.start_trace(...) as trace:`` ends the session when the block ends, as
    ``with session:`` does (Success, or Fail with the exception).
    """

    token = None
    """0.4 kept a context token here; our sessions detach nothing, so there is none."""

    def __init__(self, session: Session, *, is_init_trace: bool = False) -> None:
        self.session = session
        self.is_init_trace = is_init_trace

    @property
    def span(self) -> Span:
        """The session's root span."""
        return self.session.span

    @property
    def trace_id(self) -> str:
        """The trace id as 32 hex digits (the session id without dashes)."""
        return f"{self.session.trace_id:032x}"

    def __repr__(self) -> str:
        return f"<TraceContext of {self.session!r}>"

    def __enter__(self) -> TraceContext:
        self.session.__enter__()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.session.__exit__(exc_type, exc, traceback)


def start_trace(
    trace_name: str | None = None,
    tags: Mapping[str, object] | str | Iterable[str] | None = None,
    *,
    user_id: str | None = None,
) -> TraceContext:
    """Start a session named `trace_name` and make it current here (calling ``init()`` first if needed).

    Tags may be a list (session tags) or, as in 0.4, a dict (written as ``trace.metadata.*``).
    """
    if trace_name is not None and not isinstance(trace_name, str):
        raise InvalidArgumentError(f"Invalid trace_name {trace_name!r}: expected a string.")
    metadata = tags if isinstance(tags, Mapping) else None
    session = _client.get_or_create_client().start_session(
        None if metadata is not None else tags,
        name=None if trace_name in (None, "", "session") else trace_name,
        user_id=user_id,
    )
    if metadata is not None:
        _write_metadata(session, metadata, "trace.metadata")
    session.make_current()
    return TraceContext(session)


def end_trace(
    trace_context: TraceContext | Session | None = None,
    end_state: TraceState | StatusCode | EndState | str = TraceState.SUCCESS,
) -> None:
    """End the trace (session) of `trace_context`; with none, end every running session (0.4's rule)."""
    state = end_state_of(end_state)
    if trace_context is None:
        registry.end_all(state, None)
        return
    session = trace_context.session if isinstance(trace_context, TraceContext) else trace_context
    if not isinstance(session, Session):
        raise InvalidArgumentError(f"Invalid trace_context {trace_context!r}: expected what start_trace returned.")
    session.end_session(state)


def update_trace_metadata(metadata: Mapping[str, object], prefix: str = "trace.metadata") -> bool:
    """Write `metadata` as ``{prefix}.{key}`` attributes on the running trace's root span.

    The trace is the session in context, else the only running one (``MultiSessionException``
    when several run and none is in context). False, with a warning, when there is none or no
    value could be written; a list is written as JSON text, as in 0.4.
    """
    if not isinstance(metadata, Mapping):
        raise InvalidArgumentError(f"Invalid metadata {metadata!r}: expected a dict.")
    session = registry.session_for_call()
    if session is None or session.end_state is not None:
        logger.warning("No running trace: update_trace_metadata() wrote nothing.")
        return False
    return _write_metadata(session, metadata, prefix)


def _write_metadata(session: Session, metadata: Mapping[str, object], prefix: str) -> bool:
    """Write what can be written; one warning names each value that cannot."""
    written: dict[str, str | bool | int | float] = {}
    for key, given in metadata.items():
        value = json.dumps(given) if isinstance(given, list) and all(_is_scalar(item) for item in given) else given
        if isinstance(key, str) and key and _is_scalar(value):
            written[f"{prefix}.{safe_text(key)}"] = safe_text(value) if isinstance(value, str) else value
        elif given is not None:
            logger.warning("Trace metadata %.60r is not a string, number, boolean or list of them; skipped.", key)
    if written:
        session.span.set_attributes(written)
    return bool(written)


def _is_scalar(value: object) -> TypeGuard[str | int | float | bool]:
    return isinstance(value, (str, int, float, bool))
