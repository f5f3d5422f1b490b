"""Shared benchmark plumbing: interleaved arms, medians, ratio tables, a quiet in-memory pipeline."""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Callable, Sequence

from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

import agentops_otel as agentops
from agentops_otel.ids import SessionIdGenerator

os.environ.setdefault("AGENTOPS_QUIET", "1")  # the per-session stderr line is I/O, not SDK cost


class DropExporter(SpanExporter):
    """Counts and discards: export cost stays out of the measurement."""

    def __init__(self) -> None:
        self.count = 0

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.count += len(spans)
        return SpanExportResult.SUCCESS


def init_on_private_provider(exporter: SpanExporter | None = None) -> TracerProvider:
    """``agentops.init()`` on a fresh provider with a batch processor to `exporter`."""
    provider = TracerProvider(id_generator=SessionIdGenerator())
    provider.add_span_processor(BatchSpanProcessor(exporter or DropExporter(), max_queue_size=1 << 20))
    agentops.init(tracer_provider=provider, exporter="none", auto_start_session=False)
    return provider


def measure(arms: dict[str, Callable[[], object]], rounds: int, ops: int) -> dict[str, float]:
    """Median µs per op of each arm; arms interleaved in a shuffled order every round."""
    samples: dict[str, list[float]] = {name: [] for name in arms}
    for arm in arms.values():
        for _ in range(max(ops // 10, 10)):
            arm()
    for _ in range(rounds):
        order = list(arms.items())
        random.shuffle(order)
        for name, arm in order:
            started = time.perf_counter()
            for _ in range(ops):
                arm()
            samples[name].append((time.perf_counter() - started) / ops * 1e6)
    return {name: statistics.median(values) for name, values in samples.items()}


def table(title: str, results: dict[str, float], baseline: str, unit: str = "µs/op") -> str:
    """A Markdown table of results with ratios against `baseline`."""
    lines = [f"### {title}", "", f"| arm | {unit} | ratio |", "|---|---|---|"]
    for name, value in results.items():
        lines.append(f"| {name} | {value:.2f} | {value / results[baseline]:.2f}x |")
    return "\n".join(lines) + "\n"
