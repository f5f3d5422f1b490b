"""Which session a block, a thread or a span belongs to, and who may end it (issue 17, items 4-11, 20, 21, 23)."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry import baggage
from opentelemetry import context as otel_context
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route
from starlette.testclient import TestClient

import agentops_otel as agentops
from agentops_otel.ids import SessionIdGenerator
from agentops_otel.registry import registry
from agentops_otel.session import MAX_TAGS, session_that_raised
from tests.conftest import Recorded
from tests.support.otlp_receiver import OTLPReceiver
from tests.support.scripts import otlp_env, run_script


def child_span(name: str, recorded: Recorded) -> None:
    with recorded.provider.get_tracer("tests").start_as_current_span(name):
        pass


def rollup(recorded: Recorded, session: agentops.Session, name: str) -> object:
    (root,) = [span for span in recorded.spans if span.context.span_id == session.span.get_span_context().span_id]
    return (root.attributes or {}).get(f"agentops.session.{name}", 0)


# --- item 4: a forked child never ends its parent's session -------------------------------------


def test_a_forked_child_leaves_its_parents_session_to_the_parent(tmp_path: Path, receiver: OTLPReceiver) -> None:
    code = """
        import os, signal, sys
        import agentops_otel as agentops
        agentops.init(auto_start_session=False)
        with agentops.start_session() as session:
            child = os.fork()
            if child == 0:
                signal.alarm(30)  # a hung child kills itself instead of hanging the test
                sys.exit(0)       # unwinds `with session:` in the child
            os.waitpid(child, 0)
        print(session.session_id, session.end_state, flush=True)
    """
    result = run_script(tmp_path, code, otlp_env(receiver, "grpc"))
    assert result.returncode == 0, result.stderr
    session_id, end_state = result.stdout.split()
    assert end_state == "Success"
    spans = receiver.wait_for_spans(lambda found: any(s["name"] == "session" for s in found))
    roots = [span for span in spans if span["name"] == "session"]
    assert [(root["attributes"]["session.id"], root["attributes"]["agentops.session.end_state"]) for root in roots] == [
        (session_id, "Success")
    ]


# --- item 6: two live sessions with one id --------------------------------------------------------


def test_two_live_sessions_with_one_id_each_run_until_they_end(recorded: Recorded) -> None:
    first = agentops.start_session()
    second = agentops.start_session(inherited_session_id=first.session_id)
    assert len(registry) == 2
    second.end_session("Success")
    assert registry.running() == [first]
    assert agentops.get_session(first.session_id) is first
    third = agentops.start_session(inherited_session_id=first.session_id)
    agentops.end_all_sessions("Indeterminate", "exit")  # what the exit hook does
    assert first.end_state is third.end_state is agentops.EndState.INDETERMINATE
    assert len(recorded.named("session")) == 1 and len(recorded.named("session (continued)")) == 2


def test_a_span_counts_in_the_session_it_was_bound_to_not_in_its_namesake(recorded: Recorded) -> None:
    first = agentops.start_session()
    second = agentops.start_session(inherited_session_id=first.session_id)
    with second:
        child_span("second's work", recorded)
    with first:
        child_span("first's work", recorded)
    first.end_session("Success")
    assert rollup(recorded, first, "spans") == 1
    assert rollup(recorded, second, "spans") == 1


# --- items 7 and 8: `with session:` exits its own entry, in any context --------------------------


def test_a_generator_closed_inside_another_sessions_block_exits_only_its_own(recorded: Recorded) -> None:
    first, second = agentops.start_session(), agentops.start_session()

    def steps() -> Iterator[int]:
        with first:
            yield 1

    suspended = steps()
    next(suspended)  # now inside `with first:` in this context
    with second:
        suspended.close()  # GeneratorExit unwinds `with first:` while `with second:` is open
        assert agentops.current_session() is second
        child_span("in second", recorded)
    assert agentops.current_session() is None  # the context from before `with first:` is back
    assert (recorded.one("in second").attributes or {})["session.id"] == second.session_id
    assert first.end_state is agentops.EndState.INDETERMINATE  # item 10: GeneratorExit is not a failure
    assert second.end_state is agentops.EndState.SUCCESS


def test_leaving_blocks_out_of_order_restores_each_outer_context(recorded: Recorded) -> None:
    first, second = agentops.start_session(), agentops.start_session()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert agentops.current_session() is second
    second.__exit__(None, None, None)
    assert agentops.current_session() is None
    assert baggage.get_baggage("session.id") is None


def test_exit_in_another_contextvars_context_ends_the_session_and_raises_nothing(recorded: Recorded) -> None:
    session = agentops.start_session()
    contextvars.Context().run(session.__enter__)
    before = otel_context.get_current()
    contextvars.Context().run(session.__exit__, None, None, None)
    assert session.end_state is agentops.EndState.SUCCESS
    assert otel_context.get_current() is before


def test_a_streaming_response_over_a_sync_generator_inside_a_session(recorded: Recorded) -> None:
    """Starlette steps a sync generator in a fresh copy of the context each time."""
    sessions: list[agentops.Session] = []

    def body() -> Iterator[bytes]:
        with agentops.start_session() as session:
            sessions.append(session)
            yield b"one "
            yield b"two"

    async def stream(_request: Request) -> StreamingResponse:
        return StreamingResponse(body())

    with TestClient(Starlette(routes=[Route("/", stream)])) as client:
        response = client.get("/")
    assert response.status_code == 200 and response.text == "one two"
    (session,) = sessions
    assert session.end_state is agentops.EndState.SUCCESS


# --- item 9: an uncaught thread exception is matched to its session by identity ------------------


def test_a_later_unrelated_crash_in_a_thread_never_ends_an_earlier_session(tmp_path: Path) -> None:
    code = """
        import threading
        import agentops_otel as agentops
        agentops.init(auto_start_session=False, exporter="none")
        session = agentops.start_session()
        def fail():
            raise RuntimeError("handled by the thread itself")
        def body():
            try:
                session.wrap(fail)()
            except RuntimeError:
                pass  # this exception is gone now, and its address free for the next one
            raise RuntimeError("unrelated crash")  # escapes no wrapped call
        for _ in range(20):
            worker = threading.Thread(target=body)
            worker.start(); worker.join()
        print(session.end_state)
    """
    result = run_script(tmp_path, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "None"
    assert result.stderr.count("RuntimeError: unrelated crash") == 20  # Python's own hook still ran


def test_the_session_that_raised_is_the_innermost_wrapped_call_the_exception_left(recorded: Recorded) -> None:
    outer, inner = agentops.start_session(), agentops.start_session()

    def fail() -> None:
        raise RuntimeError("tool exploded")

    escaped: list[BaseException] = []

    def thread_body() -> None:
        try:
            outer.wrap(inner.wrap(fail))()
        except RuntimeError as error:
            escaped.append(error)

    worker = threading.Thread(target=thread_body)
    worker.start()
    worker.join()
    (error,) = escaped
    assert session_that_raised(error) is inner
    assert session_that_raised(RuntimeError("other")) is None
    assert outer.end_state is inner.end_state is None


# --- item 10: control-flow exits are not failures ------------------------------------------------


@pytest.mark.parametrize(
    ("exit_with", "end_state", "reason"),
    [
        (SystemExit(0), "Indeterminate", "SystemExit: 0"),
        (SystemExit(None), "Indeterminate", "SystemExit: None"),
        (asyncio.CancelledError(), "Indeterminate", "CancelledError"),
        (GeneratorExit(), "Indeterminate", "GeneratorExit"),
        (SystemExit(2), "Fail", "SystemExit: 2"),
        (SystemExit("bad config"), "Fail", "SystemExit: bad config"),
        (KeyboardInterrupt(), "Fail", "KeyboardInterrupt"),
        (ValueError("bad"), "Fail", "ValueError: bad"),
    ],
)
def test_with_block_end_state_for_each_kind_of_exit(
    recorded: Recorded, exit_with: BaseException, end_state: str, reason: str
) -> None:
    session = agentops.start_session()
    with pytest.raises(type(exit_with)), session:
        raise exit_with
    assert (session.end_state, session.end_state_reason) == (end_state, reason)


def test_a_cancelled_task_leaves_its_session_indeterminate(recorded: Recorded) -> None:
    async def handler(started: asyncio.Event) -> None:
        async with agentops.start_session():
            started.set()
            await asyncio.Event().wait()  # a client that disconnects cancels this

    async def main() -> None:
        started = asyncio.Event()
        task = asyncio.create_task(handler(started))
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    root = recorded.one("session")
    assert (root.attributes or {})["agentops.session.end_state"] == "Indeterminate"


# --- item 21: an exception whose __str__ raises ---------------------------------------------------


class Unprintable(Exception):
    def __str__(self) -> str:
        raise RuntimeError("no str for you")


def test_an_exception_whose_str_raises_passes_through_and_fails_the_session(recorded: Recorded) -> None:
    error = Unprintable()
    with pytest.raises(Unprintable) as raised, agentops.start_session() as session:
        raise error
    assert raised.value is error
    assert session.end_state is agentops.EndState.FAIL
    assert session.end_state_reason == "Unprintable: <exception str() failed>"


# --- item 23 and "Smaller": tags --------------------------------------------------------------------


def test_tags_are_capped_with_one_warning(recorded: Recorded, caplog: pytest.LogCaptureFixture) -> None:
    session = agentops.start_session()
    with caplog.at_level(logging.WARNING, logger="agentops_otel"):
        session.add_tags([f"t{index}" for index in range(MAX_TAGS + 10)])
        session.add_tags("one more")
    assert len(session.tags) == MAX_TAGS
    assert session.tags[-1] == f"t{MAX_TAGS - 1}"
    assert len(caplog.records) == 1 and "the most a session keeps" in caplog.text
    session.set_tags(["fresh"])
    assert session.tags == ["fresh"]


class CountedTag(str):
    """A tag that counts the comparisons made to store it."""

    comparisons = 0

    def __eq__(self, other: object) -> bool:
        CountedTag.comparisons += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def test_tagging_one_at_a_time_is_linear(recorded: Recorded) -> None:
    """A list scan per tag would compare each new tag with every stored one: ~N²/2 comparisons."""
    session = agentops.start_session()
    count = MAX_TAGS // 2
    CountedTag.comparisons = 0
    for index in range(count):
        session.add_tags(CountedTag(f"tag {index}"))
    session.add_tags([CountedTag(f"tag {index}") for index in range(count)])  # all repeats
    session.set_tags([CountedTag(f"tag {index % 10}") for index in range(count)])
    assert CountedTag.comparisons <= 4 * count
    assert len(session.tags) == 10


@pytest.mark.parametrize("bad", [None, "", ["ok", ""]])
def test_none_and_empty_tags_are_a_typed_error(recorded: Recorded, bad: object) -> None:
    session = agentops.start_session(["keep"])
    for change in (session.set_tags, session.add_tags):
        with pytest.raises(agentops.InvalidArgumentError):
            change(bad)  # type: ignore[arg-type]
    assert session.tags == ["keep"]


# --- item 12: the session init() starts is current where init() was called ----------------------


@pytest.fixture
def initialised() -> Iterator[Recorded]:
    """``agentops.init()`` with its default session, spans in memory."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider(id_generator=SessionIdGenerator())
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    token = otel_context.attach(otel_context.get_current())  # init() changes this context: give it back
    try:
        yield Recorded(exporter, provider)
    finally:
        agentops.shutdown()
        otel_context.detach(token)


def test_the_session_init_starts_holds_the_callers_own_spans_while_it_runs(initialised: Recorded) -> None:
    session = agentops.init(tracer_provider=initialised.provider, exporter="none")
    assert session is not None and agentops.current_session() is session
    child_span("mine", initialised)  # made outside any `with session:`
    agentops.end_session("Success")
    mine = initialised.one("mine")
    assert mine.context.trace_id == session.trace_id
    assert mine.parent is not None and mine.parent.span_id == session.span.get_span_context().span_id
    assert (mine.attributes or {})["session.id"] == session.session_id
    assert rollup(initialised, session, "spans") == 1


def test_once_it_ended_the_next_session_of_a_single_session_program_gets_the_work(initialised: Recorded) -> None:
    first = agentops.init(tracer_provider=initialised.provider, exporter="none")
    assert first is not None
    agentops.end_session("Success")
    assert agentops.current_session() is None
    child_span("between", initialised)
    second = agentops.start_session()
    agentops.record(agentops.ToolEvent(name="lookup"))  # the module function finds the one session
    second.end_session("Success")
    between = initialised.one("between")
    assert between.context.trace_id != first.trace_id
    assert "session.id" not in (between.attributes or {})
    assert initialised.one("execute_tool lookup").context.trace_id == second.trace_id
    assert rollup(initialised, first, "spans") == 0


def test_init_binds_only_the_calling_context_while_it_runs_even_if_ended_elsewhere(initialised: Recorded) -> None:
    session = agentops.init(tracer_provider=initialised.provider, exporter="none")
    assert session is not None
    ender = threading.Thread(target=session.end_session, args=("Success",))
    ender.start()
    ender.join()
    other = agentops.start_session()
    assert agentops.current_session() is None  # the ended session no longer claims this context
    agentops.record(agentops.ToolEvent(name="lookup"))
    other.end_session("Success")
    assert rollup(initialised, other, "tool_calls") == 1
