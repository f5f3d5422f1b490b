"""A Google ADK planner that transfers to a local guide with two tools, recorded as one session.

Run: python examples/frameworks/google_adk_agent.py
     (pip install google-adk, then pip install 'agentops-otel[google-adk]': ADK 2.x caps
     OpenTelemetry below the version agentops-otel needs, so pip warns; docs/frameworks.md)
With GOOGLE_API_KEY set it calls Gemini; without it, the repository's local test server
(tests/support/llm_server), so it runs on a fresh machine. ``agentops.init()`` turns on
OpenInference's ADK instrumentation (run, agent and tool spans, in place of ADK's own) and its
google-genai one (the model calls inside them).
"""

from __future__ import annotations

import asyncio
import os
import sys
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # examples/_local_server.py
from _local_server import start_local_server
from google.adk.agents import LlmAgent
from google.adk.models.google_llm import Gemini
from google.adk.runners import InMemoryRunner
from google.genai import types

import agentops_otel as agentops


def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


def get_time(city: str) -> str:
    """The local time in a city."""
    return f"noon in {city}"


def model(stack: ExitStack) -> Gemini:
    if os.environ.get("GOOGLE_API_KEY"):
        return Gemini(model="gemini-2.0-flash")
    os.environ["GOOGLE_API_KEY"] = "local-test-server"
    return Gemini(model="gemini-2.0-flash", base_url=start_local_server(stack).base_url)


async def run(gemini: Gemini) -> str:
    guide = LlmAgent(
        name="guide",
        model=gemini,
        instruction="Tell the weather and the time.",
        description="Knows the weather and the time.",
        tools=[get_weather, get_time],
        disallow_transfer_to_parent=True,
        disallow_transfer_to_peers=True,
    )
    planner = LlmAgent(
        name="planner", model=gemini, instruction="Send local questions to the guide.", sub_agents=[guide]
    )
    runner = InMemoryRunner(agent=planner, app_name="trip")
    adk_session = await runner.session_service.create_session(app_name="trip", user_id="traveller")
    question = types.Content(role="user", parts=[types.Part(text="What are the weather and the time in Oslo?")])
    answer = ""
    async for event in runner.run_async(user_id="traveller", session_id=adk_session.id, new_message=question):
        if event.is_final_response() and event.content and event.content.parts:
            answer = event.content.parts[0].text or ""
    await gemini.api_client.aio.aclose()
    return answer


def main() -> None:
    with ExitStack() as stack:
        gemini = model(stack)
        session = agentops.init(default_tags=["example", "google-adk"])
        assert session is not None
        print("reply:", asyncio.run(run(gemini)))
        cost = session.end_session("Success")
        print(f"session {session.session_id}: cost ${cost}, analytics {session.get_analytics()}")


if __name__ == "__main__":
    main()
