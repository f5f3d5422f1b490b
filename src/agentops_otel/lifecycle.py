"""Process exit: end running sessions with the right end state, then flush, within a bound.

Normal exit ends sessions Indeterminate, SIGINT/SIGTERM end them Fail, an uncaught exception
ends them Fail with its type and message (in a thread: only the session that thread was
working for through ``session.wrap``). Every hook chains onto what the application (or
another library) installed before it and can be removed again, never overwriting theirs.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Protocol

from .internal_errors import handle_internal_errors
from .session import EndState, session_that_raised

EXIT_REASON = "N/A (process exited without calling agentops.end_session(...))"
_SIGNALS = (signal.SIGINT, signal.SIGTERM)

_SignalHandler = Callable[[int, FrameType | None], object] | int | None
_ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]
_ThreadExceptHook = Callable[[threading.ExceptHookArgs], object]


class ExitTarget(Protocol):
    """What the hooks act on: the client."""

    def end_all_sessions(self, end_state: EndState, end_state_reason: str | None) -> None:
        """End every running session."""

    def flush(self) -> None:
        """Export what is queued, within the flush bound."""

    def close(self) -> None:
        """Export what is queued and stop exporting, within the flush bound."""


class ExitHooks:
    """atexit, signal and excepthook handlers for one client."""

    def __init__(self, target: ExitTarget) -> None:
        self._target = target
        self._previous_signals: dict[int, _SignalHandler] = {}
        self._previous_excepthook: _ExceptHook | None = None
        self._previous_thread_excepthook: _ThreadExceptHook | None = None

    def install(self) -> None:
        """Register the hooks; signals only from the main thread, as Python requires."""
        atexit.register(self._at_exit)
        self._previous_excepthook = sys.excepthook
        sys.excepthook = self._on_uncaught_exception
        self._previous_thread_excepthook = threading.excepthook
        threading.excepthook = self._on_uncaught_thread_exception
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in _SIGNALS:
            previous = signal.getsignal(signum)
            if previous is signal.SIG_IGN:
                continue  # the application chose to ignore it; so do we
            self._previous_signals[signum] = previous
            signal.signal(signum, self._on_signal)

    def uninstall(self) -> None:
        """Remove the hooks, restoring what was there where nobody replaced ours since."""
        atexit.unregister(self._at_exit)
        if sys.excepthook == self._on_uncaught_exception and self._previous_excepthook is not None:
            sys.excepthook = self._previous_excepthook
        if threading.excepthook == self._on_uncaught_thread_exception and self._previous_thread_excepthook:
            threading.excepthook = self._previous_thread_excepthook
        if threading.current_thread() is threading.main_thread():
            for signum, previous in self._previous_signals.items():
                if signal.getsignal(signum) == self._on_signal:
                    signal.signal(signum, previous)
        self._previous_signals.clear()

    def _at_exit(self) -> None:
        with handle_internal_errors("ending sessions at exit"):
            self._target.end_all_sessions(EndState.INDETERMINATE, EXIT_REASON)
        self._target.close()

    def _on_uncaught_exception(
        self, exc_type: type[BaseException], exc: BaseException, traceback: TracebackType | None
    ) -> None:
        with handle_internal_errors("ending sessions after an uncaught exception"):
            self._target.end_all_sessions(EndState.FAIL, f"{exc_type.__name__}: {exc}")
        previous = self._previous_excepthook or sys.__excepthook__
        previous(exc_type, exc, traceback)

    def _on_uncaught_thread_exception(self, args: threading.ExceptHookArgs) -> None:
        """A thread died of an exception: end the session it was working for, if `wrap` says which.

        Other sessions carry on: the process (and its other threads) keep running.
        """
        if args.exc_value is not None and not issubclass(args.exc_type, SystemExit):  # SystemExit ends the thread only
            session = session_that_raised(args.exc_value)
            if session is not None:
                with handle_internal_errors("ending a session after an uncaught thread exception"):
                    session.end_session(EndState.FAIL, f"{args.exc_type.__name__}: {args.exc_value}")
        (self._previous_thread_excepthook or threading.__excepthook__)(args)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        with handle_internal_errors("ending sessions on a signal"):
            self._target.end_all_sessions(EndState.FAIL, f"Signal {signal.Signals(signum).name} detected")
            self._target.flush()
        previous = self._previous_signals.get(signum, signal.SIG_DFL)
        if callable(previous):
            previous(signum, frame)
        elif previous == signal.SIG_DFL:
            # Die the way the signal would have killed us (exit status included).
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
