"""The running sessions, and the one place that applies the single/multi-session rules.

Mode is never stored: it is the count of running sessions at the moment of the call. Module
functions, instrumentors, decorators and the span processor all ask this registry.

Which session a call or span belongs to is decided by the Session object bound to its context
(:data:`SESSION_KEY`, set by ``Session.context()``: ``with session:``, ``wrap``, ``patch``, and
the threads and tasks started from them), even after that session has ended. A ``session.id``
that only arrived in baggage from another service is an untrusted claim: it is stamped on spans
for correlation but never joins a session running here, unless the application trusts its
callers (:attr:`SessionRegistry.trust_incoming_sessions`).
"""

from __future__ import annotations

import os
import threading

from opentelemetry import baggage
from opentelemetry.context import Context

from . import attributes as attrs
from .exceptions import MultiSessionException, NoSessionException
from .session import EndState, Session, bound_session


class SessionRegistry:
    """Running sessions: O(1) lookups by id, thread-safe, one lock.

    Two live Session objects may share an id (``inherited_session_id`` of a session running
    here): each is kept, ended and counted on its own.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[Session, None] = {}  # the running sessions, oldest first
        self._by_id: dict[str, tuple[Session, ...]] = {}  # replaced, never mutated: read without the lock
        self.trust_incoming_sessions = False
        """Let a ``session.id`` in incoming baggage join the running session of that id (opt-in)."""

    def add(self, session: Session) -> None:
        """Record a started session."""
        with self._lock:
            self._sessions[session] = None
            self._by_id[session.session_id] = (*self._by_id.get(session.session_id, ()), session)

    def discard(self, session: Session) -> None:
        """Forget an ended session; others with the same id keep running."""
        with self._lock:
            if session not in self._sessions:
                return
            del self._sessions[session]
            others = tuple(same for same in self._by_id[session.session_id] if same is not session)
            if others:
                self._by_id[session.session_id] = others
            else:
                del self._by_id[session.session_id]

    def get(self, session_id: str) -> Session | None:
        """The running session with this id (the oldest, if several share it), if any."""
        found = self._by_id.get(session_id)
        return found[0] if found else None

    def with_id(self, session_id: str) -> tuple[Session, ...]:
        """Every running session with this id, oldest first."""
        return self._by_id.get(session_id, ())

    def running(self) -> list[Session]:
        """A snapshot of the running sessions, oldest first."""
        with self._lock:
            return list(self._sessions)

    def end_all(self, end_state: EndState, end_state_reason: str | None) -> None:
        """End every running session; each ends once even if another thread ends it too."""
        for session in self.running():
            session.end_session(end_state, end_state_reason)

    def __len__(self) -> int:
        return len(self._sessions)

    def trusted(self, session_id: object) -> Session | None:
        """The running session an incoming ``session.id`` names, only if the application trusts its callers."""
        return self.get(session_id) if self.trust_incoming_sessions and isinstance(session_id, str) else None

    def in_context(self, context: Context | None = None) -> Session | None:
        """The running session of the context (default: current): the one bound there, else a trusted incoming id."""
        bound = bound_session(context)
        if bound is not None:
            return bound if bound.end_state is None else None
        return self.trusted(baggage.get_baggage(attrs.SESSION_ID, context))

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

        In order: the ``session=`` the caller passed, the session the context is bound to
        (``patch``, ``wrap``, ``with session:``; even if it has ended: the call is then recorded
        in that session's trace and counted in no session), a trusted incoming ``session.id``,
        the only running session. None when no session runs.

        Raises:
            MultiSessionException: two or more sessions run and nothing says which one.
        """
        if explicit is not None:
            return explicit
        bound = bound_session(context)
        if bound is not None:
            return bound
        trusted = self.trusted(baggage.get_baggage(attrs.SESSION_ID, context))
        if trusted is not None:
            return trusted
        return self._sole_session()

    def _sole_session(self) -> Session | None:
        """The one running session; None if there is none; MultiSessionException if several."""
        with self._lock:
            count = len(self._sessions)
            if count == 1:
                return next(iter(self._sessions))
        if count == 0:
            return None
        raise MultiSessionException()

    def _reset_after_fork(self) -> None:
        # Not under the lock: another thread of the parent may have held it at fork time.
        self._lock = threading.Lock()
        self._sessions = {}
        self._by_id = {}


registry = SessionRegistry()
"""The process's registry."""

if hasattr(os, "register_at_fork"):
    # A forked child starts with no sessions: the parent's sessions stay the parent's to end.
    os.register_at_fork(after_in_child=registry._reset_after_fork)  # noqa: SLF001 - module-private
