"""``agentops-otel export FILE --endpoint URL``: send the spans (and metrics) of saved files to any OTLP endpoint.

A file written by the embedded default (or by ``serve``) can be looked at later in a Collector,
Jaeger, Honeycomb or Phoenix. The spans are read with the report's tolerant reader and sent, in
batches, by the SDK's own OTLP exporters, so they arrive exactly as a live export would have sent
them, and each batch is retried as the SDK retries (backoff, ``Retry-After``) until ``--timeout``.
Metric lines (``agentops-metrics.jsonl``) go the same way, one request per line. A line that
cannot be read is named with its line number and skipped; everything else is sent.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from opentelemetry.sdk.metrics.export import MetricExporter, MetricExportResult
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from .errors import ReportError
from .metric_reading import Decoded
from .reading import SpanFile
from .text import plural

PROTOCOLS = ("grpc", "http/protobuf")
_BAR_WIDTH = 30


def add_parser(commands: Any) -> None:
    """The ``export`` subcommand's options."""
    command = commands.add_parser(
        "export",
        help="send the spans of saved files to an OTLP endpoint",
        description="Send the spans of OTLP JSON-lines files to any OTLP endpoint (a Collector, Jaeger, "
        "Honeycomb, Phoenix), in batches, retrying as the OpenTelemetry SDK exporter does.",
    )
    command.add_argument("files", nargs="+", type=Path, metavar="FILE", help="spans files, or directories of *.jsonl")
    command.add_argument("--endpoint", required=True, metavar="URL", help="e.g. http://127.0.0.1:4318")
    command.add_argument("--protocol", choices=PROTOCOLS, default="http/protobuf", help="default: http/protobuf")
    command.add_argument(
        "--header", action="append", type=header, default=[], metavar="K=V", help="a header to send (repeatable)"
    )
    command.add_argument("--batch-size", type=int, default=512, metavar="N", help="spans per request (default 512)")
    command.add_argument(
        "--timeout", type=float, default=10.0, metavar="SECONDS", help="per batch, retries included (default 10)"
    )


def header(text: str) -> tuple[str, str]:
    """``--header k=v``."""
    key, equals, value = text.partition("=")
    if not equals or not key.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not a header: use NAME=VALUE")
    return key.strip().lower(), value.strip()


def exporter(endpoint: str, protocol: str, headers: dict[str, str], timeout: float) -> SpanExporter:
    """The SDK's OTLP span exporter for `protocol`; an HTTP base URL gets the standard ``/v1/traces`` path."""
    if protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcExporter

        return GrpcExporter(endpoint=endpoint, insecure=_insecure(endpoint), headers=headers, timeout=timeout)
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpExporter

    return HttpExporter(endpoint=_signal_url(endpoint, "traces"), headers=headers, timeout=timeout)


def metric_exporter(endpoint: str, protocol: str, headers: dict[str, str], timeout: float) -> MetricExporter:
    """The SDK's OTLP metric exporter for `protocol`, to the same endpoint (``/v1/metrics`` over HTTP)."""
    if protocol == "grpc":
        from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter as GrpcExporter

        return GrpcExporter(endpoint=endpoint, insecure=_insecure(endpoint), headers=headers, timeout=timeout)
    from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter as HttpExporter

    return HttpExporter(endpoint=_signal_url(endpoint, "metrics"), headers=headers, timeout=timeout)


def _insecure(endpoint: str) -> bool:
    return urlsplit(endpoint).scheme != "https"


def _signal_url(endpoint: str, signal: str) -> str:
    """A base URL gets the standard ``/v1/<signal>`` path; a URL already naming a signal gets this one."""
    path = urlsplit(endpoint).path
    if path in ("", "/"):
        return endpoint.rstrip("/") + f"/v1/{signal}"
    for known in ("/v1/traces", "/v1/metrics"):
        if path.endswith(known):
            return endpoint[: endpoint.rindex(known)] + f"/v1/{signal}"
    return endpoint


def run(args: argparse.Namespace, paths: Sequence[Path], out: TextIO, err: TextIO) -> int:
    """Send every readable span and metric of `paths`; 0 when all were sent, 1 when the endpoint refused them."""
    if args.batch_size < 1:
        raise ReportError("--batch-size must be at least 1")
    sending = _Sending(args, paths, err)
    try:
        for path in paths:
            sending.file(path)
    finally:
        sending.shutdown()
    metrics = sending.metrics
    if not sending.sent and not metrics.points:
        raise ReportError(f"{', '.join(map(str, paths))} holds no OTLP JSON spans or metrics")
    notes = [f"skipped {plural(sending.skipped, 'unreadable line')}"] if sending.skipped else []
    if metrics.summaries:
        notes.append(f"left out {plural(metrics.summaries, 'summary point')} (the SDK has no summary type)")
    what = plural(sending.sent, "span") + (f" and {plural(metrics.points, 'metric point')}" if metrics.points else "")
    out.write(f"Sent {what} to {args.endpoint} ({args.protocol}){''.join('; ' + note for note in notes)}.\n")
    return 0


class _Sending:
    """One ``export`` run: spans in batches, metric lines as they come, bad lines named."""

    def __init__(self, args: argparse.Namespace, paths: Sequence[Path], err: TextIO) -> None:
        self._args, self._err = args, err
        self._spans = exporter(args.endpoint, args.protocol, dict(args.header), args.timeout)
        self.metrics = _MetricSender(args)
        self._progress = _Progress(paths, err)
        self._path = Path()
        self.sent = self.skipped = 0

    def file(self, path: Path) -> None:
        self._path = path
        span_file = SpanFile(path, on_skip=self._warn, on_metrics=self._send_metrics)
        batch: list[ReadableSpan] = []
        try:
            for span in span_file.spans():
                batch.append(span)
                if len(batch) >= self._args.batch_size:
                    self._send(batch)
                    self._progress.show(span_file.offset, self.sent)
                    batch = []
        except OSError as error:
            raise ReportError(f"cannot read {path}: {error.strerror or error}") from None
        self._send(batch)
        self.skipped += span_file.skipped.count
        self._progress.finish_file(path, self.sent)

    def _warn(self, line_number: int, reason: str) -> None:
        self._err.write(f"agentops-otel export: warning: skipped line {line_number} of {self._path}: {reason}\n")

    def _send_metrics(self, _line_number: int, data: dict[str, Any]) -> None:
        """A metric line; a malformed one raises ValueError, and the reader skips it like any bad line."""
        self.metrics.send(Decoded(data), self.sent)

    def _send(self, batch: list[ReadableSpan]) -> None:
        """Send one batch (the exporter retries), or raise ExportFailed naming what did arrive."""
        if not batch:
            return
        if self._spans.export(batch) is not SpanExportResult.SUCCESS:
            raise ExportFailed(
                f"{self._args.endpoint} did not accept a batch of {plural(len(batch), 'span')} within --timeout "
                f"{self._args.timeout:g} s, retries included ({plural(self.sent, 'span')} sent before it)"
            )
        self.sent += len(batch)

    def shutdown(self) -> None:
        self._spans.shutdown()
        self.metrics.shutdown()


class ExportFailed(ReportError):
    """The endpoint refused a batch after the exporter's retries; exit status 1, not 2."""


class _MetricSender:
    """Sends metric lines as they are met, with an exporter made at the first one."""

    def __init__(self, args: argparse.Namespace) -> None:
        self._args = args
        self._exporter: MetricExporter | None = None
        self.points = 0
        self.summaries = 0

    def send(self, decoded: Decoded, spans_sent: int) -> None:
        args = self._args
        if self._exporter is None:
            self._exporter = metric_exporter(args.endpoint, args.protocol, dict(args.header), args.timeout)
        self.summaries += decoded.summaries
        if not decoded.points:
            return
        if self._exporter.export(decoded.data, timeout_millis=args.timeout * 1000) is not MetricExportResult.SUCCESS:
            raise ExportFailed(
                f"{args.endpoint} did not accept {plural(decoded.points, 'metric point')} within --timeout "
                f"{args.timeout:g} s, retries included ({plural(spans_sent, 'span')} and "
                f"{plural(self.points, 'metric point')} sent before them)"
            )
        self.points += decoded.points

    def shutdown(self) -> None:
        if self._exporter is not None:
            self._exporter.shutdown()


class _Progress:
    """A progress bar on a terminal (bytes read of all files); nothing when stderr is a pipe or a file."""

    def __init__(self, paths: Sequence[Path], err: TextIO) -> None:
        self._err = err
        self._live = err.isatty()
        self._total = sum(path.stat().st_size for path in paths if path.is_file()) or 1
        self._done = 0

    def show(self, offset: int, sent: int) -> None:
        if not self._live:
            return
        share = min((self._done + offset) / self._total, 1.0)
        filled = int(share * _BAR_WIDTH)
        bar = "#" * filled + "." * (_BAR_WIDTH - filled)
        self._err.write(f"\r[{bar}] {share:4.0%}  {sent:,} spans sent")
        self._err.flush()

    def finish_file(self, path: Path, sent: int) -> None:
        self._done += path.stat().st_size
        self.show(0, sent)
        if self._live:
            self._err.write("\n")
