"""A LlamaIndex agent workflow (two agents, a tool each, a handoff) recorded as one session.

Run: python examples/frameworks/llama_index_agent.py
     (pip install 'agentops-otel[llama-index]' llama-index-core llama-index-llms-openai)
With OPENAI_API_KEY set it calls OpenAI; without it, the repository's local test server
(tests/support/llm_server), so it runs on a fresh machine. ``agentops.init()`` turns on the
official GenAI instrumentation of LlamaIndex (workflow, agent and tool spans) and ours of the
OpenAI client (the model calls inside them).
"""

from __future__ import annotations

import asyncio
import os
import sys
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # examples/_local_server.py
from _local_server import start_local_server
from llama_index.core.agent.workflow import AgentWorkflow, FunctionAgent
from llama_index.llms.openai import OpenAI

import agentops_otel as agentops


def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


def get_time(city: str) -> str:
    """The local time in a city."""
    return f"noon in {city}"


def model(stack: ExitStack) -> OpenAI:
    if os.environ.get("OPENAI_API_KEY"):
        return OpenAI(model="gpt-4o-mini")
    server = start_local_server(stack)
    # The test server's handoff names the agent this header gives.
    headers = {"x-test-string-argument": "clock"}
    return OpenAI(model="gpt-4o-mini", api_base=server.openai_base_url, api_key="local", default_headers=headers)


async def run(llm: OpenAI) -> str:
    weather = FunctionAgent(
        name="weather",
        description="Tells the weather.",
        system_prompt="Tell the weather, then hand off to the clock agent.",
        tools=[get_weather],
        llm=llm,
        can_handoff_to=["clock"],
    )
    clock = FunctionAgent(
        name="clock", description="Tells the time.", system_prompt="Tell the time.", tools=[get_time], llm=llm
    )
    workflow = AgentWorkflow(agents=[weather, clock], root_agent="weather")
    return str(await workflow.run(user_msg="What are the weather and the time in Oslo?"))


def main() -> None:
    with ExitStack() as stack:
        llm = model(stack)
        session = agentops.init(default_tags=["example", "llama-index"])
        assert session is not None
        print("reply:", asyncio.run(run(llm)))
        cost = session.end_session("Success")
        print(f"session {session.session_id}: cost ${cost}, analytics {session.get_analytics()}")


if __name__ == "__main__":
    main()
