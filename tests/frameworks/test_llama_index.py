"""LlamaIndex agent workflows, recorded by ``opentelemetry-instrumentation-genai-llama-index``.

The instrumentation makes an ``AgentWorkflow`` a workflow span, each agent's turn an agent span
and each tool call (the handoff included) a tool span; the model calls are our OpenAI client
spans, nested under the agent that made them. LlamaIndex's OpenAI LLM needs ``openai`` 2.x, so
CI runs this module in a venv of its own (``.ci/frameworks.sh``).
"""

from __future__ import annotations

import asyncio

from tests.integrations.conftest import require

require(
    "llama_index.core", "llama_index.llms.openai", "opentelemetry.instrumentation.genai.llama_index", suite="frameworks"
)

import pytest  # noqa: E402 - after the skip
from llama_index.core.agent.workflow import AgentWorkflow, FunctionAgent  # noqa: E402
from llama_index.llms.openai import OpenAI  # noqa: E402

import agentops_otel as agentops  # noqa: E402
from tests.conftest import Recorded  # noqa: E402
from tests.frameworks.conftest import QUESTION, assert_exact_rollups, get_time, get_weather, in_tasks, tree  # noqa: E402
from tests.support.llm_server import REPLY_TEXT, LLMServer  # noqa: E402


def workflow(server: LLMServer) -> AgentWorkflow:
    """A weather agent with one tool that hands off to a clock agent with another."""
    llm = OpenAI(
        model="gpt-4o-mini",
        api_base=server.openai_base_url,
        api_key="test",
        max_retries=0,
        default_headers={"x-test-string-argument": "clock"},  # the handoff tool names its target agent
    )
    weather = FunctionAgent(
        name="weather",
        description="Tells the weather.",
        system_prompt="Tell the weather, then hand off.",
        tools=[get_weather],
        llm=llm,
        can_handoff_to=["clock"],
    )
    clock = FunctionAgent(
        name="clock", description="Tells the time.", system_prompt="Tell the time.", tools=[get_time], llm=llm
    )
    return AgentWorkflow(agents=[weather, clock], root_agent="weather")


EXPECTED_TREE = [
    "session",
    "  invoke_workflow AgentWorkflow",
    "    invoke_agent weather",
    "      chat gpt-4o-mini",
    "      execute_tool get_weather",
    "      chat gpt-4o-mini",
    "      execute_tool handoff",
    "    invoke_agent clock",
    "      chat gpt-4o-mini",
    "      execute_tool get_time",
    "      chat gpt-4o-mini",
]


def test_agents_tools_and_handoff_in_the_session(recorded: Recorded, llm_server: LLMServer) -> None:

    async def run() -> object:
        return await workflow(llm_server).run(user_msg=QUESTION)  # a handler needs the running loop

    session = agentops.start_session()
    result = asyncio.run(run())
    session.end_session("Success")
    assert str(result) == REPLY_TEXT
    assert tree(recorded, session) == EXPECTED_TREE
    assert_exact_rollups(recorded, session, llm_calls=4, tool_calls=3)


@pytest.mark.parametrize("sessions", [1, 2])
def test_runs_in_tasks_land_in_their_sessions(recorded: Recorded, llm_server: LLMServer, sessions: int) -> None:
    """Workflows in asyncio tasks: one session (single-session mode) or two at once (multi-session mode)."""

    async def run(_: agentops.Session) -> None:
        await workflow(llm_server).run(user_msg=QUESTION)

    for session in asyncio.run(in_tasks(sessions, run)):
        assert tree(recorded, session) == EXPECTED_TREE
        assert_exact_rollups(recorded, session, llm_calls=4, tool_calls=3)
