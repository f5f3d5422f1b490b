"""A PydanticAI agent (a tool, and a tool that delegates to a second agent) recorded as one session.

Run: python examples/frameworks/pydantic_ai_agent.py   (pip install agentops-otel 'pydantic-ai-slim[openai]')
With OPENAI_API_KEY set it calls OpenAI; without it, the repository's local test server
(tests/support/llm_server), so it runs on a fresh machine. PydanticAI writes its own GenAI spans;
``agentops.init()`` switches them on (``Agent.instrument_all``) with the session-aware provider.
"""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # examples/_local_server.py
from _local_server import start_local_server
from pydantic_ai import Agent, RunContext
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.openai import OpenAIProvider

import agentops_otel as agentops


def model(stack: ExitStack) -> OpenAIChatModel:
    if os.environ.get("OPENAI_API_KEY"):
        return OpenAIChatModel("gpt-4o-mini")
    server = start_local_server(stack)
    return OpenAIChatModel(
        "gpt-4o-mini", provider=OpenAIProvider(base_url=server.openai_base_url, api_key="local-test-server")
    )


def main() -> None:
    with ExitStack() as stack:
        chat = model(stack)
        session = agentops.init(default_tags=["example", "pydantic-ai"])
        assert session is not None
        clock = Agent(chat, name="clock", instructions="Tell the time.")
        planner = Agent(chat, name="planner", instructions="Plan the trip.")

        @clock.tool_plain
        def get_time(city: str) -> str:
            """The local time in a city."""
            return f"noon in {city}"

        @planner.tool_plain
        def get_weather(city: str) -> str:
            """The weather in a city."""
            return f"sunny in {city}"

        @planner.tool
        async def ask_clock(context: RunContext[None], city: str) -> str:
            """Ask the clock agent for the time in a city."""
            return (await clock.run(f"Time in {city}?", usage=context.usage)).output

        print("reply:", planner.run_sync("What are the weather and the time in Oslo?").output)
        cost = session.end_session("Success")
        print(f"session {session.session_id}: cost ${cost}, analytics {session.get_analytics()}")


if __name__ == "__main__":
    main()
