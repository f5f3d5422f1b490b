"""Provider content as parts of the GenAI message structure, where it needs more than renaming.

The conventions' input/output message schemas (semantic-conventions-genai,
docs/gen-ai/gen-ai-input-messages.json and gen-ai-output-messages.json) define the parts; these
helpers give every provider the same answer to the same question.
"""

from __future__ import annotations

import json
from typing import Any


def json_arguments(arguments: object) -> object:
    """Tool-call arguments sent as JSON text, as the object they encode.

    OpenAI sends arguments as text (whole, or in stream fragments), Anthropic as an object; the
    captured part always has the object. Text that is not JSON (a stream cut short, a model's
    mistake) is kept as it is, rather than lost; arguments that are not text are already objects.
    """
    if not isinstance(arguments, str):
        return arguments
    if not arguments:
        return {}  # a tool without parameters streams no argument fragments
    try:
        return json.loads(arguments)
    except ValueError:
        return arguments


def tool_response_part(call_id: object, response: object) -> dict[str, object]:
    """A tool's result, sent back to the model."""
    return {"type": "tool_call_response", "id": call_id, "response": response}


def text_part(text: str) -> dict[str, object]:
    """A text part of a message in the GenAI content schema."""
    return {"type": "text", "content": text}


def tool_call_part(call_id: object, name: object, arguments: object) -> dict[str, object]:
    """A tool-call part of a message in the GenAI content schema."""
    return {"type": "tool_call", "id": call_id, "name": name, "arguments": arguments}


def message(role: object, parts: list[Any]) -> dict[str, object]:
    """A message in the GenAI content schema.

    Output messages carry no ``finish_reason``: semantic-conventions-genai 1.42 deprecated it
    there, and finish reasons go in ``gen_ai.response.finish_reasons`` only.
    """
    return {"role": role, "parts": parts}
