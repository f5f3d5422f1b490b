"""Process exit: end running sessions with the right end state, then flush, within a bound.

Normal exit ends sessions Indeterminate, SIGINT/SIGTERM end them Fail, an uncaught exception
ends them Fail with its type and message (in a thread: only the session that thread was
working for through ``session.wrap``). Every hook chains onto what the application (or
another library) installed before it and can be removed again, never overwriting theirs.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing.util
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Protocol

from .internal_errors import handle_internal_errors
from .session import EndState, session_that_raised
from .values import describe_exception

EXIT_REASON = "N/A (process exited without calling agentops.end_session(...))"
_SIGNALS = (signal.SIGINT, signal.SIGTERM)

_SignalHandler = Callable[[int, FrameType | None], object] | int | None
_ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]
_ThreadExceptHook = Callable[[threading.ExceptHookArgs], object]


class ExitTarget(Protocol):
    """What the hooks act on: the client."""

    def end_all_sessions(self, end_state: EndState, end_state_reason: str | None) -> None:
        """End every running session."""

    def flush(self, timeout_millis: int | None = None) -> None:
        """Export what is queued, within `timeout_millis` (default: the flush bound)."""

    def close(self, timeout_millis: int | None = None) -> None:
        """Export what is queued and stop exporting, within `timeout_millis` (default: the flush bound)."""

    @property
    def flush_timeout(self) -> int:
        """The flush bound in milliseconds: the whole budget of one process exit."""


class _ExitDeadline:
    """One flush budget per process exit, started by whatever begins the exit (a signal, atexit).

    A signal handler flushes and the atexit hook closes afterwards; without a shared deadline
    a slow collector would cost the process the flush bound twice.
    """

    def __init__(self) -> None:
        self._ends_at: float | None = None

    def start(self, budget_millis: int) -> None:
        if self._ends_at is None:
            self._ends_at = time.monotonic() + budget_millis / 1000

    def remaining_millis(self, budget_millis: int) -> int:
        self.start(budget_millis)
        assert self._ends_at is not None
        return max(0, int((self._ends_at - time.monotonic()) * 1000))


class ExitHooks:
    """atexit, signal and excepthook handlers for one client.

    A signal handler runs on the main thread between two of its bytecodes, possibly while that
    thread holds one of our locks (or the SDK's). So the handler never takes a lock: it posts
    the signal to a watcher thread (``SimpleQueue.put`` is reentrant) that ends the sessions and
    flushes, and only waits briefly, never on a lock, for the sessions to be ended.
    """

    def __init__(self, target: ExitTarget) -> None:
        self._target = target
        self._previous_signals: dict[int, _SignalHandler] = {}
        self._previous_excepthook: _ExceptHook | None = None
        self._previous_thread_excepthook: _ThreadExceptHook | None = None
        self._deadline = _ExitDeadline()
        self._exited = False
        self._signal_reason: str | None = None  # set once a signal arrived: the end reason from then on
        self._handling_signal = False
        self._signals: queue.SimpleQueue[int | None] = queue.SimpleQueue()
        self._sessions_ended: queue.SimpleQueue[None] = queue.SimpleQueue()
        self._watcher_done = threading.Event()
        self._watcher: threading.Thread | None = None

    def install(self) -> None:
        """Register the hooks; signals only from the main thread, as Python requires."""
        atexit.register(self._at_exit)
        self._previous_excepthook = sys.excepthook
        sys.excepthook = self._on_uncaught_exception
        self._previous_thread_excepthook = threading.excepthook
        threading.excepthook = self._on_uncaught_thread_exception
        _installed.add(self)
        multiprocessing.util.register_after_fork(self, _close_at_forked_child_exit)
        if multiprocessing.parent_process() is not None:
            # init() inside a multiprocessing child, which may end with os._exit() (fork, forkserver).
            multiprocessing.util.Finalize(self, self._at_exit, exitpriority=0)
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in _SIGNALS:
            previous = signal.getsignal(signum)
            if previous is signal.SIG_IGN:
                continue  # the application chose to ignore it; so do we
            self._previous_signals[signum] = previous
            signal.signal(signum, self._on_signal)
        if self._previous_signals:
            self._start_watcher()

    def uninstall(self) -> None:
        """Remove the hooks, restoring what was there where nobody replaced ours since."""
        atexit.unregister(self._at_exit)
        _installed.discard(self)
        if sys.excepthook == self._on_uncaught_exception and self._previous_excepthook is not None:
            sys.excepthook = self._previous_excepthook
        if threading.excepthook == self._on_uncaught_thread_exception and self._previous_thread_excepthook:
            threading.excepthook = self._previous_thread_excepthook
        if threading.current_thread() is threading.main_thread():
            for signum, previous in self._previous_signals.items():
                if signal.getsignal(signum) == self._on_signal:
                    signal.signal(signum, previous)
        self._previous_signals.clear()
        self._stop_watcher()

    # --- exit -------------------------------------------------------------------------------------

    def _at_exit(self) -> None:
        """End the sessions and close export; once, whether atexit or multiprocessing calls it first."""
        if self._exited:
            return
        self._exited = True
        budget = self._target.flush_timeout
        self._deadline.start(budget)
        if self._signal_reason is not None:
            # The watcher's steps are each bounded by the deadline; this bound is only a backstop
            # (past the deadline, so the watcher's own timeout always comes first).
            self._watcher_done.wait((self._deadline.remaining_millis(budget) + budget) / 1000)
        with handle_internal_errors("ending sessions at exit"):
            if self._signal_reason is not None:
                self._target.end_all_sessions(EndState.FAIL, self._signal_reason)
            else:
                self._target.end_all_sessions(EndState.INDETERMINATE, EXIT_REASON)
        self._target.close(self._deadline.remaining_millis(budget))

    def _on_forked_child(self) -> None:
        """In a forked child: the parent's watcher thread is gone, and the child may end with ``os._exit``."""
        self._deadline = _ExitDeadline()
        self._signal_reason = None
        self._handling_signal = False
        self._signals = queue.SimpleQueue()
        self._sessions_ended = queue.SimpleQueue()
        self._watcher_done = threading.Event()
        self._watcher = None
        if self._previous_signals:
            self._start_watcher()

    # --- uncaught exceptions ------------------------------------------------------------------------

    def _on_uncaught_exception(
        self, exc_type: type[BaseException], exc: BaseException, traceback: TracebackType | None
    ) -> None:
        with handle_internal_errors("ending sessions after an uncaught exception"):
            self._target.end_all_sessions(EndState.FAIL, self._signal_reason or describe_exception(exc))
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
                    session.end_session(EndState.FAIL, describe_exception(args.exc_value))
        (self._previous_thread_excepthook or threading.__excepthook__)(args)

    # --- signals ----------------------------------------------------------------------------------

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        """Hand the signal to the watcher, then do what the signal would have done without us."""
        nested = self._handling_signal
        self._handling_signal = True
        if self._signal_reason is None:
            self._signal_reason = f"Signal {signal.Signals(signum).name} detected"
        previous = self._previous_signals.get(signum, signal.SIG_DFL)
        dies = not callable(previous)
        if dies:
            # The next such signal kills at once, and the watcher's own kill does too.
            signal.signal(signum, signal.SIG_DFL)
        watching = self._watcher is not None and self._watcher.is_alive()
        if watching:
            self._signals.put(-signum if dies else signum)
        try:
            if callable(previous):
                if watching and not nested:
                    # Sessions end with the signal as their reason before the application's handler
                    # (or KeyboardInterrupt) unwinds `with session:` blocks; bounded, as the watcher
                    # may need a lock this thread holds.
                    with contextlib.suppress(queue.Empty):
                        self._sessions_ended.get(timeout=_SESSION_END_WAIT)
                previous(signum, frame)
            elif not watching:
                os.kill(os.getpid(), signum)
        finally:
            self._handling_signal = nested

    def _start_watcher(self) -> None:
        self._watcher = threading.Thread(target=self._watch_signals, name="agentops-otel-signals", daemon=True)
        self._watcher.start()

    def _stop_watcher(self) -> None:
        watcher, self._watcher = self._watcher, None
        if watcher is not None and watcher.is_alive():
            self._signals.put(None)
            watcher.join(timeout=1)

    def _watch_signals(self) -> None:
        """End the sessions and flush for each signal; die by it if nothing else handles it.

        Ending runs on its own thread, joined within the exit deadline: a main thread that keeps
        taking a session's lock could otherwise starve it, and the process would never die.
        """
        while (posted := self._signals.get()) is not None:
            signum, dies = abs(posted), posted < 0
            budget = self._target.flush_timeout
            self._deadline.start(budget)
            ender = threading.Thread(target=self._end_sessions_on_signal, name="agentops-otel-end", daemon=True)
            ender.start()
            ender.join(self._deadline.remaining_millis(budget) / 1000)
            self._target.flush(self._deadline.remaining_millis(budget))
            self._watcher_done.set()
            if dies:
                # Die the way the signal would have killed us (exit status included).
                os.kill(os.getpid(), signum)

    def _end_sessions_on_signal(self) -> None:
        with handle_internal_errors("ending sessions on a signal"):
            self._target.end_all_sessions(EndState.FAIL, self._signal_reason)
        self._sessions_ended.put(None)


_SESSION_END_WAIT = 1.0  # seconds the handler waits for the watcher to end sessions
_installed: set[ExitHooks] = set()


def _after_fork_in_child() -> None:
    for hooks in list(_installed):
        hooks._on_forked_child()  # noqa: SLF001 - module-private


def _close_at_forked_child_exit(hooks: ExitHooks) -> None:
    """Run by multiprocessing in a child it forked: such a child ends with ``os._exit()``.

    multiprocessing runs its own finalizers before that exit, never atexit hooks, so the
    child's sessions end and its spans are exported from one of those finalizers.
    """
    if hooks in _installed:
        multiprocessing.util.Finalize(hooks, hooks._at_exit, exitpriority=0)  # noqa: SLF001 - module-private


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
