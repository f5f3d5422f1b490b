"""The one-line stderr summary per ended session ("Session <id>: Success, 3.2 s, 4 spans, 1 LLM call, cost $0.0001").

It goes through a dedicated logger so applications can redirect or silence it with plain
``logging``; ``AGENTOPS_QUIET=1`` turns it off.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

from .stats import format_cost

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
    """Log the summary line of a session that just ended; its cost says "unknown" for unpriced calls."""
    if not summary_logger.isEnabledFor(logging.INFO):
        return
    state = session.end_state.value if session.end_state else "running"
    stats = session.stats
    line = f"Session {session.session_id}: {state}, {session.duration:.1f} s, {stats.spans + 1} spans"  # + the root
    if stats.llm_calls:
        cost = format_cost(stats.cost_usd, stats.llm_calls, stats.unpriced_llm_calls)
        line += f", {stats.llm_calls} LLM call{'' if stats.llm_calls == 1 else 's'}, cost {cost}"
    summary_logger.info("%s", line)
