"""`agentops-otel export`: a saved file sent to the project's real OTLP receiver, over both protocols."""

from __future__ import annotations

import contextlib
import json
import os
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


@pytest.mark.parametrize("protocol", ["http/protobuf", "grpc"])
def test_metrics_are_sent_too(example_run: ExampleRun, tmp_path: Path, protocol: str) -> None:
    metrics = example_run.directory / "agentops-metrics.jsonl"
    saved = [json.loads(line) for line in metrics.read_text().splitlines()]
    expected = sorted(
        (metric["name"], kind)
        for line in saved
        for resource in line["resourceMetrics"]
        for scope in resource["scopeMetrics"]
        for metric in scope["metrics"]
        for kind in ("sum", "gauge", "histogram")
        if kind in metric
        for _ in metric[kind]["dataPoints"]
    )
    assert expected  # the examples recorded metrics
    with OTLPReceiver(tmp_path / "received.jsonl") as receiver:
        endpoint = f"http://{receiver.grpc_endpoint}" if protocol == "grpc" else receiver.http_endpoint
        code, out, err = finish(export(example_run.directory, "--endpoint", endpoint, "--protocol", protocol))
        assert code == 0, err
        assert err == ""  # the metric lines are sent, not skipped
        spans = sum(1 for _ in SpanFile(example_run.traces).spans())
        assert out == f"Sent {spans} spans and {len(expected)} metric points to {endpoint} ({protocol}).\n"
        points = receiver.metric_points()
    assert sorted((point["name"], point["kind"]) for point in points) == expected


def test_every_metric_kind_keeps_its_numbers(tmp_path: Path) -> None:
    from opentelemetry.exporter.otlp.json.file import FileMetricExporter
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
    from opentelemetry.sdk.metrics.view import ExponentialBucketHistogramAggregation, View

    saved = tmp_path / "metrics.jsonl"
    reader = PeriodicExportingMetricReader(FileMetricExporter(saved), export_interval_millis=3_600_000)
    exponential = View(instrument_name="latency.exp", aggregation=ExponentialBucketHistogramAggregation())
    provider = MeterProvider(metric_readers=[reader], views=[exponential])
    meter = provider.get_meter("bench")
    meter.create_histogram("gen_ai.client.token.usage").record(42, {"gen_ai.token.type": "input"})
    meter.create_histogram("gen_ai.client.token.usage").record(7, {"gen_ai.token.type": "output"})
    meter.create_histogram("latency.exp").record(0.25)
    meter.create_counter("calls").add(3)
    meter.create_up_down_counter("running").add(-1)
    provider.shutdown()  # one metrics line, written by the SDK's own JSON-lines file exporter
    with OTLPReceiver(tmp_path / "received.jsonl") as receiver:
        code, out, err = finish(export(saved, "--endpoint", receiver.http_endpoint))
        assert code == 0, err
        assert out == f"Sent 0 spans and 5 metric points to {receiver.http_endpoint} (http/protobuf).\n"
        points = {(point["name"], json.dumps(point["attributes"])): point for point in receiver.metric_points()}
    usage = points["gen_ai.client.token.usage", '{"gen_ai.token.type": "input"}']
    assert (usage["kind"], usage["count"], usage["sum"]) == ("histogram", 1, 42)
    assert sum(usage["buckets"]) == 1 and usage["bounds"][:3] == [0.0, 5.0, 10.0]
    assert (points["latency.exp", "{}"]["kind"], points["latency.exp", "{}"]["sum"]) == ("exponential_histogram", 0.25)
    assert (points["calls", "{}"]["kind"], points["calls", "{}"]["value"]) == ("sum", 3)
    assert points["running", "{}"]["value"] == -1


def test_a_terminal_gets_a_progress_bar(example_run: ExampleRun, tmp_path: Path) -> None:
    controller, terminal = os.openpty()  # stderr is a terminal: the bar is drawn
    try:
        with OTLPReceiver(tmp_path / "received.jsonl") as receiver:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "agentops_otel.report.cli",
                    "export",
                    str(example_run.traces),
                    "--endpoint",
                    receiver.http_endpoint,
                    "--batch-size",
                    "3",
                ],
                env=script_env({}),
                stdout=subprocess.PIPE,
                stderr=terminal,
                text=True,
            )
            code, _, _ = finish(process)
        os.close(terminal)
        terminal = -1
        drawn = b""
        while chunk := _read_available(controller):
            drawn += chunk
    finally:
        os.close(controller)
        if terminal != -1:
            os.close(terminal)
    assert code == 0
    frames = drawn.decode().replace("\r\n", "\n").split("\r")  # a terminal shows "\n" as "\r\n"
    assert frames[0] == "" and len(frames) == 1 + 4  # redrawn after each batch of 3 spans, and at the end
    assert frames[1].startswith("[") and frames[1].endswith("%  3 spans sent")
    assert frames[-1] == "[" + "#" * 30 + "] 100%  10 spans sent\n"


def _read_available(descriptor: int) -> bytes:
    try:
        return os.read(descriptor, 65536)
    except OSError:  # the terminal's other end is closed: all was read
        return b""
