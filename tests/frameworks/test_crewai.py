"""CrewAI crews, recorded by OpenInference's CrewAI instrumentation (``gen_ai.*`` output on) and our OpenAI one.

The instrumentation makes a crew's kickoff a chain span, each agent's task an agent span
(``invoke_agent``) and each tool run a tool span (``execute_tool``); CrewAI's native OpenAI LLM
calls the ``openai`` client, whose spans (ours) nest under the agent. CrewAI 1.x needs openai
2.x, so CI runs this module in the venv LlamaIndex uses (``.ci/frameworks.sh``).
"""

from __future__ import annotations

import os

from tests.integrations.conftest import require

require("crewai", "openinference.instrumentation.crewai", suite="frameworks")

os.environ.update(CREWAI_DISABLE_TELEMETRY="true", CREWAI_TRACING_ENABLED="false")  # nothing leaves 127.0.0.1

import warnings  # noqa: E402 - after the skip

import pytest  # noqa: E402

with warnings.catch_warnings():  # crewai's import trips an ImportWarning of its own (crewai.rag)
    warnings.simplefilter("default")
    from crewai import LLM, Agent, Crew, Task
    from crewai.tools import tool

import agentops_otel as agentops  # noqa: E402
from tests.conftest import Recorded  # noqa: E402
from tests.frameworks.conftest import TIME, WEATHER, assert_exact_rollups, in_threads, tree  # noqa: E402
from tests.support.llm_server import REPLY_TEXT, LLMServer  # noqa: E402


@tool("get_weather")
def get_weather(city: str) -> str:
    """The weather in a city."""
    return WEATHER


@tool("get_time")
def get_time(city: str) -> str:
    """The local time in a city."""
    return TIME


def crew(server: LLMServer) -> Crew:
    """Two agents, a tool each, one task each, run in sequence."""
    llm = LLM(model="openai/gpt-4o-mini", base_url=server.openai_base_url, api_key="test")
    forecaster = Agent(role="forecaster", goal="Tell the weather", backstory="-", tools=[get_weather], llm=llm)
    clock = Agent(role="clock", goal="Tell the time", backstory="-", tools=[get_time], llm=llm)
    tasks = [
        Task(description="What is the weather in Oslo?", expected_output="One sentence", agent=forecaster),
        Task(description="What is the time in Oslo?", expected_output="One sentence", agent=clock),
    ]
    return Crew(agents=[forecaster, clock], tasks=tasks)


def expected_tree(kickoff: Crew) -> list[str]:
    return [
        "session",
        f"  Crew_{kickoff.id}.kickoff",
        "    forecaster._execute_core",
        "      chat gpt-4o-mini",
        "      get_weather.run",
        "      chat gpt-4o-mini",
        "    clock._execute_core",
        "      chat gpt-4o-mini",
        "      get_time.run",
        "      chat gpt-4o-mini",
    ]


def test_a_crew_of_two_agents_in_the_session(recorded: Recorded, llm_server: LLMServer) -> None:
    session = agentops.start_session()
    team = crew(llm_server)
    result = team.kickoff()
    session.end_session("Success")
    assert str(result) == REPLY_TEXT
    assert tree(recorded, session) == expected_tree(team)
    assert_exact_rollups(recorded, session, llm_calls=4, tool_calls=2)
    kinds = {span.name.split(".")[-1]: (span.attributes or {}).get("gen_ai.operation.name") for span in recorded.spans}
    assert (kinds["_execute_core"], kinds["run"]) == ("invoke_agent", "execute_tool")


@pytest.mark.parametrize("sessions", [1, 2])
def test_crews_in_threads_land_in_their_sessions(recorded: Recorded, llm_server: LLMServer, sessions: int) -> None:
    """Each crew in its own thread: one session (single-session mode) or two at once (multi-session mode)."""
    teams: dict[agentops.Session, Crew] = {}

    def run(session: agentops.Session) -> None:
        teams[session] = crew(llm_server)
        teams[session].kickoff()

    for session in in_threads(sessions, run):
        assert tree(recorded, session) == expected_tree(teams[session])
        assert_exact_rollups(recorded, session, llm_calls=4, tool_calls=2)
