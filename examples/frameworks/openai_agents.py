"""An OpenAI Agents SDK run (two agents, a tool each, a handoff) recorded as one session.

Run: python examples/frameworks/openai_agents.py   (pip install 'agentops-otel[openai-agents]')
With OPENAI_API_KEY set it calls OpenAI; without it, the repository's local test server
(tests/support/llm_server), so it runs on a fresh machine. ``agentops.init()`` turns on the
official GenAI instrumentation of the SDK (agent and tool spans) and ours of the OpenAI client
(the model calls inside them); the SDK's own upload of runs to OpenAI is switched off.
"""

from __future__ import annotations

import asyncio
import os
import sys
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # examples/_local_server.py
import openai
from _local_server import start_local_server
from agents import Agent, Runner, function_tool, set_default_openai_client

import agentops_otel as agentops


@function_tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


@function_tool
def get_time(city: str) -> str:
    """The local time in a city."""
    return f"noon in {city}"


async def run(client: openai.AsyncOpenAI) -> str:
    set_default_openai_client(client, use_for_tracing=False)
    clock = Agent(name="Clock", instructions="Tell the time.", tools=[get_time], model="gpt-4o-mini")
    weather = Agent(
        name="Weather",
        instructions="Tell the weather, then hand off.",
        tools=[get_weather],
        handoffs=[clock],
        model="gpt-4o-mini",
    )
    try:
        result = await Runner.run(weather, "What are the weather and the time in Oslo?")
    finally:
        await client.close()
    return str(result.final_output)


def main() -> None:
    with ExitStack() as stack:
        if os.environ.get("OPENAI_API_KEY"):
            client = openai.AsyncOpenAI()
        else:
            client = openai.AsyncOpenAI(base_url=start_local_server(stack).openai_base_url, api_key="local-test-server")
        session = agentops.init(default_tags=["example", "openai-agents"])
        assert session is not None
        print("reply:", asyncio.run(run(client)))
        cost = session.end_session("Success")
        print(f"session {session.session_id}: cost ${cost}, analytics {session.get_analytics()}")


if __name__ == "__main__":
    main()
