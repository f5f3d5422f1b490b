"""Every cell of the DESIGN §1 rules table, for module functions and Session methods."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import agentops_otel as agentops
from agentops_otel.exceptions import MULTI_SESSION_MESSAGE, NO_SESSION_MESSAGE
from agentops_otel.registry import registry
from tests.conftest import Recorded

MODULE_CALLS: dict[str, Callable[[], object]] = {
    "end_session": lambda: agentops.end_session("Success"),
    "add_tags": lambda: agentops.add_tags(["x"]),
    "set_tags": lambda: agentops.set_tags(["x"]),
    "record": lambda: agentops.record(agentops.ActionEvent(action_type="act")),
}
SESSION_CALLS: dict[str, Callable[[agentops.Session], object]] = {
    "end_session": lambda s: s.end_session("Success"),
    "add_tags": lambda s: s.add_tags(["x"]),
    "set_tags": lambda s: s.set_tags(["x"]),
    "record": lambda s: s.record(agentops.ActionEvent(action_type="act")),
}


@pytest.mark.parametrize("call", MODULE_CALLS.values(), ids=MODULE_CALLS.keys())
def test_module_function_with_no_session_raises_no_session(recorded: Recorded, call: Callable[[], object]) -> None:
    with pytest.raises(agentops.NoSessionException) as raised:
        call()
    assert str(raised.value) == NO_SESSION_MESSAGE


@pytest.mark.parametrize("name", MODULE_CALLS)
def test_module_function_with_one_session_acts_on_it(recorded: Recorded, name: str) -> None:
    session = agentops.start_session(["start"])
    MODULE_CALLS[name]()
    if name == "end_session":
        assert session.end_state is agentops.EndState.SUCCESS
    elif name == "add_tags":
        assert session.tags == ["start", "x"]
    elif name == "set_tags":
        assert session.tags == ["x"]
    else:
        session.end_session("Success")
        assert [span.name for span in recorded.spans] == ["act", "session"]


@pytest.mark.parametrize("call", MODULE_CALLS.values(), ids=MODULE_CALLS.keys())
def test_module_function_with_two_sessions_raises_multi(recorded: Recorded, call: Callable[[], object]) -> None:
    first, second = agentops.start_session(), agentops.start_session()
    with pytest.raises(agentops.MultiSessionException) as raised:
        call()
    assert str(raised.value) == MULTI_SESSION_MESSAGE
    assert first.end_state is None and second.end_state is None and first.tags == second.tags == []


@pytest.mark.parametrize("call", MODULE_CALLS.values(), ids=MODULE_CALLS.keys())
def test_module_function_stays_strict_inside_a_session_context(recorded: Recorded, call: Callable[[], object]) -> None:
    first, _second = agentops.start_session(), agentops.start_session()
    with first, pytest.raises(agentops.MultiSessionException):
        call()


@pytest.mark.parametrize("running", [1, 2, 3])
@pytest.mark.parametrize("name", SESSION_CALLS)
def test_session_methods_work_in_every_mode(recorded: Recorded, name: str, running: int) -> None:
    sessions = [agentops.start_session(["start"]) for _ in range(running)]
    target = sessions[-1]
    SESSION_CALLS[name](target)
    if name == "end_session":
        assert target.end_state is agentops.EndState.SUCCESS
        assert len(registry) == running - 1
    elif name in ("add_tags", "set_tags"):
        assert target.tags == (["start", "x"] if name == "add_tags" else ["x"])
        assert all(other.tags == ["start"] for other in sessions[:-1])
    else:
        target.end_session("Success")
        act = recorded.one("act")
        assert act.attributes is not None and act.attributes["session.id"] == target.session_id
    agentops.end_all_sessions()


def test_session_methods_work_after_other_sessions_ended(recorded: Recorded) -> None:
    lone = agentops.start_session()
    lone.end_session("Fail", "gave up")
    again = agentops.start_session()
    again.add_tags("later")
    assert agentops.end_session("Success") is not None
    assert again.tags == ["later"]


# The LLM-call rows of the table are decided by the registry; the instrumentors only ask it.


def test_call_with_explicit_session_uses_it_in_every_mode(recorded: Recorded) -> None:
    first, second = agentops.start_session(), agentops.start_session()
    assert registry.session_for_call(explicit=first) is first
    with second:
        assert registry.session_for_call(explicit=first) is first


def test_unattributed_call_with_no_session_is_plain(recorded: Recorded) -> None:
    assert registry.session_for_call() is None


def test_unattributed_call_with_one_session_joins_it(recorded: Recorded) -> None:
    only = agentops.start_session()
    assert registry.session_for_call() is only


def test_unattributed_call_with_two_sessions_raises_multi(recorded: Recorded) -> None:
    agentops.start_session(), agentops.start_session()
    with pytest.raises(agentops.MultiSessionException):
        registry.session_for_call()


def test_call_inside_a_session_context_joins_that_session(recorded: Recorded) -> None:
    first, second = agentops.start_session(), agentops.start_session()
    with first:
        assert registry.session_for_call() is first
        assert agentops.current_session() is first
    assert first.end_state is agentops.EndState.SUCCESS  # leaving the block ended it
    third = agentops.start_session()
    assert third.wrap(registry.session_for_call)() is third
    assert second.patch(registry.session_for_call)() is second


def test_patch_wins_over_the_session_in_context(recorded: Recorded) -> None:
    first, second = agentops.start_session(), agentops.start_session()
    with first:
        assert second.patch(registry.session_for_call)() is second
        assert registry.session_for_call() is first
