"""One guard for telemetry code: internal errors are logged, never raised into the user's code.

Under pytest the guard re-raises instead, so a bug in agentops-otel fails our tests rather than
hiding in a log line (the same trade Logfire makes).
"""

from __future__ import annotations

import logging
import os
import sys
from types import TracebackType

logger = logging.getLogger("agentops_otel")


class handle_internal_errors:  # noqa: N801 - reads as a statement: `with handle_internal_errors("...")`
    """Context manager that logs (and swallows) any exception raised inside it."""

    __slots__ = ("_doing",)

    def __init__(self, doing: str) -> None:
        self._doing = doing

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        return exc is not None and _logged(exc, self._doing)


def log_internal_error(doing: str) -> None:
    """Call from an ``except Exception`` block: the guard above, with nothing to pay when nothing fails.

    For hot paths (every LLM call, every streamed chunk), where a ``with`` costs an object and
    two calls each time.
    """
    error = sys.exc_info()[1]
    if error is not None and not _logged(error, doing):
        raise error


def _logged(error: BaseException, doing: str) -> bool:
    """Log `error` and say so; False (let it propagate) for a BaseException, and under pytest."""
    if not isinstance(error, Exception) or "PYTEST_CURRENT_TEST" in os.environ:
        return False
    logger.error(
        "agentops-otel hit an internal error while %s; your code keeps running, with less telemetry.",
        doing,
        exc_info=error,
    )
    return True
