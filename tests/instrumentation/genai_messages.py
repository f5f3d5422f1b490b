"""The structure the GenAI conventions give captured content, as JSON schemas every test checks.

Written from the conventions' own schemas (semantic-conventions-genai):
https://github.com/open-telemetry/semantic-conventions-genai/blob/main/docs/gen-ai/gen-ai-input-messages.json
https://github.com/open-telemetry/semantic-conventions-genai/blob/main/docs/gen-ai/gen-ai-output-messages.json
https://github.com/open-telemetry/semantic-conventions-genai/blob/main/docs/gen-ai/gen-ai-system-instructions.json

Only what those schemas require (a message is ``role`` + ``parts``; a part has a ``type``; a
``text`` or ``reasoning`` part a string ``content``; a ``tool_call`` a string ``name``; a
``tool_call_response`` a ``response``), plus two rules: tool-call ``arguments`` are always an
object, never the JSON text a stream delivers them as (the spec leaves this open), and output
messages carry no ``finish_reason`` (deprecated there in 1.42: it goes in
``gen_ai.response.finish_reasons`` only).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import jsonschema
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as gen_ai

from agentops_otel.content import REDACTION_FAILED


def _part_rule(kind: str, required: dict[str, object]) -> dict[str, object]:
    return {
        "if": {"properties": {"type": {"const": kind}}},
        "then": {"required": list(required), "properties": required},
    }


_PART = {
    "type": "object",
    "required": ["type"],
    "properties": {"type": {"type": "string"}},
    "allOf": [
        _part_rule("text", {"content": {"type": "string"}}),
        _part_rule("reasoning", {"content": {"type": "string"}}),
        _part_rule("tool_call", {"name": {"type": "string"}, "arguments": {"type": "object"}}),
        _part_rule("tool_call_response", {"response": {}}),
    ],
}
_MESSAGES: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["role", "parts"],
        "properties": {"role": {"type": "string"}, "parts": {"type": "array", "items": _PART}},
    },
}
_OUTPUT_MESSAGES = {**_MESSAGES, "items": {**_MESSAGES["items"], "not": {"required": ["finish_reason"]}}}
SCHEMAS = {
    gen_ai.GEN_AI_INPUT_MESSAGES: _MESSAGES,
    gen_ai.GEN_AI_OUTPUT_MESSAGES: _OUTPUT_MESSAGES,
    gen_ai.GEN_AI_SYSTEM_INSTRUCTIONS: {"type": "array", "items": _PART},
}


def check_captured_content(spans: Iterable[ReadableSpan]) -> int:
    """Validate every captured message of `spans`; returns how many attributes were checked."""
    checked = 0
    for span in spans:
        attributes = span.attributes or {}
        for key, schema in SCHEMAS.items():
            text = attributes.get(key)
            if isinstance(text, str) and text != REDACTION_FAILED:
                jsonschema.validate(json.loads(text), schema)
                checked += 1
    return checked
