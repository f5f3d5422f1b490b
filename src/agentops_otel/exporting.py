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
from typing import TYPE_CHECKING

from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SpanExporter

from .internal_errors import handle_internal_errors
from .losses import QueueGuardProcessor, ReportingExporter, SpanLosses

if TYPE_CHECKING:
    from .config import Config

logger = logging.getLogger("agentops_otel")

_MIN_QUEUE_SIZE = 2048  # OpenTelemetry's default; AgentOps' 512 drops spans in bursts


def _otlp_protocol(environ: Mapping[str, str]) -> str:
    for variable in ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"):
        if environ.get(variable):
            return environ[variable].strip().lower()
    return "grpc"


def _otlp_grpc(_config: Config) -> SpanExporter:
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()


def _otlp_http(_config: Config) -> SpanExporter:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()


def _otlp(config: Config) -> SpanExporter:
    protocol = _otlp_protocol(os.environ)
    if protocol not in ("grpc", "http/protobuf"):
        logger.warning("OTEL_EXPORTER_OTLP_PROTOCOL=%r is not supported; using grpc.", protocol)
    return _otlp_http(config) if protocol == "http/protobuf" else _otlp_grpc(config)


def _file(config: Config) -> SpanExporter | None:
    from opentelemetry.exporter.otlp.json.file import FileSpanExporter

    try:
        return FileSpanExporter(config.traces_file)
    except OSError as error:
        logger.warning("Cannot write traces to %s (%s); spans will not be exported.", config.traces_file, error)
        return None


def _console(_config: Config) -> SpanExporter:
    return ConsoleSpanExporter()


def _no_exporter(_config: Config) -> None:
    return None


_EXPORTERS: dict[str, Callable[[Config], SpanExporter | None]] = {
    "otlp": _otlp,
    "otlp_http": _otlp_http,
    "file": _file,
    "console": _console,
    "none": _no_exporter,
}
EXPORTER_NAMES = tuple(_EXPORTERS)


def otlp_endpoint_configured(environ: Mapping[str, str]) -> bool:
    """Whether the standard OTLP endpoint variables point somewhere."""
    return bool(environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))


def build_span_exporter(config: Config) -> SpanExporter | None:
    """The exporter `config` asks for: an instance, a name, or OTLP if configured, else the file."""
    choice = config.exporter
    if isinstance(choice, SpanExporter):
        return choice
    name = choice or ("otlp" if otlp_endpoint_configured(os.environ) else "file")
    return _EXPORTERS[name](config)


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

    def flush(self, timeout_millis: int) -> bool:
        """Export what is queued; give up (with a warning) after `timeout_millis`."""
        return _within(self.processor.force_flush, timeout_millis)

    def shutdown(self, timeout_millis: int) -> bool:
        """Export what is queued and stop; past the deadline, abort the exporter's retries."""
        finished = _within(self.processor.shutdown, timeout_millis)
        if not finished:
            with handle_internal_errors("stopping the span exporter"):
                self.exporter.shutdown()
        return finished


def _within(action: Callable[[], object], timeout_millis: int) -> bool:
    """Run `action` on a helper thread and wait for it at most `timeout_millis`.

    The SDK's ``force_flush`` ignores its timeout and OTLP exporters retry for up to 10 s per
    batch, so a bounded wait has to happen here rather than inside the SDK.
    """
    finished = threading.Event()

    def run() -> None:
        try:
            with handle_internal_errors("exporting spans"):
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
        "agentops-otel could not export all spans within %.1f s (is the OTLP endpoint reachable?); "
        "the spans still queued are dropped.",
        timeout_millis / 1000,
    )
    return False
