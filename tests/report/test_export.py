"""`agentops-otel export`: a saved file sent to the project's real OTLP receiver, over both protocols."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from agentops_otel.report.reading import SpanFile
from tests.report.conftest import ExampleRun
from tests.support.otlp_receiver import OTLPReceiver
from tests.support.scripts import script_env


def export(*args: str | Path, stderr: Path | None = None) -> subprocess.Popen[str]:
    """``agentops-otel export ARGS`` started in a subprocess; stderr to a file when the test watches it live."""
    with stderr.open("w") if stderr else contextlib.nullcontext() as err:
        return subprocess.Popen(
            [sys.executable, "-m", "agentops_otel.report.cli", "export", *map(str, args)],
            env=script_env({"PYTHONIOENCODING": "utf-8"}),
            stdout=subprocess.PIPE,
            stderr=err or subprocess.PIPE,
            text=True,
        )


def finish(process: subprocess.Popen[str], timeout: float = 60) -> tuple[int, str, str]:
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    return process.returncode, out, err or ""


def with_a_bad_line(example_run: ExampleRun, tmp_path: Path) -> tuple[Path, int]:
    """The examples' file with a torn line in the middle; the number of that line."""
    lines = example_run.traces.read_text().splitlines(keepends=True)
    middle = len(lines) // 2
    path = tmp_path / "saved.jsonl"
    path.write_text("".join([*lines[:middle], '{"resourceSpans": [{"scopeSp\n', *lines[middle:]]))
    return path, middle + 1


@pytest.mark.parametrize("protocol", ["http/protobuf", "grpc"])
def test_every_readable_span_arrives_and_the_bad_line_is_named(
    example_run: ExampleRun, tmp_path: Path, protocol: str
) -> None:
    saved, bad_line = with_a_bad_line(example_run, tmp_path)
    expected = {
        (f"{span.context.span_id:016x}", span.name, span.attributes.get("session.id"))
        for span in SpanFile(example_run.traces).spans()
        if span.context and span.attributes is not None
    }
    with OTLPReceiver(tmp_path / "received.jsonl") as receiver:
        endpoint = f"http://{receiver.grpc_endpoint}" if protocol == "grpc" else receiver.http_endpoint
        options = ("--protocol", protocol, "--header", "x-team=agents", "--batch-size", "2")
        code, out, err = finish(export(saved, "--endpoint", endpoint, *options))
        assert code == 0, err
        reason = "not JSON (a truncated or corrupted line)"
        assert err == f"agentops-otel export: warning: skipped line {bad_line} of {saved}: {reason}\n"
        assert out == f"Sent {len(expected)} spans to {endpoint} ({protocol}); skipped 1 unreadable line.\n"
        received = receiver.spans()
    assert {(span["span_id"], span["name"], span["attributes"].get("session.id")) for span in received} == expected
    assert {span["transport"] for span in received} == {"grpc" if protocol == "grpc" else "http"}
    assert "agentops_otel" in {span["scope"] for span in received}  # the recording libraries are kept
    root = next(span for span in received if span["name"] == "session" and span["status_code"] == "ERROR")
    assert root["attributes"]["agentops.session.end_state"] == "Fail"
    assert root["status_message"] == "no hotel found"


def test_a_failed_attempt_is_retried_like_the_sdk_does(example_run: ExampleRun, tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:  # a collector that drops the first request
        port = listener.getsockname()[1]
        listener.settimeout(30)
        process = export(example_run.traces, "--endpoint", f"http://127.0.0.1:{port}", "--timeout", "30")
        connection, _ = listener.accept()  # the first attempt arrived...
        connection.close()  # ...and is dropped without an answer
    with OTLPReceiver(tmp_path / "received.jsonl", http_port=port) as receiver:  # the collector is back
        code, out, err = finish(process)
        assert code == 0, err
        assert len(receiver.spans()) == sum(1 for _ in SpanFile(example_run.traces).spans())
    assert out == f"Sent {len(receiver.spans())} spans to http://127.0.0.1:{port} (http/protobuf).\n"


def test_an_endpoint_that_never_accepts_exits_1_saying_what_was_sent(example_run: ExampleRun, tmp_path: Path) -> None:
    with OTLPReceiver(tmp_path / "refused.jsonl", fail_mode="bad_request") as receiver:
        code, out, err = finish(export(example_run.traces, "--endpoint", receiver.http_endpoint))
    assert code == 1 and out == ""
    assert err == (
        f"agentops-otel export: error: {receiver.http_endpoint} did not accept a batch of 10 spans within "
        "--timeout 10 s, retries included (0 spans sent before it)\n"
    )


def test_a_bad_header_is_refused(example_run: ExampleRun) -> None:
    code, _, err = finish(export(example_run.traces, "--endpoint", "http://127.0.0.1:9", "--header", "nonsense"))
    assert code == 2
    assert "argument --header: 'nonsense' is not a header: use NAME=VALUE" in err
