"""The typed errors that agentops-otel raises into user code.

These are the only exceptions the SDK raises on purpose: everything else that goes wrong inside
telemetry is logged, never raised (see :mod:`agentops_otel.internal_errors`).

    AgentOpsError
    ├── MultiSessionException     a module function was ambiguous: 2+ sessions are running
    ├── NoSessionException        a session action needs a session and none is running
    └── InvalidArgumentError      a bad argument (also a ValueError)
"""

from __future__ import annotations

from collections.abc import Iterable

MULTI_SESSION_MESSAGE = (
    "If multiple sessions exist, you must use session.function(). "
    "Example: session.add_tags(...) instead of agentops.add_tags(...)."
)
NO_SESSION_MESSAGE = "A session action was attempted while no session existed on the client."


class AgentOpsError(Exception):
    """Base class of every error agentops-otel raises on purpose."""


class MultiSessionException(AgentOpsError):
    """Raised when a call cannot tell which of several running sessions it belongs to."""

    def __init__(self, message: str = MULTI_SESSION_MESSAGE) -> None:
        super().__init__(message)


class NoSessionException(AgentOpsError):
    """Raised when a session action is attempted while no session is running."""

    def __init__(self, message: str = NO_SESSION_MESSAGE) -> None:
        super().__init__(message)


class InvalidArgumentError(AgentOpsError, ValueError):
    """Raised for a bad argument; names the bad value and the allowed ones."""

    @classmethod
    def expected(cls, what: str, value: object, allowed: Iterable[str]) -> InvalidArgumentError:
        """Build the error for `value` not being one of `allowed`."""
        choices = ", ".join(repr(choice) for choice in allowed)
        return cls(f"Invalid {what} {value!r}: expected one of {choices}.")
