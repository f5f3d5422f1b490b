"""A CrewAI crew (two agents, a tool and a task each) recorded as one session.

Run: python examples/frameworks/crewai_crew.py   (pip install 'agentops-otel[crewai]' crewai)
With OPENAI_API_KEY set it calls OpenAI; without it, the repository's local test server
(tests/support/llm_server), so it runs on a fresh machine. ``agentops.init()`` turns on
OpenInference's CrewAI instrumentation (crew, agent and tool spans, with ``gen_ai.*``) and ours of
the OpenAI client (the model calls inside them). CrewAI's own telemetry is switched off here.
"""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack
from pathlib import Path

os.environ.setdefault("CREWAI_DISABLE_TELEMETRY", "true")
os.environ.setdefault("CREWAI_TRACING_ENABLED", "false")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # examples/_local_server.py
from _local_server import start_local_server
from crewai import LLM, Agent, Crew, Task
from crewai.tools import tool

import agentops_otel as agentops


@tool("get_weather")
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


@tool("get_time")
def get_time(city: str) -> str:
    """The local time in a city."""
    return f"noon in {city}"


def model(stack: ExitStack) -> LLM:
    if os.environ.get("OPENAI_API_KEY"):
        return LLM(model="openai/gpt-4o-mini")
    return LLM(model="openai/gpt-4o-mini", base_url=start_local_server(stack).openai_base_url, api_key="local")


def main() -> None:
    with ExitStack() as stack:
        llm = model(stack)
        session = agentops.init(default_tags=["example", "crewai"])
        assert session is not None
        forecaster = Agent(role="forecaster", goal="Tell the weather", backstory="-", tools=[get_weather], llm=llm)
        clock = Agent(role="clock", goal="Tell the time", backstory="-", tools=[get_time], llm=llm)
        tasks = [
            Task(description="What is the weather in Oslo?", expected_output="One sentence", agent=forecaster),
            Task(description="What is the time in Oslo?", expected_output="One sentence", agent=clock),
        ]
        print("reply:", Crew(agents=[forecaster, clock], tasks=tasks).kickoff())
        cost = session.end_session("Success")
        print(f"session {session.session_id}: cost ${cost}, analytics {session.get_analytics()}")


if __name__ == "__main__":
    main()
