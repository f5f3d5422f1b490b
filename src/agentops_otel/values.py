"""Make user-supplied text safe to put on spans.

OTLP encodes strings as UTF-8; one lone surrogate (such as U+D800, easy to get from bad decoding)
makes the encoder reject the whole batch, losing every span in it. Text from callers (tags,
reasons, event fields, names) goes through :func:`safe_text` first.
"""

from __future__ import annotations


def safe_text(value: str) -> str:
    """`value` with anything that cannot be encoded as UTF-8 replaced by ``?``."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "replace").decode("utf-8")
    return value


def describe_exception(error: BaseException) -> str:
    """``"Type: message"`` for an end reason (``"Type"`` without a message), even if ``__str__`` raises.

    The description is ours to make; a broken ``__str__`` must not turn the application's
    exception into a different one raised from our code.
    """
    name = type(error).__name__
    message = exception_message(error)
    if message is None:
        message = _UNPRINTABLE
    return safe_text(f"{name}: {message}" if message else name)


_UNPRINTABLE = "<exception str() failed>"


def exception_message(error: BaseException) -> str | None:
    """``str(error)``, or None when the application's ``__str__`` raises."""
    try:
        return str(error)
    except Exception:  # any failure of user code here is replaced, never raised
        return None
