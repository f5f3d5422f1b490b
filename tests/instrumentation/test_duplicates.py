"""One call, one LLM span, when another GenAI instrumentation sees the same call.

The peer tests run where the peer is installed (``benchmarks/README.md`` makes such a venv);
they are skipped in the project's own venv, which does not depend on any peer.
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

import openai
import pytest
import wrapt
from opentelemetry.instrumentation.utils import unwrap
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.trace import SpanKind

import agentops_otel as agentops
from agentops_otel.instrumentation.openai import OpenAIInstrumentor
from tests.instrumentation.conftest import LLM, OPENAI_MODEL, USER, instrument, uninstrument


def test_a_genai_span_already_open_for_the_call_is_borrowed_not_doubled(llm: LLM) -> None:
    session = agentops.start_session()
    tracer = llm.recorded.provider.get_tracer("another.genai.instrumentation")
    # What an instrumentation wrapped outside ours does: its span is current when ours runs.
    with tracer.start_as_current_span(
        "chat gpt-4o-mini", kind=SpanKind.CLIENT, attributes={"gen_ai.operation.name": "chat"}
    ) as outer:
        llm.openai.chat.completions.create(model=OPENAI_MODEL, messages=USER)
        assert outer.is_recording()  # ending it stays its owner's job
    span = llm.one_llm_span()
    assert span.instrumentation_scope is not None
    assert span.instrumentation_scope.name == "another.genai.instrumentation"
    span_attributes = span.attributes or {}
    assert span_attributes["session.id"] == session.session_id
    assert span_attributes["gen_ai.usage.output_tokens"] == 5
    assert span_attributes["agentops.llm.cost_usd"] > 0
    session.end_session("Success")
    root = next(span for span in llm.recorded.spans if span.name == "session")
    assert (root.attributes or {})["agentops.session.llm_calls"] == 1  # the borrowed span counts in the session


@pytest.mark.parametrize(
    "module",
    [
        "opentelemetry.instrumentation.genai.openai",  # official, opentelemetry-instrumentation-genai-openai
        "opentelemetry.instrumentation.openai_v2",  # official, contrib (deprecated)
        "opentelemetry.instrumentation.openai",  # OpenLLMetry
    ],
)
def test_a_peer_instrumented_first_stands_down_inside_our_span(llm: LLM, module: str) -> None:
    uninstrument()
    with warnings.catch_warnings():  # peers' own import-time deprecations are not ours to fail on
        warnings.simplefilter("ignore", DeprecationWarning)
        peer = pytest.importorskip(module).OpenAIInstrumentor()
        peer.instrument(tracer_provider=llm.recorded.provider)  # OpenLLMetry imports its modules here
    instrument(llm.recorded, MeterProvider())  # ours wraps theirs: our span is current when theirs runs
    try:
        llm.openai.chat.completions.create(model=OPENAI_MODEL, messages=USER)
        for _ in llm.openai.chat.completions.create(model=OPENAI_MODEL, messages=USER, stream=True):
            pass
    finally:
        uninstrument()
        peer.uninstrument()
    spans = llm.llm_spans()
    assert [span.instrumentation_scope.name for span in spans if span.instrumentation_scope] == [
        "agentops_otel.instrumentation.openai"
    ] * 2


def test_peer_markers_are_set_only_when_a_wrapper_sits_inside_ours(llm: LLM) -> None:
    """Only a wrapper applied before ours runs inside our span; without one the markers are skipped."""
    from opentelemetry.context import get_value

    from agentops_otel.instrumentation.duplicates import OPENLLMETRY_SUPPRESS_KEY

    seen: list[object] = []

    def observe(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:  # runs inside our span
        seen.append(get_value(OPENLLMETRY_SUPPRESS_KEY))
        return wrapped(*args, **kwargs)

    def inner_peer(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
        return wrapped(*args, **kwargs)

    uninstrument()
    for module, cls_name, method, *_ in OpenAIInstrumentor().targets():  # wrappers earlier tests left behind
        cls = getattr(importlib.import_module(module), cls_name)
        while isinstance(cls.__dict__[method], wrapt.FunctionWrapper):
            setattr(cls, method, cls.__dict__[method].__wrapped__)
    completions = openai.resources.chat.completions.Completions
    instrument(llm.recorded, MeterProvider())
    wrapt.wrap_function_wrapper("openai._base_client", "SyncAPIClient.request", observe)
    try:
        llm.openai.chat.completions.create(model=OPENAI_MODEL, messages=USER)  # nothing inside ours
        uninstrument()
        wrapt.wrap_function_wrapper("openai.resources.chat.completions", "Completions.create", inner_peer)
        instrument(llm.recorded, MeterProvider())  # ours now wraps the peer
        llm.openai.chat.completions.create(model=OPENAI_MODEL, messages=USER)
        uninstrument()
    finally:
        unwrap(completions, "create")
        unwrap(openai._base_client.SyncAPIClient, "request")
    assert seen == [None, True]
