"""An AutoGen AgentChat swarm (two agents, a tool each, a handoff) recorded as one session.

Run: python examples/frameworks/autogen_swarm.py
     (pip install 'agentops-otel[autogen]' autogen-agentchat 'autogen-ext[openai]')
With OPENAI_API_KEY set it calls OpenAI; without it, the repository's local test server
(tests/support/llm_server), so it runs on a fresh machine. ``agentops.init()`` turns on
OpenInference's AgentChat instrumentation (team, agent, tool and model-client spans, with
``gen_ai.*``) and ours of the OpenAI client inside them.
"""

from __future__ import annotations

import asyncio
import os
import sys
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # examples/_local_server.py
from _local_server import start_local_server
from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.conditions import TextMessageTermination
from autogen_agentchat.teams import Swarm
from autogen_ext.models.openai import OpenAIChatCompletionClient

import agentops_otel as agentops


async def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


async def get_time(city: str) -> str:
    """The local time in a city."""
    return f"noon in {city}"


async def run(base_url: str | None) -> str:
    local = {"base_url": base_url, "api_key": "local"} if base_url else {}
    client = OpenAIChatCompletionClient(model="gpt-4o-mini", **local)
    try:
        weather = AssistantAgent("weather", model_client=client, tools=[get_weather], handoffs=["clock"])
        clock = AssistantAgent("clock", model_client=client, tools=[get_time])
        team = Swarm([weather, clock], termination_condition=TextMessageTermination("clock"))
        result = await team.run(task="What are the weather and the time in Oslo?")
    finally:
        await client.close()
    return str(result.messages[-1].content)


def main() -> None:
    with ExitStack() as stack:
        base_url = None if os.environ.get("OPENAI_API_KEY") else start_local_server(stack).openai_base_url
        session = agentops.init(default_tags=["example", "autogen"])
        assert session is not None
        print("reply:", asyncio.run(run(base_url)))
        cost = session.end_session("Success")
        print(f"session {session.session_id}: cost ${cost}, analytics {session.get_analytics()}")


if __name__ == "__main__":
    main()
