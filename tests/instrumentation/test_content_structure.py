"""Captured content has the structure of the GenAI input/output message schemas, whatever form the caller used.

``conftest.llm`` checks every test's captured messages with ``genai_messages``; these tests feed
the request forms and streams whose content used to be copied raw.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from opentelemetry.sdk.trace import ReadableSpan

from agentops_otel.instrumentation.parts import json_arguments
from tests.instrumentation.conftest import ANTHROPIC_MODEL, LLM, OPENAI_MODEL, USER
from tests.instrumentation.genai_messages import check_captured_content

WEATHER = {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}}}
ARGUMENTS = {"city": "test", "days": 1}


def attribute(llm: LLM, key: str) -> Any:
    return json.loads((llm.one_llm_span().attributes or {})[key])


@pytest.mark.usefixtures("capture")
def test_responses_list_input_becomes_messages_with_parts(llm: LLM) -> None:
    llm.openai.responses.create(
        model=OPENAI_MODEL,
        input=[
            {"role": "developer", "content": "Be brief"},
            {"role": "user", "content": [{"type": "input_text", "text": "Weather?"}]},
            {"type": "function_call", "call_id": "call_1", "name": "weather", "arguments": '{"city": "Oslo"}'},
            {"type": "function_call_output", "call_id": "call_1", "output": "sunny"},
        ],
    )
    assert attribute(llm, "gen_ai.input.messages") == [
        {"role": "developer", "parts": [{"type": "text", "content": "Be brief"}]},
        {"role": "user", "parts": [{"type": "text", "content": "Weather?"}]},
        {
            "role": "assistant",
            "parts": [{"type": "tool_call", "id": "call_1", "name": "weather", "arguments": {"city": "Oslo"}}],
        },
        {"role": "tool", "parts": [{"type": "tool_call_response", "id": "call_1", "response": "sunny"}]},
    ]


@pytest.mark.usefixtures("capture")
def test_anthropic_system_blocks_become_text_parts(llm: LLM) -> None:
    system = [{"type": "text", "text": "Be brief", "cache_control": {"type": "ephemeral"}}]
    llm.anthropic.messages.create(model=ANTHROPIC_MODEL, max_tokens=64, system=system, messages=USER)
    assert attribute(llm, "gen_ai.system_instructions") == [{"type": "text", "content": "Be brief"}]


def openai_chat(llm: LLM, stream: bool) -> None:
    tools = [{"type": "function", "function": {"name": "weather", "parameters": WEATHER}}]
    result = llm.openai.chat.completions.create(model=OPENAI_MODEL, messages=USER, tools=tools, stream=stream)
    if stream:
        list(result)


def openai_responses(llm: LLM, stream: bool) -> None:
    tools = [{"type": "function", "name": "weather", "parameters": WEATHER}]
    result = llm.openai.responses.create(model=OPENAI_MODEL, input="Weather?", tools=tools, stream=stream)
    if stream:
        list(result)


def anthropic_messages(llm: LLM, stream: bool) -> None:
    tools = [{"name": "weather", "input_schema": WEATHER}]
    result = llm.anthropic.messages.create(
        model=ANTHROPIC_MODEL, max_tokens=64, messages=USER, tools=tools, stream=stream
    )
    if stream:
        list(result)


@pytest.mark.usefixtures("capture")
@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("call", [openai_chat, openai_responses, anthropic_messages])
def test_tool_call_arguments_are_an_object(llm: LLM, call: Any, stream: bool) -> None:
    call(llm, stream)
    [output] = attribute(llm, "gen_ai.output.messages")
    [part] = output["parts"]
    assert (part["type"], part["name"], part["arguments"]) == ("tool_call", "weather", ARGUMENTS)


def test_the_structure_check_rejects_content_copied_raw() -> None:
    """The check itself: the Responses input and streamed arguments as they used to be recorded fail it."""
    raw_input = [{"role": "user", "content": [{"type": "input_text", "text": "Hi"}]}]
    text_arguments = [{"role": "assistant", "parts": [{"type": "tool_call", "name": "weather", "arguments": "{}"}]}]
    for key, value in (("gen_ai.input.messages", raw_input), ("gen_ai.output.messages", text_arguments)):
        with pytest.raises(jsonschema.ValidationError):
            check_captured_content([ReadableSpan("chat", attributes={key: json.dumps(value)})])


@pytest.mark.parametrize(
    ("arguments", "captured"),
    [('{"a": 1}', {"a": 1}), ("", {}), ('{"a": 1', '{"a": 1'), ({"a": 1}, {"a": 1}), (None, None)],
    ids=["json", "no-fragments", "cut-short", "object", "missing"],
)
def test_tool_call_arguments_as_captured(arguments: object, captured: object) -> None:
    assert json_arguments(arguments) == captured
