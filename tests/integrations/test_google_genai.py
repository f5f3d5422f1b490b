"""Google GenAI (Gemini) ``generate_content``, its stream and async, on the local server.

Recorded by OpenInference's instrumentation: the official one refuses google-genai 3.x.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

from tests.integrations.conftest import assert_counted_once, llm_spans, require

require("google.genai", "openinference.instrumentation.google_genai")

from google import genai  # noqa: E402 - after the skip
from google.genai import types  # noqa: E402

import agentops_otel as agentops  # noqa: E402
from agentops_otel.pricing import cost_usd  # noqa: E402
from agentops_otel.usage import Usage  # noqa: E402
from tests.conftest import Recorded  # noqa: E402
from tests.support.llm_server import REPLY_TEXT, LLMServer  # noqa: E402

MODEL = "gemini-2.0-flash"
PROMPT = "Say hello"
PRICE = cost_usd("google", MODEL, Usage(12, 5))


def client(server: LLMServer) -> genai.Client:
    return genai.Client(api_key="test", http_options=types.HttpOptions(base_url=server.base_url))


def test_generate_content(recorded: Recorded, llm_server: LLMServer) -> None:
    session = agentops.start_session()
    with client(llm_server) as gemini:  # the client closes its connections when collected
        response = gemini.models.generate_content(model=MODEL, contents=PROMPT)
    cost = session.end_session("Success")
    assert response.text == REPLY_TEXT
    assert_counted_once(recorded, session, cost, calls=1, provider="gcp.gen_ai")
    assert cost == Decimal(repr(PRICE))


def test_generate_content_stream(recorded: Recorded, llm_server: LLMServer) -> None:
    session = agentops.start_session()
    with client(llm_server) as gemini:
        chunks = gemini.models.generate_content_stream(model=MODEL, contents=PROMPT)
        text = "".join(chunk.text or "" for chunk in chunks)
    cost = session.end_session("Success")
    assert text == REPLY_TEXT
    assert len(llm_spans(recorded)) == 1
    assert_counted_once(recorded, session, cost, calls=1, provider="gcp.gen_ai")


def test_async_generate_content(recorded: Recorded, llm_server: LLMServer) -> None:
    async def two_calls() -> None:
        async with session, gemini.aio as aio:
            for _ in range(2):
                await aio.models.generate_content(model=MODEL, contents=PROMPT)

    gemini = client(llm_server)  # held: a collected client closes its connections
    session = agentops.start_session()
    asyncio.run(two_calls())
    gemini.close()
    assert_counted_once(recorded, session, session.stats.cost_usd, calls=2, provider="gcp.gen_ai")
    assert session.stats.cost_usd == 2 * Decimal(repr(PRICE))
