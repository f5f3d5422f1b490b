"""The public surface: ``__all__`` is the API, and the seed document's examples run as written."""

from __future__ import annotations

import logging

import pytest

import agentops_otel as agentops
from agentops_otel.exceptions import MULTI_SESSION_MESSAGE
from tests.conftest import Recorded


def test_all_is_sorted_and_lists_exactly_the_public_names() -> None:
    assert agentops.__all__ == sorted(agentops.__all__)
    assert all(hasattr(agentops, name) for name in agentops.__all__)
    ours = {
        name
        for name, value in vars(agentops).items()
        if not name.startswith("_") and getattr(value, "__module__", "").startswith("agentops_otel")
    }
    assert set(agentops.__all__) - {"__version__"} == ours


def test_exception_tree() -> None:
    for error in (agentops.MultiSessionException, agentops.NoSessionException, agentops.InvalidArgumentError):
        assert issubclass(error, agentops.AgentOpsError)
    assert issubclass(agentops.InvalidArgumentError, ValueError)


def test_seed_single_session_examples(recorded: Recorded) -> None:
    agentops.shutdown()
    agentops.init(tracer_provider=recorded.provider, exporter="none")
    agentops.end_session(end_state="Success")
    agentops.shutdown()

    agentops.init(tracer_provider=recorded.provider, exporter="none", auto_start_session=False)
    session = agentops.start_session()
    session.end_session(end_state="Success")
    assert [span.attributes["agentops.session.end_state"] for span in recorded.named("session")] == [  # type: ignore[index]
        "Success",
        "Success",
    ]


def test_seed_multi_session_examples(recorded: Recorded) -> None:
    agentops.shutdown()
    session_1 = agentops.init(tracer_provider=recorded.provider, exporter="none")
    session_2 = agentops.start_session()
    assert session_1 is not None and session_1 is not session_2
    with pytest.raises(agentops.MultiSessionException) as raised:
        agentops.add_tags(["x"])
    assert str(raised.value) == MULTI_SESSION_MESSAGE
    session_1.end_session()
    session_2.end_session()
    assert {span.attributes["agentops.session.end_state"] for span in recorded.named("session")} == {  # type: ignore[index]
        "Indeterminate"
    }


def test_init_twice_warns_and_keeps_the_running_client(recorded: Recorded, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="agentops_otel"):
        assert agentops.init() is None
    assert "already called" in caplog.text
    session = agentops.start_session()
    session.end_session("Success")
    assert recorded.one("session")  # still recording on the first init's provider


def test_init_with_inherited_session_id_starts_that_session(recorded: Recorded) -> None:
    agentops.shutdown()
    inherited = "6f1c2a8e-4b7d-4c1e-9a3f-2d5e8b7c6a10"
    session = agentops.init(tracer_provider=recorded.provider, exporter="none", inherited_session_id=inherited)
    assert session is not None and session.session_id == inherited


def test_bad_init_arguments_fail_before_anything_is_set_up(recorded: Recorded) -> None:
    agentops.shutdown()
    with pytest.raises(agentops.InvalidArgumentError):
        agentops.init(inherited_session_id="nope")
    with pytest.raises(agentops.InvalidArgumentError):
        agentops.init(max_wait_time=0)
    with pytest.raises(agentops.NoSessionException):
        agentops.end_session("Success")


def test_configure_changes_live_settings_and_warns_about_the_rest(
    recorded: Recorded, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="agentops_otel"):
        agentops.configure(default_tags=["later"], max_queue_size=10)
    assert agentops.start_session().tags == ["later"]
    assert "max_queue_size" in caplog.text
    with pytest.raises(agentops.InvalidArgumentError):
        agentops.configure(default_tags=[3])
    with pytest.raises(agentops.InvalidArgumentError):
        agentops.configure(no_such_setting=True)


def test_is_auto_end_is_ignored_with_skip_auto_end_session(recorded: Recorded) -> None:
    agentops.configure(skip_auto_end_session=True)
    session = agentops.start_session()
    assert agentops.end_session("Success", is_auto_end=True) is None
    assert session.end_state is None
    agentops.end_session("Fail")
    assert session.end_state is agentops.EndState.FAIL


def test_shutdown_ends_running_sessions_and_a_new_init_starts_afresh(recorded: Recorded) -> None:
    running = agentops.start_session()
    agentops.shutdown()
    assert running.end_state is agentops.EndState.INDETERMINATE
    assert agentops.init(tracer_provider=recorded.provider, exporter="none") is not None
