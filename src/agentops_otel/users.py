"""User ids: ``user.id`` on a session's spans and in its baggage, next to ``session.id``.

A user id travels to other services in W3C baggage, so, like a session id, one that arrives
from elsewhere is untrusted input: only a bounded value of a plain alphabet is written on spans.
"""

from __future__ import annotations

import re
from typing import Final, TypeGuard

from opentelemetry.semconv._incubating.attributes.user_attributes import USER_ID

from .exceptions import InvalidArgumentError

__all__ = ["USER_ID", "check_user_id", "is_user_id"]

MAX_USER_ID_LENGTH: Final = 128
# Letters, digits and the punctuation of e-mail addresses, UUIDs and account keys: nothing a log
# line, a header or a backend's query language could misread.
_USER_ID = re.compile(r"[A-Za-z0-9._@:+\-]+")


def is_user_id(value: object) -> TypeGuard[str]:
    """Whether an untrusted value (e.g. from incoming baggage) is a well-formed user id; bounded cost."""
    return isinstance(value, str) and 0 < len(value) <= MAX_USER_ID_LENGTH and _USER_ID.fullmatch(value) is not None


def check_user_id(value: object) -> str | None:
    """A caller's ``user_id=``: None, or a well-formed user id; anything else is an InvalidArgumentError."""
    if value is None or is_user_id(value):
        return value
    raise InvalidArgumentError(
        f"Invalid user_id {str(value)[:40]!r}: expected 1 to {MAX_USER_ID_LENGTH} letters, digits or . _ @ : + -"
    )
