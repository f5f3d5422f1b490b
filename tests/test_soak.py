"""Many short sessions: nothing grows once they have ended (running sessions, memory, threads).

CI runs a short soak; set AGENTOPS_SOAK_SESSIONS (e.g. 100000) for a long one.
"""

from __future__ import annotations

import gc
import os
import threading
import tracemalloc

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

import agentops_otel as agentops
from agentops_otel.ids import SessionIdGenerator
from agentops_otel.registry import registry

SESSIONS = int(os.environ.get("AGENTOPS_SOAK_SESSIONS", "3000"))


class CountingExporter(SpanExporter):
    def __init__(self) -> None:
        self.count = 0

    def export(self, spans: object) -> SpanExportResult:
        self.count += len(spans)  # type: ignore[arg-type]
        return SpanExportResult.SUCCESS


def run_sessions(count: int, tracer: trace.Tracer) -> None:
    for index in range(count):
        with agentops.start_session([f"soak-{index % 7}"]) as session:
            with tracer.start_as_current_span("step"), tracer.start_as_current_span("inner"):
                pass
            session.record(agentops.ToolEvent(name="lookup"))


def test_many_short_sessions_leave_nothing_behind() -> None:
    exporter = CountingExporter()
    provider = TracerProvider(id_generator=SessionIdGenerator())
    processor = BatchSpanProcessor(exporter, max_queue_size=100_000, schedule_delay_millis=50)
    provider.add_span_processor(processor)
    agentops.init(tracer_provider=provider, exporter="none", auto_start_session=False)
    tracer = provider.get_tracer("soak")
    try:
        run_sessions(300, tracer)  # warm-up: caches, interned strings, the export thread
        processor.force_flush()
        gc.collect()
        threads_before = threading.active_count()
        tracemalloc.start()
        baseline = tracemalloc.take_snapshot()
        run_sessions(SESSIONS, tracer)
        processor.force_flush()
        gc.collect()
        grown = sum(stat.size_diff for stat in tracemalloc.take_snapshot().compare_to(baseline, "filename"))
        tracemalloc.stop()
        assert len(registry) == 0
        assert threading.active_count() == threads_before
        assert exporter.count == 4 * (300 + SESSIONS)  # root, two children, the tool span
        # A leak of even one small object per session would show: 3000 sessions x ~100 B = 300 KB.
        assert grown < 256 * 1024, f"memory grew by {grown} bytes over {SESSIONS} sessions"
    finally:
        agentops.shutdown()
