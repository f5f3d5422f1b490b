"""Provider content as parts of the GenAI message structure, where it needs more than renaming.

The conventions' input/output message schemas (semantic-conventions-genai,
docs/gen-ai/gen-ai-input-messages.json and gen-ai-output-messages.json) define the parts; these
helpers give every provider the same answer to the same question.
"""

from __future__ import annotations

import json


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
