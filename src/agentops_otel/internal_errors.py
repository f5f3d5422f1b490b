"""One guard for telemetry code: internal errors are logged, never raised into the user's code.

Under pytest the guard re-raises instead, so a bug in agentops-otel fails our tests rather than
hiding in a log line (the same trade Logfire makes).
"""

from __future__ import annotations

import logging
import os
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
        if exc is None or not isinstance(exc, Exception):
            return False
        if "PYTEST_CURRENT_TEST" in os.environ:
            return False
        logger.exception(
            "agentops-otel hit an internal error while %s; your code keeps running, with less telemetry.",
            self._doing,
        )
        return True
