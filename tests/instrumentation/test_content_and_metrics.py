"""Message content only when capture is on; the two GenAI client histograms with the spec's buckets."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agentops_otel.instrumentation.metrics import DURATION_BUCKETS, TOKEN_BUCKETS
from tests.instrumentation.conftest import ANTHROPIC_MODEL, LLM, OPENAI_MODEL

CONTENT_KEYS = {
    "gen_ai.input.messages",
    "gen_ai.output.messages",
    "gen_ai.system_instructions",
    "gen_ai.tool.definitions",
}
TOOL = {"name": "lookup", "description": "Find a thing", "input_schema": {"type": "object", "properties": {}}}


def calls(llm: LLM) -> list[dict[str, Any]]:
    llm.openai.chat.completions.create(
        model=OPENAI_MODEL, messages=[{"role": "system", "content": "Be brief"}, {"role": "user", "content": "Hi"}]
    )
    llm.anthropic.messages.create(
        model=ANTHROPIC_MODEL,
        max_tokens=64,
        system="Be brief",
        messages=[{"role": "user", "content": "Hi"}],
        tools=[TOOL],
    )
    return [dict(span.attributes or {}) for span in llm.llm_spans()]


def test_no_content_by_default(llm: LLM) -> None:
    for span_attributes in calls(llm):
        assert not CONTENT_KEYS & span_attributes.keys()


@pytest.mark.usefixtures("capture")
def test_content_in_the_genai_schema_when_capture_is_on(llm: LLM) -> None:
    openai_span, anthropic_span = calls(llm)
    assert json.loads(openai_span["gen_ai.input.messages"]) == [
        {"role": "system", "parts": [{"type": "text", "content": "Be brief"}]},
        {"role": "user", "parts": [{"type": "text", "content": "Hi"}]},
    ]
    assert json.loads(openai_span["gen_ai.output.messages"]) == [
        {"role": "assistant", "parts": [{"type": "text", "content": "Hello from the test server"}]}
    ]  # no finish_reason inside: deprecated there, it is in gen_ai.response.finish_reasons
    assert json.loads(anthropic_span["gen_ai.system_instructions"]) == [{"type": "text", "content": "Be brief"}]
    assert json.loads(anthropic_span["gen_ai.tool.definitions"]) == [TOOL]
    output = json.loads(anthropic_span["gen_ai.output.messages"])
    assert output[0]["parts"][0]["type"] == "tool_call"
    assert output[0]["parts"][0]["name"] == "lookup"
    assert anthropic_span["gen_ai.response.finish_reasons"] == ("tool_use",)


def histograms(llm: LLM) -> dict[str, list[Any]]:
    data = llm.metrics.get_metrics_data()
    assert data is not None
    return {
        metric.name: list(metric.data.data_points)
        for resource in data.resource_metrics
        for scope in resource.scope_metrics
        for metric in scope.metrics
    }


def test_duration_and_token_histograms(llm: LLM) -> None:
    llm.openai.chat.completions.create(model=OPENAI_MODEL, messages=[{"role": "user", "content": "Hi"}])
    found = histograms(llm)
    (duration,) = found["gen_ai.client.operation.duration"]
    assert tuple(duration.explicit_bounds) == DURATION_BUCKETS
    assert duration.count == 1
    assert dict(duration.attributes) == {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": OPENAI_MODEL,
        "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
        "server.address": "127.0.0.1",
        "server.port": llm.server.port,
    }
    tokens = {point.attributes["gen_ai.token.type"]: point for point in found["gen_ai.client.token.usage"]}
    assert tuple(tokens["input"].explicit_bounds) == tuple(float(bound) for bound in TOKEN_BUCKETS)
    assert (tokens["input"].sum, tokens["output"].sum) == (11, 5)


def test_a_failed_call_is_measured_with_its_error_type(llm: LLM) -> None:
    with pytest.raises(Exception, match="429"):
        llm.openai.chat.completions.create(
            model=OPENAI_MODEL, messages=[{"role": "user", "content": "Hi"}], extra_headers={"x-test-error": "429"}
        )
    found = histograms(llm)
    (duration,) = found["gen_ai.client.operation.duration"]
    assert duration.attributes["error.type"] == "RateLimitError"
    assert "gen_ai.client.token.usage" not in found


@pytest.mark.usefixtures("capture")
def test_a_choice_without_a_message_keeps_the_billing_data(llm: LLM) -> None:
    """Azure's content filter answers a choice with ``"message": null``: capture must not cost the usage."""
    completion = llm.openai.chat.completions.create(
        model=OPENAI_MODEL,
        messages=[{"role": "user", "content": "Hi"}],
        extra_headers={"x-test-content-filter": "true"},
    )
    assert completion.choices[0].message is None
    span_attributes = dict(llm.one_llm_span().attributes or {})
    assert span_attributes["gen_ai.response.id"] == completion.id
    assert span_attributes["gen_ai.response.model"] == completion.model
    assert span_attributes["gen_ai.response.finish_reasons"] == ("content_filter",)
    assert span_attributes["gen_ai.usage.input_tokens"] == 11
    assert span_attributes["gen_ai.usage.output_tokens"] == 5
    assert span_attributes["agentops.llm.cost_usd"] > 0
    assert json.loads(span_attributes["gen_ai.output.messages"]) == [{"role": "assistant", "parts": []}]
