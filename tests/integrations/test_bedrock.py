"""Amazon Bedrock Runtime through boto3 (``endpoint_url`` on the local server), recorded by the official
OpenTelemetry GenAI Bedrock instrumentation."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.integrations.conftest import USER, assert_counted_once, llm_spans, require

require("boto3", "opentelemetry.instrumentation.genai.bedrock")

import boto3  # noqa: E402 - after the skip

import agentops_otel as agentops  # noqa: E402
from agentops_otel.pricing import cost_usd  # noqa: E402
from agentops_otel.usage import Usage  # noqa: E402
from tests.conftest import Recorded  # noqa: E402
from tests.support.llm_server import REPLY_TEXT, LLMServer  # noqa: E402

MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
MESSAGES = [{"role": "user", "content": [{"text": "Say hello"}]}]


def client(server: LLMServer) -> object:
    return boto3.client(
        "bedrock-runtime",
        region_name="us-east-1",
        endpoint_url=server.base_url,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def test_converse(recorded: Recorded, llm_server: LLMServer) -> None:
    session = agentops.start_session()
    response = client(llm_server).converse(modelId=MODEL, messages=MESSAGES)  # type: ignore[attr-defined]
    cost = session.end_session("Success")
    assert response["output"]["message"]["content"][0]["text"] == REPLY_TEXT
    assert_counted_once(recorded, session, cost, calls=1, provider="aws.bedrock")
    assert cost == Decimal(repr(cost_usd("aws", MODEL, Usage(12, 5))))


def test_invoke_model_with_an_anthropic_body(recorded: Recorded, llm_server: LLMServer) -> None:
    """The instrumentation passes on Anthropic's uncached input count: the price adds the cached part back."""
    session = agentops.start_session()
    body = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 50, "messages": USER}
    response = client(llm_server).invoke_model(modelId=MODEL, body=json.dumps(body))  # type: ignore[attr-defined]
    cost = session.end_session("Success")
    assert json.loads(response["body"].read())["content"][0]["text"] == REPLY_TEXT
    (span,) = llm_spans(recorded)
    attributes = span.attributes or {}
    assert attributes["session.id"] == session.session_id
    assert attributes["gen_ai.provider.name"] == "aws.bedrock"
    assert attributes["gen_ai.usage.input_tokens"] == 3  # 12 - 6 read from the cache - 3 written to it
    assert recorded.one("session").attributes["agentops.session.llm_calls"] == 1
    assert cost == Decimal(repr(cost_usd("aws", MODEL, Usage(12, 5, cache_read=6, cache_write=3))))


def test_converse_stream(recorded: Recorded, llm_server: LLMServer) -> None:
    """boto3 decodes the server's AWS event stream; the instrumentation records the streamed call once."""
    session = agentops.start_session()
    response = client(llm_server).converse_stream(modelId=MODEL, messages=MESSAGES)  # type: ignore[attr-defined]
    events = list(response["stream"])
    cost = session.end_session("Success")
    text = "".join(event["contentBlockDelta"]["delta"]["text"] for event in events if "contentBlockDelta" in event)
    assert text == REPLY_TEXT
    assert events[-1]["metadata"]["usage"] == {"inputTokens": 12, "outputTokens": 5, "totalTokens": 17}
    assert_counted_once(recorded, session, cost, calls=1, provider="aws.bedrock")
    assert cost == Decimal(repr(cost_usd("aws", MODEL, Usage(12, 5))))
