"""The instrumentors as OpenTelemetry sees them: export over OTLP, suppression, uninstrument."""

from __future__ import annotations

import anthropic
import openai
import pytest
import wrapt
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.utils import suppress_instrumentation
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.trace import TracerProvider

import agentops_otel as agentops
from agentops_otel.ids import SessionIdGenerator
from agentops_otel.instrumentation.anthropic import AnthropicInstrumentor
from agentops_otel.instrumentation.openai import OpenAIInstrumentor
from tests.conftest import Recorded
from tests.instrumentation.conftest import ANTHROPIC_MODEL, LLM, OPENAI_MODEL, USER, instrument, uninstrument
from tests.support.llm_server import LLMServer
from tests.support.otlp_receiver import OTLPReceiver


def test_what_the_otlp_receiver_got(receiver: OTLPReceiver, llm_server: LLMServer) -> None:
    provider = TracerProvider(id_generator=SessionIdGenerator())
    agentops.init(
        tracer_provider=provider,
        exporter=OTLPSpanExporter(endpoint=receiver.http_traces_endpoint),
        auto_start_session=False,
    )
    instrument(Recorded(None, provider), MeterProvider())  # type: ignore[arg-type]
    try:
        session = agentops.start_session(["otlp"])
        client = openai.OpenAI(base_url=llm_server.openai_base_url, api_key="test", max_retries=0)
        claude = anthropic.Anthropic(base_url=llm_server.base_url, api_key="test", max_retries=0)
        client.chat.completions.create(model=OPENAI_MODEL, messages=USER)
        with claude.messages.stream(model=ANTHROPIC_MODEL, max_tokens=64, messages=USER) as stream:
            stream.until_done()
        cost = session.end_session("Success")
        client.close()
        claude.close()
    finally:
        uninstrument()
        agentops.shutdown()

    spans = {span["name"]: span for span in receiver.wait_for_spans(lambda found: len(found) >= 3)}
    root = spans["session"]
    for name, provider_name in ((f"chat {OPENAI_MODEL}", "openai"), (f"chat {ANTHROPIC_MODEL}", "anthropic")):
        llm_span = spans[name]
        assert llm_span["kind"] == "CLIENT"
        assert (llm_span["trace_id"], llm_span["parent_span_id"]) == (root["trace_id"], root["span_id"])
        assert llm_span["attributes"]["gen_ai.provider.name"] == provider_name
        assert llm_span["attributes"]["session.id"] == session.session_id
        assert llm_span["attributes"]["gen_ai.usage.output_tokens"] == 5
    assert root["attributes"]["agentops.session.llm_calls"] == 2
    assert root["attributes"]["agentops.session.cost_usd"] == pytest.approx(float(cost or 0))
    assert len(spans) == 3


def test_suppressed_instrumentation_records_nothing(llm: LLM) -> None:
    with suppress_instrumentation():
        llm.openai.chat.completions.create(model=OPENAI_MODEL, messages=USER)
        llm.anthropic.messages.create(model=ANTHROPIC_MODEL, max_tokens=64, messages=USER)
    assert llm.llm_spans() == []


def test_uninstrument_restores_the_original_methods(llm: LLM) -> None:
    cached_raw = llm.openai.chat.completions.with_raw_response  # caches the wrapped bound method
    uninstrument()

    for module, cls, method in [
        (openai.resources.chat.completions, "Completions", "create"),
        (openai.resources.chat.completions, "AsyncCompletions", "create"),
        (openai.resources.responses, "Responses", "create"),
        (openai.resources.embeddings, "AsyncEmbeddings", "create"),
        (anthropic.resources.messages, "Messages", "create"),
        (anthropic.resources.messages, "AsyncMessages", "stream"),
    ]:
        assert not isinstance(getattr(getattr(module, cls), method), wrapt.ObjectProxy), f"{cls}.{method}"
    llm.openai.chat.completions.create(model=OPENAI_MODEL, messages=USER)
    cached_raw.create(model=OPENAI_MODEL, messages=USER)  # the cached wrapper passes the call through
    assert llm.llm_spans() == []


def test_the_anthropic_sdk_span_is_off_for_our_calls_and_kept_with_the_switch(
    llm: LLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opentelemetry import trace

    # The SDK's span goes to the global provider: make that ours for this test.
    monkeypatch.setattr(trace, "_TRACER_PROVIDER", llm.recorded.provider)
    client = anthropic.Anthropic(base_url=llm.server.base_url, api_key="test", max_retries=0)
    client.messages.create(model=ANTHROPIC_MODEL, max_tokens=64, messages=USER)
    assert [span.name for span in llm.llm_spans()] == [f"chat {ANTHROPIC_MODEL}"]

    AnthropicInstrumentor().uninstrument()
    AnthropicInstrumentor().instrument(tracer_provider=llm.recorded.provider, keep_sdk_spans=True)
    session = agentops.start_session()
    client.messages.create(model=ANTHROPIC_MODEL, max_tokens=64, messages=USER)
    sdk_span = llm.recorded.one("anthropic.messages.create")
    assert (sdk_span.attributes or {})["session.id"] == session.session_id
    assert sdk_span.parent is not None
    assert sdk_span.parent.span_id == session.span.get_span_context().span_id
    assert len(llm.llm_spans()) == 2  # the first call's span and this SDK span: still one per call
    client.close()


def test_instrumentation_dependencies() -> None:
    assert OpenAIInstrumentor().instrumentation_dependencies() == ("openai >= 1.40",)
    assert AnthropicInstrumentor().instrumentation_dependencies() == ("anthropic >= 0.40",)
