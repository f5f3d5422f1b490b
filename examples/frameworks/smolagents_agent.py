"""A smolagents tool-calling agent (two tools, then its final answer) recorded as one session.

Run: python examples/frameworks/smolagents_agent.py   (pip install 'agentops-otel[smolagents]' smolagents)
With OPENAI_API_KEY set it calls OpenAI; without it, the repository's local test server
(tests/support/llm_server), so it runs on a fresh machine. ``agentops.init()`` turns on
OpenInference's smolagents instrumentation (agent, step, model and tool spans, with ``gen_ai.*``)
and ours of the OpenAI client inside the model spans.
"""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # examples/_local_server.py
from _local_server import start_local_server
from smolagents import OpenAIServerModel, ToolCallingAgent, tool

import agentops_otel as agentops


@tool
def get_weather(city: str) -> str:
    """The weather in a city.

    Args:
        city: The city.
    """
    return f"sunny in {city}"


@tool
def get_time(city: str) -> str:
    """The local time in a city.

    Args:
        city: The city.
    """
    return f"noon in {city}"


def model(stack: ExitStack) -> OpenAIServerModel:
    if os.environ.get("OPENAI_API_KEY"):
        return OpenAIServerModel(model_id="gpt-4o-mini")
    server = start_local_server(stack)
    # smolagents answers through its final_answer tool; the test server fills its argument from this header.
    headers = {"x-test-string-argument": "Hello from the test server"}
    return OpenAIServerModel(
        model_id="gpt-4o-mini",
        api_base=server.openai_base_url,
        api_key="local",
        client_kwargs={"default_headers": headers},
    )


def main() -> None:
    with ExitStack() as stack:
        chat = model(stack)
        session = agentops.init(default_tags=["example", "smolagents"])
        assert session is not None
        agent = ToolCallingAgent(tools=[get_weather, get_time], model=chat, name="planner", verbosity_level=0)
        print("reply:", agent.run("What are the weather and the time in Oslo?"))
        cost = session.end_session("Success")
        print(f"session {session.session_id}: cost ${cost}, analytics {session.get_analytics()}")


if __name__ == "__main__":
    main()
