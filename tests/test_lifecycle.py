"""Process exit, signals and uncaught exceptions, in real subprocesses exporting to a real receiver."""

from __future__ import annotations

import signal
import textwrap
from pathlib import Path

import pytest

from agentops_otel.lifecycle import EXIT_REASON
from tests.support.otlp_receiver import OTLPReceiver
from tests.support.scripts import PROTOCOLS, otlp_env, run_script, start_script

SESSION_THEN_WAIT = """
    import sys, time
    import agentops_otel as agentops
    session = agentops.init()
    session.record(agentops.ToolEvent(name="lookup"))
    print("READY", flush=True)
    {tail}
"""


def root_span(receiver: OTLPReceiver) -> dict[str, object]:
    spans = receiver.wait_for_spans(lambda found: any(s["name"] == "session" for s in found))
    (root,) = [span for span in spans if span["name"] == "session"]
    return root


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_exit_without_ending_the_session_ends_it_indeterminate(
    tmp_path: Path, receiver: OTLPReceiver, protocol: str
) -> None:
    result = run_script(tmp_path, SESSION_THEN_WAIT.format(tail="pass"), otlp_env(receiver, protocol))
    assert result.returncode == 0, result.stderr
    root = root_span(receiver)
    assert root["status_code"] == "UNSET"
    assert root["attributes"]["agentops.session.end_state"] == "Indeterminate"  # type: ignore[index]
    assert root["attributes"]["agentops.session.end_state_reason"] == EXIT_REASON  # type: ignore[index]
    assert root["attributes"]["agentops.session.tool_calls"] == 1  # type: ignore[index]
    assert f"Session {root['attributes']['session.id']}: Indeterminate" in result.stderr  # type: ignore[index]


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_an_uncaught_exception_ends_the_session_fail(tmp_path: Path, receiver: OTLPReceiver, protocol: str) -> None:
    code = SESSION_THEN_WAIT.format(tail="raise ValueError('model said no')")
    result = run_script(tmp_path, code, otlp_env(receiver, protocol))
    assert result.returncode == 1
    assert "ValueError: model said no" in result.stderr  # the default excepthook still ran
    root = root_span(receiver)
    assert root["status_code"] == "ERROR"
    assert root["status_message"] == "ValueError: model said no"
    assert root["attributes"]["agentops.session.end_state"] == "Fail"  # type: ignore[index]


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_sigterm_ends_the_session_fail_and_the_process_dies_by_the_signal(
    tmp_path: Path, receiver: OTLPReceiver, protocol: str
) -> None:
    process = start_script(tmp_path, SESSION_THEN_WAIT.format(tail="time.sleep(60)"), otlp_env(receiver, protocol))
    assert process.stdout is not None and process.stdout.readline().strip() == "READY"
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGTERM
    root = root_span(receiver)
    assert root["status_code"] == "ERROR"
    assert root["status_message"] == "Signal SIGTERM detected"
    assert root["attributes"]["agentops.session.end_state"] == "Fail"  # type: ignore[index]


def test_sigint_ends_the_session_fail_then_raises_keyboard_interrupt(tmp_path: Path, receiver: OTLPReceiver) -> None:
    process = start_script(tmp_path, SESSION_THEN_WAIT.format(tail="time.sleep(60)"), otlp_env(receiver, "grpc"))
    assert process.stdout is not None and process.stdout.readline().strip() == "READY"
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert "KeyboardInterrupt" in stderr
    assert root_span(receiver)["status_message"] == "Signal SIGINT detected"


def test_the_applications_own_signal_handler_still_runs(tmp_path: Path, receiver: OTLPReceiver) -> None:
    app_handler = textwrap.dedent(
        """
        import signal, sys
        def graceful(signum, frame):
            print("app handler ran", flush=True)
            sys.exit(3)
        signal.signal(signal.SIGTERM, graceful)
        """
    )
    code = app_handler + textwrap.dedent(SESSION_THEN_WAIT.format(tail="time.sleep(60)"))
    process = start_script(tmp_path, code, otlp_env(receiver, "http/protobuf"))
    assert process.stdout is not None and process.stdout.readline().strip() == "READY"
    process.send_signal(signal.SIGTERM)
    stdout, _ = process.communicate(timeout=30)
    assert process.returncode == 3
    assert "app handler ran" in stdout
    assert root_span(receiver)["status_message"] == "Signal SIGTERM detected"


def test_agentops_quiet_silences_the_summary_line(tmp_path: Path) -> None:
    result = run_script(
        tmp_path, SESSION_THEN_WAIT.format(tail="agentops.end_session('Success')"), {"AGENTOPS_QUIET": "1"}
    )
    assert result.returncode == 0
    assert "Session " not in result.stderr
    loud = run_script(tmp_path, SESSION_THEN_WAIT.format(tail="agentops.end_session('Success')"))
    assert "agentops-otel: Session " in loud.stderr and ": Success, " in loud.stderr and " spans" in loud.stderr


def test_a_closed_collector_port_is_a_warning_and_the_program_still_exits(tmp_path: Path) -> None:
    env = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9",  # discard port: nothing listens
        "AGENTOPS_FLUSH_TIMEOUT": "1500",
    }
    result = run_script(tmp_path, SESSION_THEN_WAIT.format(tail="agentops.end_session('Success')"), env, timeout=30)
    assert result.returncode == 0
    assert "READY" in result.stdout
    assert "could not export all telemetry within 1.5 s" in result.stderr
