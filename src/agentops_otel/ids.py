"""Session ids: uuid4 strings that are also the session's trace id.

A session id doubles as the 128-bit trace id of the session's root span, so anyone holding a
session id can open its trace in Jaeger or Honeycomb directly. :class:`SessionIdGenerator` makes
that true on every provider agentops-otel creates: it hands out uuid4-shaped trace ids, and the
exact id a session asked for while that session's root span starts.
"""

from __future__ import annotations

import random
import re
import uuid
from contextvars import ContextVar
from typing import TypeGuard

from opentelemetry.sdk.trace.id_generator import IdGenerator

from .exceptions import InvalidArgumentError

_UUID4_CLEAR = ~((0xF << 76) | (0x3 << 62))
_UUID4_SET = (0x4 << 76) | (0x2 << 62)
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

_requested_trace_id: ContextVar[int | None] = ContextVar("agentops_requested_trace_id", default=None)


def new_session_id() -> int:
    """A random uuid4 as a 128-bit int; ``random`` is what the SDK's own generator uses too."""
    return (random.getrandbits(128) & _UUID4_CLEAR) | _UUID4_SET


def format_session_id(value: int) -> str:
    """The canonical (lowercase, dashed) string form of a session id (what ``str(UUID)`` gives)."""
    digits = f"{value:032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def is_session_id(value: object) -> TypeGuard[str]:
    """Whether an untrusted value (e.g. from incoming baggage) is a well-formed session id.

    Only the canonical 36-character form is accepted, so the check is bounded in cost whatever
    a remote caller sends.
    """
    return isinstance(value, str) and len(value) == 36 and _CANONICAL_UUID.fullmatch(value) is not None


def parse_session_id(value: object) -> int:
    """Parse a caller-supplied session id (``inherited_session_id``) into its 128-bit int."""
    if isinstance(value, uuid.UUID):
        return value.int
    if isinstance(value, str) and len(value) <= 64:
        try:
            parsed = uuid.UUID(value)
        except ValueError:
            pass
        else:
            if parsed.int:
                return parsed.int
    raise InvalidArgumentError(f"Invalid session id {value!r}: expected a UUID string.")


class TraceIdRequest:
    """While active, :class:`SessionIdGenerator` returns `trace_id` for the next trace it starts."""

    def __init__(self, trace_id: int) -> None:
        self._trace_id = trace_id

    def __enter__(self) -> None:
        self._token = _requested_trace_id.set(self._trace_id)

    def __exit__(self, *exc_info: object) -> None:
        _requested_trace_id.reset(self._token)


class SessionIdGenerator(IdGenerator):
    """Trace ids that are uuid4s, so a session id and its trace id are one value."""

    def generate_span_id(self) -> int:
        """Same as the SDK's random generator: a non-zero random 64-bit id."""
        span_id = random.getrandbits(64)
        while span_id == 0:
            span_id = random.getrandbits(64)
        return span_id

    def generate_trace_id(self) -> int:
        """The id a starting session asked for, else a fresh uuid4."""
        return _requested_trace_id.get() or new_session_id()
