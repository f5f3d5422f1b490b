"""The error every ``agentops-otel`` command raises for something the user can fix."""

from __future__ import annotations


class ReportError(Exception):
    """Something the user can fix; shown as one line with exit status 2 (never a traceback)."""
