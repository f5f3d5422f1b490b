"""Process exit, signals and uncaught exceptions, in real subprocesses exporting to a real receiver."""

from __future__ import annotations

import signal
import socket
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


LOCK_HELD_AT_SIGNAL = """
    import os, signal, sys, time
    import agentops_otel as agentops
    from agentops_otel.registry import registry
    session = agentops.init()
    session.record(agentops.ToolEvent(name="lookup"))
    with {lock}:
        os.kill(os.getpid(), signal.{signal})  # our handler runs here, on this thread, inside the lock
        time.sleep(0.2)
    time.sleep(60)
"""


@pytest.mark.parametrize("lock", ["session._lock", "registry._lock", "session.span._lock"])
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_while_the_main_thread_holds_a_lock_ends_the_session_and_exits(
    tmp_path: Path, receiver: OTLPReceiver, signum: signal.Signals, lock: str
) -> None:
    code = LOCK_HELD_AT_SIGNAL.format(lock=lock, signal=signum.name)
    process = start_script(tmp_path, code, otlp_env(receiver, "grpc"))
    _, stderr = process.communicate(timeout=30)  # before the fix: the handler waited on the lock forever
    assert process.returncode == -signum, stderr
    root = root_span(receiver)
    assert root["status_message"] == f"Signal {signum.name} detected"
    assert root["attributes"]["agentops.session.tool_calls"] == 1  # type: ignore[index]


def test_a_signal_during_heavy_tagging_does_not_hang(tmp_path: Path) -> None:
    code = """
        import agentops_otel as agentops
        session = agentops.init()
        tags = [f"tag-{i}" for i in range(3000)]
        print("READY", flush=True)
        while True:
            session.add_tags(tags)
    """
    process = start_script(tmp_path, code, {"AGENTOPS_FLUSH_TIMEOUT": "2000"})
    assert process.stdout is not None and process.stdout.readline().strip() == "READY"
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == -signal.SIGINT, stderr
    assert "KeyboardInterrupt" in stderr


class SilentCollector:
    """A TCP port that accepts connections and never answers: the slowest collector there is."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.socket.getsockname()[1]}"

    def __enter__(self) -> SilentCollector:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.socket.close()


def test_one_flush_deadline_per_exit_when_the_application_handles_sigterm(tmp_path: Path) -> None:
    app_handler = """
        import signal, sys
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(3))
    """
    code = textwrap.dedent(app_handler) + textwrap.dedent(SESSION_THEN_WAIT.format(tail="time.sleep(60)"))
    with SilentCollector() as collector:
        env = {"OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint, "AGENTOPS_FLUSH_TIMEOUT": "1500"}
        process = start_script(tmp_path, code, env)
        assert process.stdout is not None and process.stdout.readline().strip() == "READY"
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 3
    # Before: the signal's flush waited 1.5 s, then the atexit hook waited 1.5 s more, warning twice.
    assert stderr.count("could not export all telemetry within 1.5 s") == 1, stderr


MULTIPROCESSING_SESSIONS = """
    import multiprocessing
    import agentops_otel as agentops

    def work(number):
        session = agentops.start_session(tags=[f"child-{number}"])
        session.record(agentops.ToolEvent(name="lookup"))
        session.end_session("Success")
        return number

    if __name__ == "__main__":
        agentops.init(auto_start_session=False)
        context = multiprocessing.get_context("fork")
        child = context.Process(target=work, args=(0,))
        child.start()
        child.join()
        pool = context.Pool(2)
        assert pool.map(work, [1, 2]) == [1, 2]
        pool.close()
        pool.join()
"""


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_sessions_run_in_forked_multiprocessing_children_are_exported(
    tmp_path: Path, receiver: OTLPReceiver, protocol: str
) -> None:
    result = run_script(tmp_path, MULTIPROCESSING_SESSIONS, otlp_env(receiver, protocol))
    assert result.returncode == 0, result.stderr
    spans = receiver.wait_for_spans(lambda found: sum(s["name"] == "session" for s in found) == 3)
    roots = [span for span in spans if span["name"] == "session"]
    assert sorted(root["attributes"]["agentops.session.tags"][0] for root in roots) == [  # type: ignore[index]
        "child-0",
        "child-1",
        "child-2",
    ]
    assert sum(span["name"] == "execute_tool lookup" for span in spans) == 3


CHILD_INITIALISES = """
    import multiprocessing
    import agentops_otel as agentops

    def work(number):
        agentops.init(auto_start_session=False)  # the child sets up recording itself
        session = agentops.start_session(tags=[f"child-{{number}}"])
        session.record(agentops.ToolEvent(name="lookup"))
        session.end_session("Success")

    if __name__ == "__main__":
        context = multiprocessing.get_context("{method}")
        children = [context.Process(target=work, args=(number,)) for number in range(2)]
        for child in children:
            child.start()
        for child in children:
            child.join()
"""


@pytest.mark.parametrize("method", ["fork", "forkserver", "spawn"])
def test_a_multiprocessing_child_that_calls_init_itself_exports_its_sessions(
    tmp_path: Path, receiver: OTLPReceiver, method: str
) -> None:
    result = run_script(tmp_path, CHILD_INITIALISES.format(method=method), otlp_env(receiver, "http/protobuf"))
    assert result.returncode == 0, result.stderr
    spans = receiver.wait_for_spans(lambda found: sum(s["name"] == "session" for s in found) == 2)
    assert sorted(s["attributes"]["agentops.session.tags"][0] for s in spans if s["name"] == "session") == [  # type: ignore[index]
        "child-0",
        "child-1",
    ]
