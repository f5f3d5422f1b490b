"""Session tags: one rule for every place tags come in (``start_session``, ``add_tags``, ``default_tags``)."""

from __future__ import annotations

from collections.abc import Iterable

from .exceptions import InvalidArgumentError
from .values import safe_text


def normalize_tags(tags: object) -> list[str]:
    """Tags as an ordered list without repeats; a single string is one tag; None is no tags.

    Linear in the number of tags. Anything but non-empty strings is an InvalidArgumentError.
    """
    return list(unique_tags(tags))


def unique_tags(tags: object) -> dict[str, None]:
    """`tags` validated, in order, without repeats (a dict is an ordered set)."""
    if tags is None:
        return {}
    if isinstance(tags, str):
        tags = [tags]
    elif not isinstance(tags, Iterable):
        raise InvalidArgumentError(f"Invalid tags {tags!r}: expected a string or a list of strings.")
    result: dict[str, None] = {}
    for tag in tags:
        if not isinstance(tag, str) or not tag:
            raise InvalidArgumentError(f"Invalid tag {tag!r}: tags must be non-empty strings.")
        result[safe_text(tag)] = None
    return result
