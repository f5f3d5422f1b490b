"""Message content (prompts, completions, tool arguments and results): whether, and how, it is recorded.

Off by default: content often holds personal data. ``init(capture_content=True)``,
``configure(capture_content=...)`` or ``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true``
turn it on. With it on, ``init(redact_content=fn)`` (or ``AGENTOPS_CONTENT_REDACTOR=module:fn``)
gets every piece of content as text before it is put on a span, and returns what to record.
One switch and one redactor for the whole process, used by the instrumentors, ``record()`` and
the decorators alike, through :func:`content_attribute`.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping
from typing import Any

from .values import safe_text

logger = logging.getLogger("agentops_otel")

Redactor = Callable[[str], str]
REDACTION_FAILED = "[content withheld: the redaction hook failed]"
# One prompt can be megabytes; OpenTelemetry's own default is no limit. 32 KiB keeps a batch of
# such spans within what collectors accept. The standard variables, when set, choose instead.
DEFAULT_ATTRIBUTE_LENGTH_LIMIT = 32768
ATTRIBUTE_LENGTH_LIMIT_VARIABLES = ("OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT")

_capture = False
_redact: Redactor | None = None
_length_limit = DEFAULT_ATTRIBUTE_LENGTH_LIMIT


def capture_content() -> bool:
    """Whether content may be put on spans now."""
    return _capture


# ``OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`` as ``opentelemetry-util-genai`` reads it
# (``ContentCapturingMode``, any case): whether each mode puts content on spans. We emit no
# content events, so ``EVENT_ONLY`` records nothing here, as ``NO_CONTENT``.
_CONTENT_ON_SPANS = {"span_only": True, "span_and_event": True, "no_content": False, "event_only": False}


def content_on_spans(text: str) -> bool | None:
    """Whether util-genai's capture mode `text` puts content on spans; None if `text` is no such mode.

    One variable then means the same to us and to the official instrumentations beside ours;
    the caller reads anything else (``true``/``false``) as a boolean.
    """
    return _CONTENT_ON_SPANS.get(text.strip().lower())


def configure_content(capture: bool, redact: Redactor | None) -> None:
    """Set by the client from its resolved configuration."""
    global _capture, _redact, _length_limit
    _capture, _redact, _length_limit = capture, redact, attribute_length_limit(os.environ)


def attribute_length_limit(environ: Mapping[str, str]) -> int:
    """The standard attribute length limit if set to a positive number, else ours."""
    for variable in ATTRIBUTE_LENGTH_LIMIT_VARIABLES:
        text = environ.get(variable, "").strip()
        if text.isdigit() and int(text) > 0:
            return int(text)
    return DEFAULT_ATTRIBUTE_LENGTH_LIMIT


def content_attribute(value: object) -> str:
    """`value` as the text to record: JSON for structures, redacted, cut to the length limit, UTF-8-safe.

    A redactor that raises withholds the content (it is never recorded unredacted). The cut is
    ours, not only the provider's span limits: an application's own TracerProvider may have none.
    It comes after redaction, so the redactor never sees a secret cut in half.
    """
    text = value if isinstance(value, str) else _to_json(value)
    redact = _redact
    if redact is not None:
        try:
            text = redact(text)
        except Exception:
            logger.warning("The content redaction hook raised; the content was not recorded.", exc_info=True)
            return REDACTION_FAILED
        if not isinstance(text, str):
            logger.warning("The content redaction hook returned %s, not text; content not recorded.", type(text))
            return REDACTION_FAILED
    return safe_text(text[:_length_limit])


def _to_json(value: object) -> str:
    """Content as the compact JSON text the GenAI conventions put in ``gen_ai.*`` content attributes."""
    try:
        return json.dumps(value, default=_plain, ensure_ascii=False, separators=(",", ":"))
    except Exception:  # a cycle, or a __repr__ that raises: the caller's data, not our bug
        return f"<{type(value).__name__} that cannot be shown>"


def _plain(value: Any) -> object:
    dump = getattr(value, "model_dump", None)  # pydantic models: the clients' request and response types
    if callable(dump):
        return dump(exclude_none=True)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return repr(value)
