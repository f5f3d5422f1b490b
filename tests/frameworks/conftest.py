"""Agent frameworks (issue 13): each real framework with its kept instrumentation against the local LLM server.

Every test here is marked ``frameworks``; a module whose framework or instrumentation is not
installed is skipped naming it (``-rs``), so the main suite, which installs none of them, passes
them by. ``.ci/frameworks.sh`` installs them all in a venv of their own.

Each framework runs the same small agent: it is asked for the weather and the time, calls the
two tools (the test server calls each offered tool once, in order, then answers), and ends.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterator
from decimal import Decimal

import pytest
from opentelemetry.sdk.trace import ReadableSpan

import agentops_otel as agentops
from agentops_otel.attributes import LLM_OPERATIONS
from agentops_otel.session import Session
from tests.conftest import Recorded
from tests.integrations.conftest import _collect_what_the_packages_drop, llm_server  # noqa: F401 - shared fixtures

QUESTION = "What are the weather and the time in Oslo?"
WEATHER, TIME = "sunny", "noon"


def get_weather(city: str) -> str:
    """The weather in a city."""
    return WEATHER


def get_time(city: str) -> str:
    """The local time in a city."""
    return TIME


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of this directory ``frameworks``; the frameworks' own warnings are shown, not errors."""
    for item in items:
        if "tests/frameworks/" in item.nodeid:
            item.add_marker(pytest.mark.frameworks)
            item.add_marker(pytest.mark.filterwarnings("default"))


def tree(recorded: Recorded, session: Session) -> list[str]:
    """The session's trace as indented span names, children in start order: the shape a reader sees."""
    spans = [span for span in recorded.spans if span.context.trace_id == session.trace_id]
    children: dict[int | None, list[ReadableSpan]] = {}
    for span in sorted(spans, key=lambda span: span.start_time or 0):
        children.setdefault(span.parent.span_id if span.parent else None, []).append(span)

    def lines(parent: int | None, depth: int) -> Iterator[str]:
        for span in children.get(parent, []):
            yield "  " * depth + span.name
            yield from lines(span.context.span_id, depth + 1)

    return list(lines(None, 0))


def assert_exact_rollups(recorded: Recorded, session: Session, *, llm_calls: int, tool_calls: int) -> None:
    """Every span of the trace is in the session; the root's roll-ups are the sums over its model calls.

    A model call can have two spans (the framework's around the client's): the innermost is the
    call, so it alone carries the tokens and cost the roll-ups must add up to.
    """
    spans = [span for span in recorded.spans if span.context.trace_id == session.trace_id]
    assert spans and all((span.attributes or {}).get("session.id") == session.session_id for span in spans)
    llm = [span for span in spans if (span.attributes or {}).get("gen_ai.operation.name") in LLM_OPERATIONS]
    parents = {span.parent.span_id for span in spans if span.parent is not None}
    calls = [span.attributes or {} for span in llm if span.context.span_id not in parents]
    tools = [span for span in spans if (span.attributes or {}).get("gen_ai.operation.name") == "execute_tool"]
    assert (len(calls), len(tools)) == (llm_calls, tool_calls), [span.name for span in spans]
    root = next(span.attributes or {} for span in spans if span.parent is None)
    assert root["agentops.session.llm_calls"] == llm_calls
    assert root["agentops.session.tool_calls"] == tool_calls
    assert root["agentops.session.spans"] == len(spans) - 1
    assert root["agentops.session.input_tokens"] == sum(int(call["gen_ai.usage.input_tokens"]) for call in calls)
    assert root["agentops.session.output_tokens"] == sum(int(call["gen_ai.usage.output_tokens"]) for call in calls)
    cost = sum(Decimal(repr(call["agentops.llm.cost_usd"])) for call in calls)
    assert cost > 0 or not calls
    assert Decimal(repr(root["agentops.session.cost_usd"])) == cost
    assert root["agentops.session.unpriced_llm_calls"] == 0


async def in_tasks(count: int, run: Callable[[Session], Awaitable[object]]) -> list[Session]:
    """`count` sessions started at once, ``run(session)`` in each inside ``async with session:``, a task each.

    One session is single-session mode, two multi-session mode; each must get exactly its own spans.
    """

    async def within(session: Session) -> None:
        async with session:
            await run(session)

    sessions = [agentops.start_session() for _ in range(count)]
    await asyncio.gather(*(within(session) for session in sessions))
    return sessions


def in_threads(count: int, run: Callable[[Session], object]) -> list[Session]:
    """`count` sessions started at once, ``run(session)`` in each inside ``with session:``, a thread each."""

    def within(session: Session) -> None:
        with session:
            run(session)

    sessions = [agentops.start_session() for _ in range(count)]
    threads = [threading.Thread(target=within, args=(session,)) for session in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sessions
