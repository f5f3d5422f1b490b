"""PydanticAI's own GenAI spans, switched on by ``agentops.init()`` (``Agent.instrument_all``) on our provider.

PydanticAI writes agent, tool and model-call spans itself; ``init()`` hands it the session-aware
tracer provider. Its model-call span is current when the ``openai`` client is called, so our
OpenAI instrumentor adds the session and cost to it rather than opening a second one.
"""

from __future__ import annotations

import asyncio

from tests.integrations.conftest import require

require("pydantic_ai", "openai", suite="frameworks")

import openai  # noqa: E402 - after the skip
import pytest  # noqa: E402
from pydantic_ai import Agent, RunContext  # noqa: E402
from pydantic_ai.models.openai import OpenAIChatModel  # noqa: E402
from pydantic_ai.providers.openai import OpenAIProvider  # noqa: E402

import agentops_otel as agentops  # noqa: E402
from tests.conftest import Recorded  # noqa: E402
from tests.frameworks.conftest import QUESTION, TIME, WEATHER, assert_exact_rollups, in_tasks, tree  # noqa: E402
from tests.support.llm_server import REPLY_TEXT, LLMServer  # noqa: E402


def planner(client: openai.AsyncOpenAI) -> Agent[None, str]:
    """A planner with a weather tool and a tool that delegates to a clock agent with a time tool."""
    model = OpenAIChatModel("gpt-4o-mini", provider=OpenAIProvider(openai_client=client))
    clock = Agent(model, name="clock", instructions="Tell the time.")
    planner = Agent(model, name="planner", instructions="Plan the trip.")

    @clock.tool_plain
    def get_time(city: str) -> str:
        """The local time in a city."""
        return TIME

    @planner.tool_plain
    def get_weather(city: str) -> str:
        """The weather in a city."""
        return WEATHER

    @planner.tool
    async def ask_clock(context: RunContext[None], city: str) -> str:
        """Ask the clock agent for the time in a city."""
        return (await clock.run(f"Time in {city}?", usage=context.usage)).output

    return planner


def local_client(server: LLMServer) -> openai.AsyncOpenAI:
    """A client of the local server, to close when the run is over."""
    return openai.AsyncOpenAI(base_url=server.openai_base_url, api_key="test", max_retries=0)


EXPECTED_TREE = [
    "session",
    "  invoke_agent planner",
    "    chat gpt-4o-mini",
    "    execute_tool get_weather",
    "    chat gpt-4o-mini",
    "    execute_tool ask_clock",
    "      invoke_agent clock",
    "        chat gpt-4o-mini",
    "        execute_tool get_time",
    "        chat gpt-4o-mini",
    "    chat gpt-4o-mini",
]


def test_agents_and_tools_in_the_session(recorded: Recorded, llm_server: LLMServer) -> None:
    session = agentops.start_session()
    client = local_client(llm_server)
    result = planner(client).run_sync(QUESTION)
    asyncio.run(client.close())
    session.end_session("Success")
    assert result.output == REPLY_TEXT
    assert tree(recorded, session) == EXPECTED_TREE
    assert_exact_rollups(recorded, session, llm_calls=5, tool_calls=3)
    chats = recorded.named("chat gpt-4o-mini")
    assert {span.instrumentation_scope.name for span in chats if span.instrumentation_scope} == {"pydantic-ai"}


@pytest.mark.parametrize("sessions", [1, 2])
def test_async_runs_land_in_their_sessions(recorded: Recorded, llm_server: LLMServer, sessions: int) -> None:
    """Runs in asyncio tasks: one session (single-session mode) or two at once (multi-session mode)."""

    async def all_of_them() -> list[agentops.Session]:
        async with local_client(llm_server) as client:
            agent = planner(client)
            return await in_tasks(sessions, lambda _: agent.run(QUESTION))

    for session in asyncio.run(all_of_them()):
        assert tree(recorded, session) == EXPECTED_TREE
        assert_exact_rollups(recorded, session, llm_calls=5, tool_calls=3)


def test_shutdown_turns_pydantic_ai_spans_off(recorded: Recorded, llm_server: LLMServer) -> None:
    assert Agent._instrument_default is not False
    agentops.shutdown()
    assert Agent._instrument_default is False
