"""Anthropic Messages requests and responses as GenAI attributes: pure functions."""

from __future__ import annotations

from typing import Any

from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as gen_ai

from ...attributes import CHAT
from ...content import capture_content
from ...internal_errors import handle_internal_errors
from ...usage import Usage
from ..models import (
    CAPTURING_CONTENT,
    Outcome,
    Parameters,
    Request,
    add_content,
    add_parameters,
    add_present,
    field_of,
    only_true,
    server_of,
    start_attributes,
)
from ..parts import message, text_part, tool_call_part, tool_response_part

PROVIDER = gen_ai.GenAiProviderNameValues.ANTHROPIC.value


TOOL_CALL_BLOCKS = frozenset({"tool_use", "server_tool_use"})

_PARAMETERS: Parameters = {
    "max_tokens": (gen_ai.GEN_AI_REQUEST_MAX_TOKENS, None),
    "temperature": (gen_ai.GEN_AI_REQUEST_TEMPERATURE, None),
    "top_p": (gen_ai.GEN_AI_REQUEST_TOP_P, None),
    "top_k": (gen_ai.GEN_AI_REQUEST_TOP_K, None),
    "stop_sequences": (gen_ai.GEN_AI_REQUEST_STOP_SEQUENCES, None),
    "stream": (gen_ai.GEN_AI_REQUEST_STREAM, only_true),
}


def messages_request(instance: Any, kwargs: dict[str, Any]) -> Request:
    """``messages.create``/``messages.stream`` keywords as span attributes."""
    model = kwargs.get("model")
    model = model if isinstance(model, str) else "unknown"
    found = start_attributes(CHAT, PROVIDER, model, *server_of(instance))
    add_parameters(found, kwargs, _PARAMETERS)
    if capture_content():
        add_content(found, gen_ai.GEN_AI_INPUT_MESSAGES, _input_messages(kwargs.get("messages")))
        add_content(found, gen_ai.GEN_AI_SYSTEM_INSTRUCTIONS, _parts(kwargs.get("system")))
        add_content(found, gen_ai.GEN_AI_TOOL_DEFINITIONS, kwargs.get("tools"))
    return Request(CHAT, PROVIDER, model, found)


def stream_helper_request(instance: Any, kwargs: dict[str, Any]) -> Request:
    """``messages.stream`` keywords: the helper streams without being given ``stream=True``."""
    request = messages_request(instance, kwargs)
    request.attributes[gen_ai.GEN_AI_REQUEST_STREAM] = True
    return request


def message_outcome(result: Any) -> Outcome:
    """A ``Message`` (or a stream's message snapshot) as response attributes and usage."""
    usage = result.usage
    service_tier = getattr(usage, "service_tier", None)
    outcome = Outcome(
        model=result.model,
        usage=message_usage(usage),
        service_tier=service_tier if isinstance(service_tier, str) else None,
    )
    add_present(
        outcome.attributes,
        {
            gen_ai.GEN_AI_RESPONSE_ID: result.id,
            gen_ai.GEN_AI_RESPONSE_MODEL: result.model,
            gen_ai.GEN_AI_RESPONSE_FINISH_REASONS: [result.stop_reason] if result.stop_reason else None,
        },
    )
    if capture_content():
        with handle_internal_errors(CAPTURING_CONTENT):
            output = message(result.role, [content_part(block) for block in result.content or ()])
            add_content(outcome.attributes, gen_ai.GEN_AI_OUTPUT_MESSAGES, [output])
    return outcome


def message_usage(usage: Any) -> Usage | None:
    """Anthropic reports cache reads and writes apart from ``input_tokens``; GenAI input counts all three."""
    if usage is None:
        return None
    cache_read = usage.cache_read_input_tokens or 0
    cache_write = usage.cache_creation_input_tokens or 0
    details = getattr(usage, "output_tokens_details", None)
    return Usage(
        input=(usage.input_tokens or 0) + cache_read + cache_write,
        output=usage.output_tokens or 0,
        cache_read=cache_read,
        cache_write=cache_write,
        reasoning=getattr(details, "thinking_tokens", None) or 0,
    )


def content_part(block: Any) -> dict[str, object]:
    """A content block in the GenAI content schema."""
    kind = field_of(block, "type")
    if kind == "text":
        return text_part(field_of(block, "text"))
    if kind in TOOL_CALL_BLOCKS:
        return tool_call_part(field_of(block, "id"), field_of(block, "name"), field_of(block, "input"))
    if kind == "tool_result":
        return tool_response_part(field_of(block, "tool_use_id"), field_of(block, "content"))
    if kind == "thinking":
        return {"type": "reasoning", "content": field_of(block, "thinking")}
    return {"type": kind}


def _input_messages(messages: object) -> list[dict[str, object]]:
    if not isinstance(messages, (list, tuple)):
        return []
    return [message(field_of(item, "role"), _parts(field_of(item, "content"))) for item in messages]


def _parts(content: object) -> list[dict[str, object]]:
    """A message's (or ``system``'s) content, given as text or as a list of blocks."""
    if isinstance(content, str):
        return [text_part(content)]
    return [content_part(block) for block in content] if isinstance(content, (list, tuple)) else []
