"""LiteLLM through its OpenAI path (``api_base`` on the local server), recorded by OpenInference's instrumentation.

LiteLLM sends OpenAI requests with its own HTTP client, not the ``openai`` client, so each call
has one LLM span (LiteLLM's); these tests would see a second one, and count it once, if it did.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from tests.integrations.conftest import USER, assert_counted_once, llm_spans, require

require("litellm", "openinference.instrumentation.litellm")

import litellm  # noqa: E402 - after the skip

import agentops_otel as agentops  # noqa: E402
from agentops_otel.pricing import cost_usd  # noqa: E402
from agentops_otel.usage import Usage  # noqa: E402
from tests.conftest import Recorded  # noqa: E402
from tests.support.llm_server import REPLY_TEXT, LLMServer  # noqa: E402

MODEL = "openai/gpt-4o-mini"


def options(server: LLMServer) -> dict[str, Any]:
    return {"model": MODEL, "messages": USER, "api_base": server.openai_base_url, "api_key": "test"}


def test_completion(recorded: Recorded, llm_server: LLMServer) -> None:
    session = agentops.start_session()
    response = litellm.completion(**options(llm_server))
    cost = session.end_session("Success")
    assert response.choices[0].message.content == REPLY_TEXT
    assert len(llm_spans(recorded)) == 1  # LiteLLM's own HTTP client: the openai instrumentor sees no call
    assert_counted_once(recorded, session, cost, calls=1, provider="openai")
    assert cost == Decimal(repr(cost_usd("openai", "gpt-4o-mini", Usage(12, 5, cache_read=6))))


def test_acompletion(recorded: Recorded, llm_server: LLMServer) -> None:
    async def two_calls() -> None:
        async with session:
            await litellm.acompletion(**options(llm_server))
            await litellm.acompletion(**options(llm_server))
        await litellm.close_litellm_async_clients()  # LiteLLM caches them per loop; this loop ends here

    session = agentops.start_session()
    asyncio.run(two_calls())
    assert_counted_once(recorded, session, session.stats.cost_usd, calls=2, provider="openai")


def test_stream(recorded: Recorded, llm_server: LLMServer) -> None:
    session = agentops.start_session()
    chunks = litellm.completion(**options(llm_server), stream=True, stream_options={"include_usage": True})
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    cost = session.end_session("Success")
    assert text == REPLY_TEXT
    assert [span.attributes["gen_ai.request.stream"] for span in llm_spans(recorded)] == [True]
    assert_counted_once(recorded, session, cost, calls=1, provider="openai")


def test_embedding_counts_unpriced(recorded: Recorded, llm_server: LLMServer) -> None:
    """OpenInference's embedding span names no provider, and a call is never priced by a guessed one."""
    session = agentops.start_session()
    result = litellm.embedding(
        model="openai/text-embedding-3-small", input=["Say hello"], api_base=llm_server.openai_base_url, api_key="test"
    )
    cost = session.end_session("Success")
    assert len(result.data[0]["embedding"]) == 8
    (span,) = llm_spans(recorded)
    assert span.attributes["gen_ai.operation.name"] == "embeddings"
    assert span.attributes["gen_ai.usage.input_tokens"] == 2
    assert "gen_ai.provider.name" not in span.attributes
    assert span.attributes["session.id"] == session.session_id
    root = recorded.one("session").attributes
    assert root["agentops.session.llm_calls"] == root["agentops.session.unpriced_llm_calls"] == 1
    assert root["agentops.session.input_tokens"] == 2
    assert cost == 0
