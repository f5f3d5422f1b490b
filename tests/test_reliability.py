"""Collector outages and error replies, forks and crashing threads: real processes on loopback.

The tests synchronise on events, never on sleeps: a line the application prints, an export
request the receiver refused. (The workloads' own short sleeps only pace their sessions.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.llm_server import LLMServer
from tests.support.otlp_receiver import OTLPReceiver
from tests.support.scripts import PROTOCOLS, OutputLines, otlp_env, run_script, start_script

SESSIONS = 30
WORKLOAD = f"""
    import sys, time
    import agentops_otel as agentops
    from opentelemetry import trace
    agentops.init(auto_start_session=False, max_wait_time=100)
    tracer = trace.get_tracer("app")
    print("STARTED", flush=True)
    for index in range({SESSIONS}):
        with agentops.start_session([str(index)]):
            with tracer.start_as_current_span(f"work {{index}}"):
                time.sleep(0.1)
    print("DONE", flush=True)
"""
ONE_WARNING = "could not export"
# The same sessions, each making a real LLM call (openai client -> the local LLM server).
LLM_WORKLOAD = f"""
    import time
    import openai
    import agentops_otel as agentops
    from opentelemetry import trace
    agentops.init(auto_start_session=False, max_wait_time=100)
    tracer = trace.get_tracer("app")
    llm, calls_ok = openai.OpenAI(max_retries=0), 0
    print("STARTED", flush=True)
    for index in range({SESSIONS}):
        with agentops.start_session([str(index)]):
            with tracer.start_as_current_span(f"work {{index}}"):
                time.sleep(0.1)
                reply = llm.chat.completions.create(model="gpt-4o-mini", messages=[{{"role": "user", "content": "hi"}}])
                calls_ok += reply.choices[0].message.content == "Hello from the test server"
        print("ENDED", index, flush=True)
    print("DONE", calls_ok, flush=True)
"""


def span_names(receiver: OTLPReceiver) -> list[str]:
    return [span["name"] for span in receiver.spans()]


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_collector_restart_loses_no_span_and_fails_no_llm_call(
    tmp_path: Path, receiver: OTLPReceiver, protocol: str
) -> None:
    with LLMServer() as llm:
        env = {
            **otlp_env(receiver, protocol),
            "AGENTOPS_FLUSH_TIMEOUT": "20000",
            "AGENTOPS_QUIET": "1",
            "OPENAI_BASE_URL": llm.openai_base_url,
            "OPENAI_API_KEY": "test",
        }
        process = start_script(tmp_path, LLM_WORKLOAD, env)
        output = OutputLines(process)
        output.wait_for("ENDED 2")
        receiver.kill()  # a crashed collector, with sessions done and more to come
        output.wait_for(f"ENDED {SESSIONS // 2}")  # half the run happens while it is away
        receiver.restart()
        output.wait_for(f"DONE {SESSIONS}")  # every LLM call succeeded while the collector was away
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    spans = receiver.wait_for_spans(lambda found: len({s["span_id"] for s in found}) >= 3 * SESSIONS, timeout=30)
    unique = {span["span_id"]: span for span in spans}
    assert len(unique) == 3 * SESSIONS  # every session root, work span and LLM span arrived
    assert sorted(span["name"] for span in unique.values() if span["name"].startswith("work")) == sorted(
        f"work {index}" for index in range(SESSIONS)
    )
    assert sum(span["name"] == "chat gpt-4o-mini" for span in unique.values()) == SESSIONS
    assert "Traceback" not in stderr


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_collector_down_for_the_whole_run_is_one_warning_and_a_bounded_exit(tmp_path: Path, protocol: str) -> None:
    endpoint = "http://127.0.0.1:9"  # discard port: nothing listens
    env = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
        "OTEL_EXPORTER_OTLP_PROTOCOL": protocol,
        "AGENTOPS_FLUSH_TIMEOUT": "2000",
        "AGENTOPS_QUIET": "1",
    }
    result = run_script(tmp_path, WORKLOAD, env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "DONE" in result.stdout
    assert result.stderr.count(ONE_WARNING) == 1, result.stderr
    assert "Transient error" not in result.stderr  # the exporter's per-retry lines are held back
    assert "could not export all telemetry within 2.0 s" in result.stderr  # the bounded exit says what it dropped


@pytest.mark.parametrize(
    ("fail_mode", "protocol"),
    [("unavailable", "grpc"), ("unavailable", "http/protobuf"), ("exhausted", "grpc"), ("exhausted", "http/protobuf")],
)
def test_retryable_error_replies_are_retried_until_the_collector_accepts(
    tmp_path: Path, fail_mode: str, protocol: str
) -> None:
    with OTLPReceiver(tmp_path / "received.jsonl", fail_mode=fail_mode) as receiver:
        env = {**otlp_env(receiver, protocol), "AGENTOPS_FLUSH_TIMEOUT": "20000", "AGENTOPS_QUIET": "1"}
        code = WORKLOAD.replace(f"range({SESSIONS})", "range(3)")
        process = start_script(tmp_path, code, env)
        receiver.wait_for_refusals(2)  # the first batch met the error reply, and was retried
        receiver.fail_mode = "none"
        receiver.restart()
        _, stderr = process.communicate(timeout=60)
        assert process.returncode == 0, stderr
        spans = receiver.wait_for_spans(lambda found: len({s["span_id"] for s in found}) >= 6, timeout=30)
        assert sorted({span["name"] for span in spans}) == ["session", "work 0", "work 1", "work 2"]


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_rejected_batch_is_dropped_with_one_warning(tmp_path: Path, protocol: str) -> None:
    with OTLPReceiver(tmp_path / "received.jsonl", fail_mode="bad_request") as receiver:
        env = {**otlp_env(receiver, protocol), "AGENTOPS_QUIET": "1"}
        result = run_script(tmp_path, WORKLOAD.replace(f"range({SESSIONS})", "range(5)"), env, timeout=60)
        assert result.returncode == 0, result.stderr
        assert result.stderr.count(ONE_WARNING) == 1, result.stderr
        assert "INVALID_ARGUMENT" in result.stderr or "400" in result.stderr  # the reason is quoted
        assert receiver.spans() == []


def test_fork_after_init_keeps_each_processs_sessions_its_own(tmp_path: Path, receiver: OTLPReceiver) -> None:
    code = """
        import os, sys
        import agentops_otel as agentops
        from opentelemetry import trace
        parent_session = agentops.init(default_tags=["parent"])
        pid = os.fork()
        if pid == 0:  # the child, like a pre-fork server's worker
            assert agentops.get_session(parent_session.session_id) is None
            with agentops.start_session(["child"]) as child:
                with trace.get_tracer("worker").start_as_current_span("child work"):
                    pass
            print("CHILD", child.session_id, flush=True)
            sys.exit(0)
        _, status = os.waitpid(pid, 0)
        assert status == 0
        with parent_session:
            with trace.get_tracer("main").start_as_current_span("parent work"):
                pass
        print("PARENT", parent_session.session_id, flush=True)
    """
    result = run_script(tmp_path, code, otlp_env(receiver, "grpc"))
    assert result.returncode == 0, result.stderr
    ids = dict(line.split() for line in result.stdout.splitlines())
    spans = receiver.wait_for_spans(lambda found: len(found) >= 4)
    roots = [span for span in spans if span["name"] == "session"]
    assert sorted(root["attributes"]["session.id"] for root in roots) == sorted(ids.values())
    for root in roots:  # each ended once, by its own process, as Success
        assert root["attributes"]["agentops.session.end_state"] == "Success"
    works = {span["name"]: span["attributes"]["session.id"] for span in spans if span["name"] != "session"}
    assert works == {"child work": ids["CHILD"], "parent work": ids["PARENT"]}


def test_an_uncaught_exception_in_a_wrapped_thread_fails_only_that_session(tmp_path: Path) -> None:
    code = """
        import threading
        import agentops_otel as agentops
        agentops.init(auto_start_session=False, exporter="none")
        crashed, healthy = agentops.start_session(), agentops.start_session()
        def work():
            raise RuntimeError("tool exploded")
        worker = threading.Thread(target=crashed.wrap(work))
        worker.start(); worker.join()
        plain = threading.Thread(target=work)   # not working for any session: no session ends
        plain.start(); plain.join()
        quitter = threading.Thread(target=healthy.wrap(lambda: exit(3)))   # SystemExit ends only the thread
        quitter.start(); quitter.join()
        print(crashed.end_state, crashed.end_state_reason, "|", healthy.end_state)
    """
    result = run_script(tmp_path, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Fail RuntimeError: tool exploded | None"
    assert result.stderr.count("RuntimeError: tool exploded") >= 2  # Python's own thread hook still printed both
    assert "Session " in result.stderr and ": Indeterminate" in result.stderr  # healthy ended at exit
