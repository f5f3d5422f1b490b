"""MCP tool calls from a session to a real MCP server process, over stdio and Streamable HTTP.

Client side (this process): our MCP instrumentor makes each ``call_tool`` an ``execute_tool`` span
of the session. Server side (examples/mcp_server/weather.py, which calls
``agentops.init()``): the MCP SDK reads the W3C ``traceparent`` and ``baggage`` our client's
request carried in ``params._meta``, so the server's tool span and the LLM call made inside it
join the session's trace and carry its ``session.id``. The server exports to a real OTLP receiver.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

from tests.integrations.conftest import require

require("mcp.server.mcpserver", suite="frameworks")  # the MCP SDK 2.x

import pytest  # noqa: E402 - after the skip
from mcp import ClientSession, StdioServerParameters  # noqa: E402
from mcp.client.stdio import stdio_client  # noqa: E402
from mcp.client.streamable_http import streamable_http_client  # noqa: E402

import agentops_otel as agentops  # noqa: E402
from tests.conftest import Recorded  # noqa: E402
from tests.frameworks.conftest import assert_exact_rollups, tree  # noqa: E402
from tests.support.llm_server import REPLY_TEXT, LLMServer  # noqa: E402
from tests.support.otlp_receiver import OTLPReceiver, SpanDict  # noqa: E402
from tests.support.scripts import otlp_env, script_env  # noqa: E402
from tests.support.services import REPO_ROOT, Service  # noqa: E402

SERVER_MODULE = "examples.mcp_server.weather"
Transport = Callable[[], AbstractAsyncContextManager[Any]]
SERVED = {"tools/call get_weather", "tools/call get_time", "chat gpt-4o-mini"}


@pytest.fixture
def server_env(receiver: OTLPReceiver, llm_server: LLMServer) -> dict[str, str]:
    return {**otlp_env(receiver, "http/protobuf"), "OPENAI_BASE_URL": llm_server.openai_base_url, "OPENAI_API_KEY": "t"}


@pytest.fixture(params=["stdio", "http"])
def transport(request: pytest.FixtureRequest, server_env: dict[str, str], tmp_path: Path) -> Iterator[Transport]:
    """How the client reaches the server: a child process on stdin/stdout, or a Streamable HTTP service."""
    if request.param == "stdio":
        parameters = StdioServerParameters(
            command=sys.executable, args=["-m", SERVER_MODULE], env=script_env(server_env), cwd=str(REPO_ROOT)
        )
        yield lambda: stdio_client(parameters)
        return
    service = Service(f"{SERVER_MODULE}:app", server_env, tmp_path / "mcp.log")
    try:
        yield lambda: streamable_http_client(f"{service.url}/mcp")
    finally:
        service.stop()  # flushes the server's spans


async def call_both_tools(transport: Transport) -> list[str]:
    async with transport() as (read, write, *_), ClientSession(read, write) as client:
        await client.initialize()
        results = [await client.call_tool(name, {"city": "Oslo"}) for name in ("get_weather", "get_time")]
    return [result.content[0].text for result in results]


def test_tool_calls_are_session_spans_and_the_server_joins_the_session(
    recorded: Recorded, receiver: OTLPReceiver, transport: Transport
) -> None:
    session = agentops.start_session()
    texts = asyncio.run(call_both_tools(transport))
    session.end_session("Success")
    assert texts == [f"sunny in Oslo: {REPLY_TEXT}", "noon in Oslo"]
    assert tree(recorded, session) == ["session", "  tools/call get_weather", "  tools/call get_time"]
    assert_exact_rollups(recorded, session, llm_calls=0, tool_calls=2)
    client_span = recorded.one("tools/call get_weather")
    assert client_span.attributes == {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "get_weather",
        "mcp.method.name": "tools/call",
        "session.id": session.session_id,
    }

    served = server_spans(receiver, session.trace_id)
    by_name = {span["name"]: span for span in served}
    # tools/list: the client SDK lists the tools to validate a result against its output schema
    assert set(by_name) == {"tools/list", *SERVED}
    for span in served:
        assert span["attributes"]["session.id"] == session.session_id, span["name"]
    assert by_name["tools/call get_weather"]["kind"] == "SERVER"
    assert by_name["tools/call get_weather"]["parent_span_id"] == format(client_span.context.span_id, "016x")
    assert by_name["tools/call get_weather"]["attributes"]["gen_ai.operation.name"] == "execute_tool"
    assert by_name["chat gpt-4o-mini"]["parent_span_id"] == by_name["tools/call get_weather"]["span_id"]


def server_spans(receiver: OTLPReceiver, trace_id: int) -> list[SpanDict]:
    """The server's spans in the session's trace, once its LLM call and both tool spans have arrived."""
    trace_hex = format(trace_id, "032x")

    def in_trace(spans: list[SpanDict]) -> list[SpanDict]:
        return [span for span in spans if span["trace_id"] == trace_hex]

    return in_trace(
        receiver.wait_for_spans(lambda spans: {span["name"] for span in in_trace(spans)} >= SERVED, timeout=30)
    )
