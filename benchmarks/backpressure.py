"""A slow or unreachable exporter must not slow the application (target: within 1.1x of healthy).

Run: .venv/bin/python benchmarks/backpressure.py
Each arm runs the same sessions (5 child spans each) through agentops-otel's own export pipeline
(ReportingExporter + BatchSpanProcessor) in front of a different exporter: healthy (discards),
slow (100 ms per batch), down (real OTLP/gRPC to a port where nothing listens).
"""

from __future__ import annotations

import os
import statistics
import time
import tracemalloc
from collections.abc import Callable, Sequence

from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

import agentops_otel as agentops
from agentops_otel.client import get_client
from agentops_otel.ids import SessionIdGenerator
from benchmarks._harness import DropExporter

os.environ.setdefault("AGENTOPS_FLUSH_TIMEOUT", "1000")
SESSIONS = 4000
CHILDREN = 5


class SlowExporter(DropExporter):
    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        time.sleep(0.1)
        return super().export(spans)


def run_arm(exporter: SpanExporter) -> dict[str, float]:
    provider = TracerProvider(id_generator=SessionIdGenerator())
    agentops.init(tracer_provider=provider, exporter=exporter, auto_start_session=False)
    tracer = provider.get_tracer("backpressure")
    latencies: list[float] = []
    for _ in range(SESSIONS):
        began = time.perf_counter()
        with agentops.start_session() as session:
            for _ in range(CHILDREN):
                tracer.start_span("child", context=session.context()).end()
        latencies.append(time.perf_counter() - began)
    tracemalloc.start()  # a second pass for memory: tracemalloc slows every allocation down
    for _ in range(SESSIONS):
        with agentops.start_session() as session:
            for _ in range(CHILDREN):
                tracer.start_span("child", context=session.context()).end()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    client = get_client()
    losses = client._pipeline.losses.counts if client and client._pipeline else {}
    agentops.shutdown()
    latencies.sort()
    return {
        "median µs": statistics.median(latencies) * 1e6,
        "p99 µs": latencies[int(len(latencies) * 0.99)] * 1e6,
        "peak MiB": peak / 2**20,
        "queue full": losses.get("queue_full", 0),
        "export failed": losses.get("export_failed", 0),
        "exported": getattr(exporter, "count", 0),
    }


def main(rounds: int = 3) -> str:
    arms: dict[str, Callable[[], SpanExporter]] = {
        "healthy": DropExporter,
        "slow (100 ms/batch)": SlowExporter,
        "down (OTLP to a closed port)": lambda: OTLPSpanExporter(endpoint="127.0.0.1:9", insecure=True, timeout=2),
    }
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in arms}
    for _ in range(rounds):  # interleaved, so drift on the machine hits every arm alike
        for name, make_exporter in arms.items():
            runs[name].append(run_arm(make_exporter()))
    results = {
        name: {key: statistics.median(run[key] for run in done) for key in done[0]} for name, done in runs.items()
    }
    healthy = results["healthy"]
    produced = 2 * SESSIONS * (CHILDREN + 1)
    lines = [
        f"### Application latency per session ({produced} spans per run; medians of {rounds} interleaved runs)",
        "",
        "| exporter | median µs | p99 µs | median vs healthy | p99 vs healthy | peak MiB | exported "
        "| dropped: queue full | dropped: export failed |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, result in results.items():
        lines.append(
            f"| {name} | {result['median µs']:.1f} | {result['p99 µs']:.1f} | "
            f"{result['median µs'] / healthy['median µs']:.2f}x | {result['p99 µs'] / healthy['p99 µs']:.2f}x | "
            f"{result['peak MiB']:.1f} | {result['exported']:.0f} | {result['queue full']:.0f} | "
            f"{result['export failed']:.0f} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(main())
