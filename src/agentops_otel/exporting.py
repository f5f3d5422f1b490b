"""Where spans go: the embedded JSON-lines file by default, OTLP when an endpoint is configured.

Export runs on the BatchSpanProcessor's thread, never on the caller's. Flushing at exit is
bounded: a collector that is down costs the process at most ``AGENTOPS_FLUSH_TIMEOUT``. Lost
spans are reported by :mod:`agentops_otel.losses`.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from opentelemetry.sdk.metrics.export import ConsoleMetricExporter, MetricExporter
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SpanExporter

from .internal_errors import handle_internal_errors
from .losses import QueueGuardProcessor, ReportingExporter, SpanLosses

if TYPE_CHECKING:
    from .config import Config

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

    return OTLPSpanExporter()


def _http_spans(_config: Config) -> SpanExporter:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()


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
    from opentelemetry.exporter.otlp.json.file import FileSpanExporter

    return _open(FileSpanExporter, config.traces_file, "spans")


def _file_metrics(config: Config) -> MetricExporter | None:
    from opentelemetry.exporter.otlp.json.file import FileMetricExporter

    return _open(FileMetricExporter, config.metrics_file, "metrics")


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


_DESTINATIONS: dict[str, _Destination] = {
    "otlp": _Destination(_by_protocol(_grpc_spans, _http_spans), _by_protocol(_grpc_metrics, _http_metrics)),
    "otlp_http": _Destination(_http_spans, _http_metrics),
    "file": _Destination(_file_spans, _file_metrics),
    "console": _Destination(lambda _config: ConsoleSpanExporter(), lambda _config: ConsoleMetricExporter()),
    "none": _Destination(_nothing, _nothing),
}
EXPORTER_NAMES = tuple(_DESTINATIONS)


def otlp_endpoint_configured(environ: Mapping[str, str]) -> bool:
    """Whether the standard OTLP endpoint variables point somewhere."""
    return bool(environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))


def _destination_name(config: Config) -> str:
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
