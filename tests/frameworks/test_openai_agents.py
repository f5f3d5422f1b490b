"""The OpenAI Agents SDK, recorded by ``opentelemetry-instrumentation-genai-openai-agents`` and our OpenAI instrumentor.

The instrumentation turns the SDK's trace into a workflow span, agent spans and tool spans; the
model calls are our OpenAI client spans, nested under the agent that made them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from tests.integrations.conftest import require

require("agents", "opentelemetry.instrumentation.genai.openai_agents", suite="frameworks")

import openai  # noqa: E402 - after the skip
import pytest  # noqa: E402
from agents import (  # noqa: E402
    Agent,
    Runner,
    function_tool,
    set_default_openai_api,
    set_default_openai_client,
)
from agents.tracing import get_trace_provider  # noqa: E402

import agentops_otel as agentops  # noqa: E402
from tests.conftest import Recorded  # noqa: E402
from tests.frameworks.conftest import QUESTION, TIME, WEATHER, assert_exact_rollups, in_tasks, tree  # noqa: E402
from tests.support.llm_server import REPLY_TEXT, LLMServer  # noqa: E402

T = TypeVar("T")


@function_tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return WEATHER


@function_tool
def get_time(city: str) -> str:
    """The local time in a city."""
    return TIME


def agents() -> Agent:
    """A weather agent with one tool that hands off to a clock agent with another."""
    clock = Agent(name="Clock", instructions="Tell the time.", tools=[get_time], model="gpt-4o-mini")
    return Agent(
        name="Weather", instructions="Tell the weather.", tools=[get_weather], handoffs=[clock], model="gpt-4o-mini"
    )


@pytest.fixture(params=["responses", "chat_completions"], autouse=True)
def api(request: pytest.FixtureRequest) -> str:
    """The SDK's two ways to call OpenAI models; both give the same tree."""
    set_default_openai_api(request.param)
    return str(request.param)


async def on_local_server(server: LLMServer, work: Awaitable[T]) -> T:
    """`work` with the SDK's client on the local server, closed before its event loop ends."""
    async with openai.AsyncOpenAI(base_url=server.openai_base_url, api_key="test", max_retries=0) as client:
        set_default_openai_client(client, use_for_tracing=False)
        return await work


EXPECTED_TREE = [
    "session",
    "  invoke_workflow Agent workflow",
    "    invoke_agent Weather",
    "      chat gpt-4o-mini",
    "      execute_tool get_weather",
    "      chat gpt-4o-mini",  # the handoff: a tool call the SDK runs itself
    "    invoke_agent Clock",
    "      chat gpt-4o-mini",
    "      execute_tool get_time",
    "      chat gpt-4o-mini",
]


def test_agents_tools_and_handoff_in_the_session(recorded: Recorded, llm_server: LLMServer) -> None:
    session = agentops.start_session()
    result = asyncio.run(on_local_server(llm_server, Runner.run(agents(), QUESTION)))
    session.end_session("Success")
    assert result.final_output == REPLY_TEXT
    assert result.last_agent.name == "Clock"
    assert tree(recorded, session) == EXPECTED_TREE
    assert_exact_rollups(recorded, session, llm_calls=4, tool_calls=2)
    tool = recorded.one("execute_tool get_weather").attributes or {}
    assert (tool["gen_ai.tool.name"], tool["gen_ai.tool.type"]) == ("get_weather", "function")


def test_concurrent_runs_land_in_their_own_sessions(recorded: Recorded, llm_server: LLMServer) -> None:
    """Two sessions at once (multi-session mode), each run in its own asyncio task."""
    sessions = asyncio.run(on_local_server(llm_server, in_tasks(2, lambda _: Runner.run(agents(), QUESTION))))
    for session in sessions:
        assert tree(recorded, session) == EXPECTED_TREE
        assert_exact_rollups(recorded, session, llm_calls=4, tool_calls=2)


@pytest.mark.parametrize("api", ["responses"], indirect=True)
def test_runs_are_not_uploaded_to_openai(recorded: Recorded) -> None:
    """The session's backend is the application's: the SDK's own exporter to OpenAI's dashboard is off."""
    processors = get_trace_provider()._multi_processor._processors  # type: ignore[attr-defined]
    assert [type(processor).__name__ for processor in processors] == ["GenAITracingProcessor"]
