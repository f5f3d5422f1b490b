"""Lost spans: counted by reason, one warning when an outage starts and one when it ends."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from agentops_otel.losses import (
    EXPORT_FAILED,
    INVALID_SPAN,
    QUEUE_FULL,
    REJECTED,
    QueueGuardProcessor,
    ReportingExporter,
    SpanLosses,
)


class ScriptedExporter(SpanExporter):
    """Returns the scripted results in turn; raises where the script says so."""

    def __init__(self, script: list[SpanExportResult | Exception]) -> None:
        self.script = script

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        outcome = self.script.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


class BlockedExporter(SpanExporter):
    """Holds the export thread until released, like a collector that stopped answering."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.release.wait(10)
        return SpanExportResult.SUCCESS


def dropped_metric(reader: InMemoryMetricReader) -> dict[str, int]:
    data = reader.get_metrics_data()
    assert data is not None
    points = [
        point
        for resource in data.resource_metrics
        for scope in resource.scope_metrics
        for metric in scope.metrics
        if metric.name == "agentops.spans.dropped"
        for point in metric.data.data_points
    ]
    return {str(point.attributes["reason"]): int(point.value) for point in points}  # type: ignore[index]


def test_failed_batches_are_one_warning_per_outage_and_a_metric(caplog: pytest.LogCaptureFixture) -> None:
    reader = InMemoryMetricReader()
    losses = SpanLosses(MeterProvider(metric_readers=[reader]).get_meter("test"))
    failure, success = SpanExportResult.FAILURE, SpanExportResult.SUCCESS
    exporter = ReportingExporter(ScriptedExporter([failure, RuntimeError("socket closed"), failure, success]), losses)
    tracer = TracerProvider().get_tracer("test")
    batch: list[ReadableSpan] = [tracer.start_span("s") for _ in range(3)]
    for span in batch:
        span.end()  # type: ignore[attr-defined]
    with caplog.at_level(logging.WARNING, logger="agentops_otel"):
        results = [exporter.export(batch) for _ in range(4)]
    assert results == [failure, failure, failure, success]  # the raising exporter did not raise through
    warnings = [record.getMessage() for record in caplog.records]
    assert len(warnings) == 2
    assert warnings[0].startswith("agentops-otel could not export 3 spans")
    assert warnings[1] == "agentops-otel: span export works again (9 spans lost so far)."
    assert losses.counts == {EXPORT_FAILED: 9, REJECTED: 0, INVALID_SPAN: 0, QUEUE_FULL: 0}
    assert dropped_metric(reader) == {EXPORT_FAILED: 9, REJECTED: 0, INVALID_SPAN: 0, QUEUE_FULL: 0}


def test_a_full_queue_drops_quietly_and_reports_once(caplog: pytest.LogCaptureFixture) -> None:
    losses = SpanLosses()
    blocked = BlockedExporter()
    exporter = ReportingExporter(blocked, losses)
    processor = QueueGuardProcessor(
        exporter, losses, max_queue_size=8, max_export_batch_size=1, schedule_delay_millis=1
    )
    provider = TracerProvider()
    provider.add_span_processor(processor)
    tracer = provider.get_tracer("test")
    with caplog.at_level(logging.WARNING):
        for _ in range(100):
            tracer.start_span("span").end()
        blocked.release.set()
        processor.force_flush()
        tracer.start_span("after").end()  # the queue has drained: the outage is over
        processor.shutdown()
    messages = [record.getMessage() for record in caplog.records]
    assert 80 <= losses.counts[QUEUE_FULL] <= 92  # 100 spans, 8 queued, up to a few taken by the exporter
    assert [m for m in messages if "dropping spans" in m] == [messages[0]]
    assert messages[-1].startswith("agentops-otel: the export queue drains again")
    assert not any("Queue full" in m for m in messages)  # the SDK's per-span warning never ran
