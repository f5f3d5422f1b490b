"""smolagents, recorded by OpenInference's smolagents instrumentation (``gen_ai.*`` output on) and our OpenAI one.

The instrumentation makes a run an agent span (``invoke_agent``), each step a span, each model
call an LLM span (around our OpenAI client span: one call) and each tool call a tool span, the
final answer included (smolagents answers through a tool). The official
``opentelemetry-instrumentation-genai-smolagents`` writes no tool spans, so it is not the one used.
"""

from __future__ import annotations

from tests.integrations.conftest import require

require("smolagents", "openinference.instrumentation.smolagents", suite="frameworks")

import pytest  # noqa: E402 - after the skip
from smolagents import OpenAIServerModel, ToolCallingAgent, tool  # noqa: E402

import agentops_otel as agentops  # noqa: E402
from tests.conftest import Recorded  # noqa: E402
from tests.frameworks.conftest import QUESTION, TIME, WEATHER, assert_exact_rollups, in_threads, tree  # noqa: E402
from tests.support.llm_server import REPLY_TEXT, LLMServer  # noqa: E402


@tool
def get_weather(city: str) -> str:
    """The weather in a city.

    Args:
        city: The city.
    """
    return WEATHER


@tool
def get_time(city: str) -> str:
    """The local time in a city.

    Args:
        city: The city.
    """
    return TIME


def planner(server: LLMServer) -> ToolCallingAgent:
    """An agent with two tools (smolagents adds ``final_answer``, which the test server calls last)."""
    model = OpenAIServerModel(
        model_id="gpt-4o-mini",
        api_base=server.openai_base_url,
        api_key="test",
        client_kwargs={"default_headers": {"x-test-string-argument": REPLY_TEXT}},  # final_answer's argument
    )
    return ToolCallingAgent(tools=[get_weather, get_time], model=model, name="planner", max_steps=5, verbosity_level=0)


def step(number: int, tool_span: str) -> list[str]:
    return [f"    Step {number}", "      OpenAIModel.generate", "        chat gpt-4o-mini", f"      {tool_span}"]


EXPECTED_TREE = [
    "session",
    "  planner.run",
    *step(1, "SimpleTool"),
    *step(2, "SimpleTool"),
    *step(3, "FinalAnswerTool"),
]


def test_an_agent_and_its_tools_in_the_session(recorded: Recorded, llm_server: LLMServer) -> None:
    session = agentops.start_session()
    answer = planner(llm_server).run(QUESTION)
    session.end_session("Success")
    assert answer == REPLY_TEXT
    assert tree(recorded, session) == EXPECTED_TREE
    assert_exact_rollups(recorded, session, llm_calls=3, tool_calls=3)
    tools = [(span.attributes or {}).get("gen_ai.tool.name") for span in recorded.spans if "Tool" in span.name]
    assert tools == ["get_weather", "get_time", "final_answer"]


@pytest.mark.parametrize("sessions", [1, 2])
def test_runs_in_threads_land_in_their_sessions(recorded: Recorded, llm_server: LLMServer, sessions: int) -> None:
    """Each run in its own thread: one session (single-session mode) or two at once (multi-session mode)."""
    for session in in_threads(sessions, lambda _: planner(llm_server).run(QUESTION)):
        assert tree(recorded, session) == EXPECTED_TREE
        assert_exact_rollups(recorded, session, llm_calls=3, tool_calls=3)
