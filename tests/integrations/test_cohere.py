"""Cohere's v2 client (``base_url`` on the local server), recorded by OpenInference's instrumentation."""

from __future__ import annotations

from decimal import Decimal

from tests.integrations.conftest import USER, assert_counted_once, require

require("cohere", "openinference.instrumentation.cohere")

import cohere  # noqa: E402 - after the skip

import agentops_otel as agentops  # noqa: E402
from agentops_otel.pricing import cost_usd  # noqa: E402
from agentops_otel.usage import Usage  # noqa: E402
from tests.conftest import Recorded  # noqa: E402
from tests.support.llm_server import REPLY_TEXT, LLMServer  # noqa: E402

MODEL = "command-r"


def test_chat(recorded: Recorded, llm_server: LLMServer) -> None:
    session = agentops.start_session()
    response = cohere.ClientV2(base_url=llm_server.base_url, api_key="test").chat(model=MODEL, messages=USER)
    cost = session.end_session("Success")
    assert response.message.content is not None and response.message.content[0].text == REPLY_TEXT
    assert_counted_once(recorded, session, cost, calls=1, provider="cohere")
    assert cost == Decimal(repr(cost_usd("cohere", MODEL, Usage(12, 5))))


def test_chat_stream(recorded: Recorded, llm_server: LLMServer) -> None:
    session = agentops.start_session()
    client = cohere.ClientV2(base_url=llm_server.base_url, api_key="test")
    events = list(client.chat_stream(model=MODEL, messages=USER))
    cost = session.end_session("Success")
    text = "".join(event.delta.message.content.text for event in events if event.type == "content-delta")
    assert text == REPLY_TEXT
    assert_counted_once(recorded, session, cost, calls=1, provider="cohere")
    assert cost == Decimal(repr(cost_usd("cohere", MODEL, Usage(12, 5))))
