"""Google ADK agents, recorded by ``openinference-instrumentation-google-adk``.

ADK writes spans of its own; the instrumentation turns them off and writes the run, each agent,
each model call and each tool call instead. ADK calls Gemini through ``google-genai``, whose
client span (the google-genai row) nests inside ADK's model-call span and is the call counted.
ADK 2.x caps OpenTelemetry below the version we need, so CI installs it first, then us, in a
venv of its own (``.ci/frameworks.sh``; docs/frameworks.md).
"""

from __future__ import annotations

import asyncio

from tests.integrations.conftest import require

require("google.adk", "openinference.instrumentation.google_adk", suite="frameworks")

import pytest  # noqa: E402 - after the skip
from google.adk.agents import LlmAgent  # noqa: E402
from google.adk.agents.run_config import RunConfig, StreamingMode  # noqa: E402
from google.adk.models.google_llm import Gemini  # noqa: E402
from google.adk.runners import InMemoryRunner  # noqa: E402
from google.genai import types  # noqa: E402

import agentops_otel as agentops  # noqa: E402
from tests.conftest import Recorded  # noqa: E402
from tests.frameworks.conftest import QUESTION, assert_exact_rollups, get_time, get_weather, in_tasks, tree  # noqa: E402
from tests.support.llm_server import REPLY_TEXT, LLMServer  # noqa: E402


@pytest.fixture(autouse=True)
def _api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """ADK's Gemini reads its key from the environment; the local server takes any."""
    monkeypatch.setenv("GOOGLE_API_KEY", "test")


def runner(model: Gemini) -> InMemoryRunner:
    """A planner that transfers to a local guide with two tools (the guide answers; it cannot transfer back)."""
    guide = LlmAgent(
        name="guide",
        model=model,
        instruction="Tell the weather and the time.",
        description="Knows the weather and the time.",
        tools=[get_weather, get_time],
        disallow_transfer_to_parent=True,
        disallow_transfer_to_peers=True,
    )
    planner = LlmAgent(
        name="planner", model=model, instruction="Send local questions to the guide.", sub_agents=[guide]
    )
    return InMemoryRunner(agent=planner, app_name="trip")


async def ask(server: LLMServer, *, streaming: bool = False) -> str:
    """One run of the agents (the model's answers streamed, if `streaming`); the final answer."""
    config = RunConfig(streaming_mode=StreamingMode.SSE if streaming else StreamingMode.NONE)
    model = Gemini(model="gemini-2.0-flash", base_url=server.base_url)
    trip = runner(model)
    adk_session = await trip.session_service.create_session(app_name="trip", user_id="traveller")
    question = types.Content(role="user", parts=[types.Part(text=QUESTION)])
    answer = ""
    async for event in trip.run_async(
        user_id="traveller", session_id=adk_session.id, new_message=question, run_config=config
    ):
        if event.is_final_response() and event.content and event.content.parts:
            answer = event.content.parts[0].text or ""
    await model.api_client.aio.aclose()
    return answer


EXPECTED_TREE = [
    "session",
    "  invocation [trip]",
    "    invoke_workflow planner",
    "      agent_run [planner]",
    "        AsyncGenerateContent",
    "        execute_tool transfer_to_agent",
    "      agent_run [guide]",
    "        AsyncGenerateContent",
    "        execute_tool get_weather",
    "        AsyncGenerateContent",
    "        execute_tool get_time",
    "        AsyncGenerateContent",
]


@pytest.mark.parametrize("streaming", [False, True])
def test_agents_tools_and_transfer_in_the_session(recorded: Recorded, llm_server: LLMServer, streaming: bool) -> None:
    """Also in ADK's SSE mode, which streams each model answer: one span a call still, the roll-ups as exact."""
    session = agentops.start_session()
    answer = asyncio.run(ask(llm_server, streaming=streaming))
    session.end_session("Success")
    assert answer == REPLY_TEXT
    model_call = "AsyncGenerateContentStream" if streaming else "AsyncGenerateContent"
    assert tree(recorded, session) == [line.replace("AsyncGenerateContent", model_call) for line in EXPECTED_TREE]
    assert_exact_rollups(recorded, session, llm_calls=4, tool_calls=3)


@pytest.mark.parametrize("sessions", [1, 2])
def test_runs_in_tasks_land_in_their_sessions(recorded: Recorded, llm_server: LLMServer, sessions: int) -> None:
    """Runs in asyncio tasks: one session (single-session mode) or two at once (multi-session mode)."""

    async def run(_: agentops.Session) -> None:
        assert await ask(llm_server) == REPLY_TEXT

    for session in asyncio.run(in_tasks(sessions, run)):
        assert tree(recorded, session) == EXPECTED_TREE
        assert_exact_rollups(recorded, session, llm_calls=4, tool_calls=3)
