"""Spans lost on the way out: counted, exposed as a metric, and reported once per outage.

What loses spans while the application keeps running: a collector that fails or never answers
(the exporter gives up on a batch after its retries), a collector that answers success but does
not take the spans (OTLP partial success, or a 2xx that is not an OTLP answer), and a queue that
fills up because export cannot keep up. Each is counted in the ``agentops.spans.dropped``
counter (attribute ``reason``: ``export_failed`` / ``rejected`` / ``queue_full``) and logs one
warning when it starts and one when it ends, never one line per span, batch or retry.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import NamedTuple
from urllib.parse import unquote

from opentelemetry import metrics
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.metrics import CallbackOptions, Observation
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTracePartialSuccess
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

from .attributes import SCOPE

logger = logging.getLogger("agentops_otel")

EXPORT_FAILED = "export_failed"
REJECTED = "rejected"
INVALID_SPAN = "invalid_span"
QUEUE_FULL = "queue_full"
# Fields: count (this batch or span), total (lost for this reason so far), detail.
_STARTED = {
    EXPORT_FAILED: "agentops-otel could not export %(count)d spans (%(detail)s). Your program is not affected; "
    "the exporter keeps retrying, and further failures are counted, not logged, until export works again.",
    REJECTED: "agentops-otel: the collector answered success but did not take %(count)d spans (%(detail)s). Your "
    "program is not affected; further rejections are counted (metric agentops.spans.dropped), not logged, until it "
    "takes all again.",
    INVALID_SPAN: "agentops-otel dropped %(count)d spans that cannot be sent as OTLP (%(detail)s); the other spans of "
    "their batch were exported. Your program is not affected; further ones are counted (metric "
    "agentops.spans.dropped), not logged.",
    QUEUE_FULL: "agentops-otel is dropping spans (%(total)d so far): %(detail)s. Your program is not affected; drops "
    "are counted (metric agentops.spans.dropped), not logged, until the queue drains.",
}
_ENDED = {
    EXPORT_FAILED: "agentops-otel: span export works again (%d spans lost so far).",
    REJECTED: "agentops-otel: the collector takes every span again (%d spans rejected so far).",
    QUEUE_FULL: "agentops-otel: the export queue drains again (%d spans dropped so far).",
}


class SpanLosses:
    """Lost-span counts by reason, with the once-per-outage warnings."""

    def __init__(self, meter: metrics.Meter | None = None) -> None:
        self.counts = dict.fromkeys(_STARTED, 0)
        self.quiet = False  # set once a flush deadline passed: that warning already said it
        self._ongoing = dict.fromkeys(_STARTED, False)
        self._lock = threading.Lock()
        (meter or metrics.get_meter(SCOPE)).create_observable_counter(
            "agentops.spans.dropped",
            callbacks=[self._observe],
            unit="{span}",
            description="Spans that could not be exported, by reason.",
        )

    def lost(self, reason: str, count: int, detail: str) -> None:
        """Count `count` lost spans; warn if this starts an outage of this kind."""
        with self._lock:
            self.counts[reason] += count
            if self._ongoing[reason] or self.quiet:
                return
            self._ongoing[reason] = True
        logger.warning(_STARTED[reason], {"count": count, "total": self.counts[reason], "detail": detail})

    def ongoing(self, reason: str) -> bool:
        """Whether an outage of this kind is under way."""
        return self._ongoing[reason]

    def recovered(self, reason: str) -> None:
        """An outage of this kind is over (cheap when there was none)."""
        if not self._ongoing[reason]:
            return
        with self._lock:
            self._ongoing[reason] = False
            total = self.counts[reason]
        logger.warning(_ENDED[reason], total)

    def _observe(self, _options: CallbackOptions) -> Iterable[Observation]:
        for reason, count in self.counts.items():
            yield Observation(count, {"reason": reason})


# Where OTLP header values (collector keys) come from; the SDK and the exporters' errors quote them.
_HEADER_VARIABLES = (
    "OTEL_EXPORTER_OTLP_HEADERS",
    "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
    "OTEL_EXPORTER_OTLP_METRICS_HEADERS",
    "OTEL_EXPORTER_OTLP_LOGS_HEADERS",
)
REDACTED = "[redacted]"
_MIN_SECRET_LENGTH = 4  # shorter pieces are not keys, and redacting them would garble every line


def _header_secrets(environ: Mapping[str, str]) -> list[str]:
    """Each form in which a header value may be quoted (raw, decoded, escaped, by word), longest first.

    The split is loose on purpose: a malformed ``key: value`` pair is exactly what gets quoted.
    """
    secrets: set[str] = set()
    for variable in _HEADER_VARIABLES:
        for pair in environ.get(variable, "").split(","):
            raw = re.split("[=:]", pair, maxsplit=1)[-1].strip()
            decoded = unquote(raw)
            secrets.update((raw, decoded, repr(decoded)[1:-1], *re.split(r"[\s\x00-\x1f]+", decoded)))
    return sorted((secret for secret in secrets if len(secret) >= _MIN_SECRET_LENGTH), key=len, reverse=True)


def redact_secrets(text: str) -> str:
    """`text` with every OTLP header value replaced, for anything we log or quote."""
    for secret in _header_secrets(os.environ):
        text = text.replace(secret, REDACTED)
    return text


class _ExporterLogFilter(logging.Filter):
    """Redacts header values from the SDK's and OTLP exporters' log lines, and holds back per-retry ones.

    While a collector is down the exporters log on every retry of every batch;
    :class:`ReportingExporter` turns the outage into one warning (quoting the latest of these
    lines) instead. Their lines (and the SDK's "Header format invalid!") can quote the
    ``OTEL_EXPORTER_OTLP_HEADERS`` values, so every line is redacted before anyone sees it.
    """

    LOGGERS = (
        "opentelemetry.exporter.otlp.proto.grpc.exporter",  # all gRPC signals
        "opentelemetry.exporter.otlp.proto.http.trace_exporter",
        "opentelemetry.exporter.otlp.proto.http.metric_exporter",
        "opentelemetry.util.re",  # parses OTEL_EXPORTER_OTLP_HEADERS when an exporter is built
    )
    _FAILURES = ("Transient error", "Failed to export", "Failed to encode")
    # What the exporters say after we stopped them at the flush deadline: expected, not news.
    _AFTER_ABORT = ("Shutdown in progress, aborting retry", "Exporter already shutdown")

    def __init__(self) -> None:
        super().__init__()
        self.last_failure = ""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = redact_secrets(record.getMessage())
            record.msg, record.args = message, None
            if record.exc_info:
                record.exc_text = redact_secrets(logging.Formatter().formatException(record.exc_info))
        except Exception:  # a line we cannot redact is not shown
            return False
        if message.startswith(self._FAILURES):
            self.last_failure = message
            return False
        return not message.startswith(self._AFTER_ABORT)


_exporter_log = _ExporterLogFilter()
for _name in _ExporterLogFilter.LOGGERS:  # before any exporter is built: building one may log
    logging.getLogger(_name).addFilter(_exporter_log)


class Rejection(NamedTuple):
    """Spans a collector did not take although it answered success; `spans` None means all of them."""

    spans: int | None
    detail: str


class Rejections:
    """What an exporter's latest answer refused: OTLP partial success, or a success that was not OTLP.

    The SDK's OTLP exporters return SUCCESS for both; ours (see ``exporting.py``) read the answer
    into this, and :class:`ReportingExporter` counts and reports it after each export.
    """

    def __init__(self) -> None:
        self._latest: Rejection | None = None

    def answered(self, partial_success: ExportTracePartialSuccess) -> None:
        """Note an OTLP answer's partial success, if it rejected any span."""
        if partial_success.rejected_spans > 0:
            message = partial_success.error_message or "no reason given"
            self._latest = Rejection(partial_success.rejected_spans, f"partial success: {message}")

    def refused(self, detail: str) -> None:
        """Note an answer that took none of the batch."""
        self._latest = Rejection(None, detail)

    def take(self) -> Rejection | None:
        """The rejection since the last call, if any."""
        latest, self._latest = self._latest, None
        return latest


SLOW_EXPORT_SECONDS = 1.0
"""An export running longer than this means a slow destination: spans are dropped, not waited for."""
MAX_REQUEST_BYTES = 3 * 1024 * 1024
"""Most one export request of ours carries. gRPC receivers (the Collector's included) refuse
messages over 4 MiB by default and reject the whole request; the rest is headroom for the
resource, the scope and the estimate's error."""
_SPAN_BYTES = 160  # ids, times, kind, flags, status and the field tags around them
_FIELD_BYTES = 16  # tags and lengths around one attribute, event or array item


def _estimated_size(span: ReadableSpan) -> int:
    """A bound of `span`'s encoded size, cheap enough to take for every span (no encoding)."""
    size = _SPAN_BYTES + _text_size(span.name) + _attributes_size(span.attributes)
    size += _text_size(span.status.description or "")
    for event in span.events:
        size += _FIELD_BYTES + _text_size(event.name) + _attributes_size(event.attributes)
    for link in span.links:
        size += _SPAN_BYTES + _attributes_size(link.attributes)
    return size


def _attributes_size(attributes: Mapping[str, object] | None) -> int:
    if not attributes:
        return 0
    return sum(_FIELD_BYTES + _text_size(key) + _value_size(value) for key, value in attributes.items())


def _value_size(value: object) -> int:
    if isinstance(value, str):
        return _text_size(value)
    if isinstance(value, bytes):
        return len(value)
    if isinstance(value, (list, tuple)):
        return sum(_FIELD_BYTES + _value_size(item) for item in value)
    return _FIELD_BYTES  # a number or a boolean


def _text_size(text: str) -> int:
    return len(text) if text.isascii() else 4 * len(text)  # UTF-8 takes at most 4 bytes a character


def _encoded_size(span: ReadableSpan) -> int | None:
    """`span`'s exact OTLP size, or None if it cannot be encoded."""
    try:
        size: int = encode_spans([span]).ByteSize()
    except Exception:
        return None
    return size


def _unencodable(spans: list[ReadableSpan]) -> list[tuple[ReadableSpan, str]]:
    """The spans OTLP cannot encode (a timestamp before 1970 or past 2554, a value of a wrong type...), and why."""
    try:
        encode_spans(spans)
        return []
    except Exception:
        pass
    invalid: list[tuple[ReadableSpan, str]] = []
    for span in spans:
        try:
            encode_spans([span])
        except Exception as error:
            invalid.append((span, f"{type(error).__name__}: {error}"))
    return invalid


class ReportingExporter(SpanExporter):
    """Wraps an exporter so that failed batches are counted and reported once per outage.

    It never raises: an exception from the wrapped exporter is a failed batch like any other.
    """

    def __init__(self, exporter: SpanExporter, losses: SpanLosses) -> None:
        self.exporter = exporter
        self._losses = losses
        self._rejections: Rejections | None = getattr(exporter, "rejections", None)  # ours, for OTLP
        # Notified after each export (the batch left the queue before it). Reentrant: a signal
        # handler ending spans on a thread that holds it must not deadlock.
        self._exported = threading.Condition(threading.RLock())
        self._export_started: float | None = None

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Export a batch in parts a collector accepts by size; a span that cannot be sent costs only itself."""
        return self._export_tracked(spans)

    def _export_parts(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        results = [self._export_part(part) for part in self._parts(spans)]
        return (
            SpanExportResult.SUCCESS
            if all(result is SpanExportResult.SUCCESS for result in results)
            else (SpanExportResult.FAILURE)
        )

    def _export_tracked(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self._export_started = time.monotonic()
        try:
            return self._export_parts(spans)
        finally:
            self._export_started = None
            with self._exported:
                self._exported.notify_all()

    def wait_for_room(self, room: Callable[[], bool]) -> bool:
        """Wait until `room()` while exports are healthy: none failing, none running over SLOW_EXPORT_SECONDS."""
        if self._losses.ongoing(EXPORT_FAILED):
            return False
        idle_deadline = time.monotonic() + SLOW_EXPORT_SECONDS  # for a worker about to start an export
        with self._exported:
            while not room():
                started = self._export_started
                deadline = idle_deadline if started is None else started + SLOW_EXPORT_SECONDS
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._exported.wait(remaining):
                    return room()
        return True

    def _parts(self, spans: Sequence[ReadableSpan]) -> Iterator[list[ReadableSpan]]:
        """Consecutive parts of at most MAX_REQUEST_BYTES; a span larger than that alone is dropped."""
        part: list[ReadableSpan] = []
        part_size = 0
        for span in spans:
            size = _estimated_size(span)
            if size > MAX_REQUEST_BYTES:
                exact = _encoded_size(span)
                if exact is None or exact > MAX_REQUEST_BYTES:
                    self._drop_invalid([(span, f"{size} bytes, more than the {MAX_REQUEST_BYTES} a request may carry")])
                    continue
                size = exact
            if part and part_size + size > MAX_REQUEST_BYTES:
                yield part
                part, part_size = [], 0
            part.append(span)
            part_size += size
        if part:
            yield part

    def _export_part(self, spans: list[ReadableSpan]) -> SpanExportResult:
        result = self._send(spans)
        if result is not SpanExportResult.SUCCESS:
            invalid = _unencodable(spans)  # only on failure: the usual path encodes once, in the exporter
            if invalid:
                self._drop_invalid(invalid)
                dropped = {id(span) for span, _ in invalid}
                spans = [span for span in spans if id(span) not in dropped]
                result = self._send(spans) if spans else SpanExportResult.SUCCESS
        if result is SpanExportResult.SUCCESS:
            self._losses.recovered(EXPORT_FAILED)
            self._count_rejected(len(spans))
        else:
            detail = _exporter_log.last_failure or "the exporter reported a failure"
            self._losses.lost(EXPORT_FAILED, len(spans), detail)
        return result

    def _send(self, spans: list[ReadableSpan]) -> SpanExportResult:
        """The wrapped exporter's result; an exception is a failure like any other."""
        _exporter_log.last_failure = ""
        try:
            return self.exporter.export(spans)
        except Exception as error:
            _exporter_log.last_failure = redact_secrets(f"{type(error).__name__}: {error}")
            logger.debug("The span exporter raised: %s", redact_secrets("".join(traceback.format_exception(error))))
            return SpanExportResult.FAILURE

    def _drop_invalid(self, invalid: list[tuple[ReadableSpan, str]]) -> None:
        for span, reason in invalid:
            logger.debug("Dropped span %r: %s", span.name, reason)
        span, reason = invalid[0]
        self._losses.lost(INVALID_SPAN, len(invalid), f"span {span.name!r}: {reason}")

    def _count_rejected(self, batch_size: int) -> None:
        rejection = self._rejections.take() if self._rejections is not None else None
        if rejection is None:
            self._losses.recovered(REJECTED)
            return
        count = batch_size if rejection.spans is None else min(rejection.spans, batch_size)
        self._losses.lost(REJECTED, count, redact_secrets(rejection.detail))

    def shutdown(self) -> None:
        """Shut the wrapped exporter down (this also stops its retries)."""
        self.exporter.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Flush the wrapped exporter."""
        return self.exporter.force_flush(timeout_millis)


class QueueGuardProcessor(BatchSpanProcessor):
    """A BatchSpanProcessor that waits for a healthy exporter and drops cheaply and quietly otherwise.

    A burst can outrun even an instant exporter (encoding costs more than making a span), so when
    the queue is full and the exporter is healthy, the span waits for the export under way to make
    room: no span is lost without a slow or failing destination. When the current export has run
    for more than ``SLOW_EXPORT_SECONDS`` or export is failing, the span is dropped: the SDK logs a
    warning (creating a log record) for every span it drops, which made the application 1.45x
    slower while a collector was down (``benchmarks/backpressure.py``); here a full queue costs one
    length check per span and the loss is reported through ``SpanLosses``.
    """

    def __init__(
        self,
        exporter: ReportingExporter,
        losses: SpanLosses,
        *,
        max_queue_size: int,
        schedule_delay_millis: int,
        max_export_batch_size: int,
    ) -> None:
        super().__init__(
            exporter,
            max_queue_size=max_queue_size,
            schedule_delay_millis=schedule_delay_millis,
            max_export_batch_size=max_export_batch_size,
        )
        self._exporter = exporter
        self._losses = losses
        self._capacity = max_queue_size
        self._queue = self._batch_processor._queue  # noqa: SLF001 - the SDK is pinned to a tested range

    def on_end(self, span: ReadableSpan) -> None:
        """Queue the span for export, waiting for room while the exporter is healthy, else drop it."""
        waiting = len(self._queue)
        if waiting >= self._capacity and not self._room_made():
            detail = (
                f"the export queue is full ({self._capacity} spans) and the destination is slow or down "
                f"(an export running for over {SLOW_EXPORT_SECONDS:g} s, or failing)"
            )
            self._losses.lost(QUEUE_FULL, 1, detail)
            return
        if waiting < self._capacity // 2:
            self._losses.recovered(QUEUE_FULL)
        super().on_end(span)

    def _room_made(self) -> bool:
        """Wait while a healthy exporter makes room; False at once for a failing or stuck one."""
        worker = self._batch_processor._worker_thread  # noqa: SLF001 - never wait for ourselves
        if self._losses.ongoing(QUEUE_FULL) or threading.current_thread() is worker or not worker.is_alive():
            return False
        return self._exporter.wait_for_room(lambda: len(self._queue) < self._capacity)
