"""record_action / record_tool / track_agent, in every function form and session mode, on exported spans."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind, StatusCode

import agentops_otel as agentops
from agentops_otel import decorators
from agentops_otel.decorators import record_action, record_tool, track_agent
from tests.conftest import Recorded

FORMS = ("sync", "async", "generator", "async generator")
KINDS = {"action": (record_action, "act", "Actions"), "tool": (record_tool, "execute_tool act", "Tool calls")}


class Boom(Exception):
    pass


def build(
    form: str, decorator: Callable[[Any], Any], fail: bool = False, inside: Callable[[], None] = lambda: None
) -> Any:
    """A decorated `act(x, y=2)` of the given form: returns x * y (generators yield x, y first)."""

    def work(x: int, y: int) -> int:
        inside()
        if fail:
            raise Boom("no luck")
        return x * y

    if form == "sync":

        def act(x: int, y: int = 2) -> int:
            return work(x, y)

    elif form == "async":

        async def act(x: int, y: int = 2) -> int:  # type: ignore[misc]
            await asyncio.sleep(0)
            return work(x, y)

    elif form == "generator":

        def act(x: int, y: int = 2) -> Any:  # type: ignore[misc]
            yield x
            yield y
            return work(x, y)

    else:

        async def act(x: int, y: int = 2) -> Any:  # type: ignore[misc]
            yield x
            await asyncio.sleep(0)
            yield y
            work(x, y)

    return decorator(act)


def run(form: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call `fn` to completion, whatever its form; generators give (items, return value)."""
    if form == "sync":
        return fn(*args, **kwargs)
    if form == "async":
        return asyncio.run(fn(*args, **kwargs))
    if form == "generator":
        items: list[Any] = []
        generator = fn(*args, **kwargs)
        while True:
            try:
                items.append(next(generator))
            except StopIteration as stop:
                return items, stop.value

    async def collect() -> list[Any]:
        return [item async for item in fn(*args, **kwargs)]

    return asyncio.run(collect()), None


def span_now(recorded: Recorded, name: str) -> None:
    """A span another library would start here (e.g. an LLM client's)."""
    recorded.provider.get_tracer("tests").start_span(name).end()


def attributes(span: ReadableSpan) -> dict[str, Any]:
    return dict(span.attributes or {})


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("form", FORMS)
def test_each_form_is_one_span_of_the_one_running_session(recorded: Recorded, form: str, kind: str) -> None:
    decorator, span_name, analytics_key = KINDS[kind]
    act = build(form, decorator())
    session = agentops.start_session()
    result = run(form, act, 3)
    assert result == {"sync": 6, "async": 6, "generator": ([3, 2], 6), "async generator": ([3, 2], None)}[form]
    assert session.get_analytics()[analytics_key] == 1
    session.end_session("Success")
    span = recorded.one(span_name)
    assert span.kind is SpanKind.INTERNAL
    assert span.parent is not None and span.parent.span_id == session.span.get_span_context().span_id
    assert attributes(span)["session.id"] == session.session_id
    assert attributes(span)["agentops.event.type"] == kind
    assert span.status.status_code is StatusCode.UNSET
    if kind == "tool":
        assert attributes(span)["gen_ai.operation.name"] == "execute_tool"
        assert attributes(span)["gen_ai.tool.name"] == "act"
    assert "agentops.action.params" not in attributes(span)  # content capture is off by default
    assert "gen_ai.tool.call.arguments" not in attributes(span)


@pytest.mark.parametrize("form", FORMS)
def test_wrappers_keep_the_function_kind_and_name(form: str) -> None:
    act = build(form, record_tool())
    checks = {
        "sync": lambda f: not inspect.iscoroutinefunction(f) and not inspect.isgeneratorfunction(f),
        "async": inspect.iscoroutinefunction,
        "generator": inspect.isgeneratorfunction,
        "async generator": inspect.isasyncgenfunction,
    }
    assert checks[form](act)
    assert act.__name__ == "act"
    assert act.__wrapped__ is not None


@pytest.mark.parametrize("mode", ["single", "multi"])
@pytest.mark.parametrize("form", FORMS)
def test_session_keyword_picks_the_session_and_is_removed(recorded: Recorded, form: str, mode: str) -> None:
    act = build(form, record_tool("search"))
    first = agentops.start_session()
    second = agentops.start_session() if mode == "multi" else first
    run(form, act, 1, session=second)  # `act` has no `session` parameter: a leak would be a TypeError
    assert attributes(recorded.one("execute_tool search"))["session.id"] == second.session_id
    assert second.get_analytics()["Tool calls"] == 1


@pytest.mark.parametrize("form", FORMS)
def test_multi_mode_without_a_session_raises_before_the_body_runs(recorded: Recorded, form: str) -> None:
    act = build(form, record_action(), inside=lambda: span_now(recorded, "body ran"))
    agentops.start_session()
    agentops.start_session()
    with pytest.raises(agentops.MultiSessionException) as raised:
        run(form, act, 1)
    assert not isinstance(raised.value, ValueError)  # AgentOps raised a bare ValueError here
    assert recorded.named("body ran") == [] and recorded.named("act") == []


@pytest.mark.parametrize("form", FORMS)
def test_the_session_in_context_wins_in_multi_mode(recorded: Recorded, form: str) -> None:
    act = build(form, record_action())
    agentops.start_session()
    second = agentops.start_session()
    with second:
        run(form, act, 1)
    assert attributes(recorded.one("act"))["session.id"] == second.session_id


@pytest.mark.parametrize("form", FORMS)
def test_no_session_still_runs_the_function_as_a_plain_span(recorded: Recorded, form: str) -> None:
    act = build(form, record_tool())
    assert run(form, act, 2, 5) in (10, ([2, 5], 10), ([2, 5], None))
    span = recorded.one("execute_tool act")
    assert "session.id" not in attributes(span)
    assert span.parent is None


@pytest.mark.parametrize("form", FORMS)
def test_an_exception_is_recorded_as_an_error_and_reraised_unchanged(recorded: Recorded, form: str) -> None:
    act = build(form, record_tool(), fail=True)
    session = agentops.start_session()
    with pytest.raises(Boom) as raised:
        run(form, act, 1)
    assert str(raised.value) == "no luck" and type(raised.value) is Boom
    analytics = session.get_analytics()
    assert (analytics["Tool calls"], analytics["Errors"]) == (1, 1)
    span = recorded.one("execute_tool act")
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description == "no luck"
    assert attributes(span)["error.type"] == "Boom"
    assert [event.name for event in span.events] == ["exception"]


@pytest.mark.parametrize("form", FORMS)
def test_spans_made_inside_are_children_of_the_decorated_span(recorded: Recorded, form: str) -> None:
    act = build(form, record_tool(), inside=lambda: span_now(recorded, "llm call"))
    session = agentops.start_session()
    run(form, act, 1)
    tool, inner = recorded.one("execute_tool act"), recorded.one("llm call")
    assert inner.parent is not None and inner.parent.span_id == tool.context.span_id
    assert attributes(inner)["session.id"] == session.session_id


def test_the_consumer_of_a_generator_is_not_inside_its_span(recorded: Recorded) -> None:
    @record_tool()
    def numbers() -> Any:
        yield 1
        yield 2

    agentops.start_session()
    for _ in numbers():
        span_now(recorded, "consumer")
    tool = recorded.one("execute_tool numbers")
    consumers = recorded.named("consumer")
    assert len(consumers) == 2
    assert all(span.parent is None or span.parent.span_id != tool.context.span_id for span in consumers)


def test_stop_iteration_from_a_plain_function_is_an_error_not_a_leaked_span(recorded: Recorded) -> None:
    @record_tool()
    def first(items: list[int]) -> int:
        return next(iter(items))

    agentops.start_session()
    with pytest.raises(StopIteration):
        first([])
    assert recorded.one("execute_tool first").status.status_code is StatusCode.ERROR


def test_a_generator_closed_early_ends_its_span_and_runs_its_cleanup(recorded: Recorded) -> None:
    cleaned: list[str] = []

    @record_tool()
    def numbers() -> Any:
        try:
            yield from range(10)
        finally:
            cleaned.append("sync")

    @record_tool()
    async def async_numbers() -> Any:
        try:
            for number in range(10):
                yield number
        finally:
            cleaned.append("async")

    async def first_async() -> int:
        stream = async_numbers()
        first = await stream.__anext__()
        await stream.aclose()
        return first

    agentops.start_session()
    stream = numbers()
    assert next(stream) == 0
    stream.close()
    assert asyncio.run(first_async()) == 0
    assert cleaned == ["sync", "async"]
    for name in ("execute_tool numbers", "execute_tool async_numbers"):
        assert recorded.one(name).status.status_code is StatusCode.UNSET


def test_throw_and_send_reach_the_generator(recorded: Recorded) -> None:
    @record_action()
    def echo() -> Any:
        received = yield "ready"
        try:
            yield f"got {received}"
        except KeyError:
            yield "handled"

    agentops.start_session()
    stream = echo()
    assert next(stream) == "ready"
    assert stream.send("ping") == "got ping"
    assert stream.throw(KeyError("k")) == "handled"
    stream.close()
    assert recorded.one("echo").status.status_code is StatusCode.UNSET


def test_arguments_and_result_are_captured_only_with_content_capture(recorded: Recorded) -> None:
    agentops.configure(capture_content=True)
    act = build("sync", record_action("plan"))
    tool = build("sync", record_tool("search"))
    agentops.start_session()
    act(3)
    tool(4, y=5)
    assert attributes(recorded.one("plan"))["agentops.action.params"] == '{"x":3,"y":2}'
    assert attributes(recorded.one("plan"))["agentops.action.returns"] == "6"
    assert attributes(recorded.one("execute_tool search"))["gen_ai.tool.call.arguments"] == '{"x":4,"y":5}'
    assert attributes(recorded.one("execute_tool search"))["gen_ai.tool.call.result"] == "20"


def test_captured_content_is_bounded(recorded: Recorded) -> None:
    agentops.configure(capture_content=True)

    @record_tool()
    def big(text: str) -> str:
        return text * 2

    agentops.start_session()
    big("x" * 20_000)
    span_attributes = attributes(recorded.one("execute_tool big"))
    assert len(span_attributes["gen_ai.tool.call.arguments"]) == 8192
    assert len(span_attributes["gen_ai.tool.call.result"]) == 8192


def test_a_function_with_its_own_session_parameter_receives_it(recorded: Recorded) -> None:
    @record_action()
    def uses_db(query: str, session: object = None) -> object:
        return session

    first, second = agentops.start_session(), agentops.start_session()
    assert uses_db("q", session=second) is second  # an agentops Session: passed on, and it picks the session
    assert attributes(recorded.one("uses_db"))["session.id"] == second.session_id
    with first:
        assert uses_db("q", session="db handle") == "db handle"  # anything else is just the argument
    assert [attributes(span)["session.id"] for span in recorded.named("uses_db")][1] == first.session_id


def test_a_session_keyword_that_is_not_a_session_is_a_typed_error(recorded: Recorded) -> None:
    act = build("sync", record_action())
    agentops.start_session()
    with pytest.raises(agentops.InvalidArgumentError, match="expected an agentops Session"):
        act(1, session="s1")


@pytest.mark.parametrize("decorator", [record_action, record_tool, track_agent])
def test_decorators_used_without_parentheses_say_so(decorator: Callable[..., Any]) -> None:
    def act() -> None:
        pass

    with pytest.raises(agentops.InvalidArgumentError, match=r"\(\)"):
        decorator(act)


def test_nested_decorators_nest_spans_and_each_failed_call_counts(recorded: Recorded) -> None:
    @record_tool()
    def lookup() -> None:
        raise Boom("missing")

    @record_action()
    def plan() -> None:
        lookup()

    session = agentops.start_session()
    with pytest.raises(Boom):
        plan()
    action, tool = recorded.one("plan"), recorded.one("execute_tool lookup")
    assert tool.parent is not None and tool.parent.span_id == action.context.span_id
    assert session.get_analytics()["Errors"] == 2  # both calls failed, as AgentOps recorded two ErrorEvents


def test_telemetry_failures_never_break_the_function(
    recorded: Recorded, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("PYTEST_CURRENT_TEST")  # the guard re-raises under pytest; act as a user's process

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("telemetry bug")

    monkeypatch.setattr(decorators, "_start", broken)
    act = build("sync", record_tool())
    agentops.start_session()
    with caplog.at_level(logging.ERROR, logger="agentops_otel"):
        assert act(2) == 4
    assert "your code keeps running" in caplog.text
    assert recorded.named("execute_tool act") == []


# --- track_agent ----------------------------------------------------------------------------------


@track_agent("researcher")
class Researcher:
    def __init__(self, topic: str, session: agentops.Session | None = None) -> None:
        self.topic = topic

    def run(self) -> str:
        return self.search()  # the agent calling itself: still one invocation

    def search(self) -> str:
        return lookup(self.topic)

    async def arun(self) -> str:
        await asyncio.sleep(0)
        return lookup(self.topic)

    def __call__(self) -> str:
        return self.topic

    def _private(self) -> str:
        return lookup(self.topic)


@record_tool()
def lookup(topic: str) -> str:
    return topic.upper()


def test_each_outside_call_of_an_agent_method_is_one_invoke_agent_span(recorded: Recorded) -> None:
    session = agentops.start_session()
    agent = Researcher("otel")
    assert agent.run() == "OTEL"
    assert asyncio.run(agent.arun()) == "OTEL"
    assert agent() == "otel"
    assert agent._private() == "OTEL"  # private methods are not invocations
    invocations = recorded.named("invoke_agent researcher")
    assert len(invocations) == 3
    for span in invocations:
        assert span.kind is SpanKind.INTERNAL
        assert attributes(span)["gen_ai.operation.name"] == "invoke_agent"
        assert attributes(span)["gen_ai.agent.name"] == "researcher"
        assert "gen_ai.agent.id" not in attributes(span)  # semantic-conventions-genai 1.42: not on invoke_agent
        assert attributes(span)["session.id"] == session.session_id
    tools = recorded.named("execute_tool lookup")
    assert [tool.parent.span_id for tool in tools[:2] if tool.parent] == [s.context.span_id for s in invocations[:2]]
    assert len(tools) == 3 and tools[2].parent is not None
    assert tools[2].parent.span_id not in {s.context.span_id for s in invocations}  # _private(): no agent span
    assert all("gen_ai.agent.name" not in attributes(tool) for tool in tools)  # only on the agent's own span


def test_agent_instances_have_their_own_ids_and_names(recorded: Recorded) -> None:
    agentops.start_session()
    first, second = Researcher("a"), Researcher("b", agentops_name="critic")
    first.run()
    second.run()
    assert first.agent_ops_agent_id != second.agent_ops_agent_id  # type: ignore[attr-defined]
    assert [span.name for span in recorded.spans if span.name.startswith("invoke_agent")] == [
        "invoke_agent researcher",
        "invoke_agent critic",
    ]


def test_an_agent_built_with_a_session_keeps_it_in_multi_mode(recorded: Recorded) -> None:
    agentops.start_session()
    second = agentops.start_session()
    agent = Researcher("x", session=second)
    agent.run()  # no session in context, two running: the agent's own session decides
    for name in ("invoke_agent researcher", "execute_tool lookup"):
        assert attributes(recorded.one(name))["session.id"] == second.session_id


def test_an_agent_never_raises_when_the_session_is_ambiguous(recorded: Recorded) -> None:
    agentops.start_session()
    agentops.start_session()
    assert Researcher("x")() == "x"
    assert "session.id" not in attributes(recorded.one("invoke_agent researcher"))


def test_a_tracked_function_is_an_agent(recorded: Recorded) -> None:
    @track_agent()
    def planner(goal: str) -> str:
        return lookup(goal)

    @track_agent("writer")
    async def write(text: str) -> str:
        return planner(text)  # another agent inside: its own span and name

    session = agentops.start_session()
    assert asyncio.run(write("x")) == "X"
    writer, planner_span = recorded.one("invoke_agent writer"), recorded.one("invoke_agent planner")
    assert planner_span.parent is not None and planner_span.parent.span_id == writer.context.span_id
    assert attributes(planner_span)["gen_ai.agent.name"] == "planner"
    tool = recorded.one("execute_tool lookup")
    assert tool.parent is not None and tool.parent.span_id == planner_span.context.span_id
    assert planner.agent_ops_agent_name == "planner"  # type: ignore[attr-defined]
    assert session.get_analytics()["Tool calls"] == 1


def test_track_agent_works_on_classes_without_a_dict(recorded: Recorded) -> None:
    @track_agent()
    class Slotted:
        __slots__ = ()

        def run(self) -> int:
            return 1

    agentops.start_session()
    assert Slotted().run() == 1
    assert attributes(recorded.one("invoke_agent Slotted"))["gen_ai.agent.name"] == "Slotted"


def test_track_agent_rejects_what_is_neither_class_nor_function() -> None:
    with pytest.raises(agentops.InvalidArgumentError, match="class or a function"):
        track_agent("x")(42)


def test_a_session_keyword_on_one_agent_call_picks_its_session(recorded: Recorded) -> None:
    @track_agent("helper")
    def helper(task: str, session: agentops.Session | None = None) -> str:
        return lookup(task)

    agentops.start_session()
    second = agentops.start_session()
    assert helper("x", session=second) == "X"  # the function declares `session`: it receives it too
    for name in ("invoke_agent helper", "execute_tool lookup"):
        assert attributes(recorded.one(name))["session.id"] == second.session_id


class BrokenStr(Exception):
    def __str__(self) -> str:
        raise RuntimeError("no str for you")


@pytest.mark.parametrize("kind", FORMS)
def test_an_exception_whose_str_raises_passes_through_and_its_span_ends(recorded: Recorded, kind: str) -> None:
    raised = BrokenStr()

    def fail() -> None:
        raise raised

    tool = build(kind, record_tool("broken"), inside=fail)
    agentops.start_session()
    with pytest.raises(BrokenStr) as caught:
        run(kind, tool, 1)
    assert caught.value is raised
    span = recorded.one("execute_tool broken")
    assert span.end_time is not None and span.status.status_code is StatusCode.ERROR
    assert span.status.description == "<exception str() failed>"


def test_a_span_that_started_ends_even_when_recording_the_error_fails(
    recorded: Recorded, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PYTEST_CURRENT_TEST")  # the guard re-raises under pytest; act as a user's process

    def broken(*args: object) -> None:
        raise RuntimeError("telemetry bug")

    monkeypatch.setattr(decorators, "mark_error", broken)
    monkeypatch.setattr(decorators, "returns_attributes", broken)
    agentops.configure(capture_content=True)
    agentops.start_session()
    with pytest.raises(Boom):
        build("sync", record_tool("failing"), fail=True)(1)
    assert build("sync", record_tool("working"))(2) == 4
    assert recorded.one("execute_tool failing").end_time is not None
    assert recorded.one("execute_tool working").end_time is not None
