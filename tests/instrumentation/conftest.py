"""Fixtures: the local LLM server, real clients pointed at it, and both instrumentors applied."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from dataclasses import dataclass

import anthropic
import openai
import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan

import agentops_otel as agentops
from agentops_otel.instrumentation.anthropic import AnthropicInstrumentor
from agentops_otel.instrumentation.openai import OpenAIInstrumentor
from tests.conftest import Recorded
from tests.instrumentation.genai_messages import check_captured_content
from tests.support.llm_server import LLMServer

OPENAI_MODEL = "gpt-4o-mini"
ANTHROPIC_MODEL = "claude-sonnet-4-20250514"
USER = [{"role": "user", "content": "Say hello"}]  # 2 words: the server counts 10 + 2 = 12 prompt tokens


@dataclass
class LLM:
    """What a test talks to and what it reads back."""

    recorded: Recorded
    server: LLMServer
    metrics: InMemoryMetricReader
    openai: openai.OpenAI
    anthropic: anthropic.Anthropic

    def llm_spans(self) -> list[ReadableSpan]:
        return [span for span in self.recorded.spans if span.name != "session" and not span.name.startswith("session ")]

    def one_llm_span(self) -> ReadableSpan:
        spans = self.llm_spans()
        assert len(spans) == 1, [span.name for span in spans]
        return spans[0]

    def async_openai(self) -> openai.AsyncOpenAI:
        return openai.AsyncOpenAI(base_url=self.server.openai_base_url, api_key="test", max_retries=0)

    def async_anthropic(self) -> anthropic.AsyncAnthropic:
        return anthropic.AsyncAnthropic(base_url=self.server.base_url, api_key="test", max_retries=0)


@pytest.fixture(scope="module")
def llm_server() -> Iterator[LLMServer]:
    with LLMServer() as server:
        yield server


def instrument(recorded: Recorded, meter_provider: MeterProvider, **options: object) -> None:
    """Apply both instrumentors to the test's providers (re-applying them if init() already did)."""
    for instrumentor in (OpenAIInstrumentor(), AnthropicInstrumentor()):
        if instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.uninstrument()
        instrumentor.instrument(tracer_provider=recorded.provider, meter_provider=meter_provider, **options)


def uninstrument() -> None:
    for instrumentor in (OpenAIInstrumentor(), AnthropicInstrumentor()):
        if instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.uninstrument()


@pytest.fixture
def llm(recorded: Recorded, llm_server: LLMServer) -> Iterator[LLM]:
    """Both instrumentors on the in-memory pipeline, with real clients for the local server."""
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    instrument(recorded, meter_provider)
    sync_openai = openai.OpenAI(base_url=llm_server.openai_base_url, api_key="test", max_retries=0)
    sync_anthropic = anthropic.Anthropic(base_url=llm_server.base_url, api_key="test", max_retries=0)
    try:
        yield LLM(recorded, llm_server, reader, sync_openai, sync_anthropic)
    finally:
        sync_openai.close()
        sync_anthropic.close()
        uninstrument()
        meter_provider.shutdown()
        gc.collect()  # dropped streams end their spans now, not in the next test
    check_captured_content(recorded.spans)  # every test's captured messages have the conventions' structure


@pytest.fixture
def capture(llm: LLM) -> Iterator[None]:
    """Content capture on for one test."""
    agentops.configure(capture_content=True)  # after init(), which sets it from its config
    yield
    agentops.configure(capture_content=False)
