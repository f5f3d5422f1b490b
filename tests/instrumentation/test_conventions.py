"""What semantic-conventions-genai 1.42 changed, as our spans and metrics now follow it.

https://github.com/open-telemetry/semantic-conventions-genai (docs/gen-ai/client-inference.md,
gen-ai-token-metrics.md, gen-ai-metrics.md, registry/attributes/gen-ai.md).
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader

import agentops_otel as agentops
from agentops_otel.attributes import GENAI_SCHEMA_URL
from agentops_otel.config import Config
from agentops_otel.content import content_on_spans
from agentops_otel.instrumentation.metrics import OperationDurations
from tests.conftest import Recorded
from tests.instrumentation.conftest import ANTHROPIC_MODEL, LLM, OPENAI_MODEL, USER, instrument

INFERENCE_METRICS = {
    "gen_ai.client.inference.duration",
    "gen_ai.client.inference.usage.input_tokens",
    "gen_ai.client.inference.usage.output_tokens",
    "gen_ai.client.inference.usage.cache_read.input_tokens",
    "gen_ai.client.inference.usage.cache_write.input_tokens",
    "gen_ai.client.inference.operation.input_tokens",
    "gen_ai.client.inference.operation.output_tokens",
}


def points(reader: InMemoryMetricReader) -> dict[str, list[Any]]:
    data = reader.get_metrics_data()
    if data is None:
        return {}
    return {
        metric.name: list(metric.data.data_points)
        for resource in data.resource_metrics
        for scope in resource.scope_metrics
        for metric in scope.metrics
    }


@pytest.mark.parametrize(
    ("value", "on_spans"),
    [
        ("SPAN_ONLY", True),
        ("span_and_event", True),
        (" Span_Only ", True),
        ("NO_CONTENT", False),
        ("EVENT_ONLY", False),  # content in events only: we emit no content events
        ("true", None),  # not a mode: read as a boolean, as before
        ("bogus", None),
    ],
)
def test_capture_content_reads_the_modes_of_opentelemetry_util_genai(value: str, on_spans: bool | None) -> None:
    assert content_on_spans(value) is on_spans


@pytest.mark.parametrize(
    ("value", "capture"),
    [("SPAN_AND_EVENT", True), ("span_only", True), ("EVENT_ONLY", False), ("No_Content", False), ("true", True)],
)
def test_the_capture_variable_takes_the_modes_in_our_configuration(value: str, capture: bool) -> None:
    environ = {"OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": value}
    assert Config.load({}, environ=environ).capture_content is capture


def test_a_capture_value_that_is_no_mode_nor_boolean_keeps_the_default(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="agentops_otel"):
        config = Config.load({}, environ={"OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "spans"})
    assert config.capture_content is False
    assert "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT" in caplog.text


def test_cache_writes_are_counted_under_their_new_name(llm: LLM) -> None:
    llm.anthropic.messages.create(model=ANTHROPIC_MODEL, max_tokens=20, messages=USER)
    span_attributes = dict(llm.one_llm_span().attributes or {})
    assert span_attributes["gen_ai.usage.cache_write.input_tokens"] == 3  # 12 prompt tokens: 6 read, 3 written
    assert "gen_ai.usage.cache_creation.input_tokens" not in span_attributes


def test_llm_tracers_and_meters_carry_the_genai_schema_url(llm: LLM) -> None:
    llm.openai.chat.completions.create(model=OPENAI_MODEL, messages=USER)
    scope = llm.one_llm_span().instrumentation_scope
    assert scope is not None and scope.schema_url == GENAI_SCHEMA_URL
    data = llm.metrics.get_metrics_data()
    assert data is not None
    assert {scope.scope.schema_url for resource in data.resource_metrics for scope in resource.scope_metrics} == {
        GENAI_SCHEMA_URL
    }


def test_sessions_agents_and_tools_carry_the_genai_schema_url_too(recorded: Recorded) -> None:
    with agentops.start_session():
        agentops.track_agent("planner")(agentops.record_tool("lookup")(str.upper))("x")
    for name in ("session", "invoke_agent planner", "execute_tool lookup"):
        scope = recorded.one(name).instrumentation_scope
        assert scope is not None and (scope.name, scope.schema_url) == ("agentops_otel", GENAI_SCHEMA_URL)


def test_the_inference_metrics_wait_for_the_opt_in(llm: LLM) -> None:
    llm.openai.chat.completions.create(model=OPENAI_MODEL, messages=USER)
    found = points(llm.metrics)
    assert {"gen_ai.client.operation.duration", "gen_ai.client.token.usage"} <= set(found)
    assert not INFERENCE_METRICS & set(found)


def test_opted_in_calls_add_the_inference_metrics(llm: LLM, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_SEMCONV_STABILITY_OPT_IN", "http, gen_ai_latest_experimental")
    reader = InMemoryMetricReader()
    instrument(llm.recorded, MeterProvider(metric_readers=[reader]))  # the opt-in is read when instrumenting
    llm.openai.chat.completions.create(model=OPENAI_MODEL, messages=USER)
    list(llm.openai.chat.completions.create(model=OPENAI_MODEL, messages=USER, stream=True))
    found = points(reader)
    assert {"gen_ai.client.operation.duration", "gen_ai.client.token.usage"} <= set(found)  # today's names stay
    assert set(found) >= INFERENCE_METRICS | {"gen_ai.client.inference.time_to_first_chunk"}
    (duration,) = found["gen_ai.client.inference.duration"]
    assert duration.count == 2
    (first_chunk,) = found["gen_ai.client.inference.time_to_first_chunk"]
    assert first_chunk.count == 1  # the stream only
    (input_tokens,) = found["gen_ai.client.inference.usage.input_tokens"]
    assert input_tokens.value == 24  # a counter: 12 per call
    assert input_tokens.attributes["gen_ai.token.modality"] == "unknown"
    assert input_tokens.attributes["gen_ai.provider.name"] == "openai"
    (cache_write,) = found["gen_ai.client.inference.usage.cache_write.input_tokens"]
    assert cache_write.value == 6
    (per_call,) = found["gen_ai.client.inference.operation.input_tokens"]
    assert (per_call.count, per_call.sum) == (2, 24)
    assert "gen_ai.token.modality" not in per_call.attributes  # per-call histograms are not split by modality


def test_agent_and_tool_spans_are_measured_and_their_children_carry_no_agent_attributes(recorded: Recorded) -> None:
    reader = InMemoryMetricReader()
    recorded.provider.add_span_processor(OperationDurations(MeterProvider(metric_readers=[reader]).get_meter("t")))

    @agentops.record_tool("lookup")
    def lookup(topic: str) -> str:
        if not topic:
            raise ValueError("no topic")
        return topic.upper()

    @agentops.track_agent("researcher")
    def research(topic: str) -> str:
        return lookup(topic)

    session = agentops.start_session()
    assert research("otel") == "OTEL"
    with pytest.raises(ValueError):
        research("")
    session.end_session("Success")

    for tool in recorded.named("execute_tool lookup"):  # spans under an agent are not stamped with it
        assert not {key for key in tool.attributes or {} if key.startswith("gen_ai.agent.")}
    found = points(reader)
    (agent,) = [point for point in found["gen_ai.invoke_agent.duration"] if "error.type" not in point.attributes]
    assert agent.count == 1
    assert agent.attributes["gen_ai.agent.name"] == "researcher"
    tools = {point.attributes.get("error.type"): point for point in found["gen_ai.execute_tool.duration"]}
    assert set(tools) == {None, "ValueError"}
    assert tools[None].attributes["gen_ai.tool.name"] == "lookup"
    assert tools["ValueError"].count == 1
