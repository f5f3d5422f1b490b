"""LangChain agents in a LangGraph graph, recorded by ``opentelemetry-instrumentation-genai-langchain``.

The instrumentation makes the graph a workflow span, the agent an agent span, its tool runs tool
spans and its chat-model runs LLM spans. ``ChatOpenAI`` calls the ``openai`` client inside each
chat-model run: our OpenAI instrumentor adds the session and cost to that span rather than
opening a second one (one call, one span).
"""

from __future__ import annotations

import asyncio
from typing import Any

from tests.integrations.conftest import require

require(
    "langchain", "langgraph", "langchain_openai", "opentelemetry.instrumentation.genai.langchain", suite="frameworks"
)

import httpx  # noqa: E402 - after the skip
import pytest  # noqa: E402
from langchain.agents import create_agent  # noqa: E402
from langchain_core.tools import tool  # noqa: E402
from langchain_openai import ChatOpenAI  # noqa: E402
from langgraph.graph import END, START, MessagesState, StateGraph  # noqa: E402
from langgraph.graph.state import CompiledStateGraph  # noqa: E402

import agentops_otel as agentops  # noqa: E402
from tests.conftest import Recorded  # noqa: E402
from tests.frameworks.conftest import QUESTION, TIME, WEATHER, assert_exact_rollups, in_tasks, in_threads, tree  # noqa: E402
from tests.support.llm_server import REPLY_TEXT, LLMServer  # noqa: E402


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return WEATHER


@tool
def get_time(city: str) -> str:
    """The local time in a city."""
    return TIME


def trip_planner(
    server: LLMServer, http_async_client: httpx.AsyncClient | None = None
) -> CompiledStateGraph[Any, Any, Any, Any]:
    """A graph of two steps: a research agent with two tools, then a summarising model call.

    An async run gets its own `http_async_client`: LangChain's default one outlives the event loop.
    """
    model = ChatOpenAI(
        model="gpt-4o-mini",
        base_url=server.openai_base_url,
        api_key="test",
        max_retries=0,
        http_async_client=http_async_client,
    )
    researcher = create_agent(model, [get_weather, get_time], name="researcher")

    def summarise(state: MessagesState) -> dict[str, Any]:
        return {"messages": [model.invoke([*state["messages"], ("user", "Summarise that.")])]}

    graph = StateGraph(MessagesState)
    graph.add_node("research", researcher)
    graph.add_node("summarise", summarise)
    graph.add_edge(START, "research")
    graph.add_edge("research", "summarise")
    graph.add_edge("summarise", END)
    return graph.compile(name="trip_planner")


EXPECTED_TREE = [
    "session",
    "  invoke_workflow trip_planner",
    "    invoke_agent researcher",
    "      chat gpt-4o-mini",
    "      execute_tool get_weather",
    "      chat gpt-4o-mini",
    "      execute_tool get_time",
    "      chat gpt-4o-mini",
    "    chat gpt-4o-mini",  # the summarise step
]
QUESTION_STATE = {"messages": [("user", QUESTION)]}


def test_graph_agent_and_tools_in_the_session(recorded: Recorded, llm_server: LLMServer) -> None:
    session = agentops.start_session()
    result = trip_planner(llm_server).invoke(QUESTION_STATE)
    session.end_session("Success")
    assert result["messages"][-1].content == REPLY_TEXT
    assert tree(recorded, session) == EXPECTED_TREE
    assert_exact_rollups(recorded, session, llm_calls=4, tool_calls=2)
    chats = recorded.named("chat gpt-4o-mini")
    assert {span.instrumentation_scope.name for span in chats if span.instrumentation_scope} == {
        "opentelemetry.instrumentation.genai.langchain"
    }  # one span per call: ours borrowed the framework's
    assert all(span.attributes["gen_ai.provider.name"] == "openai" for span in chats)  # type: ignore[index]


def test_runs_in_threads_land_in_their_own_sessions(recorded: Recorded, llm_server: LLMServer) -> None:
    """Two sessions at once (multi-session mode), each graph run in its own thread."""
    app = trip_planner(llm_server)
    for session in in_threads(2, lambda _: app.invoke(QUESTION_STATE)):
        assert tree(recorded, session) == EXPECTED_TREE
        assert_exact_rollups(recorded, session, llm_calls=4, tool_calls=2)


@pytest.mark.parametrize("sessions", [1, 2])
def test_async_runs_land_in_their_sessions(recorded: Recorded, llm_server: LLMServer, sessions: int) -> None:
    """``ainvoke`` in asyncio tasks: one session (single-session mode) or two at once."""

    async def all_of_them() -> list[agentops.Session]:
        async with httpx.AsyncClient() as client:
            app = trip_planner(llm_server, client)
            return await in_tasks(sessions, lambda _: app.ainvoke(QUESTION_STATE))

    for session in asyncio.run(all_of_them()):
        assert tree(recorded, session) == EXPECTED_TREE
        assert_exact_rollups(recorded, session, llm_calls=4, tool_calls=2)
