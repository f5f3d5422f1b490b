"""Whether message content (prompts, completions, tool arguments and results) is recorded.

Off by default: content often holds personal data. ``init(capture_content=True)``,
``configure(capture_content=...)`` or ``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true``
turn it on. One switch for the whole process, read by the instrumentors and by ``record()``.
"""

from __future__ import annotations

_capture = False


def capture_content() -> bool:
    """Whether content may be put on spans now."""
    return _capture


def set_capture_content(enabled: bool) -> None:
    """Set by the client from its resolved configuration."""
    global _capture
    _capture = enabled
