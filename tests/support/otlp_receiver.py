"""A real OTLP trace receiver (gRPC + HTTP) running as its own process.

Exporting over real sockets to a separate process lets tests exercise retries and
faults (kill, restart on the same ports, error replies) as against a real collector.
Run ``python -m tests.support.otlp_receiver --out FILE`` from the repository root,
or use :class:`OTLPReceiver` from fixtures. Each received span becomes one JSON line.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent import futures
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO, final

import grpc
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2, metrics_service_pb2_grpc
from opentelemetry.proto.collector.trace.v1 import (
    trace_service_pb2,
    trace_service_pb2_grpc,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

SpanDict = dict[str, Any]
Failure = tuple[grpc.StatusCode, int]
ExportRequest = trace_service_pb2.ExportTraceServiceRequest
ExportResponse = trace_service_pb2.ExportTraceServiceResponse

REPO_ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
# fail mode -> (gRPC status code, HTTP status); None means accept and record.
FAIL_MODES: dict[str, Failure | None] = {
    "none": None,
    "unavailable": (grpc.StatusCode.UNAVAILABLE, 503),
    "exhausted": (grpc.StatusCode.RESOURCE_EXHAUSTED, 429),
    "bad_request": (grpc.StatusCode.INVALID_ARGUMENT, 400),
}
# reply mode -> how a request that is not failed is answered:
#   otlp: record every span, plain success; partial_success: record nothing and answer 200/OK with
#   partial_success.rejected_spans = all of them; not_otlp (HTTP): record nothing and answer 200 with
#   an HTML page, as a misconfigured proxy does (gRPC answers as in otlp mode).
REPLY_MODES = ("otlp", "partial_success", "not_otlp")
PARTIAL_SUCCESS_MESSAGE = "otlp_receiver rejects every span"
NOT_OTLP_BODY = b"<html><body><h1>Welcome to nginx!</h1></body></html>"
_READY = re.compile(r"READY grpc=(\d+) http=(\d+)")


def any_value_to_python(value: AnyValue) -> Any:
    """Turn an OTLP ``AnyValue`` into plain JSON-compatible Python so tests compare natively."""
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [any_value_to_python(item) for item in value.array_value.values]
    if kind == "kvlist_value":
        return attributes_to_dict(value.kvlist_value.values)
    if kind == "bytes_value":
        return value.bytes_value.hex()
    return None if kind is None else getattr(value, kind)


def attributes_to_dict(attributes: Iterable[KeyValue]) -> dict[str, Any]:
    return {kv.key: any_value_to_python(kv.value) for kv in attributes}


def request_to_spans(request: ExportRequest, transport: str) -> list[SpanDict]:
    """One self-contained dict per span (resource and scope inlined) so assertions need no joins."""
    return [
        {
            "trace_id": span.trace_id.hex(),
            "span_id": span.span_id.hex(),
            "parent_span_id": span.parent_span_id.hex(),
            "name": span.name,
            "kind": Span.SpanKind.Name(span.kind).removeprefix("SPAN_KIND_"),
            "status_code": Status.StatusCode.Name(span.status.code).removeprefix("STATUS_CODE_"),
            "status_message": span.status.message,
            "start_time_unix_nano": span.start_time_unix_nano,
            "end_time_unix_nano": span.end_time_unix_nano,
            "attributes": attributes_to_dict(span.attributes),
            "events": [
                {
                    "name": event.name,
                    "attributes": attributes_to_dict(event.attributes),
                    "time_unix_nano": event.time_unix_nano,
                }
                for event in span.events
            ],
            "links": [
                {
                    "trace_id": link.trace_id.hex(),
                    "span_id": link.span_id.hex(),
                    "attributes": attributes_to_dict(link.attributes),
                }
                for link in span.links
            ],
            "resource": attributes_to_dict(resource_spans.resource.attributes),
            "scope": scope_spans.scope.name,
            "transport": transport,
        }
        for resource_spans in request.resource_spans
        for scope_spans in resource_spans.scope_spans
        for span in scope_spans.spans
    ]


MetricsRequest = metrics_service_pb2.ExportMetricsServiceRequest


def metrics_request_to_records(request: MetricsRequest, transport: str) -> list[SpanDict]:
    """One plain dict per metric data point: name, kind, attributes and its numbers."""
    records: list[SpanDict] = []
    for resource_metrics in request.resource_metrics:
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                kind = metric.WhichOneof("data")
                for point in getattr(metric, kind).data_points:
                    record: SpanDict = {
                        "name": metric.name,
                        "unit": metric.unit,
                        "kind": kind,
                        "attributes": attributes_to_dict(point.attributes),
                        "scope": scope_metrics.scope.name,
                        "transport": transport,
                    }
                    if kind in ("histogram", "exponential_histogram"):
                        record.update(count=point.count, sum=point.sum)
                    if kind == "histogram":
                        record.update(bounds=list(point.explicit_bounds), buckets=list(point.bucket_counts))
                    if kind in ("sum", "gauge"):
                        record["value"] = getattr(point, point.WhichOneof("value"))
                    records.append(record)
    return records


class _SpanSink:
    """Appends spans as JSON lines, flushed before the response so a finished export is already readable."""

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self._lock = threading.Lock()
        if out.seek(0, os.SEEK_END) > 0:
            out.seek(-1, os.SEEK_END)
            if out.read(1) != b"\n":  # a SIGKILL tore the last line; don't glue new spans onto it
                out.write(b"\n")

    def record(self, request: ExportRequest, transport: str) -> None:
        self.write(request_to_spans(request, transport))

    def write(self, records: list[SpanDict]) -> None:
        data = "".join(json.dumps(record) + "\n" for record in records).encode()
        with self._lock:
            self._out.write(data)
            self._out.flush()


def _accept(sink: _SpanSink, request: ExportRequest, transport: str, reply: str) -> ExportResponse:
    """Record the spans (reply mode otlp), or reject them all as a partial success."""
    if reply != "partial_success":
        sink.record(request, transport)
        return ExportResponse()
    rejected = sum(len(scope.spans) for resource in request.resource_spans for scope in resource.scope_spans)
    response = ExportResponse()
    response.partial_success.rejected_spans = rejected
    response.partial_success.error_message = PARTIAL_SUCCESS_MESSAGE
    return response


class _TraceService(trace_service_pb2_grpc.TraceServiceServicer):
    def __init__(self, sink: _SpanSink, failure: Failure | None, reply: str, refused: _SpanSink) -> None:
        self._sink, self._failure, self._reply, self._refused = sink, failure, reply, refused

    def Export(self, request: ExportRequest, context: grpc.ServicerContext) -> ExportResponse:  # noqa: N802 (gRPC API)
        if self._failure is not None:
            self._refused.write([{"transport": "grpc"}])
            context.abort(self._failure[0], "otlp_receiver fail mode")
        return _accept(self._sink, request, "grpc", self._reply)


class _MetricsService(metrics_service_pb2_grpc.MetricsServiceServicer):
    def __init__(self, sink: _SpanSink) -> None:
        self._sink = sink

    def Export(  # noqa: N802 (gRPC API)
        self, request: MetricsRequest, context: grpc.ServicerContext
    ) -> metrics_service_pb2.ExportMetricsServiceResponse:
        self._sink.write(metrics_request_to_records(request, "grpc"))
        return metrics_service_pb2.ExportMetricsServiceResponse()


class _HTTPServer(ThreadingHTTPServer):
    allow_reuse_address = True  # SO_REUSEADDR: rebind a fixed port right after a kill

    def __init__(
        self, port: int, sinks: tuple[_SpanSink, _SpanSink, _SpanSink], failure: Failure | None, reply: str
    ) -> None:
        super().__init__((HOST, port), _HTTPHandler)
        self.sink, self.metric_sink, self.refused = sinks
        self.failure, self.reply = failure, reply


class _HTTPHandler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"  # keep-alive, like a real collector

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/v1/metrics":
            return self._record_metrics(body)
        if self.path != "/v1/traces":
            return self._reply(404)
        if self.server.failure is not None:
            self.server.refused.write([{"transport": "http"}])
            status = self.server.failure[1]
            return self._reply(status, {"Retry-After": "1"} if status in (429, 503) else {})
        request = ExportRequest()
        try:
            if self.headers.get("Content-Encoding", "").lower() == "gzip":
                body = gzip.decompress(body)
            request.ParseFromString(body)
        except (OSError, EOFError, DecodeError):
            return self._reply(400)
        if self.server.reply == "not_otlp":
            return self._reply(200, {"Content-Type": "text/html"}, NOT_OTLP_BODY)
        self._reply(200, payload=_accept(self.server.sink, request, "http", self.server.reply).SerializeToString())

    def _record_metrics(self, body: bytes) -> None:
        """Metrics are recorded (to their own file) whatever the fail mode: the fault tests are about spans."""
        request = MetricsRequest()
        try:
            request.ParseFromString(gzip.decompress(body) if self.headers.get("Content-Encoding") == "gzip" else body)
        except (OSError, EOFError, DecodeError):
            return self._reply(400)
        self.server.metric_sink.write(metrics_request_to_records(request, "http"))
        self._reply(200)

    def _reply(self, status: int, headers: dict[str, str] | None = None, payload: bytes = b"") -> None:
        self.send_response(status)
        for name, value in {"Content-Type": "application/x-protobuf", **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request access logs; stderr is kept for real errors."""


def _stop_on_stdin_eof(stop: threading.Event) -> None:
    """The parent holds our stdin open; EOF means it died, so don't linger holding the ports."""
    sys.stdin.buffer.read()
    stop.set()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Record OTLP trace exports as JSON lines.")
    parser.add_argument("--out", type=Path, required=True, help="JSON-lines file to append spans to")
    parser.add_argument("--grpc-port", type=int, default=0)
    parser.add_argument("--http-port", type=int, default=0)
    parser.add_argument("--fail-mode", choices=list(FAIL_MODES), default="none")
    parser.add_argument("--reply", choices=REPLY_MODES, default="otlp", help="how accepted requests are answered")
    parser.add_argument("--stop-on-stdin-eof", action="store_true", help="exit when stdin closes")
    args = parser.parse_args(argv)
    failure = FAIL_MODES[args.fail_mode]
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    metrics_path = args.out.with_name(args.out.name + ".metrics")
    refused_path = args.out.with_name(args.out.name + ".refused")
    # Append: restarts keep earlier data.
    with args.out.open("a+b") as out, metrics_path.open("a+b") as metrics_out, refused_path.open("a+b") as refused:
        sink, metric_sink, refused_sink = _SpanSink(out), _SpanSink(metrics_out), _SpanSink(refused)
        # so_reuseport=0 (gRPC defaults to 1): a port clash must fail, not silently share the port.
        grpc_server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), options=[("grpc.so_reuseport", 0)])
        service = _TraceService(sink, failure, args.reply, refused_sink)
        trace_service_pb2_grpc.add_TraceServiceServicer_to_server(service, grpc_server)  # type: ignore[no-untyped-call]
        metrics_service_pb2_grpc.add_MetricsServiceServicer_to_server(  # type: ignore[no-untyped-call]
            _MetricsService(metric_sink), grpc_server
        )
        grpc_port = grpc_server.add_insecure_port(f"{HOST}:{args.grpc_port}")  # raises if taken
        http_server = _HTTPServer(args.http_port, (sink, metric_sink, refused_sink), failure, args.reply)
        grpc_server.start()
        # A short poll interval keeps shutdown() (and so every fixture teardown) fast.
        threading.Thread(target=http_server.serve_forever, args=(0.05,), daemon=True).start()
        if args.stop_on_stdin_eof:
            threading.Thread(target=_stop_on_stdin_eof, args=(stop,), daemon=True).start()
        print(f"READY grpc={grpc_port} http={http_server.server_port}", flush=True)
        stop.wait()
        http_server.shutdown()
        http_server.server_close()
        grpc_server.stop(grace=1).wait(timeout=5)
    return 0


@final  # fixtures compose it rather than subclass; lets __enter__ return the class
class OTLPReceiver:
    """Runs the receiver as a child process so tests can kill, restart and fault it like a real collector."""

    def __init__(
        self, out_path: Path, grpc_port: int = 0, http_port: int = 0, fail_mode: str = "none", reply: str = "otlp"
    ) -> None:
        if fail_mode not in FAIL_MODES:
            raise ValueError(f"unknown fail_mode {fail_mode!r}; expected one of {list(FAIL_MODES)}")
        if reply not in REPLY_MODES:
            raise ValueError(f"unknown reply {reply!r}; expected one of {REPLY_MODES}")
        self.reply = reply
        self.out_path = Path(out_path).resolve()
        self.stderr_path = self.out_path.with_name(self.out_path.name + ".stderr")
        self.fail_mode = fail_mode
        self._requested_ports = (grpc_port, http_port)
        self._ports: tuple[int, int] | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 10.0) -> OTLPReceiver:
        """Spawn the process and wait for READY; once ports are bound, later starts reuse them."""
        if self._proc is not None:
            if self._proc.poll() is None:
                raise RuntimeError("OTLPReceiver is already running")
            self.stop()  # reap the previous (killed) process and close its pipes
        grpc_port, http_port = self._ports or self._requested_ports
        # stderr goes to an append-only file: the child can never block on it and it survives restarts.
        with self.stderr_path.open("ab") as stderr:
            self._proc = proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "tests.support.otlp_receiver",
                    "--out",
                    str(self.out_path),
                    "--grpc-port",
                    str(grpc_port),
                    "--http-port",
                    str(http_port),
                    "--fail-mode",
                    self.fail_mode,
                    "--reply",
                    self.reply,
                    "--stop-on-stdin-eof",
                ],
                cwd=REPO_ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
            )
        stdout = proc.stdout
        assert stdout is not None
        lines: queue.Queue[bytes] = queue.Queue()
        threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
        try:
            ready = _READY.fullmatch(lines.get(timeout=timeout).decode().strip())
        except queue.Empty:
            ready = None
        if ready is None:
            self.kill()
            raise RuntimeError(
                f"OTLP receiver not ready within {timeout}s (exit code {proc.returncode}); "
                f"stderr:\n{self._stderr_tail()}"
            )
        self._ports = (int(ready[1]), int(ready[2]))
        return self

    def stop(self) -> None:
        """SIGTERM for a graceful shutdown, escalating to SIGKILL after 5 s so teardown stays bounded."""
        if self._proc is None:
            return
        self._proc.terminate()  # like kill(), a no-op once the process has exited
        try:
            self._proc.communicate(timeout=5)  # also closes our ends of its pipes
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.communicate(timeout=5)

    def kill(self) -> None:
        """SIGKILL: a crashed collector, with no graceful shutdown of open connections."""
        if self._proc is not None:
            self._proc.kill()
            self._proc.communicate(timeout=5)

    def restart(self, timeout: float = 10.0) -> OTLPReceiver:
        """Start again on the same ports, appending to the same file (stopping first if still alive)."""
        self.stop()
        return self.start(timeout)

    @property
    def grpc_port(self) -> int:
        return self._bound_ports()[0]

    @property
    def http_port(self) -> int:
        return self._bound_ports()[1]

    @property
    def grpc_endpoint(self) -> str:
        return f"{HOST}:{self.grpc_port}"

    @property
    def http_endpoint(self) -> str:
        return f"http://{HOST}:{self.http_port}"

    @property
    def http_traces_endpoint(self) -> str:
        return f"{self.http_endpoint}/v1/traces"

    def spans(self) -> list[SpanDict]:
        """Spans recorded so far, skipping a line torn by a kill or still being written."""
        return _read_records(self.out_path)

    @property
    def metrics_path(self) -> Path:
        return self.out_path.with_name(self.out_path.name + ".metrics")

    def metric_points(self) -> list[SpanDict]:
        """Metric data points recorded so far (one dict per point, see ``metrics_request_to_records``)."""
        return _read_records(self.metrics_path)

    def refused_requests(self) -> int:
        """Trace export requests answered with the fail mode's error so far (restarts included)."""
        return len(_read_records(self.out_path.with_name(self.out_path.name + ".refused")))

    def wait_for_refusals(self, count: int, timeout: float = 30.0) -> None:
        """Wait until `count` export requests met the fail mode's error: the exporter has seen it."""
        deadline = time.monotonic() + timeout
        while self.refused_requests() < count:
            if time.monotonic() >= deadline:
                raise AssertionError(f"{self.refused_requests()} of {count} export requests refused after {timeout}s")
            time.sleep(0.05)

    def wait_for_spans(self, predicate: Callable[[list[SpanDict]], bool], timeout: float = 10.0) -> list[SpanDict]:
        """Poll every 50 ms until ``predicate(spans)`` holds, for exporters that deliver asynchronously."""
        deadline = time.monotonic() + timeout
        while True:
            spans = self.spans()
            if predicate(spans):
                return spans
            if time.monotonic() >= deadline:
                names = [span["name"] for span in spans]
                raise AssertionError(
                    f"spans not as expected after {timeout}s; got {len(spans)}: {names}\n"
                    f"receiver stderr:\n{self._stderr_tail()}"
                )
            time.sleep(0.05)

    def __enter__(self) -> OTLPReceiver:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _bound_ports(self) -> tuple[int, int]:
        if self._ports is None:
            raise RuntimeError("OTLPReceiver has not been started")
        return self._ports

    def _stderr_tail(self) -> str:
        return self.stderr_path.read_text(errors="replace")[-4000:] if self.stderr_path.exists() else ""


def _read_records(path: Path) -> list[SpanDict]:
    if not path.exists():
        return []
    records: list[SpanDict] = []
    for line in path.read_bytes().splitlines():
        try:
            records.append(json.loads(line))
        except ValueError:
            continue
    return records


if __name__ == "__main__":
    sys.exit(main())
