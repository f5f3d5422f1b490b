"""Session cost vs. a bare span, and our baggage stamping vs. opentelemetry-processor-baggage.

Run: .venv/bin/python benchmarks/session_overhead.py [--rounds 15]
All arms run interleaved in one process; results are medians of per-round µs/op and ratios.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable

from opentelemetry import baggage, context, trace
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult

import agentops_otel as agentops
from agentops_otel.ids import SessionIdGenerator
from agentops_otel.processor import SessionSpanProcessor
from agentops_otel.registry import registry

OPS = 2000
os.environ.setdefault("AGENTOPS_QUIET", "1")  # the summary line is I/O, not session cost


class DropExporter(SpanExporter):
    def export(self, spans: object) -> SpanExportResult:
        return SpanExportResult.SUCCESS


def provider_with(*processors: SpanProcessor) -> TracerProvider:
    provider = TracerProvider(id_generator=SessionIdGenerator())
    for processor in processors:
        provider.add_span_processor(processor)
    provider.add_span_processor(SimpleSpanProcessor(DropExporter()))
    return provider


def bare_root_span_with_baggage(tracer: trace.Tracer) -> Callable[[], None]:
    def run() -> None:
        span = tracer.start_span("session", context=context.Context(), attributes={"session.id": "x"})
        token = context.attach(baggage.set_baggage("session.id", "x", trace.set_span_in_context(span)))
        context.detach(token)
        span.end()

    return run


def session_lifecycle() -> None:
    agentops.start_session().end_session("Success")


def child_span_in_context(tracer: trace.Tracer, session_id: str) -> Callable[[], None]:
    ctx = baggage.set_baggage("session.id", session_id)

    def run() -> None:
        tracer.start_span("child", context=ctx).end()

    return run


def measure(arms: dict[str, Callable[[], None]], rounds: int) -> dict[str, float]:
    samples: dict[str, list[float]] = {name: [] for name in arms}
    for arm in arms.values():  # warm-up
        for _ in range(200):
            arm()
    for _ in range(rounds):
        order = list(arms.items())
        random.shuffle(order)
        for name, arm in order:
            started = time.perf_counter()
            for _ in range(OPS):
                arm()
            samples[name].append((time.perf_counter() - started) / OPS * 1e6)
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds

    provider = provider_with()
    agentops.init(tracer_provider=provider, exporter="none", auto_start_session=False)
    tracer = provider.get_tracer("bench")
    lifecycle = measure(
        {"bare root span + baggage": bare_root_span_with_baggage(tracer), "session start+end": session_lifecycle},
        rounds,
    )

    from opentelemetry.processor.baggage import BaggageSpanProcessor

    session = agentops.start_session()
    plain = provider_with().get_tracer("bench")
    ours = provider_with(SessionSpanProcessor(registry)).get_tracer("bench")
    theirs = provider_with(BaggageSpanProcessor(lambda key: key == "session.id")).get_tracer("bench")
    stamping = measure(
        {
            "child span, no stamping": child_span_in_context(plain, session.session_id),
            "child span, SessionSpanProcessor": child_span_in_context(ours, session.session_id),
            "child span, BaggageSpanProcessor": child_span_in_context(theirs, session.session_id),
        },
        rounds,
    )
    session.end_session("Success")
    agentops.shutdown()

    def table(results: dict[str, float], baseline: str) -> None:
        for name, micros in results.items():
            print(f"| {name} | {micros:.2f} | {micros / results[baseline]:.2f}x |")

    print("| arm | µs/op | ratio |\n|---|---|---|")
    table(lifecycle, "bare root span + baggage")
    table(stamping, "child span, no stamping")


if __name__ == "__main__":
    main()
