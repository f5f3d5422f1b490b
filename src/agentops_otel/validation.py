"""``validate_trace_spans``: AgentOps 0.4's check that a trace recorded its LLM calls, answered locally.

0.4 asked its server (waiting and retrying until the spans arrived); here the session's own
roll-ups already hold the answer, so nothing waits and nothing is sent.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from .exceptions import AgentOpsError, InvalidArgumentError
from .ids import format_session_id, is_session_id
from .registry import registry
from .session import Session
from .traces import TraceContext

logger = logging.getLogger("agentops_otel")


class ValidationError(AgentOpsError):
    """The trace does not hold what ``validate_trace_spans`` was asked to find."""


def validate_trace_spans(
    trace_id: str | None = None,
    trace_context: TraceContext | Session | None = None,
    *,
    max_retries: int = 10,
    retry_delay: float = 1.0,
    check_llm: bool = True,
    min_spans: int = 1,
    api_key: str | None = None,
) -> dict[str, Any]:
    """What the trace holds (spans, LLM calls, tokens, cost); ``ValidationError`` if it falls short.

    The trace is `trace_context`'s, else the running session with id `trace_id` (32 hex digits
    or the session id), else the session in context. `max_retries`, `retry_delay` and `api_key`
    are 0.4's server round-trip settings: accepted, unused (nothing needs waiting for here).
    Spans count once they have ended inside the session.
    """
    session = _session_for(trace_id, trace_context)
    stats = session.stats
    result: dict[str, Any] = {
        "trace_id": f"{session.trace_id:032x}",
        "session_id": session.session_id,
        "span_count": stats.spans,
        "spans": [],  # the spans themselves went to the exporter; their counts are kept
        "has_llm_spans": stats.llm_calls > 0,
        "llm_calls": stats.llm_calls,
        "llm_span_names": [],
        "metrics": {
            "prompt_tokens": stats.input_tokens,
            "completion_tokens": stats.output_tokens,
            "total_tokens": stats.input_tokens + stats.output_tokens,
            "total_cost": f"{stats.cost_usd:.6f}",
        },
    }
    if stats.spans < min_spans:
        raise ValidationError(f"Trace {result['trace_id']} has {stats.spans} span(s); expected at least {min_spans}.")
    if check_llm and not stats.llm_calls:
        raise ValidationError(f"No LLM activity recorded in trace {result['trace_id']} ({stats.spans} span(s)).")
    return result


def _session_for(trace_id: object, trace_context: object) -> Session:
    if isinstance(trace_context, TraceContext):
        return trace_context.session
    if isinstance(trace_context, Session):
        return trace_context
    if trace_context is not None:
        raise InvalidArgumentError(f"Invalid trace_context {trace_context!r}: expected what start_trace returned.")
    if trace_id is None:
        found = registry.in_context()
        if found is None:
            raise InvalidArgumentError("No trace to validate: pass trace_context= or trace_id=.")
        return found
    session_id = _as_session_id(trace_id)
    found = registry.get(session_id) if session_id is not None else None
    if found is None:
        raise ValidationError(f"No running trace {str(trace_id)[:40]!r} in this process; pass its trace_context.")
    return found


def _as_session_id(trace_id: object) -> str | None:
    """A trace id written either way (32 hex digits, or the dashed session id), dashed."""
    if isinstance(trace_id, str) and len(trace_id) == 32:
        try:
            trace_id = format_session_id(int(trace_id, 16))
        except ValueError:
            return None
    return trace_id if is_session_id(trace_id) else None


def print_validation_summary(result: dict[str, Any]) -> None:
    """Print a ``validate_trace_spans`` result, as 0.4 did (stdout: it is the caller's report)."""
    metrics = result.get("metrics") or {}
    lines = [
        f"Trace {result.get('trace_id')}: {result.get('span_count', 0)} span(s)",
        f"  LLM calls: {result.get('llm_calls', 0)}" if result.get("has_llm_spans") else "  No LLM activity detected",
        f"  Tokens: {metrics.get('total_tokens', 0)} "
        f"(prompt {metrics.get('prompt_tokens', 0)}, completion {metrics.get('completion_tokens', 0)})",
        f"  Cost: ${metrics.get('total_cost', '0.000000')}",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
