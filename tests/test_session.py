"""Sessions as root spans: shape, end states, tags, contexts, threads, and bad input."""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from opentelemetry import baggage, trace
from opentelemetry import context as otel_context
from opentelemetry.trace import SpanKind, StatusCode

import agentops_otel as agentops
from agentops_otel.registry import registry
from tests.conftest import Recorded

tracer = trace.get_tracer("tests")


def child_span(name: str, recorded: Recorded) -> None:
    """A plain span, as any other library would start one."""
    with recorded.provider.get_tracer("tests").start_as_current_span(name):
        pass


def test_session_is_a_root_span_in_its_own_trace_whose_id_is_the_session_id(recorded: Recorded) -> None:
    session = agentops.start_session(["a", "b"], name="triage")
    session.end_session("Success")
    root = recorded.one("session triage")
    assert root.parent is None
    assert root.kind is SpanKind.INTERNAL
    assert uuid.UUID(session.session_id).version == 4
    assert root.context.trace_id == uuid.UUID(session.session_id).int
    assert root.attributes is not None
    assert root.attributes["session.id"] == session.session_id
    assert root.attributes["agentops.session.tags"] == ("a", "b")
    assert root.attributes["agentops.session.end_state"] == "Success"


@pytest.mark.parametrize(
    ("end_state", "reason", "code", "description"),
    [
        ("Success", None, StatusCode.OK, None),
        ("Fail", "tool crashed", StatusCode.ERROR, "tool crashed"),
        ("Indeterminate", None, StatusCode.UNSET, None),
        (agentops.EndState.FAIL, None, StatusCode.ERROR, None),
        ("success", None, StatusCode.OK, None),
    ],
)
def test_end_state_maps_onto_span_status(
    recorded: Recorded, end_state: str, reason: str | None, code: StatusCode, description: str | None
) -> None:
    agentops.start_session().end_session(end_state, reason)
    root = recorded.one("session")
    assert root.status.status_code is code
    assert root.status.description == description
    assert root.attributes is not None
    assert root.attributes["agentops.session.end_state"] == agentops.EndState.parse(end_state).value
    assert root.attributes["agentops.session.end_state_reason"] == (reason or "")


def test_end_state_wins_over_a_status_someone_else_set(recorded: Recorded) -> None:
    session = agentops.start_session()
    session.span.set_status(StatusCode.OK)  # OK is final for set_status; the end state must still win
    session.end_session("Fail", "late failure")
    root = recorded.one("session")
    assert root.status.status_code is StatusCode.ERROR
    assert root.status.description == "late failure"


def test_a_session_with_nothing_in_it_writes_every_roll_up_as_zero(recorded: Recorded) -> None:
    agentops.start_session().end_session("Success")
    attributes = recorded.one("session").attributes or {}
    names = ("spans", "llm_calls", "tool_calls", "actions", "errors", "input_tokens", "output_tokens",
             "cost_usd", "unpriced_llm_calls")  # fmt: skip
    assert {name: attributes.get(f"agentops.session.{name}") for name in names} == dict.fromkeys(names, 0)


def test_roll_ups_count_children_that_ended_while_the_session_ran(recorded: Recorded) -> None:
    session = agentops.start_session()
    with session:
        child_span("work", recorded)
        agentops_tool = agentops.ToolEvent(name="search")
        session.record(agentops_tool)
        session.record(agentops.ActionEvent(action_type="plan"))
        session.record(agentops.ErrorEvent(exception=RuntimeError("boom")))
        session.record(agentops.LLMEvent(model="gpt-4o", prompt_tokens=10, completion_tokens=5, cost=0.25))
        late = recorded.provider.get_tracer("tests").start_span("late", context=session.context())
        assert session.get_analytics()["Tool calls"] == 1
    late.end()  # ends after its session: not counted
    root = recorded.one("session")
    assert root.attributes is not None
    rollups = {key: value for key, value in root.attributes.items() if key.startswith("agentops.session.")}
    assert rollups == {
        "agentops.session.tags": (),
        "agentops.session.spans": 5,
        "agentops.session.llm_calls": 1,
        "agentops.session.tool_calls": 1,
        "agentops.session.actions": 1,
        "agentops.session.errors": 1,
        "agentops.session.input_tokens": 10,
        "agentops.session.output_tokens": 5,
        "agentops.session.cost_usd": 0.25,
        "agentops.session.unpriced_llm_calls": 0,
        "agentops.session.end_state": "Success",
        "agentops.session.end_state_reason": "",
    }
    assert recorded.one("late").attributes["session.id"] == session.session_id  # type: ignore[index]
    analytics = session.get_analytics()
    assert {k: analytics[k] for k in ("LLM calls", "Tool calls", "Actions", "Errors", "Cost")} == {
        "LLM calls": 1,
        "Tool calls": 1,
        "Actions": 1,
        "Errors": 1,
        "Cost": "0.250000",
    }


def test_end_session_returns_the_cost_as_decimal(recorded: Recorded) -> None:
    session = agentops.start_session()
    session.record(agentops.LLMEvent(model="m", cost=0.1))
    session.record(agentops.LLMEvent(model="m", cost=0.2))
    cost = session.end_session("Success")
    assert isinstance(cost, Decimal)
    assert cost == Decimal("0.3")


def test_end_session_twice_warns_keeps_the_first_state_and_returns_none(
    recorded: Recorded, caplog: pytest.LogCaptureFixture
) -> None:
    session = agentops.start_session()
    assert session.end_session("Success") is not None
    with caplog.at_level(logging.WARNING, logger="agentops_otel"):
        assert session.end_session("Fail", "again") is None
    assert session.end_state is agentops.EndState.SUCCESS
    assert "already ended as Success" in caplog.text
    assert len(recorded.named("session")) == 1


def test_unknown_end_state_is_a_typed_error_naming_the_valid_ones(recorded: Recorded) -> None:
    session = agentops.start_session()
    with pytest.raises(agentops.InvalidArgumentError) as raised:
        session.end_session("Failure")
    assert isinstance(raised.value, ValueError)
    for valid in ("'Success'", "'Fail'", "'Indeterminate'", "'Failure'"):
        assert valid in str(raised.value)
    assert session.end_state is None  # nothing happened


@pytest.mark.parametrize("bad", [None, 3, ["x"]])
def test_reason_must_be_a_string(recorded: Recorded, bad: object) -> None:
    session = agentops.start_session()
    if bad is None:
        session.end_session("Fail", bad)
        return
    with pytest.raises(agentops.InvalidArgumentError):
        session.end_session("Fail", bad)  # type: ignore[arg-type]


def test_tags_keep_order_never_repeat_and_accept_a_single_string(recorded: Recorded) -> None:
    agentops.configure(default_tags=["prod"])
    session = agentops.start_session("one")
    session.add_tags(["b", "a", "b", "one"])
    assert session.tags == ["prod", "one", "b", "a"]
    session.set_tags("solo")
    assert session.tags == ["solo"]
    session.end_session("Success")
    assert recorded.one("session").attributes["agentops.session.tags"] == ("solo",)  # type: ignore[index]


@pytest.mark.parametrize("bad", [[1], ["ok", None], 7, [b"bytes"]])
def test_tags_that_are_not_strings_are_a_typed_error(recorded: Recorded, bad: object) -> None:
    session = agentops.start_session()
    with pytest.raises(agentops.InvalidArgumentError):
        session.add_tags(bad)  # type: ignore[arg-type]
    with pytest.raises(agentops.InvalidArgumentError):
        agentops.start_session(bad)  # type: ignore[arg-type]
    assert session.tags == []


def test_with_block_ends_success_or_fail_with_the_exception(recorded: Recorded) -> None:
    with agentops.start_session() as ok:
        assert agentops.current_session() is ok
    assert ok.end_state is agentops.EndState.SUCCESS
    with pytest.raises(KeyError), agentops.start_session() as failed:
        raise KeyError("missing")
    assert failed.end_state is agentops.EndState.FAIL
    assert failed.end_state_reason == "KeyError: 'missing'"
    assert agentops.current_session() is None


def test_async_with_block_and_tasks_keep_their_own_session(recorded: Recorded) -> None:
    async def run(tag: str) -> str:
        async with agentops.start_session([tag]) as session:
            await asyncio.sleep(0)
            child = asyncio.create_task(asyncio.sleep(0, result=agentops.current_session()))
            assert await child is session
            child_span(f"span {tag}", recorded)
            return session.session_id

    async def main() -> list[str]:
        return list(await asyncio.gather(*(run(str(i)) for i in range(5))))

    ids = asyncio.run(main())
    for index, session_id in enumerate(ids):
        assert recorded.one(f"span {index}").attributes["session.id"] == session_id  # type: ignore[index]


def test_wrap_carries_the_session_into_threads_and_executors(recorded: Recorded) -> None:
    session = agentops.start_session()
    thread = threading.Thread(target=session.wrap(child_span), args=("in thread", recorded))
    thread.start()
    thread.join()
    with ThreadPoolExecutor(2) as pool:
        pool.submit(session.wrap(child_span), "in pool", recorded).result()
        pool.submit(child_span, "unwrapped", recorded).result()
    for name in ("in thread", "in pool"):
        span = recorded.one(name)
        assert span.attributes["session.id"] == session.session_id  # type: ignore[index]
        assert span.context.trace_id == session.span.get_span_context().trace_id
    assert "session.id" not in (recorded.one("unwrapped").attributes or {})


def test_threading_instrumentation_carries_the_session_without_wrap(recorded: Recorded) -> None:
    from opentelemetry.instrumentation.threading import ThreadingInstrumentor

    assert ThreadingInstrumentor().is_instrumented_by_opentelemetry  # init() enabled it
    with agentops.start_session() as session, ThreadPoolExecutor(2) as pool:
        pool.submit(child_span, "pooled", recorded).result()
    assert recorded.one("pooled").attributes["session.id"] == session.session_id  # type: ignore[index]


def test_a_session_can_be_ended_from_another_thread(recorded: Recorded) -> None:
    session = agentops.start_session()
    ender = threading.Thread(target=session.end_session, args=("Success",))
    ender.start()
    ender.join()
    assert session.end_state is agentops.EndState.SUCCESS
    assert recorded.one("session").status.status_code is StatusCode.OK


def test_coroutines_run_in_the_patched_session(recorded: Recorded) -> None:
    first, second = agentops.start_session(), agentops.start_session()

    async def which() -> agentops.Session | None:
        await asyncio.sleep(0)
        return agentops.current_session()

    assert asyncio.run(second.patch(which)()) is second
    assert agentops.current_session() is None
    first.end_session("Success")


def test_inherited_session_id_continues_the_session(recorded: Recorded) -> None:
    original = agentops.start_session()
    original.end_session("Success")  # e.g. in the process that handed the session over
    continued = agentops.start_session(inherited_session_id=original.session_id.upper())
    assert continued.session_id == original.session_id
    continued.end_session("Success")
    span = recorded.one("session (continued)")
    assert span.context.trace_id == original.span.get_span_context().trace_id
    assert span.parent is None
    assert span.attributes["agentops.session.inherited"] is True  # type: ignore[index]
    assert "agentops.session.inherited" not in (recorded.one("session").attributes or {})


def test_inherited_session_with_its_traceparent_becomes_a_child_of_the_original(recorded: Recorded) -> None:
    from opentelemetry.propagate import extract

    original = agentops.start_session()
    token = otel_context.attach(extract({"traceparent": original.traceparent}))
    try:
        continued = agentops.start_session(inherited_session_id=original.session_id)
    finally:
        otel_context.detach(token)
    continued.end_session("Success")
    assert recorded.one("session (continued)").parent.span_id == original.span.get_span_context().span_id  # type: ignore[union-attr]


@pytest.mark.parametrize("bad", ["not-a-uuid", "", 42, "0" * 200])
def test_bad_inherited_session_id_is_a_typed_error(recorded: Recorded, bad: object) -> None:
    with pytest.raises(agentops.InvalidArgumentError):
        agentops.start_session(inherited_session_id=bad)  # type: ignore[arg-type]


def test_session_context_overlays_the_current_context(recorded: Recorded) -> None:
    session = agentops.start_session()
    token = otel_context.attach(baggage.set_baggage("tenant", "acme"))
    try:
        with session:
            assert baggage.get_baggage("tenant") == "acme"
            assert baggage.get_baggage("session.id") == session.session_id
    finally:
        otel_context.detach(token)


def test_get_session_looks_up_running_sessions_only(recorded: Recorded) -> None:
    session = agentops.start_session()
    assert agentops.get_session(session.session_id) is session
    session.end_session("Success")
    assert agentops.get_session(session.session_id) is None
    assert agentops.get_session(None) is None  # type: ignore[arg-type]
    assert len(registry) == 0
