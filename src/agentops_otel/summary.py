"""The one-line stderr summary per ended session ("Session <id>: Success, 3.2 s, 4 spans").

It goes through a dedicated logger so applications can redirect or silence it with plain
``logging``; ``AGENTOPS_QUIET=1`` turns it off.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .session import Session

summary_logger = logging.getLogger("agentops_otel.summary")


class _StderrHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is at the time, like logging's last-resort handler."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(logging.Formatter("agentops-otel: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:  # logging's rule: a handler never raises
            self.handleError(record)


_handler = _StderrHandler()


def enable(quiet: bool) -> None:
    """Show summaries on stderr unless `quiet`."""
    summary_logger.propagate = False
    # WARNING when quiet, so report_ended() costs a level check rather than a log record.
    summary_logger.setLevel(logging.WARNING if quiet else logging.INFO)
    if quiet:
        summary_logger.removeHandler(_handler)
    elif _handler not in summary_logger.handlers:
        summary_logger.addHandler(_handler)


def report_ended(session: Session) -> None:
    """Log the summary line of a session that just ended."""
    state = session.end_state.value if session.end_state else "running"
    spans = session.stats.spans + 1  # the children that ended in time, plus the root
    summary_logger.info("Session %s: %s, %.1f s, %d spans", session.session_id, state, session.duration, spans)
