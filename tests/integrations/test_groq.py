"""Groq's client (OpenAI's wire format, ``base_url`` on the local server), recorded by OpenInference's."""

from __future__ import annotations

from decimal import Decimal

from tests.integrations.conftest import USER, assert_counted_once, llm_spans, require

require("groq", "openinference.instrumentation.groq")

import groq  # noqa: E402 - after the skip

import agentops_otel as agentops  # noqa: E402
from agentops_otel.pricing import cost_usd  # noqa: E402
from agentops_otel.usage import Usage  # noqa: E402
from tests.conftest import Recorded  # noqa: E402
from tests.support.llm_server import REPLY_TEXT, LLMServer  # noqa: E402

MODEL = "llama3-70b-8192"  # priced by genai-prices; Groq answers the model name as asked


def test_chat_completion(recorded: Recorded, llm_server: LLMServer) -> None:
    session = agentops.start_session()
    with groq.Groq(base_url=llm_server.base_url, api_key="test", max_retries=0) as client:
        completion = client.chat.completions.create(model=MODEL, messages=USER)
    cost = session.end_session("Success")
    assert completion.choices[0].message.content == REPLY_TEXT
    assert_counted_once(recorded, session, cost, calls=1, provider="groq")
    assert cost == Decimal(repr(cost_usd("groq", MODEL, Usage(12, 5, cache_read=6))))


def test_a_stream_is_a_call_in_its_session_without_usage(recorded: Recorded, llm_server: LLMServer) -> None:
    """OpenInference's Groq instrumentation records no usage for streams (a limit in docs/integrations.md)."""
    session = agentops.start_session()
    with groq.Groq(base_url=llm_server.base_url, api_key="test", max_retries=0) as client:
        text = "".join(
            chunk.choices[0].delta.content or ""
            for chunk in client.chat.completions.create(model=MODEL, messages=USER, stream=True)
        )
    session.end_session("Success")
    assert text == REPLY_TEXT
    (span,) = llm_spans(recorded)
    assert span.attributes["session.id"] == session.session_id
    assert span.attributes["gen_ai.provider.name"] == "groq"
    root = recorded.one("session").attributes
    assert root["agentops.session.llm_calls"] == 1
    assert root["agentops.session.unpriced_llm_calls"] == 1
