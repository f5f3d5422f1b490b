"""Per-span work added at span end for an integration's LLM span (issue 12 item 8: <= 2 µs).

Ends the same GenAI span (provider, model, usage set) on the plain SDK tracer and on the tracer
integrations get (foreign.SessionTracerProvider), both in a running session with our processor,
and prints the difference per span: pricing before end, plus the roll-up's cost lookup.
Run: .venv/bin/python benchmarks/foreign_span_end.py
"""

from __future__ import annotations

import time

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

import agentops_otel as agentops
from agentops_otel.foreign import SessionTracerProvider
from agentops_otel.registry import registry

N = 20_000
START = {
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": "groq",
    "gen_ai.request.model": "llama-3.1-8b-instant",
}
USAGE = {"gen_ai.usage.input_tokens": 100, "gen_ai.usage.output_tokens": 20}


def end_cost(tracer: trace.Tracer) -> float:
    """Best-of-5 mean seconds spent in span.end()."""
    best = float("inf")
    for _ in range(5):
        spans = []
        for _ in range(N):
            span = tracer.start_span("chat", attributes=START)
            span.set_attributes(USAGE)
            spans.append(span)
        began = time.perf_counter()
        for span in spans:
            span.end()
        best = min(best, (time.perf_counter() - began) / N)
    return best


def main() -> None:
    provider = TracerProvider()
    agentops.init(tracer_provider=provider, exporter="none", auto_start_session=False)
    with agentops.start_session():
        plain = end_cost(provider.get_tracer("plain"))
        ours = end_cost(SessionTracerProvider(provider, registry, None).get_tracer("foreign"))
    agentops.shutdown()
    print(
        f"span.end(): plain {plain * 1e6:.2f} µs, integration {ours * 1e6:.2f} µs, added {(ours - plain) * 1e6:.2f} µs"
    )


if __name__ == "__main__":
    main()
