"""AutoGen AgentChat teams, recorded by OpenInference's AgentChat instrumentation (``gen_ai.*`` output on).

The instrumentation makes a team's run a chain span, each agent's turn an agent span
(``invoke_agent``), each tool call (the handoff included) a tool span and each model-client call
an LLM span; the ``openai`` client call inside it is our span, and the two count as one call.
AutoGen pins protobuf 5, which the OTLP exporters' newer releases do not accept, so CI runs this
module in a venv of its own (``.ci/frameworks.sh``).
"""

from __future__ import annotations

import asyncio

from tests.integrations.conftest import require

require(
    "autogen_agentchat",
    "autogen_ext.models.openai",
    "openinference.instrumentation.autogen_agentchat",
    suite="frameworks",
)

import pytest  # noqa: E402 - after the skip
from autogen_agentchat.agents import AssistantAgent  # noqa: E402
from autogen_agentchat.conditions import TextMessageTermination  # noqa: E402
from autogen_agentchat.teams import Swarm  # noqa: E402
from autogen_ext.models.openai import OpenAIChatCompletionClient  # noqa: E402

import agentops_otel as agentops  # noqa: E402
from tests.conftest import Recorded  # noqa: E402
from tests.frameworks.conftest import QUESTION, TIME, WEATHER, assert_exact_rollups, in_tasks, tree  # noqa: E402
from tests.support.llm_server import REPLY_TEXT, LLMServer  # noqa: E402


async def get_weather(city: str) -> str:
    """The weather in a city."""
    return WEATHER


async def get_time(city: str) -> str:
    """The local time in a city."""
    return TIME


async def run_swarm(server: LLMServer) -> str:
    """A weather agent with one tool that hands off to a clock agent with another; the client closed after."""
    client = OpenAIChatCompletionClient(model="gpt-4o-mini", base_url=server.openai_base_url, api_key="test")
    try:
        weather = AssistantAgent("weather", model_client=client, tools=[get_weather], handoffs=["clock"])
        clock = AssistantAgent("clock", model_client=client, tools=[get_time])
        team = Swarm([weather, clock], termination_condition=TextMessageTermination("clock"))
        result = await team.run(task=QUESTION)
    finally:
        await client.close()
    return str(result.messages[-1].content)


def turn(agent: str, tool: str | None) -> list[str]:
    """One turn of an agent: a model call (the framework's span, the client's inside), then its tool."""
    lines = [f"    {agent}.on_messages_stream", "      OpenAIChatCompletionClient.create", "        chat gpt-4o-mini"]
    return lines + ([f"      {agent}.{tool}"] if tool else [])


# An AssistantAgent's turn ends after its tool call; the swarm gives the next turn to the same
# agent, or after the handoff (a tool, transfer_to_clock) to the clock.
EXPECTED_TREE = [
    "session",
    "  Swarm.run_stream",
    *turn("weather", "get_weather"),
    *turn("weather", "transfer_to_clock"),
    *turn("clock", "get_time"),
    *turn("clock", None),
]


def test_a_swarm_with_a_handoff_in_the_session(recorded: Recorded, llm_server: LLMServer) -> None:
    session = agentops.start_session()
    reply = asyncio.run(run_swarm(llm_server))
    session.end_session("Success")
    assert reply == REPLY_TEXT
    assert tree(recorded, session) == EXPECTED_TREE
    assert_exact_rollups(recorded, session, llm_calls=4, tool_calls=3)  # two spans a call, counted once


@pytest.mark.parametrize("sessions", [1, 2])
def test_swarms_in_tasks_land_in_their_sessions(recorded: Recorded, llm_server: LLMServer, sessions: int) -> None:
    """Each swarm in its own asyncio task: one session (single-session mode) or two at once."""
    for session in asyncio.run(in_tasks(sessions, lambda _: run_swarm(llm_server))):
        assert tree(recorded, session) == EXPECTED_TREE
        assert_exact_rollups(recorded, session, llm_calls=4, tool_calls=3)
