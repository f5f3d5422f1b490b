"""What a provider module reads from one call: the :class:`Request`, the :class:`Outcome`.

Provider modules (``openai/extractors.py``, ``anthropic/extractors.py``) are pure functions from
the client's keywords and results to these; the helpers below turn values into valid attributes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as gen_ai
from opentelemetry.semconv.attributes.server_attributes import SERVER_ADDRESS, SERVER_PORT
from opentelemetry.util.types import AttributeValue

from ..content import content_attribute
from ..usage import Usage

CAPTURING_CONTENT = "capturing message content"
"""What content capture is guarded as, apart from the outcome: it must never cost a call's id, usage or cost."""


@dataclass(slots=True)
class Request:
    """An LLM request, as the span starts with it (samplers see these attributes)."""

    operation: str
    provider: str
    model: str
    attributes: dict[str, AttributeValue]


@dataclass(slots=True)
class Outcome:
    """What a finished call returned: response attributes, usage and the model that answered."""

    attributes: dict[str, AttributeValue] = field(default_factory=dict)
    usage: Usage | None = None
    model: str | None = None
    service_tier: str | None = None


def start_attributes(
    operation: str, provider: str, model: str, address: str | None, port: int | None
) -> dict[str, AttributeValue]:
    """The attributes every GenAI span starts with."""
    found: dict[str, AttributeValue] = {
        gen_ai.GEN_AI_OPERATION_NAME: operation,
        gen_ai.GEN_AI_PROVIDER_NAME: provider,
        gen_ai.GEN_AI_REQUEST_MODEL: model,
    }
    if address:
        found[SERVER_ADDRESS] = address
    if port:
        found[SERVER_PORT] = port
    return found


def add_present(target: dict[str, AttributeValue], pairs: dict[str, object]) -> None:
    """Copy the pairs whose value is a valid attribute value (None, omitted and odd types are skipped)."""
    for key, value in pairs.items():
        if value is not None:
            _add_valid(target, key, value)


Parameters = Mapping[str, tuple[str, Callable[[Any], object] | None]]
"""Request keyword -> (attribute, conversion of the keyword's value, or None to take it as it is)."""


def add_parameters(target: dict[str, AttributeValue], kwargs: dict[str, Any], parameters: Parameters) -> None:
    """The request parameters the caller passed, as attributes.

    Walks the call's few keywords rather than the table's many entries: this runs on every call.
    """
    for name, value in kwargs.items():
        parameter = parameters.get(name)
        if parameter is None or value is None:
            continue
        key, convert = parameter
        converted = value if convert is None else convert(value)
        if converted is not None:
            _add_valid(target, key, converted)


def _add_valid(target: dict[str, AttributeValue], key: str, value: object) -> None:
    """Set `value` if it is a valid attribute value; odd types and sentinels such as ``omit`` are skipped."""
    if isinstance(value, (str, bool, int, float)):
        target[key] = value
    elif isinstance(value, (list, tuple)) and value and all(isinstance(item, str) for item in value):
        target[key] = list(value)


def as_list(value: object) -> object:
    """A single string as the one-item list an array attribute wants (``stop="END"``)."""
    return [value] if isinstance(value, str) else value


def only_true(value: object) -> object:
    """``stream=True`` is recorded; ``stream=False`` is the default and is not."""
    return value is True or None


def add_content(target: dict[str, AttributeValue], key: str, value: object) -> None:
    """Content as (redacted) JSON text; sentinels such as ``omit`` (which SDK helpers pass on) are skipped."""
    if isinstance(value, (list, tuple, dict)) and value:
        target[key] = content_attribute(value)


def field_of(value: object, name: str) -> Any:
    """``value[name]`` for a mapping (request params), ``value.name`` for a model (responses)."""
    if isinstance(value, dict):
        return value.get(name)
    return getattr(value, name, None)


def server_of(instance: Any) -> tuple[str | None, int | None]:
    """Host and port the resource's client sends to (its public ``base_url``)."""
    url = getattr(getattr(instance, "_client", None), "base_url", None)
    if url is None:
        return None, None
    return url.host, url.port or (443 if url.scheme == "https" else 80)
