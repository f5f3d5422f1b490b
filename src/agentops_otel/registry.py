"""The running sessions, and the one place that applies the single/multi-session rules.

Mode is never stored: it is the count of running sessions at the moment of the call. Module
functions, instrumentors, decorators and the span processor all ask this registry.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

from opentelemetry import baggage
from opentelemetry.context import Context

from . import attributes as attrs
from .exceptions import MultiSessionException, NoSessionException

if TYPE_CHECKING:
    from .session import EndState, Session


class SessionRegistry:
    """Running sessions by id: O(1) lookups, thread-safe, one lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[str, Session] = {}

    def add(self, session: Session) -> None:
        """Record a started session."""
        with self._lock:
            self._running[session.session_id] = session

    def discard(self, session: Session) -> None:
        """Forget an ended session."""
        with self._lock:
            self._running.pop(session.session_id, None)

    def get(self, session_id: str) -> Session | None:
        """The running session with this id, if any."""
        return self._running.get(session_id)

    def running(self) -> list[Session]:
        """A snapshot of the running sessions, oldest first."""
        with self._lock:
            return list(self._running.values())

    def end_all(self, end_state: EndState, end_state_reason: str | None) -> None:
        """End every running session; each ends once even if another thread ends it too."""
        for session in self.running():
            session.end_session(end_state, end_state_reason)

    def __len__(self) -> int:
        return len(self._running)

    def in_context(self, context: Context | None = None) -> Session | None:
        """The running session whose id is in the context's baggage (default: current context)."""
        session_id = baggage.get_baggage(attrs.SESSION_ID, context)
        return self._running.get(session_id) if isinstance(session_id, str) else None

    def only_session(self) -> Session:
        """The session a module function acts on (DESIGN §1, first row).

        Raises:
            NoSessionException: no session is running.
            MultiSessionException: two or more are running, even inside a session's context.
        """
        session = self._sole_session()
        if session is None:
            raise NoSessionException()
        return session

    def session_for_call(self, explicit: Session | None = None, context: Context | None = None) -> Session | None:
        """The session an LLM call or a recorded action belongs to (DESIGN §1, last rows).

        In order: the ``session=`` the caller passed, the session in context (``patch``, ``wrap``,
        ``with session:`` and incoming baggage all put it there), the only running session.
        None when no session runs.

        Raises:
            MultiSessionException: two or more sessions run and nothing says which one.
        """
        if explicit is not None:
            return explicit
        in_context = self.in_context(context)
        if in_context is not None:
            return in_context
        return self._sole_session()

    def _sole_session(self) -> Session | None:
        """The one running session; None if there is none; MultiSessionException if several."""
        with self._lock:
            count = len(self._running)
            if count == 1:
                return next(iter(self._running.values()))
        if count == 0:
            return None
        raise MultiSessionException()

    def _reset_after_fork(self) -> None:
        # Not under the lock: another thread of the parent may have held it at fork time.
        self._lock = threading.Lock()
        self._running = {}


registry = SessionRegistry()
"""The process's registry."""

if hasattr(os, "register_at_fork"):
    # A forked child starts with no sessions: the parent's sessions stay the parent's to end.
    os.register_at_fork(after_in_child=registry._reset_after_fork)  # noqa: SLF001 - module-private
