"""OpenAI requests and responses as GenAI attributes: pure functions, no span in sight."""

from __future__ import annotations

from typing import Any

from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as gen_ai
from opentelemetry.semconv._incubating.attributes import openai_attributes as openai_attrs
from opentelemetry.util.types import AttributeValue

from ...attributes import CHAT, EMBEDDINGS
from ...content import capture_content
from ...internal_errors import handle_internal_errors
from ...providers import provider_name
from ...usage import Usage
from ..models import (
    CAPTURING_CONTENT,
    Outcome,
    Parameters,
    Request,
    add_content,
    add_parameters,
    add_present,
    as_list,
    field_of,
    only_true,
    server_of,
    start_attributes,
)
from ..parts import json_arguments, message, text_part, tool_call_part, tool_response_part

_CHAT_COMPLETIONS_API = openai_attrs.OpenaiApiTypeValues.CHAT_COMPLETIONS.value  # an enum's .value costs a call
_RESPONSES_API = openai_attrs.OpenaiApiTypeValues.RESPONSES.value
_JSON_OUTPUT = gen_ai.GenAiOutputTypeValues.JSON.value
_TEXT_OUTPUT = gen_ai.GenAiOutputTypeValues.TEXT.value


def _request(operation: str, instance: Any, kwargs: dict[str, Any], parameters: Parameters) -> Request:
    model = kwargs.get("model")
    model = model if isinstance(model, str) else "unknown"
    address, port = server_of(instance)
    provider = provider_name(address, port)  # an OpenAI-compatible host is its own provider
    found = start_attributes(operation, provider, model, address, port)
    add_parameters(found, kwargs, parameters)
    return Request(operation, provider, model, found)


def _choice_count(count: object) -> object:
    return count if isinstance(count, int) and count != 1 else None


def _output_type(response_format: object) -> str | None:
    kind = field_of(response_format, "type")
    if kind in ("json_object", "json_schema"):
        return _JSON_OUTPUT
    return _TEXT_OUTPUT if kind == "text" else None


def _text_output_type(text: object) -> str | None:
    """The Responses API names its ``response_format`` ``text.format``."""
    return _output_type(field_of(text, "format"))


_CHAT_PARAMETERS: Parameters = {
    "max_tokens": (gen_ai.GEN_AI_REQUEST_MAX_TOKENS, None),
    "temperature": (gen_ai.GEN_AI_REQUEST_TEMPERATURE, None),
    "top_p": (gen_ai.GEN_AI_REQUEST_TOP_P, None),
    "frequency_penalty": (gen_ai.GEN_AI_REQUEST_FREQUENCY_PENALTY, None),
    "presence_penalty": (gen_ai.GEN_AI_REQUEST_PRESENCE_PENALTY, None),
    "stop": (gen_ai.GEN_AI_REQUEST_STOP_SEQUENCES, as_list),
    "seed": (gen_ai.GEN_AI_REQUEST_SEED, None),
    "n": (gen_ai.GEN_AI_REQUEST_CHOICE_COUNT, _choice_count),
    "stream": (gen_ai.GEN_AI_REQUEST_STREAM, only_true),
    "response_format": (gen_ai.GEN_AI_OUTPUT_TYPE, _output_type),
    "service_tier": (openai_attrs.OPENAI_REQUEST_SERVICE_TIER, None),
}
_RESPONSES_PARAMETERS: Parameters = {
    "max_output_tokens": (gen_ai.GEN_AI_REQUEST_MAX_TOKENS, None),
    "temperature": (gen_ai.GEN_AI_REQUEST_TEMPERATURE, None),
    "top_p": (gen_ai.GEN_AI_REQUEST_TOP_P, None),
    "stream": (gen_ai.GEN_AI_REQUEST_STREAM, only_true),
    "text": (gen_ai.GEN_AI_OUTPUT_TYPE, _text_output_type),
    "service_tier": (openai_attrs.OPENAI_REQUEST_SERVICE_TIER, None),
}
_EMBEDDINGS_PARAMETERS: Parameters = {
    "encoding_format": (gen_ai.GEN_AI_REQUEST_ENCODING_FORMATS, as_list),
    "dimensions": (gen_ai.GEN_AI_EMBEDDINGS_DIMENSION_COUNT, None),
}


def chat_request(instance: Any, kwargs: dict[str, Any]) -> Request:
    """``chat.completions.create`` keywords as span attributes."""
    request = _request(CHAT, instance, kwargs, _CHAT_PARAMETERS)
    request.attributes[openai_attrs.OPENAI_API_TYPE] = _CHAT_COMPLETIONS_API
    newer_max_tokens = kwargs.get("max_completion_tokens")  # it replaced max_tokens, and wins over it
    if newer_max_tokens is not None:
        add_present(request.attributes, {gen_ai.GEN_AI_REQUEST_MAX_TOKENS: newer_max_tokens})
    if capture_content():
        add_content(request.attributes, gen_ai.GEN_AI_INPUT_MESSAGES, _chat_input(kwargs.get("messages")))
        add_content(request.attributes, gen_ai.GEN_AI_TOOL_DEFINITIONS, kwargs.get("tools"))
    return request


def responses_request(instance: Any, kwargs: dict[str, Any]) -> Request:
    """``responses.create`` keywords as span attributes."""
    request = _request(CHAT, instance, kwargs, _RESPONSES_PARAMETERS)
    request.attributes[openai_attrs.OPENAI_API_TYPE] = _RESPONSES_API
    if capture_content():
        prompt = kwargs.get("input")
        messages = [message("user", [text_part(prompt)])] if isinstance(prompt, str) else _responses_input(prompt)
        add_content(request.attributes, gen_ai.GEN_AI_INPUT_MESSAGES, messages)
        instructions = kwargs.get("instructions")
        if isinstance(instructions, str):
            add_content(request.attributes, gen_ai.GEN_AI_SYSTEM_INSTRUCTIONS, [text_part(instructions)])
        add_content(request.attributes, gen_ai.GEN_AI_TOOL_DEFINITIONS, kwargs.get("tools"))
    return request


def embeddings_request(instance: Any, kwargs: dict[str, Any]) -> Request:
    """``embeddings.create`` keywords as span attributes."""
    return _request(EMBEDDINGS, instance, kwargs, _EMBEDDINGS_PARAMETERS)


def chat_outcome(completion: Any) -> Outcome:
    """A ``ChatCompletion`` as response attributes and usage."""
    choices = completion.choices or ()
    outcome = response_outcome_base(completion, [choice.finish_reason or "error" for choice in choices])
    outcome.usage = chat_usage(completion.usage)
    if capture_content():
        with handle_internal_errors(CAPTURING_CONTENT):
            output = [_chat_output(choice.message) for choice in choices]
            add_content(outcome.attributes, gen_ai.GEN_AI_OUTPUT_MESSAGES, output)
    return outcome


def chat_usage(usage: Any) -> Usage | None:
    """Chat Completions usage, a model or the mapping Groq sends in ``x_groq``; ``prompt_tokens`` counts the cached."""
    if usage is None:
        return None
    prompt, completion = field_of(usage, "prompt_tokens_details"), field_of(usage, "completion_tokens_details")
    return Usage(
        input=field_of(usage, "prompt_tokens") or 0,
        output=field_of(usage, "completion_tokens") or 0,
        cache_read=field_of(prompt, "cached_tokens") or 0,
        cache_write=field_of(prompt, "cache_write_tokens") or 0,
        reasoning=field_of(completion, "reasoning_tokens") or 0,
    )


def response_outcome(response: Any) -> Outcome:
    """A Responses API ``Response`` as response attributes and usage."""
    output = response.output or []
    calls_tool = any(getattr(item, "type", None) == "function_call" for item in output)
    incomplete = getattr(response.incomplete_details, "reason", None)
    finished = response.status in ("completed", "incomplete", "failed")  # not a stream cut short
    reasons = [incomplete or ("tool_calls" if calls_tool else "stop")] if finished else []
    outcome = response_outcome_base(response, reasons)
    usage = response.usage
    if usage is not None:
        details, output_details = usage.input_tokens_details, usage.output_tokens_details
        outcome.usage = Usage(
            input=usage.input_tokens or 0,
            output=usage.output_tokens or 0,
            cache_read=(details and details.cached_tokens) or 0,
            cache_write=(details and getattr(details, "cache_write_tokens", None)) or 0,
            reasoning=(output_details and output_details.reasoning_tokens) or 0,
        )
    if capture_content():
        with handle_internal_errors(CAPTURING_CONTENT):
            add_content(outcome.attributes, gen_ai.GEN_AI_OUTPUT_MESSAGES, [_response_output(output)])
    return outcome


def embeddings_outcome(result: Any) -> Outcome:
    """A ``CreateEmbeddingResponse`` as response attributes and usage (input tokens only)."""
    outcome = Outcome(model=result.model)
    found: dict[str, object] = {gen_ai.GEN_AI_RESPONSE_MODEL: result.model}
    if result.data and isinstance(result.data[0].embedding, list):
        found[gen_ai.GEN_AI_EMBEDDINGS_DIMENSION_COUNT] = len(result.data[0].embedding)
    add_present(outcome.attributes, found)
    if result.usage is not None:
        outcome.usage = Usage(input=result.usage.prompt_tokens or 0)
    return outcome


def response_outcome_base(response: Any, finish_reasons: list[str]) -> Outcome:
    """Id, model, finish reasons, service tier and fingerprint of a response, or of a stream's first chunk."""
    model = response.model
    service_tier = getattr(response, "service_tier", None)
    if not isinstance(service_tier, str):
        service_tier = None
    found: dict[str, AttributeValue] = {}
    add_present(
        found,
        {
            gen_ai.GEN_AI_RESPONSE_ID: response.id,
            gen_ai.GEN_AI_RESPONSE_MODEL: model,
            openai_attrs.OPENAI_RESPONSE_SERVICE_TIER: service_tier,
            openai_attrs.OPENAI_RESPONSE_SYSTEM_FINGERPRINT: getattr(response, "system_fingerprint", None),
        },
    )
    if finish_reasons and all(isinstance(reason, str) for reason in finish_reasons):
        found[gen_ai.GEN_AI_RESPONSE_FINISH_REASONS] = finish_reasons
    return Outcome(found, model=model if isinstance(model, str) else None, service_tier=service_tier)


def _chat_input(messages: object) -> list[dict[str, object]]:
    """Chat messages in the GenAI content schema (role and parts)."""
    if not isinstance(messages, (list, tuple)):
        return []
    converted = []
    for item in messages:
        role = field_of(item, "role")
        parts = _content_parts(field_of(item, "content"))
        if role == "tool":
            parts = [tool_response_part(field_of(item, "tool_call_id"), parts)]
        parts += [_tool_call(call) for call in field_of(item, "tool_calls") or []]
        converted.append(message(role, parts))
    return converted


def _responses_input(items: object) -> list[dict[str, object]]:
    """Responses ``input`` items as messages: tool calls and their outputs become parts of their own."""
    if not isinstance(items, (list, tuple)):
        return []
    converted = []
    for item in items:
        kind, role = field_of(item, "type"), field_of(item, "role")
        if kind == "function_call":
            arguments = json_arguments(field_of(item, "arguments"))
            converted.append(
                message("assistant", [tool_call_part(field_of(item, "call_id"), field_of(item, "name"), arguments)])
            )
        elif kind == "function_call_output":
            converted.append(message("tool", [tool_response_part(field_of(item, "call_id"), field_of(item, "output"))]))
        elif role is not None:
            converted.append(message(role, _content_parts(field_of(item, "content"))))
        else:  # an earlier output item given back (reasoning, a built-in tool's call): kept by its type
            converted.append(message("assistant", [{"type": kind}]))
    return converted


def _chat_output(choice_message: Any) -> dict[str, object]:
    if choice_message is None:  # Azure's content filter answers a choice without a message
        return message("assistant", [])
    parts = _content_parts(choice_message.content)
    parts += [_tool_call(call) for call in choice_message.tool_calls or []]
    return message(choice_message.role or "assistant", parts)


_TEXT_PARTS = frozenset({"text", "input_text", "output_text"})  # Chat Completions, then Responses


def _content_parts(content: object) -> list[Any]:
    if isinstance(content, str):
        return [text_part(content)]
    if isinstance(content, (list, tuple)):
        return [
            text_part(field_of(part, "text")) if field_of(part, "type") in _TEXT_PARTS else part for part in content
        ]
    return []


def _tool_call(call: Any) -> dict[str, object]:
    function = field_of(call, "function")
    arguments = json_arguments(field_of(function, "arguments"))
    return tool_call_part(field_of(call, "id"), field_of(function, "name"), arguments)


def _response_output(items: list[Any]) -> dict[str, object]:
    parts: list[Any] = []
    for item in items:
        if item.type == "function_call":
            parts.append(tool_call_part(item.call_id, item.name, json_arguments(item.arguments)))
        elif item.type == "message":
            parts += [text_part(part.text) for part in item.content if getattr(part, "text", None) is not None]
    return message("assistant", parts)
