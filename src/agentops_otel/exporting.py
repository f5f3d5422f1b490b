"""Where spans go: the embedded JSON-lines file by default, OTLP when an endpoint is configured.

Export runs on the BatchSpanProcessor's thread, never on the caller's. Flushing at exit is
bounded: a collector that is down costs the process at most ``AGENTOPS_FLUSH_TIMEOUT``. Lost
spans are reported by :mod:`agentops_otel.losses`.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from types import SimpleNamespace
from typing import Any, BinaryIO, NamedTuple, TypeVar

from opentelemetry.exporter.http.transport._base import BaseHTTPResult, BaseHTTPTransport
from opentelemetry.exporter.otlp.common._aggregation import _get_aggregation, _get_temporality
from opentelemetry.exporter.otlp.json.common.metrics_encoder import encode_metrics as encode_json_metrics
from opentelemetry.exporter.otlp.json.common.trace_encoder import encode_spans as encode_json_spans
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse
from opentelemetry.sdk.metrics.export import ConsoleMetricExporter, MetricExporter, MetricExportResult, MetricsData
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SpanExporter, SpanExportResult

from .config import Config, ExporterName
from .internal_errors import handle_internal_errors
from .losses import QueueGuardProcessor, Rejections, ReportingExporter, SpanLosses

logger = logging.getLogger("agentops_otel")
T = TypeVar("T")

_MIN_QUEUE_SIZE = 2048  # OpenTelemetry's default; AgentOps' 512 drops spans in bursts


def _otlp_protocol(environ: Mapping[str, str]) -> str:
    for variable in ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"):
        if environ.get(variable):
            return environ[variable].strip().lower()
    return "grpc"


def _grpc_spans(_config: Config) -> SpanExporter:
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

    class GrpcSpans(OTLPSpanExporter):
        """The gRPC exporter, reading each answer's partial success (the SDK discards the answer)."""

        def __init__(self) -> None:
            self.rejections = Rejections()  # before super(): it builds the stub
            super().__init__()

        def _initialize_channel_and_stub(self) -> None:  # also called again to reconnect
            super()._initialize_channel_and_stub()  # type: ignore[no-untyped-call]
            stub: Any = self._client

            def export(**call: Any) -> object:
                answer = stub.Export(**call)
                self.rejections.answered(answer.partial_success)
                return answer

            self._client = SimpleNamespace(Export=export)  # type: ignore[assignment]

    return GrpcSpans()


def _http_spans(_config: Config) -> SpanExporter:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    class HttpSpans(OTLPSpanExporter):
        """The HTTP exporter, reading each 2xx answer's body (the SDK takes any 2xx as success)."""

        def __init__(self) -> None:
            super().__init__()
            self.rejections = Rejections()
            client = self._client  # the SDK's HTTP client; its transport sends the requests
            client._transport = _ReadingTransport(client._transport, self.rejections)  # noqa: SLF001 - SDK pinned

    return HttpSpans()


class _ReadingTransport(BaseHTTPTransport):
    """Passes requests through and checks that a 2xx answer is an OTLP answer that took every span."""

    def __init__(self, transport: BaseHTTPTransport, rejections: Rejections) -> None:
        self._transport, self._rejections = transport, rejections

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        timeout: float | None = None,
        data: bytes | None = None,
    ) -> BaseHTTPResult:
        """Send, then read the answer's body if it says success."""
        result = self._transport.request(method, url, headers=headers, timeout=timeout, data=data)
        if result.status_code is not None and 200 <= result.status_code < 300:
            self._read(result)
        return result

    def _read(self, result: BaseHTTPResult) -> None:
        body = result.content()
        content_type = result.headers().get("Content-Type", "")
        answer = ExportTraceServiceResponse()
        try:
            if body and not content_type.startswith("application/x-protobuf"):
                raise ValueError(content_type)
            answer.ParseFromString(body)
        except Exception:  # not an OTLP answer: a proxy's page, or an endpoint that is not a collector
            self._rejections.refused(f"HTTP {result.status_code} with a {content_type or 'non-OTLP'} body, not OTLP")
            return
        self._rejections.answered(answer.partial_success)

    def close(self) -> None:
        """Close the wrapped transport."""
        self._transport.close()

    def is_connection_error(self, exception: Exception | None) -> bool:
        """As the wrapped transport says."""
        return self._transport.is_connection_error(exception)


def _grpc_metrics(_config: Config) -> MetricExporter:
    from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter

    return OTLPMetricExporter()


def _http_metrics(_config: Config) -> MetricExporter:
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

    return OTLPMetricExporter()


def _by_protocol(grpc: Callable[[Config], T], http: Callable[[Config], T]) -> Callable[[Config], T]:
    """The `otlp` choice: gRPC, or HTTP when ``OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf``."""

    def build(config: Config) -> T:
        protocol = _otlp_protocol(os.environ)
        if protocol not in ("grpc", "http/protobuf"):
            logger.warning("OTEL_EXPORTER_OTLP_PROTOCOL=%r is not supported; using grpc.", protocol)
        return http(config) if protocol == "http/protobuf" else grpc(config)

    return build


def _file_spans(config: Config) -> SpanExporter | None:
    return _open(SpanFile, config.traces_file, "spans")


class _AppendedLines:
    """Lines appended to a path that is reopened when it no longer names the open file.

    Deleted or rotated, writing on would lose everything into an unlinked inode. Unbuffered, so
    a failed write leaves nothing behind to flush; the failure (a full disk) is raised.
    """

    def __init__(self, path: str) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._file = self._open()

    def _open(self) -> BinaryIO:
        return open(self._path, "ab", buffering=0)

    def append(self, entry: Mapping[str, Any]) -> bool:
        """Append `entry` as one JSON line; False once closed."""
        line = memoryview((json.dumps(entry, separators=(",", ":")) + "\n").encode())
        with self._lock:
            if self._file.closed:
                return False
            if not self._names_open_file():
                self._file.close()
                self._file = self._open()
            while line:
                line = line[self._file.write(line) :]
        return True

    def _names_open_file(self) -> bool:
        try:
            on_disk = os.stat(self._path)
        except FileNotFoundError:
            return False
        opened = os.fstat(self._file.fileno())
        return (on_disk.st_dev, on_disk.st_ino) == (opened.st_dev, opened.st_ino)

    def close(self) -> None:
        with self._lock:
            self._file.close()


class SpanFile(SpanExporter):
    """OTLP JSON lines appended to a file, as ``opentelemetry-exporter-otlp-json-file`` writes them.

    Unlike that exporter it survives the file's deletion (:class:`_AppendedLines`), and a failed
    write raises to :class:`ReportingExporter`, one warning per outage, instead of logging a
    traceback per batch.
    """

    def __init__(self, path: str) -> None:
        self._lines = _AppendedLines(path)

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Append the batch as one line."""
        encoded = encode_json_spans(spans)
        if not encoded.resource_spans or self._lines.append(encoded.to_dict()):
            return SpanExportResult.SUCCESS
        return SpanExportResult.FAILURE

    def shutdown(self) -> None:
        """Close the file."""
        self._lines.close()


class MetricFile(MetricExporter):
    """The metrics twin of :class:`SpanFile`, in the format ``FileMetricExporter`` writes.

    Metrics have no :class:`ReportingExporter`: a failed write is one warning here, and one
    more when writing works again.
    """

    def __init__(self, path: str) -> None:
        super().__init__(preferred_temporality=_get_temporality(None), preferred_aggregation=_get_aggregation(None))
        self._path = path
        self._lines = _AppendedLines(path)
        self._failing = False

    def export(self, metrics_data: MetricsData, timeout_millis: float = 10_000, **_kwargs: Any) -> MetricExportResult:
        """Append the metrics as one line."""
        encoded = encode_json_metrics(metrics_data)
        try:
            written = not encoded.resource_metrics or self._lines.append(encoded.to_dict())
        except OSError as error:
            if not self._failing:
                logger.warning("agentops-otel cannot write metrics to %s (%s); will retry.", self._path, error)
            self._failing = True
            return MetricExportResult.FAILURE
        if self._failing:
            logger.warning("agentops-otel writes metrics again.")
            self._failing = False
        return MetricExportResult.SUCCESS if written else MetricExportResult.FAILURE

    def force_flush(self, timeout_millis: float = 10_000) -> bool:
        """Nothing is buffered."""
        return True

    def shutdown(self, timeout_millis: float = 30_000, **_kwargs: Any) -> None:
        """Close the file."""
        self._lines.close()


def _file_metrics(config: Config) -> MetricExporter | None:
    return _open(MetricFile, config.metrics_file, "metrics")


def _open(exporter: Callable[[str], T], path: str, what: str) -> T | None:
    try:
        return exporter(path)
    except OSError as error:
        logger.warning("Cannot write %s to %s (%s); they will not be exported.", what, path, error)
        return None


def _nothing(_config: Config) -> None:
    return None


class _Destination(NamedTuple):
    spans: Callable[[Config], SpanExporter | None]
    metrics: Callable[[Config], MetricExporter | None]


_DESTINATIONS: dict[ExporterName, _Destination] = {
    "otlp": _Destination(_by_protocol(_grpc_spans, _http_spans), _by_protocol(_grpc_metrics, _http_metrics)),
    "otlp_http": _Destination(_http_spans, _http_metrics),
    "file": _Destination(_file_spans, _file_metrics),
    "console": _Destination(lambda _config: ConsoleSpanExporter(), lambda _config: ConsoleMetricExporter()),
    "none": _Destination(_nothing, _nothing),
}


def otlp_endpoint_configured(environ: Mapping[str, str]) -> bool:
    """Whether the standard OTLP endpoint variables point somewhere."""
    return bool(environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))


def _destination_name(config: Config) -> ExporterName:
    if isinstance(config.exporter, str):
        return config.exporter
    return "otlp" if otlp_endpoint_configured(os.environ) else "file"


def build_span_exporter(config: Config) -> SpanExporter | None:
    """The exporter `config` asks for: an instance, a name, or OTLP if configured, else the file."""
    if isinstance(config.exporter, SpanExporter):
        return config.exporter
    return _DESTINATIONS[_destination_name(config)].spans(config)


def build_metric_exporter(config: Config) -> MetricExporter | None:
    """Metrics go where spans go; a span exporter instance says nothing about metrics: none then."""
    if isinstance(config.exporter, SpanExporter):
        return None
    return _DESTINATIONS[_destination_name(config)].metrics(config)


class ExportPipeline:
    """An exporter behind a BatchSpanProcessor, with flushes that cannot hang the process."""

    def __init__(self, exporter: SpanExporter, config: Config) -> None:
        self.losses = SpanLosses()
        self.exporter = ReportingExporter(exporter, self.losses)
        self.processor = QueueGuardProcessor(
            self.exporter,
            self.losses,
            max_queue_size=max(_MIN_QUEUE_SIZE, config.max_queue_size),
            schedule_delay_millis=config.max_wait_time,
            max_export_batch_size=config.max_queue_size,
        )

    def abort(self) -> None:
        """Stop the exporter's retries after a missed deadline; what it then fails is not news."""
        self.losses.quiet = True
        with handle_internal_errors("stopping the span exporter"):
            self.exporter.shutdown()


def run_within(action: Callable[[], object], timeout_millis: int) -> bool:
    """Run `action` on a helper thread; True if it finished within `timeout_millis`.

    The SDK's ``force_flush`` ignores its timeout and OTLP exporters retry for up to 10 s per
    batch, so a bounded wait has to happen here rather than inside the SDK. On a miss it warns
    once: the caller's program goes on (or exits), the rest of the queue is dropped.
    """
    finished = threading.Event()

    def run() -> None:
        try:
            with handle_internal_errors("exporting telemetry"):
                action()
        finally:
            finished.set()

    try:
        threading.Thread(target=run, name="agentops-otel-flush", daemon=True).start()
    except RuntimeError:  # no new threads at interpreter shutdown: run inline
        run()
    if finished.wait(timeout_millis / 1000):
        return True
    logger.warning(
        "agentops-otel could not export all telemetry within %.1f s (is the OTLP endpoint reachable?); "
        "what is still queued is dropped.",
        timeout_millis / 1000,
    )
    return False
