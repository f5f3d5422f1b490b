"""AgentOps 0.3 events recorded with session.record / agentops.record, asserted on exported spans."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from enum import Enum
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind, StatusCode

import agentops_otel as agentops
from agentops_otel.decorators import record_action
from tests.conftest import Recorded


def attributes(span: ReadableSpan) -> dict[str, Any]:
    return dict(span.attributes or {})


def test_tool_event_is_an_execute_tool_span_of_the_session(recorded: Recorded) -> None:
    session = agentops.start_session()
    session.record(agentops.ToolEvent(name="search", params={"q": "otel"}, returns=["a"]))
    span = recorded.one("execute_tool search")
    assert span.kind is SpanKind.INTERNAL
    assert span.parent is not None and span.parent.span_id == session.span.get_span_context().span_id
    assert attributes(span) == {
        "agentops.event.type": "tool",
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "search",
        "session.id": session.session_id,
    }


def test_action_event_is_a_span_named_after_its_action_type(recorded: Recorded) -> None:
    agentops.start_session()
    agentops.record(agentops.ActionEvent(action_type="book_hotel"))
    agentops.record(agentops.ActionEvent())
    assert attributes(recorded.one("book_hotel"))["agentops.event.type"] == "action"
    assert recorded.one("action").kind is SpanKind.INTERNAL


def test_llm_event_is_a_genai_client_span_with_tokens_and_cost(recorded: Recorded) -> None:
    session = agentops.start_session()
    session.record(agentops.LLMEvent(model="gpt-4o", prompt_tokens=12, completion_tokens=3, cost=0.5, prompt="hi"))
    span = recorded.one("chat gpt-4o")
    assert span.kind is SpanKind.CLIENT
    assert attributes(span) == {
        "agentops.event.type": "llm",
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": "gpt-4o",
        "gen_ai.usage.input_tokens": 12,
        "gen_ai.usage.output_tokens": 3,
        "agentops.llm.cost_usd": 0.5,
        "session.id": session.session_id,
    }
    assert session.end_session("Success") == pytest.approx(0.5)


def test_event_content_is_recorded_only_with_content_capture(recorded: Recorded) -> None:
    agentops.configure(capture_content=True)
    session = agentops.start_session()
    session.record(agentops.ToolEvent(name="search", params={"q": "otel"}, returns=["a"]))
    session.record(agentops.LLMEvent(model="m", prompt="hi", completion={"role": "assistant"}))
    session.record(agentops.ActionEvent(action_type="plan", params={"steps": 2}, returns="ok"))
    assert attributes(recorded.one("execute_tool search"))["gen_ai.tool.call.arguments"] == '{"q":"otel"}'
    assert attributes(recorded.one("execute_tool search"))["gen_ai.tool.call.result"] == '["a"]'
    assert attributes(recorded.one("chat m"))["gen_ai.input.messages"] == "hi"
    assert attributes(recorded.one("chat m"))["gen_ai.output.messages"] == '{"role":"assistant"}'
    assert attributes(recorded.one("plan"))["agentops.action.params"] == '{"steps":2}'
    assert attributes(recorded.one("plan"))["agentops.action.returns"] == "ok"


def test_content_that_cannot_be_serialised_is_replaced_not_raised(recorded: Recorded) -> None:
    agentops.configure(capture_content=True)
    looped: dict[str, Any] = {}
    looped["self"] = looped
    agentops.start_session().record(agentops.ToolEvent(name="t", params=looped))
    assert attributes(recorded.one("execute_tool t"))["gen_ai.tool.call.arguments"] == "<dict that cannot be shown>"


def test_error_event_records_its_trigger_first_and_links_to_it(recorded: Recorded) -> None:
    session = agentops.start_session()
    trigger = agentops.ToolEvent(name="fetch")
    session.record(agentops.ErrorEvent(trigger_event=trigger, exception=TimeoutError("slow")))
    tool, error = recorded.one("execute_tool fetch"), recorded.one("error TimeoutError")
    assert [link.context.span_id for link in error.links] == [tool.context.span_id]
    assert error.status.status_code is StatusCode.ERROR
    assert error.status.description == "slow"
    assert attributes(error)["error.type"] == "TimeoutError"
    assert [event.name for event in error.events] == ["exception"]
    assert session.get_analytics()["Errors"] == 1 and session.get_analytics()["Tool calls"] == 1


def test_error_event_without_an_exception_uses_its_type_and_details(recorded: Recorded) -> None:
    agentops.start_session().record(agentops.ErrorEvent(error_type="RateLimit", details="slow down"))
    span = recorded.one("error RateLimit")
    assert span.status.description == "slow down"
    assert dict(span.events[0].attributes or {}) == {"exception.type": "RateLimit", "exception.message": "slow down"}


def test_event_timestamps_are_the_span_times(recorded: Recorded) -> None:
    start, end = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc), datetime(2026, 1, 2, 3, 4, 7, tzinfo=timezone.utc)
    agentops.start_session().record(
        agentops.ActionEvent(action_type="plan", init_timestamp=start.isoformat(), end_timestamp=end.isoformat())
    )
    span = recorded.one("plan")
    assert (span.start_time, span.end_time) == (int(start.timestamp() * 1e9), int(end.timestamp() * 1e9))


def test_an_event_recorded_inside_a_decorated_action_nests_under_it(recorded: Recorded) -> None:
    session = agentops.start_session()

    @record_action()
    def plan() -> None:
        session.record(agentops.ToolEvent(name="search"))

    plan()
    assert recorded.one("execute_tool search").parent.span_id == recorded.one("plan").context.span_id  # type: ignore[union-attr]


def test_an_event_for_another_session_hangs_off_that_sessions_root(recorded: Recorded) -> None:
    first, second = agentops.start_session(), agentops.start_session()
    with first:
        second.record(agentops.ToolEvent(name="search"))
    span = recorded.one("execute_tool search")
    assert attributes(span)["session.id"] == second.session_id
    assert span.parent is not None and span.parent.span_id == second.span.get_span_context().span_id


def test_text_that_utf8_cannot_encode_does_not_reach_the_span(recorded: Recorded) -> None:
    agentops.start_session().record(agentops.ToolEvent(name="bad\ud800name"))
    assert recorded.one("execute_tool bad?name").attributes["gen_ai.tool.name"] == "bad?name"  # type: ignore[index]


def test_end_session_sums_costs_in_decimal_without_float_noise(recorded: Recorded) -> None:
    session = agentops.start_session()
    for cost in (0.1, 0.2, 0.000004275):  # as floats, 0.1 + 0.2 is 0.30000000000000004
        session.record(agentops.LLMEvent(model="m", prompt_tokens=1, completion_tokens=1, cost=cost))
    assert session.end_session("Success") == Decimal("0.300004275")
    assert session.get_analytics()["Cost"] == "0.300004"


# --- wrong-typed fields: the obvious types are accepted, the rest raise InvalidArgumentError --------


class Tool(Enum):
    SEARCH = "search"


class Level(Enum):
    HIGH = 3


class BrokenStr(Exception):
    def __str__(self) -> str:
        raise RuntimeError("no str for you")


def test_plausible_field_types_are_accepted(recorded: Recorded) -> None:
    start = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    session = agentops.start_session()
    session.record(agentops.ToolEvent(name=Tool.SEARCH, init_timestamp=start, end_timestamp=start))  # type: ignore[arg-type]
    session.record(agentops.ActionEvent(action_type=Level.HIGH))  # type: ignore[arg-type]
    session.record(agentops.LLMEvent(model=4, prompt_tokens=2, completion_tokens=1, cost=Decimal("0.25")))  # type: ignore[arg-type]
    session.record(agentops.ErrorEvent(error_type="Timeout", details=TimeoutError("slow")))  # type: ignore[arg-type]
    tool = recorded.one("execute_tool search")
    assert attributes(tool)["gen_ai.tool.name"] == "search"
    assert tool.start_time == tool.end_time == int(start.timestamp() * 1e9)
    assert recorded.one("3").attributes["agentops.event.type"] == "action"  # type: ignore[index]
    assert attributes(recorded.one("chat 4"))["gen_ai.request.model"] == "4"
    assert recorded.one("error Timeout").status.description == "TimeoutError: slow"
    assert session.end_session("Success") == Decimal("0.25")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", object()),
        ("name", ["search"]),
        ("name", True),
        ("init_timestamp", 1767322800),
        ("init_timestamp", "yesterday"),
        ("end_timestamp", datetime(1969, 12, 31, tzinfo=timezone.utc)),
        ("end_timestamp", datetime.min),
        ("init_timestamp", "9999-12-31T23:59:59"),
    ],
)
def test_other_field_types_raise_a_typed_error_where_they_are_set(field: str, value: object) -> None:
    with pytest.raises(agentops.InvalidArgumentError, match=field):
        agentops.ToolEvent(**{field: value})
    event = agentops.ToolEvent(name="search")
    with pytest.raises(agentops.InvalidArgumentError, match=field):
        setattr(event, field, value)  # AgentOps code sets end_timestamp after the work


@pytest.mark.parametrize(
    ("event_type", "field", "value"),
    [
        (agentops.LLMEvent, "prompt_tokens", "12"),
        (agentops.LLMEvent, "completion_tokens", -1),
        (agentops.LLMEvent, "cost", "0.5"),
        (agentops.LLMEvent, "cost", float("nan")),
        (agentops.LLMEvent, "model", {"id": "gpt"}),
        (agentops.ErrorEvent, "exception", "boom"),
        (agentops.ErrorEvent, "trigger_event", "search"),
        (agentops.ActionEvent, "action_type", b"plan"),
    ],
)
def test_typed_fields_of_each_event_raise_a_typed_error(event_type: type, field: str, value: object) -> None:
    with pytest.raises(agentops.InvalidArgumentError, match=field):
        event_type(**{field: value})


def test_an_exception_whose_str_raises_is_recorded_and_its_span_ended(recorded: Recorded) -> None:
    session = agentops.start_session()
    session.record(agentops.ErrorEvent(exception=BrokenStr()))
    span = recorded.one("error BrokenStr")
    assert span.end_time is not None and span.status.status_code is StatusCode.ERROR
    assert span.status.description == "<exception str() failed>"
    assert attributes(span)["error.type"] == "BrokenStr"
    assert session.get_analytics()["Errors"] == 1
