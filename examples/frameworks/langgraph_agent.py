"""A LangGraph graph (a LangChain agent with two tools, then a summary step) recorded as one session.

Run: python examples/frameworks/langgraph_agent.py
     (pip install 'agentops-otel[langchain]' langchain langchain-openai langgraph)
With OPENAI_API_KEY set it calls OpenAI; without it, the repository's local test server
(tests/support/llm_server), so it runs on a fresh machine. ``agentops.init()`` turns on the
official GenAI instrumentation of LangChain: the graph, the agent, its tools and its model calls
become workflow, agent, tool and LLM spans of the session.
"""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # examples/_local_server.py
from _local_server import start_local_server
from langchain.agents import create_agent
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI
from langgraph.graph import END, START, MessagesState, StateGraph

import agentops_otel as agentops


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


@tool
def get_time(city: str) -> str:
    """The local time in a city."""
    return f"noon in {city}"


def chat_model(stack: ExitStack) -> ChatOpenAI:
    if os.environ.get("OPENAI_API_KEY"):
        return ChatOpenAI(model="gpt-4o-mini")
    server = start_local_server(stack)
    return ChatOpenAI(model="gpt-4o-mini", base_url=server.openai_base_url, api_key="local-test-server")


def main() -> None:
    with ExitStack() as stack:
        model = chat_model(stack)
        session = agentops.init(default_tags=["example", "langgraph"])
        assert session is not None

        def summarise(state: MessagesState) -> dict[str, Any]:
            return {"messages": [model.invoke([*state["messages"], ("user", "Summarise that.")])]}

        graph = StateGraph(MessagesState)
        graph.add_node("research", create_agent(model, [get_weather, get_time], name="researcher"))
        graph.add_node("summarise", summarise)
        graph.add_edge(START, "research")
        graph.add_edge("research", "summarise")
        graph.add_edge("summarise", END)
        result = graph.compile(name="trip_planner").invoke(
            {"messages": [("user", "What are the weather and the time in Oslo?")]}
        )
        print("reply:", result["messages"][-1].content)
        cost = session.end_session("Success")
        print(f"session {session.session_id}: cost ${cost}, analytics {session.get_analytics()}")


if __name__ == "__main__":
    main()
