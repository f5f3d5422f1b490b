"""The report's data kept up to date with growing spans files, for ``serve``.

Each file is followed from where the last read stopped (only complete lines: a writer may be
half-way through the last one), and new spans go into the same session grouping the report
uses, so a running session's spans fill in and new sessions appear. The page's JSON is rebuilt
only when something new was read, and tagged with a version the page sends back when it polls.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from . import html
from .model import Sessions, SessionSummary
from .reading import SpanFile


class LiveReport:
    """Sessions of `paths`, refreshed on demand; safe to use from the server's threads."""

    def __init__(self, paths: Sequence[Path]) -> None:
        self._files = [SpanFile(path) for path in paths]
        self._sessions = Sessions(keep=lambda _session_id: True)
        self.source = ", ".join(map(str, paths))
        self.version = 0
        self._lock = threading.Lock()
        self._cached: tuple[int, str] | None = None

    def refresh(self) -> int:
        """Read what was appended since the last refresh; the version (it changes when spans were read)."""
        with self._lock:
            before = self._sessions.span_count
            for span_file in self._files:
                if span_file.path.exists():
                    self._sessions.add(span_file.spans(complete_lines_only=True))
            if self._sessions.span_count != before:
                self.version += 1
            return self.version

    def payload(self) -> str:
        """The page's JSON for the current version (built once per version)."""
        version = self.refresh()
        with self._lock:
            if self._cached is None or self._cached[0] != version:
                self._cached = (version, html.payload(self._summaries(), self.source, live=True, version=version))
            return self._cached[1]

    def page(self) -> str:
        """The whole live page."""
        self.refresh()
        with self._lock:
            return html.page(self._summaries(), self.source, live=True, version=self.version)

    def _summaries(self) -> list[SessionSummary]:
        read = self._sessions.report()
        return [*read.sessions, read.outside] if read.outside.span_count else read.sessions
