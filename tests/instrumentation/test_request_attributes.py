"""Request keywords -> span attributes, for each parameter and conversion (pure functions, no HTTP)."""

from __future__ import annotations

from typing import Any

import anthropic
import openai
import pytest

from agentops_otel.instrumentation.anthropic.extractors import messages_request
from agentops_otel.instrumentation.openai.extractors import chat_request, embeddings_request, responses_request

OPENAI = openai.OpenAI(api_key="test", base_url="https://llm.example:8443/v1")
ANTHROPIC = anthropic.Anthropic(api_key="test", base_url="http://claude.example")


def request_parameters(read: Any, resource: Any, **kwargs: Any) -> dict[str, Any]:
    request = read(resource, {"model": "m", "messages": [], **kwargs})
    common = {"gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.request.model"}
    return {key: value for key, value in request.attributes.items() if key not in common}


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, {}),
        (
            {"temperature": 0.2, "top_p": 0.5, "frequency_penalty": 0.1, "presence_penalty": -0.1, "seed": 3},
            {
                "gen_ai.request.temperature": 0.2,
                "gen_ai.request.top_p": 0.5,
                "gen_ai.request.frequency_penalty": 0.1,
                "gen_ai.request.presence_penalty": -0.1,
                "gen_ai.request.seed": 3,
            },
        ),
        ({"stop": "END"}, {"gen_ai.request.stop_sequences": ["END"]}),
        ({"stop": ["A", "B"]}, {"gen_ai.request.stop_sequences": ["A", "B"]}),
        ({"n": 1}, {}),
        ({"n": 3}, {"gen_ai.request.choice.count": 3}),
        ({"stream": False}, {}),
        ({"stream": True}, {"gen_ai.request.stream": True}),
        ({"response_format": {"type": "json_schema"}}, {"gen_ai.output.type": "json"}),
        ({"response_format": {"type": "text"}}, {"gen_ai.output.type": "text"}),
        ({"max_tokens": 10}, {"gen_ai.request.max_tokens": 10}),
        ({"max_completion_tokens": 20, "max_tokens": 10}, {"gen_ai.request.max_tokens": 20}),
        ({"max_tokens": 10, "max_completion_tokens": 20}, {"gen_ai.request.max_tokens": 20}),
        ({"service_tier": "flex"}, {"openai.request.service_tier": "flex"}),
        ({"temperature": None, "seed": openai.omit, "user": "u-1"}, {}),  # unset, sentinel, not a parameter
    ],
)
def test_chat_parameters(kwargs: dict[str, Any], expected: dict[str, Any]) -> None:
    found = request_parameters(chat_request, OPENAI.chat.completions, **kwargs)
    assert found == {
        "server.address": "llm.example",
        "server.port": 8443,
        "openai.api.type": "chat_completions",
        **expected,
    }


def test_responses_embeddings_and_anthropic_parameters() -> None:
    text = {"format": {"type": "json_schema", "name": "answer", "schema": {}}}
    assert request_parameters(responses_request, OPENAI.responses, max_output_tokens=9, stream=True, text=text) == {
        "server.address": "llm.example",
        "server.port": 8443,
        "openai.api.type": "responses",
        "gen_ai.request.max_tokens": 9,
        "gen_ai.request.stream": True,
        "gen_ai.output.type": "json",
    }
    assert request_parameters(embeddings_request, OPENAI.embeddings, encoding_format="float", dimensions=8) == {
        "server.address": "llm.example",
        "server.port": 8443,
        "gen_ai.request.encoding_formats": ["float"],
        "gen_ai.embeddings.dimension.count": 8,
    }
    assert request_parameters(messages_request, ANTHROPIC.messages, top_k=5, stop_sequences=["X"]) == {
        "server.address": "claude.example",
        "server.port": 80,
        "gen_ai.request.top_k": 5,
        "gen_ai.request.stop_sequences": ["X"],
    }


def test_a_changed_base_url_is_read_again() -> None:
    client = openai.OpenAI(api_key="test", base_url="https://first.example/v1")
    assert request_parameters(chat_request, client.chat.completions)["server.address"] == "first.example"
    client.base_url = "http://second.example:9000/v1"  # type: ignore[assignment]
    found = request_parameters(chat_request, client.chat.completions)
    assert (found["server.address"], found["server.port"]) == ("second.example", 9000)
