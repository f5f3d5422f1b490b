"""SessionSpanProcessor: joins spans to sessions and keeps the sessions' roll-ups.

It runs on the thread that starts or ends every span of the process (other libraries' too), so
it never raises and never blocks: one or two context reads on start, one dict lookup on end.

A span belongs to the session its parent context is bound to (``Session.context()``); only such
spans count in a session's roll-ups, and only if they end while it runs. A ``session.id`` that
arrived in baggage from another service is stamped for correlation but counts nowhere, unless
the application trusts its callers (``SessionRegistry.trust_incoming_sessions``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from opentelemetry import baggage, trace
from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor
from opentelemetry.semconv._incubating.attributes.gen_ai_attributes import (
    GEN_AI_OPERATION_NAME,
    GEN_AI_TOOL_NAME,
)
from opentelemetry.trace import SpanKind
from opentelemetry.util.types import AttributeValue

from . import attributes as attrs
from .attributes import LLM_OPERATIONS
from .ids import is_session_id
from .registry import SessionRegistry
from .session import EndState, Session, bound_session
from .stats import WRAPPING_CALLS
from .users import USER_ID, is_user_id

logger = logging.getLogger("agentops_otel")
_EXPECTED_STATUS = {state.value: state.status(None).status_code for state in EndState}


class SessionSpanProcessor(SpanProcessor):
    """Stamps ``session.id`` on span start; feeds session roll-ups on span end.

    Stamping is our own rather than ``opentelemetry-processor-baggage``'s: that processor's
    predicate sees only the baggage key, and a ``session.id`` arriving from another service is
    untrusted input that must be validated before it is written on our spans. Agent attributes
    (``gen_ai.agent.*``) are not copied onto spans under an agent: the GenAI conventions keep
    them on the agent's own span, and the trace's parent links already say which agent ran them.
    """

    def __init__(self, registry: SessionRegistry) -> None:
        self._registry = registry

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        """Stamp the session the parent context is bound to, else a well-formed incoming ``session.id``."""
        session = bound_session(parent_context)
        if session is not None:
            if (span.attributes or {}).get(attrs.SESSION_ID) != session.session_id:  # ours start with it
                span.set_attribute(attrs.SESSION_ID, session.session_id)
            if session.user_id is not None:
                span.set_attribute(USER_ID, session.user_id)
            session.span_started(span.context.span_id)
            self._note_wrapping_call(span, parent_context, session)
            return
        user_id = baggage.get_baggage(USER_ID, parent_context)
        if is_user_id(user_id):  # an incoming user id is validated as an incoming session id is
            span.set_attribute(USER_ID, user_id)
        session_id = baggage.get_baggage(attrs.SESSION_ID, parent_context)
        if session_id is None:
            session_id = _parent_session_id(parent_context)
            if session_id is None:
                return
        if not is_session_id(session_id):
            logger.debug("Ignoring a malformed session.id in baggage: %.40r", session_id)
            return
        span.set_attribute(attrs.SESSION_ID, session_id)
        trusted = self._registry.trusted(session_id)
        if trusted is not None:
            trusted.span_started(span.context.span_id)
            self._note_wrapping_call(span, parent_context, trusted)

    @staticmethod
    def _note_wrapping_call(span: Span, parent_context: Context | None, session: Session) -> None:
        """A span started right inside another span of the same call: the two describe one call.

        An LLM span inside an LLM span (LiteLLM's around the OpenAI client's), or a tool span inside
        a span of the same tool (OpenInference's AutoGen span around AutoGen's own): the outer one
        is noted in ``stats.WRAPPING_CALLS`` and counts as a span only. Most spans start right
        under their session's root, which is neither: that is checked first.
        """
        parent = trace.get_current_span(parent_context)
        if parent is session.span:
            return
        span_attributes = span.attributes or {}
        operation = span_attributes.get(GEN_AI_OPERATION_NAME)
        if operation not in LLM_OPERATIONS and operation != attrs.EXECUTE_TOOL:
            return
        parent_attributes = getattr(parent, "attributes", None)
        if not parent.is_recording() or not parent_attributes:
            return
        if operation == attrs.EXECUTE_TOOL:  # a SERVER span is the far side, which counts nothing itself
            wraps = span.kind is not SpanKind.SERVER and _tool_name(parent_attributes) == span_attributes.get(
                GEN_AI_TOOL_NAME
            )
        else:
            wraps = _is_llm_call(parent_attributes)
        if wraps:
            WRAPPING_CALLS.add(parent.get_span_context().span_id)

    def on_end(self, span: ReadableSpan) -> None:
        """Count a span into the running session it started in; check a session root's status."""
        span_attributes = span.attributes
        if not span_attributes:
            return
        if not self._counted(span, span_attributes):  # a session's root is never counted in it
            end_state = span_attributes.get(attrs.SESSION_END_STATE)
            if end_state is not None:
                self._check_root_status(span, end_state)
        if WRAPPING_CALLS and span.context is not None:
            WRAPPING_CALLS.discard(span.context.span_id)

    def _counted(self, span: ReadableSpan, span_attributes: Mapping[str, AttributeValue]) -> bool:
        """Count `span` into the running session it started in; False if it started in none."""
        session_id = span_attributes.get(attrs.SESSION_ID)
        if isinstance(session_id, str):
            for session in self._registry.with_id(session_id):
                if session.span_ended(span, span_attributes):
                    return True
        return False

    def _check_root_status(self, span: ReadableSpan, end_state: object) -> None:
        """The session sets its status before ending; this catches anything that undid that."""
        expected = _EXPECTED_STATUS.get(end_state) if isinstance(end_state, str) else None
        if span.status.status_code is not expected:
            logger.warning(
                "Session span %s ended with status %s but end state %s", span.name, span.status.status_code, end_state
            )

    def shutdown(self) -> None:
        """Nothing to release: roll-ups live on the sessions."""

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Nothing is buffered here."""
        return True


def _parent_session_id(parent_context: Context | None) -> str | None:
    """The ``session.id`` stamped on the local parent span, for a child whose context lost the baggage.

    A library that makes its span current without the context it started in (the MCP SDK's server
    span, ``trace.use_span``) drops the baggage for the work under it; the parent span still says
    which session the trace belongs to.
    """
    parent_attributes = getattr(trace.get_current_span(parent_context), "attributes", None)
    session_id = parent_attributes.get(attrs.SESSION_ID) if parent_attributes else None
    return session_id if isinstance(session_id, str) else None


def _tool_name(span_attributes: object) -> object:
    """The tool a tool span runs: GenAI's name, or OpenInference's (which adds GenAI's only at the end); else None."""
    get = getattr(span_attributes, "get", None)
    if get is None:
        return None
    if get(GEN_AI_OPERATION_NAME) == attrs.EXECUTE_TOOL:
        return get(GEN_AI_TOOL_NAME)
    return get(attrs.OPENINFERENCE_TOOL_NAME) if get(attrs.OPENINFERENCE_SPAN_KIND) == "TOOL" else None


def _is_llm_call(span_attributes: object) -> bool:
    """A model call's span: GenAI's operation name, or OpenInference's LLM kind (which may add it only at the end)."""
    get = getattr(span_attributes, "get", None)
    if get is None:
        return False
    return get(GEN_AI_OPERATION_NAME) in LLM_OPERATIONS or get(attrs.OPENINFERENCE_SPAN_KIND) == "LLM"
